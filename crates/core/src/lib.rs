//! `hop-by-hop`: separate connection (hop-by-hop) header lines from end-to-end lines and decide
//! whether a connection stays open, following RFC 9110 §7.6.1 and §5.6.1, RFC 9112 §9.3, §9.6 and
//! §6.1, and RFC 9113 §8.2.2.
//!
//! Plain Rust with no dependency: the Node.js addon (the `hop-by-hop` crate at the repository
//! root) only converts JavaScript values into the slices this crate reads. A Rust proxy can call
//! the same rules through [`filter::filter`] over any [`filter::HeaderSource`], or, with the
//! `http` feature, over an `http::HeaderMap` (see `http_map`).
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

#[cfg(feature = "http")]
pub mod http_map;
