//! `Keep-Alive` values (RFC 2068 §19.7.1.1): `timeout` and `max` hints against a reference.
//! Input: lines separated by `\n`.
#![no_main]

#[path = "common.rs"]
mod common;

use hop_by_hop_core::keep_alive::KeepAliveHints;
use libfuzzer_sys::fuzz_target;

/// `name=value` with an unquoted (no quoted-pair) value, parsed as a u32.
fn parameter(element: &[u8]) -> Option<(&[u8], u32)> {
  let equals = element.iter().position(|&b| b == b'=')?;
  let name = common::trim(&element[..equals]);
  let mut value = common::trim(&element[equals + 1..]);
  if value.len() >= 2 && value[0] == b'"' && value[value.len() - 1] == b'"' {
    let inner = &value[1..value.len() - 1];
    if !inner.contains(&b'\\') {
      value = inner;
    }
  }
  if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
    return None;
  }
  let number = std::str::from_utf8(value).ok()?.parse::<u32>().ok()?;
  Some((name, number))
}

fuzz_target!(|data: &[u8]| {
  let mut hints = KeepAliveHints::default();
  let mut timeout = None;
  let mut max = None;
  for line in data.split(|&b| b == b'\n') {
    hints.add_line(line);
    for element in common::elements(line) {
      if let Some((name, number)) = parameter(element) {
        if name.eq_ignore_ascii_case(b"timeout") {
          timeout.get_or_insert(number);
        } else if name.eq_ignore_ascii_case(b"max") {
          max.get_or_insert(number);
        }
      }
    }
  }
  assert_eq!(
    (hints.timeout, hints.max),
    (timeout, max),
    "{:?}",
    data.escape_ascii().to_string()
  );
});
