//! `Connection` values (RFC 9110 §7.6.1): the list parser and the nomination set, against the
//! reference grammar. Input: one flag byte (bit 0 strict, bit 1 empty protect list), then
//! `Connection` lines separated by `\n`.
#![no_main]

#[path = "common.rs"]
mod common;

use hop_by_hop_core::connection::{ConnectionOptions, ConnectionReport};
use hop_by_hop_core::names::{is_always_removed, NameList, DEFAULT_PROTECTED_HEADERS};
use hop_by_hop_core::token::list_elements;
use libfuzzer_sys::fuzz_target;

#[derive(Default)]
struct Seen {
  nominated: Vec<Vec<u8>>,
  protected: Vec<Vec<u8>>,
  invalid: Vec<Vec<u8>>,
}

impl ConnectionReport for Seen {
  fn nominated(&mut self, token: &[u8]) {
    self.nominated.push(token.to_vec());
  }
  fn protected(&mut self, token: &[u8]) {
    self.protected.push(token.to_vec());
  }
  fn invalid(&mut self, element: &[u8]) {
    self.invalid.push(element.to_vec());
  }
}

fuzz_target!(|data: &[u8]| {
  let Some((&flags, rest)) = data.split_first() else {
    return;
  };
  let strict = flags & 1 != 0;
  let no_names: [&str; 0] = [];
  let protect: &dyn NameList = if flags & 2 != 0 {
    &no_names
  } else {
    &DEFAULT_PROTECTED_HEADERS
  };
  let mut options = ConnectionOptions::default();
  let mut seen = Seen::default();
  let mut accepted: Vec<&[u8]> = Vec::new();
  for line in rest.split(|&b| b == b'\n') {
    // The list parser equals the reference on every line.
    let got: Vec<&[u8]> = list_elements(line).collect();
    assert_eq!(
      got,
      common::elements(line),
      "list of {:?}",
      line.escape_ascii().to_string()
    );
    if options.add_line(line, protect, strict, &mut seen).is_err() {
      assert!(strict, "only a strict parser rejects");
      let suspicious = common::elements(line).into_iter().any(|element| {
        !common::is_token(element)
          || (protect.contains_name(element) && !is_always_removed(element))
      });
      assert!(suspicious, "rejected {:?}", line.escape_ascii().to_string());
      return;
    }
    accepted.push(line);
  }
  let elements: Vec<&[u8]> = accepted
    .iter()
    .flat_map(|line| common::elements(line))
    .collect();
  let has = |option: &[u8]| elements.iter().any(|e| e.eq_ignore_ascii_case(option));
  assert_eq!(options.close, has(b"close"));
  assert_eq!(options.keep_alive, has(b"keep-alive"));
  assert_eq!(options.upgrade, has(b"upgrade"));
  for element in &elements {
    if !common::is_token(element) {
      assert!(!strict);
      assert!(seen.invalid.iter().any(|invalid| invalid == element));
      continue;
    }
    let removable = !is_always_removed(element) && !protect.contains_name(element);
    for variant in [element.to_ascii_lowercase(), element.to_ascii_uppercase()] {
      assert_eq!(
        options.removes(&variant),
        removable,
        "{:?}",
        element.escape_ascii().to_string()
      );
    }
    assert!(seen
      .nominated
      .iter()
      .any(|n| n.eq_ignore_ascii_case(element)));
  }
  // Reported once each, case-insensitively.
  for (index, name) in seen.nominated.iter().enumerate() {
    assert!(!seen.nominated[..index]
      .iter()
      .any(|other| other.eq_ignore_ascii_case(name)));
  }
  assert_eq!(
    seen.invalid.len(),
    elements.iter().filter(|e| !common::is_token(e)).count()
  );
  // Nothing else is removed.
  for probe in [&b"x-not-nominated-probe"[..], b"Host", b"a"] {
    if !elements.iter().any(|e| e.eq_ignore_ascii_case(probe)) {
      assert!(!options.removes(probe));
    }
  }
});
