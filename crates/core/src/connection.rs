//! The `Connection` header: connection options and the set of nominated names
//! (RFC 9110 §7.6.1).

use std::collections::HashMap;

use crate::names::{class_bit, is_always_removed, name_class, NameList, HOP_BY_HOP_HEADERS};
use crate::token::{is_token, list_elements};

/// Receives what the `Connection` parser noticed; every method defaults to doing nothing so the
/// common call pays for none of it.
pub trait ConnectionReport {
  /// A connection option seen for the first time (lowercase-insensitive), in order.
  fn nominated(&mut self, _token: &[u8]) {}
  /// A nominated name that the protect list keeps.
  fn protected(&mut self, _token: &[u8]) {}
  /// A list element that is not a token, so it cannot name a field or an option.
  fn invalid(&mut self, _element: &[u8]) {}
}

impl ConnectionReport for () {}

/// Why a strict filter rejects a `Connection` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suspicious {
  /// A list element is not a token (RFC 9110 §7.6.1 `Connection = #connection-option`).
  InvalidToken,
  /// A protected field was nominated.
  Protected,
}

/// Connection options gathered from every `Connection` line of one message.
#[derive(Default)]
pub struct ConnectionOptions {
  /// The `close` option (RFC 9112 §9.6).
  pub close: bool,
  /// The `keep-alive` option (RFC 9112 §9.3, for HTTP/1.0).
  pub keep_alive: bool,
  /// The `upgrade` option (RFC 9110 §7.8).
  pub upgrade: bool,
  /// The lengths of the names nominated that only the nomination removes (neither always
  /// removed nor protected), other than `close`: bit `n` for length `n`, bit 63 for 63 and more.
  /// `close` nominates a field called `Close` too (RFC 9110 §7.6.1), but callers that look at a
  /// subset of the lines can cheaply include every `Close`.
  pub nominated_lengths: u64,
  nominations: Nominations,
  /// Always-removed names already reported, by position in `Connection` + [`HOP_BY_HOP_HEADERS`].
  reported_fixed: u16,
}

impl ConnectionOptions {
  /// Reads one `Connection` field line. RFC 9110 §7.6.1: every element that is a token names a
  /// connection option, and a field of that name is removed; empty elements are ignored
  /// (§5.6.1). With `strict`, an element that is not a token or names a protected field is an
  /// error instead of being skipped or reported.
  pub fn add_line(
    &mut self,
    value: &[u8],
    protect: &dyn NameList,
    strict: bool,
    report: &mut impl ConnectionReport,
  ) -> Result<(), Suspicious> {
    for element in list_elements(value) {
      if !is_token(element) {
        if strict {
          return Err(Suspicious::InvalidToken);
        }
        report.invalid(element);
        continue;
      }
      self.note_option(element);
      let protected = protect.contains_name(element);
      if protected && strict {
        return Err(Suspicious::Protected);
      }
      // An always-removed name is not worth a place in the set (`keep-alive`, `upgrade` and `TE`
      // are the usual nominations); it is only reported, once.
      let first = if is_always_removed(element) {
        self.first_fixed_nomination(element)
      } else {
        if !protected && !element.eq_ignore_ascii_case(b"close") {
          self.nominated_lengths |= 1u64 << element.len().min(63);
        }
        self.nominations.insert(element, protected)
      };
      if first {
        report.nominated(element);
        if protected {
          report.protected(element);
        }
      }
    }
    Ok(())
  }

  /// Whether this is the first nomination of this always-removed name.
  fn first_fixed_nomination(&mut self, token: &[u8]) -> bool {
    let position = std::iter::once("Connection")
      .chain(HOP_BY_HOP_HEADERS)
      .position(|name| name.as_bytes().eq_ignore_ascii_case(token))
      .unwrap_or(0);
    let bit = 1u16 << (position % 16);
    let first = self.reported_fixed & bit == 0;
    self.reported_fixed |= bit;
    first
  }

  fn note_option(&mut self, token: &[u8]) {
    if token.eq_ignore_ascii_case(b"close") {
      self.close = true;
    } else if token.eq_ignore_ascii_case(b"keep-alive") {
      self.keep_alive = true;
    } else if token.eq_ignore_ascii_case(b"upgrade") {
      self.upgrade = true;
    }
  }

  /// Whether a field called `name` was nominated and is not protected.
  pub fn removes(&self, name: &[u8]) -> bool {
    self.nominations.contains_unprotected(name)
  }

  /// The union of [`name_class`] over the unprotected nominated names: a header whose class is
  /// not in it cannot be nominated.
  pub fn removed_classes(&self) -> u64 {
    self.nominations.unprotected_filter
  }
}

/// Distinct nominated names, case-insensitively. Up to [`INLINE_NAMES`] short names live inline,
/// so the usual `Connection: keep-alive` allocates nothing; more spill to a hash map keyed by the
/// lowercased name (std's randomly keyed hasher, so crafted names cannot force collisions), and
/// a `Connection` with thousands of tokens stays linear.
struct Nominations {
  inline: [InlineName; INLINE_NAMES],
  inline_count: usize,
  /// Lowercased name → protected.
  spilled: Option<HashMap<Box<[u8]>, bool>>,
  /// One bit per (length, first letter) class of the unprotected names.
  unprotected_filter: u64,
}

const INLINE_NAMES: usize = 8;
const INLINE_NAME_BYTES: usize = 32;

#[derive(Clone, Copy)]
struct InlineName {
  bytes: [u8; INLINE_NAME_BYTES],
  len: u8,
  protected: bool,
}

impl Default for Nominations {
  fn default() -> Self {
    Nominations {
      inline: [InlineName {
        bytes: [0; INLINE_NAME_BYTES],
        len: 0,
        protected: false,
      }; INLINE_NAMES],
      inline_count: 0,
      spilled: None,
      unprotected_filter: 0,
    }
  }
}

impl InlineName {
  fn name(&self) -> &[u8] {
    self.bytes.get(..usize::from(self.len)).unwrap_or_default()
  }
}

impl Nominations {
  /// Adds `name`; returns whether it was new.
  fn insert(&mut self, name: &[u8], protected: bool) -> bool {
    if self.find(name).is_some() {
      return false;
    }
    if !protected {
      self.unprotected_filter |= class_bit(name_class(name));
    }
    if self.spilled.is_none() && self.inline_count < INLINE_NAMES && name.len() <= INLINE_NAME_BYTES
    {
      if let Some(slot) = self.inline.get_mut(self.inline_count) {
        if let Some(target) = slot.bytes.get_mut(..name.len()) {
          target.copy_from_slice(name);
          slot.len = name.len() as u8;
          slot.protected = protected;
          self.inline_count += 1;
          return true;
        }
      }
    }
    self
      .spill()
      .insert(name.to_ascii_lowercase().into(), protected);
    true
  }

  fn spill(&mut self) -> &mut HashMap<Box<[u8]>, bool> {
    let inline = self.inline.get(..self.inline_count).unwrap_or_default();
    self.spilled.get_or_insert_with(|| {
      inline
        .iter()
        .map(|entry| (entry.name().to_ascii_lowercase().into(), entry.protected))
        .collect()
    })
  }

  /// Whether `name` is known, and if so whether it is protected.
  fn find(&self, name: &[u8]) -> Option<bool> {
    match &self.spilled {
      Some(map) => map.get(&name.to_ascii_lowercase()[..]).copied(),
      None => self
        .inline
        .get(..self.inline_count)?
        .iter()
        .find(|entry| entry.name().eq_ignore_ascii_case(name))
        .map(|entry| entry.protected),
    }
  }

  fn may_contain_unprotected(&self, name: &[u8]) -> bool {
    self.unprotected_filter & class_bit(name_class(name)) != 0
  }

  fn contains_unprotected(&self, name: &[u8]) -> bool {
    self.may_contain_unprotected(name) && self.find(name) == Some(false)
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::names::DEFAULT_PROTECTED_HEADERS;

  #[derive(Default)]
  struct Seen {
    nominated: Vec<String>,
    protected: Vec<String>,
    invalid: Vec<String>,
  }

  impl ConnectionReport for Seen {
    fn nominated(&mut self, token: &[u8]) {
      self.nominated.push(String::from_utf8_lossy(token).into());
    }
    fn protected(&mut self, token: &[u8]) {
      self.protected.push(String::from_utf8_lossy(token).into());
    }
    fn invalid(&mut self, element: &[u8]) {
      self.invalid.push(String::from_utf8_lossy(element).into());
    }
  }

  fn parse(lines: &[&str]) -> (ConnectionOptions, Seen) {
    let mut options = ConnectionOptions::default();
    let mut seen = Seen::default();
    for line in lines {
      let parsed = options.add_line(
        line.as_bytes(),
        &DEFAULT_PROTECTED_HEADERS,
        false,
        &mut seen,
      );
      assert_eq!(parsed, Ok(()));
    }
    (options, seen)
  }

  #[test]
  fn options_from_every_line() {
    let cases: &[(&[&str], bool, bool, bool)] = &[
      (&["close"], true, false, false),
      (&["Keep-Alive"], false, true, false),
      (&["keep-alive, Upgrade"], false, true, true),
      (&["", "close"], true, false, false),
      (&["keep-alive", "CLOSE"], true, true, false),
      (&[" , upgrade ,"], false, false, true),
      (&["closed"], false, false, false),
    ];
    for (lines, close, keep_alive, upgrade) in cases {
      let (options, _) = parse(lines);
      assert_eq!(
        (options.close, options.keep_alive, options.upgrade),
        (*close, *keep_alive, *upgrade),
        "{lines:?}"
      );
    }
  }

  #[test]
  fn nominations_match_case_insensitively() {
    let (options, seen) = parse(&["keep-alive, X-Foo", "x-bar"]);
    assert!(options.removes(b"x-foo"));
    assert!(options.removes(b"X-BAR"));
    assert!(!options.removes(b"x-baz"));
    assert_ne!(options.removed_classes(), 0);
    assert_eq!(seen.nominated, ["keep-alive", "X-Foo", "x-bar"]);
  }

  #[test]
  fn duplicates_are_reported_once() {
    let (_, seen) = parse(&["X-Foo, x-foo", "X-FOO"]);
    assert_eq!(seen.nominated, ["X-Foo"]);
  }

  #[test]
  fn protected_names_are_reported_not_removed() {
    let (options, seen) = parse(&["X-Forwarded-For, host, X-Foo"]);
    assert!(!options.removes(b"x-forwarded-for"));
    assert!(!options.removes(b"Host"));
    assert!(options.removes(b"x-foo"));
    assert_eq!(seen.protected, ["X-Forwarded-For", "host"]);
  }

  #[test]
  fn invalid_elements_are_reported_and_skipped() {
    let (options, seen) = parse(&[":path, a b, \"x\", ok"]);
    assert_eq!(seen.invalid, [":path", "a b", "\"x\""]);
    assert!(options.removes(b"ok"));
    assert!(!options.removes(b":path"));
  }

  #[test]
  fn strict_rejects_suspicious_elements() {
    let cases: &[(&str, Suspicious)] = &[
      ("keep-alive, x-forwarded-for", Suspicious::Protected),
      ("a b", Suspicious::InvalidToken),
      (":authority", Suspicious::InvalidToken),
    ];
    for (line, expected) in cases {
      let mut options = ConnectionOptions::default();
      let result = options.add_line(line.as_bytes(), &DEFAULT_PROTECTED_HEADERS, true, &mut ());
      assert_eq!(result, Err(*expected), "{line}");
    }
  }

  #[test]
  fn protect_covers_always_removed_names_too() {
    let protect = ["Upgrade"];
    let mut options = ConnectionOptions::default();
    let mut seen = Seen::default();
    let lenient = options.add_line(b"keep-alive, upgrade, Upgrade", &protect, false, &mut seen);
    assert_eq!(lenient, Ok(()));
    assert_eq!(seen.nominated, ["keep-alive", "upgrade"]);
    assert_eq!(seen.protected, ["upgrade"]);
    let strict = ConnectionOptions::default().add_line(b"upgrade", &protect, true, &mut ());
    assert_eq!(strict, Err(Suspicious::Protected));
  }

  #[test]
  fn many_and_long_nominations_spill_without_losing_any() {
    let names: Vec<String> = (0..1000).map(|i| format!("X-Name-{i}")).collect();
    let long = "X-".repeat(40);
    let mut options = ConnectionOptions::default();
    let empty: [&str; 0] = [];
    for line in std::iter::once(&long).chain(&names) {
      let parsed = options.add_line(line.as_bytes(), &empty, false, &mut ());
      assert_eq!(parsed, Ok(()));
    }
    assert!(options.removes(long.to_lowercase().as_bytes()));
    for name in &names {
      assert!(options.removes(name.to_uppercase().as_bytes()), "{name}");
    }
    assert!(!options.removes(b"x-name-1000"));
  }
}
