//! The whole filter on arbitrary header lines and options. Input: two option bytes, then lines
//! separated by `\n` with the name ending at the first `:` (see `common::decode_lines`).
//!
//! Beyond not panicking, every accepted message must satisfy: at most one normalised TE line,
//! only end-to-end names kept, the output filters to itself, a diagnostics-collecting report
//! and a dirty reused line buffer (as the binding keeps one) give the same decision, and
//! changing the case of names changes nothing.
#![no_main]

#[path = "common.rs"]
mod common;

use std::convert::Infallible;

use hop_by_hop_core::connection::ConnectionReport;
use hop_by_hop_core::filter::{filter, Action, FilterError, Line, Options, Report, Verdict};
use hop_by_hop_core::keep_alive::{Direction, KeepAliveHints, RequestMethod, Version};
use hop_by_hop_core::names::{NameList, DEFAULT_PROTECTED_HEADERS, HOP_BY_HOP_HEADERS};
use libfuzzer_sys::fuzz_target;

const STATUSES: [Option<u16>; 8] = [
  None,
  Some(101),
  Some(200),
  Some(204),
  Some(304),
  Some(100),
  Some(404),
  Some(999),
];

#[derive(Default)]
struct Collect {
  nominated: usize,
  hints: Option<KeepAliveHints>,
}

impl ConnectionReport for Collect {
  fn nominated(&mut self, _token: &[u8]) {
    self.nominated += 1;
  }
}

impl Report for Collect {
  const WANTS_HINTS: bool = true;
  fn keep_alive_hints(&mut self, hints: KeepAliveHints) {
    self.hints = Some(hints);
  }
}

type Outcome = Result<(Verdict, Vec<Action>), FilterError<Infallible>>;

fn run_into(
  lines: &[(Vec<u8>, Vec<u8>)],
  options: &Options<'_>,
  records: &mut Vec<Line>,
) -> Outcome {
  if records.len() < lines.len() {
    records.resize(lines.len(), Line::NEW);
  }
  let verdict = filter(&mut common::Lines(lines), options, records, &mut ())?;
  Ok((
    verdict,
    records[..lines.len()].iter().map(|r| r.action).collect(),
  ))
}

fn run(lines: &[(Vec<u8>, Vec<u8>)], options: &Options<'_>) -> Outcome {
  run_into(lines, options, &mut Vec::new())
}

fn output(
  lines: &[(Vec<u8>, Vec<u8>)],
  actions: &[Action],
  verdict: Verdict,
) -> Vec<(Vec<u8>, Vec<u8>)> {
  let mut out = Vec::new();
  for (line, action) in lines.iter().zip(actions) {
    match action {
      Action::Keep | Action::UpgradeKept => out.push(line.clone()),
      Action::TeTrailers => out.push((line.0.clone(), b"trailers".to_vec())),
      Action::Drop | Action::UpgradeDropped => {}
    }
  }
  if verdict.append_connection_upgrade {
    out.push((b"Connection".to_vec(), b"upgrade".to_vec()));
  }
  out
}

fuzz_target!(|data: &[u8]| {
  let [flags, select, rest @ ..] = data else {
    return;
  };
  let strip = [b"X-A".as_slice(), b"x-internal"];
  let no_strip: [&[u8]; 0] = [];
  let no_protect: [&str; 0] = [];
  let options = Options {
    version: match flags & 3 {
      0 => Version::Http10,
      2 => Version::Http2,
      _ => Version::Http11,
    },
    direction: if flags & 4 != 0 {
      Direction::Response
    } else {
      Direction::Request
    },
    proxy: flags & 8 != 0,
    keep_upgrade: flags & 16 != 0,
    strict: flags & 32 != 0,
    status: STATUSES[usize::from(select & 7)],
    request_method: match (select >> 3) & 3 {
      1 => RequestMethod::Head,
      2 => RequestMethod::Connect,
      _ => RequestMethod::Other,
    },
    strip: if flags & 128 != 0 {
      &strip as &dyn NameList
    } else {
      &no_strip
    },
    protect: if flags & 64 != 0 {
      &no_protect as &dyn NameList
    } else {
      &DEFAULT_PROTECTED_HEADERS
    },
  };
  let lines = common::decode_lines(rest);
  let first = run(&lines, &options);

  // A dirty, reused buffer gives the same answer as a fresh one.
  let mut reused = Vec::new();
  let reversed: Vec<_> = lines.iter().rev().cloned().collect();
  let _ = run_into(&reversed, &options, &mut reused);
  assert_eq!(
    run_into(&lines, &options, &mut reused),
    first,
    "dirty buffer"
  );

  // Case of names changes nothing.
  let upper: Vec<_> = lines
    .iter()
    .map(|(n, v)| (n.to_ascii_uppercase(), v.clone()))
    .collect();
  assert_eq!(run(&upper, &options), first, "case");

  // The diagnostics path decides the same way.
  let mut collect = Collect::default();
  let mut records = vec![Line::NEW; lines.len()];
  let collected = filter(
    &mut common::Lines(&lines),
    &options,
    &mut records,
    &mut collect,
  )
  .map(|verdict| {
    (
      verdict,
      records.iter().map(|r| r.action).collect::<Vec<_>>(),
    )
  });
  assert_eq!(collected, first, "report");

  let Ok((verdict, actions)) = first else {
    return;
  };
  assert!(collect.hints.is_some());
  assert!(actions.iter().filter(|a| **a == Action::TeTrailers).count() <= 1);
  for ((name, _), action) in lines.iter().zip(&actions) {
    match action {
      Action::Keep => {
        assert!(
          common::is_token(name),
          "kept {:?}",
          name.escape_ascii().to_string()
        );
        assert!(!name.eq_ignore_ascii_case(b"Connection"));
        assert!(!HOP_BY_HOP_HEADERS
          .iter()
          .any(|h| name.eq_ignore_ascii_case(h.as_bytes())));
      }
      Action::TeTrailers => {
        assert!(name.eq_ignore_ascii_case(b"TE") && options.direction == Direction::Request)
      }
      Action::UpgradeKept => assert!(name.eq_ignore_ascii_case(b"Upgrade") && verdict.upgrade),
      Action::UpgradeDropped => assert!(name.eq_ignore_ascii_case(b"Upgrade")),
      Action::Drop => {}
    }
  }
  assert_eq!(
    verdict.unchanged,
    actions.iter().all(|a| *a == Action::Keep) && !verdict.append_connection_upgrade
  );
  let out = output(&lines, &actions, verdict);
  match run(&out, &options) {
    Ok((again, actions)) => assert_eq!(output(&out, &actions, again), out, "idempotent"),
    Err(error) => panic!("output rejected: {error:?}"),
  }
});
