//! The list grammar of RFC 9110 §5.6, written plainly and independently of `hop-by-hop-core`'s
//! `token` and `connection` modules, so that the property tests (`crates/core/tests`) and the fuzz
//! targets (`fuzz/`) compare the core against a second reading of the RFC. Slow and allocating on
//! purpose: clarity over speed. Test-only; the addon never links it.
#![allow(clippy::indexing_slicing)]

/// `token = 1*tchar` (RFC 9110 §5.6.2).
pub fn is_token(bytes: &[u8]) -> bool {
  !bytes.is_empty()
    && bytes
      .iter()
      .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Without leading and trailing optional whitespace (OWS: SP and HTAB, RFC 9110 §5.6.3).
pub fn trim(mut bytes: &[u8]) -> &[u8] {
  while let [b' ' | b'\t', rest @ ..] = bytes {
    bytes = rest;
  }
  while let [rest @ .., b' ' | b'\t'] = bytes {
    bytes = rest;
  }
  bytes
}

/// Non-empty, trimmed `#element` list members (§5.6.1); commas inside quoted-strings (§5.6.4)
/// do not split.
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

/// A transfer coding's name without its parameters (RFC 9112 §7).
pub fn coding(element: &[u8]) -> &[u8] {
  trim(element.split(|&b| b == b';').next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn table() {
    assert!(is_token(b"X-Secret") && !is_token(b"") && !is_token(b"a b") && !is_token(b"\xe9"));
    assert_eq!(trim(b" \t a \t"), b"a");
    let expected: Vec<&[u8]> = vec![b"a", b"\"b, c\"", b"d"];
    assert_eq!(elements(b" a ,, \"b, c\" ,d, "), expected);
    assert_eq!(coding(b" gzip ; q=1"), b"gzip");
  }
}
