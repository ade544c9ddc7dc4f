//! Header names with connection-level meaning, and name lists supplied by the caller.

/// Headers that are hop-by-hop whether or not `Connection` names them. RFC 9110 §7.6.1 lists
/// Proxy-Connection, Keep-Alive, TE, Transfer-Encoding and Upgrade as fields a proxy must not
/// forward; Trailer (§6.6.2) describes the framing of this hop; Proxy-Authenticate and
/// Proxy-Authorization (§11.7.1, §11.7.2) are consumed by the proxy they address;
/// HTTP2-Settings (RFC 7540 §3.2.1) belongs to the h2c upgrade of one connection, and
/// RFC 9113 §8.2.2 forbids all of these on HTTP/2.
pub const HOP_BY_HOP_HEADERS: [&str; 9] = [
  "Keep-Alive",
  "Proxy-Connection",
  "TE",
  "Trailer",
  "Transfer-Encoding",
  "Upgrade",
  "Proxy-Authenticate",
  "Proxy-Authorization",
  "HTTP2-Settings",
];

/// Headers that a `Connection` nomination does not remove by default: a client that nominates
/// them could otherwise make the proxy drop the routing and attribution headers it relies on
/// (CVE-2022-31813 in Apache mod_proxy; Envoy refuses such nominations too).
pub const DEFAULT_PROTECTED_HEADERS: [&str; 8] = [
  "Host",
  "Content-Length",
  "Forwarded",
  "X-Forwarded-For",
  "X-Forwarded-Host",
  "X-Forwarded-Proto",
  "X-Forwarded-Port",
  "X-Real-IP",
];

/// What a header name means to the filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderKind {
  /// `Connection` (RFC 9110 §7.6.1).
  Connection,
  /// `Keep-Alive` (RFC 2068 §19.7.1), whose parameters are hints.
  KeepAlive,
  /// `TE` (RFC 9110 §10.1.4).
  Te,
  /// `Transfer-Encoding` (RFC 9112 §6.1).
  TransferEncoding,
  /// `Upgrade` (RFC 9110 §7.8).
  Upgrade,
  /// `Content-Length` (RFC 9110 §8.6).
  ContentLength,
  /// Any other member of [`HOP_BY_HOP_HEADERS`]: removed, value unread.
  OtherHopByHop,
  /// An end-to-end header, unless nominated or stripped.
  EndToEnd,
}

/// Classifies a field name case-insensitively; the length switch keeps it to at most two
/// comparisons.
pub fn classify(name: &[u8]) -> HeaderKind {
  let is = |candidate: &str| name.eq_ignore_ascii_case(candidate.as_bytes());
  match name.len() {
    2 if is("TE") => HeaderKind::Te,
    7 if is("Trailer") => HeaderKind::OtherHopByHop,
    7 if is("Upgrade") => HeaderKind::Upgrade,
    10 if is("Connection") => HeaderKind::Connection,
    10 if is("Keep-Alive") => HeaderKind::KeepAlive,
    14 if is("Content-Length") => HeaderKind::ContentLength,
    14 if is("HTTP2-Settings") => HeaderKind::OtherHopByHop,
    16 if is("Proxy-Connection") => HeaderKind::OtherHopByHop,
    17 if is("Transfer-Encoding") => HeaderKind::TransferEncoding,
    18 if is("Proxy-Authenticate") => HeaderKind::OtherHopByHop,
    19 if is("Proxy-Authorization") => HeaderKind::OtherHopByHop,
    _ => HeaderKind::EndToEnd,
  }
}

/// Whether `name` is removed by the fixed rules alone, so a nomination of it changes nothing.
pub fn is_always_removed(name: &[u8]) -> bool {
  !matches!(
    classify(name),
    HeaderKind::EndToEnd | HeaderKind::ContentLength
  )
}

/// One of 64 classes (0..64) of a field name, by length and first letter, case-insensitively.
/// Comparing class bits rules out most names before any byte comparison.
pub fn name_class(name: &[u8]) -> u8 {
  let first = name.first().map_or(0, u8::to_ascii_lowercase);
  let class = name.len().wrapping_mul(31).wrapping_add(usize::from(first));
  (class % 64) as u8
}

/// [`name_class`] as a bit of a `u64` set of classes.
pub fn class_bit(class: u8) -> u64 {
  1u64.checked_shl(u32::from(class)).unwrap_or(0)
}

/// A caller-supplied list of field names, compared case-insensitively.
pub trait NameList {
  /// Whether the list holds `name`.
  fn contains_name(&self, name: &[u8]) -> bool;
  /// Whether the list is empty, so that lookups can be skipped.
  fn is_empty_list(&self) -> bool;
}

fn slice_contains<T: AsRef<[u8]>>(list: &[T], name: &[u8]) -> bool {
  list
    .iter()
    .any(|entry| entry.as_ref().eq_ignore_ascii_case(name))
}

impl<T: AsRef<[u8]>, const N: usize> NameList for [T; N] {
  fn contains_name(&self, name: &[u8]) -> bool {
    slice_contains(self, name)
  }

  fn is_empty_list(&self) -> bool {
    N == 0
  }
}

impl<T: AsRef<[u8]>> NameList for Vec<T> {
  fn contains_name(&self, name: &[u8]) -> bool {
    slice_contains(self, name)
  }

  fn is_empty_list(&self) -> bool {
    self.is_empty()
  }
}

/// Index of the first entry of a caller-supplied list that is not a field name (RFC 9110 §5.1).
pub fn first_invalid_name<T: AsRef<[u8]>>(list: &[T]) -> Option<usize> {
  list
    .iter()
    .position(|name| !crate::token::is_token(name.as_ref()))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn fixed_list_is_classified_in_any_case() {
    for name in HOP_BY_HOP_HEADERS {
      for variant in [name.to_string(), name.to_lowercase(), name.to_uppercase()] {
        assert_ne!(
          classify(variant.as_bytes()),
          HeaderKind::EndToEnd,
          "{variant}"
        );
        assert!(is_always_removed(variant.as_bytes()), "{variant}");
      }
    }
  }

  #[test]
  fn kinds() {
    let cases: &[(&str, HeaderKind)] = &[
      ("connection", HeaderKind::Connection),
      ("CONNECTION", HeaderKind::Connection),
      ("keep-alive", HeaderKind::KeepAlive),
      ("te", HeaderKind::Te),
      ("Transfer-Encoding", HeaderKind::TransferEncoding),
      ("upgrade", HeaderKind::Upgrade),
      ("content-length", HeaderKind::ContentLength),
      ("trailer", HeaderKind::OtherHopByHop),
      ("trailers", HeaderKind::EndToEnd),
      ("Host", HeaderKind::EndToEnd),
      ("Connectionx", HeaderKind::EndToEnd),
      ("", HeaderKind::EndToEnd),
    ];
    for (name, kind) in cases {
      assert_eq!(classify(name.as_bytes()), *kind, "{name}");
    }
    assert!(!is_always_removed(b"content-length"));
    assert!(!is_always_removed(b"x-foo"));
  }

  #[test]
  fn name_lists_ignore_case() {
    let list = ["X-Forwarded-For", "host"];
    assert!(list.contains_name(b"x-forwarded-for"));
    assert!(list.contains_name(b"HOST"));
    assert!(!list.contains_name(b"x-forwarded"));
    let empty: [&str; 0] = [];
    assert!(empty.is_empty_list());
    assert!(!vec!["a"].is_empty_list());
  }
}
