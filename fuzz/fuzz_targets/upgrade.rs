//! `Upgrade` values (RFC 9110 §7.8): printable-ASCII check against the reference, and through
//! the whole filter: an upgrade request with a bad protocol is an error, a good one is kept.
#![no_main]

#[path = "common.rs"]
mod common;

use hop_by_hop_core::codings::is_printable_protocol;
use hop_by_hop_core::filter::{filter, Action, FilterError, Line, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
  let printable = !common::trim(data).is_empty()
    && data
      .iter()
      .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b));
  assert_eq!(is_printable_protocol(data), printable);

  let lines = vec![
    (b"Connection".to_vec(), b"keep-alive, Upgrade".to_vec()),
    (b"Upgrade".to_vec(), data.to_vec()),
  ];
  let mut records = [Line::NEW; 2];
  let options = Options {
    keep_upgrade: true,
    ..Options::default()
  };
  let result = filter(&mut common::Lines(&lines), &options, &mut records, &mut ());
  if printable {
    let verdict = result.unwrap_or_else(|e| panic!("{e:?}"));
    assert!(verdict.upgrade && verdict.append_connection_upgrade);
    assert_eq!(records[1].action, Action::UpgradeKept);
  } else {
    assert_eq!(
      result.err(),
      Some(FilterError::InvalidUpgrade { header: 1 })
    );
  }
});
