//! `hop-by-hop`: separate connection (hop-by-hop) header lines from end-to-end lines and decide
//! whether a connection stays open, following RFC 9110 §7.6.1 and §5.6.1, RFC 9112 §9.3, §9.6 and
//! §6.1, and RFC 9113 §8.2.2.
//!
//! Every module but [`binding`] is plain Rust with no N-API in it.
#![deny(
  clippy::unwrap_used,
  clippy::expect_used,
  clippy::indexing_slicing,
  clippy::panic
)]
#![cfg_attr(test, allow(clippy::panic))]

pub mod codings;
pub mod connection;
pub mod filter;
pub mod keep_alive;
pub mod names;
pub mod token;

#[cfg(not(test))]
mod binding;
