//! Transfer codings: `TE` (RFC 9110 §10.1.4) and `Transfer-Encoding` (RFC 9112 §6.1).

use crate::token::{list_elements, trim_ows};

/// The coding name of a list element, without its parameters (`gzip;q=0.5` → `gzip`).
fn coding_name(element: &[u8]) -> &[u8] {
  let end = element
    .iter()
    .position(|&b| b == b';')
    .unwrap_or(element.len());
  trim_ows(element.get(..end).unwrap_or_default())
}

/// Whether a `TE` value holds the `trailers` member (RFC 9110 §10.1.4). It is the only member an
/// intermediary can forward, since it is the only one Node's HTTP/2 client accepts (RFC 9113
/// §8.2.2).
pub fn te_has_trailers(value: &[u8]) -> bool {
  list_elements(value).any(|element| coding_name(element).eq_ignore_ascii_case(b"trailers"))
}

/// The last coding of a `Transfer-Encoding` value, or `None` for an empty value.
/// RFC 9112 §6.3: a message body is self-delimiting only if the final coding is `chunked`.
pub fn final_coding_is_chunked(value: &[u8]) -> Option<bool> {
  list_elements(value)
    .last()
    .map(|element| coding_name(element).eq_ignore_ascii_case(b"chunked"))
}

/// Whether an `Upgrade` value names a protocol that can be forwarded: non-empty and printable
/// ASCII (RFC 9110 §7.8 `protocol-name "/" protocol-version` are tokens, separated by OWS and
/// commas). Anything else could smuggle control bytes onto the next hop.
pub fn is_printable_protocol(value: &[u8]) -> bool {
  !trim_ows(value).is_empty()
    && value
      .iter()
      .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn te_trailers() {
    let cases: &[(&str, bool)] = &[
      ("trailers", true),
      ("TRAILERS", true),
      ("gzip, trailers", true),
      ("deflate;q=0.5, trailers;q=1", true),
      ("gzip", false),
      ("trailersx", false),
      ("", false),
      (" , ", false),
    ];
    for (value, expected) in cases {
      assert_eq!(te_has_trailers(value.as_bytes()), *expected, "{value}");
    }
  }

  #[test]
  fn final_chunked() {
    let cases: &[(&str, Option<bool>)] = &[
      ("chunked", Some(true)),
      ("gzip, Chunked", Some(true)),
      ("chunked, gzip", Some(false)),
      ("chunked;foo=bar", Some(true)),
      ("identity", Some(false)),
      ("", None),
      (" ,", None),
    ];
    for (value, expected) in cases {
      assert_eq!(
        final_coding_is_chunked(value.as_bytes()),
        *expected,
        "{value}"
      );
    }
  }

  #[test]
  fn printable_protocols() {
    let cases: &[(&[u8], bool)] = &[
      (b"websocket", true),
      (b"h2c", true),
      (b"HTTP/2.0, SHTTP/1.3", true),
      (b"", false),
      (b"  ", false),
      (b"web\rsocket", false),
      (b"web\0socket", false),
      (b"\x7f", false),
      ("w\u{e9}bsocket".as_bytes(), false),
    ];
    for (value, expected) in cases {
      assert_eq!(is_printable_protocol(value), *expected, "{value:?}");
    }
  }
}
