//! What the fuzz targets share: the reference grammar of `crates/reference` (written from RFC 9110
//! §5.6 independently of the core, so that every target is a differential test as well as a crash
//! hunt) and the decoding of fuzz bytes into header lines.
#![allow(dead_code)]

use std::convert::Infallible;

use hop_by_hop_core::filter::HeaderSource;

#[allow(unused_imports)]
pub use hop_by_hop_reference::{coding, elements, is_token, trim};

/// Header lines decoded from fuzz bytes: lines split on `\n`, name and value on the first `:`
/// after the first byte (so that `:authority: x` is a pseudo-header line).
pub fn decode_lines(bytes: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
  if bytes.is_empty() {
    return Vec::new();
  }
  bytes
    .split(|&b| b == b'\n')
    .map(|line| {
      let colon = line
        .iter()
        .skip(1)
        .position(|&b| b == b':')
        .map(|position| position + 1);
      match colon {
        Some(colon) => (line[..colon].to_vec(), trim(&line[colon + 1..]).to_vec()),
        None => (line.to_vec(), Vec::new()),
      }
    })
    .collect()
}

pub struct Lines<'a>(pub &'a [(Vec<u8>, Vec<u8>)]);

impl HeaderSource for Lines<'_> {
  type Error = Infallible;
  fn header_count(&self) -> usize {
    self.0.len()
  }
  fn with_name<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, Infallible> {
    Ok(read(&self.0[header].0))
  }
  fn with_value<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, Infallible> {
    Ok(read(&self.0[header].1))
  }
}
