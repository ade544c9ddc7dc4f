//! `inspect`: the diagnostics of a message, computed only when `result.diagnostics` is read.
//! A `#[napi]` function: it runs once per inspected message, so napi-rs' conversions cost
//! nothing that matters, and a failure becomes a JavaScript error as in the raw callbacks.

use napi_derive::napi;

use hop_by_hop_core::connection::ConnectionReport;
use hop_by_hop_core::filter::{filter, Action, Flat, HeaderSource, Line, Report};
use hop_by_hop_core::keep_alive::KeepAliveHints;
use hop_by_hop_core::names::{NameList, DEFAULT_PROTECTED_HEADERS};

use crate::abi::decode_options;

/// Diagnostics of one message, for the lazy `result.diagnostics` getter.
#[napi(object)]
pub struct Inspection {
  pub nominated: Vec<String>,
  pub protected: Vec<String>,
  pub invalid: Vec<String>,
  pub timeout: Option<u32>,
  pub max: Option<u32>,
  /// Line index of `:authority`.
  pub authority: Option<u32>,
  /// Line indexes of removed lines.
  pub removed: Vec<u32>,
}

#[derive(Default)]
struct Collector {
  nominated: Vec<String>,
  protected: Vec<String>,
  invalid: Vec<String>,
  hints: KeepAliveHints,
  authority: Option<u32>,
}

fn lossy(bytes: &[u8]) -> String {
  String::from_utf8_lossy(bytes).into_owned()
}

impl ConnectionReport for Collector {
  fn nominated(&mut self, token: &[u8]) {
    self.nominated.push(lossy(token).to_ascii_lowercase());
  }
  fn protected(&mut self, token: &[u8]) {
    self.protected.push(lossy(token).to_ascii_lowercase());
  }
  fn invalid(&mut self, element: &[u8]) {
    self.invalid.push(lossy(element));
  }
}

impl Report for Collector {
  const WANTS_HINTS: bool = true;
  fn keep_alive_hints(&mut self, hints: KeepAliveHints) {
    self.hints = hints;
  }
  fn authority(&mut self, header: usize) {
    self.authority = self.authority.or(u32::try_from(header).ok());
  }
}

/// `inspect(flags, strip, protect, rawHeaders)`: the diagnostics of a message that `filter`
/// already accepted. A panic becomes a JavaScript error, as in the raw callbacks.
#[napi(catch_unwind)]
pub fn inspect(
  flags: u32,
  strip: Option<Vec<String>>,
  protect: Option<Vec<String>>,
  raw_headers: Vec<String>,
) -> napi::Result<Inspection> {
  let no_names: [String; 0] = [];
  let strip_list: &dyn NameList = match &strip {
    Some(list) => list,
    None => &no_names,
  };
  let protect_list: &dyn NameList = match &protect {
    Some(list) => list,
    None => &DEFAULT_PROTECTED_HEADERS,
  };
  let options = decode_options(flags, strip_list, protect_list);
  let mut source = Flat(&raw_headers[..]);
  let mut lines = vec![Line::NEW; source.header_count()];
  let mut collector = Collector::default();
  filter(&mut source, &options, &mut lines, &mut collector)
    .map_err(|error| napi::Error::from_reason(format!("hop-by-hop: cannot inspect: {error:?}")))?;
  let removed = lines
    .iter()
    .enumerate()
    .filter(|(_, line)| matches!(line.action, Action::Drop | Action::UpgradeDropped))
    .filter_map(|(header, _)| u32::try_from(header).ok())
    .collect();
  Ok(Inspection {
    nominated: collector.nominated,
    protected: collector.protected,
    invalid: collector.invalid,
    timeout: collector.hints.timeout,
    max: collector.hints.max,
    authority: collector.authority,
    removed,
  })
}
