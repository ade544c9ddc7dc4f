//! Reference grammar shared by the fuzz targets, written from RFC 9110 §5.6 independently of
//! `src/token.rs`, so that every target is a differential test as well as a crash hunt.
#![allow(dead_code)]

use std::convert::Infallible;

use hop_by_hop_core::filter::HeaderSource;

pub fn is_token(bytes: &[u8]) -> bool {
  !bytes.is_empty()
    && bytes
      .iter()
      .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

pub fn trim(mut bytes: &[u8]) -> &[u8] {
  while let [b' ' | b'\t', rest @ ..] = bytes {
    bytes = rest;
  }
  while let [rest @ .., b' ' | b'\t'] = bytes {
    bytes = rest;
  }
  bytes
}

/// Non-empty, trimmed `#element` list members; commas in quoted-strings do not split.
pub fn elements(value: &[u8]) -> Vec<&[u8]> {
  let mut out = Vec::new();
  let mut start = 0;
  let mut quoted = false;
  let mut escaped = false;
  for (index, &byte) in value.iter().enumerate() {
    if escaped {
      escaped = false;
    } else if quoted && byte == b'\\' {
      escaped = true;
    } else if byte == b'"' {
      quoted = !quoted;
    } else if byte == b',' && !quoted {
      out.push(trim(&value[start..index]));
      start = index + 1;
    }
  }
  out.push(trim(&value[start..]));
  out.retain(|element| !element.is_empty());
  out
}

/// A transfer coding's name without parameters.
pub fn coding(element: &[u8]) -> &[u8] {
  trim(element.split(|&b| b == b';').next().unwrap_or_default())
}

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
