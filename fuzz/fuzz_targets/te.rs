//! `TE` and `Transfer-Encoding` values (RFC 9110 §10.1.4, RFC 9112 §6.1) against the reference
//! grammar, and through the whole filter: a request keeps exactly the normalised `TE: trailers`.
#![no_main]

#[path = "common.rs"]
mod common;

use hop_by_hop_core::codings::{final_coding_is_chunked, te_has_trailers};
use hop_by_hop_core::filter::{filter, Action, Line, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
  let elements = common::elements(data);
  let trailers = elements
    .iter()
    .any(|e| common::coding(e).eq_ignore_ascii_case(b"trailers"));
  assert_eq!(te_has_trailers(data), trailers);
  let chunked = elements
    .last()
    .map(|e| common::coding(e).eq_ignore_ascii_case(b"chunked"));
  assert_eq!(final_coding_is_chunked(data), chunked);

  let lines = vec![
    (b"TE".to_vec(), data.to_vec()),
    (b"Transfer-Encoding".to_vec(), data.to_vec()),
  ];
  let mut records = [Line::NEW; 2];
  let verdict = filter(
    &mut common::Lines(&lines),
    &Options::default(),
    &mut records,
    &mut (),
  );
  let Ok(verdict) = verdict else {
    panic!("rejected {:?}", data.escape_ascii().to_string())
  };
  let expected_te = if trailers {
    Action::TeTrailers
  } else {
    Action::Drop
  };
  assert_eq!(records[0].action, expected_te);
  assert_eq!(records[1].action, Action::Drop);
  assert_eq!(verdict.keep_alive, chunked == Some(true));
});
