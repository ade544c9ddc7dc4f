//! Property tests on the Rust core, through the crate's public modules.
//!
//! Every property runs [`cases()`] generated messages (2,000 by default; set
//! `HOP_BY_HOP_PROPTEST_CASES` to change it). The generator is biased toward the names that carry
//! connection semantics, toward `Connection` values that nominate headers present in the same
//! message, and toward the values that change decisions (`close`, `chunked`, `trailers`, ...).
//!
//! The references below are written from the RFCs and the API contract, not from `src/`:
//! - [`reference`]: which lines are forwarded, which error a message gets (RFC 9110 §7.6.1,
//!   §10.1.4, §7.8, RFC 9113 §8.3 and the contract's `strict` rules);
//! - [`reference_keep_alive`]: RFC 9112 §9.3 persistence with the framing rules of §6.1 and §6.3.

use std::convert::Infallible;

use hop_by_hop_core::connection::Suspicious;
use hop_by_hop_core::filter::{
  filter, Action, FilterError, HeaderSource, Line as Record, Options, Verdict,
};
use hop_by_hop_core::keep_alive::{is_persistent, Direction, MessageFacts, RequestMethod, Version};
use hop_by_hop_core::names::{NameList, DEFAULT_PROTECTED_HEADERS, HOP_BY_HOP_HEADERS};
use hop_by_hop_reference::{coding, elements, is_token, trim};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Cases per property.
fn cases() -> u32 {
  std::env::var("HOP_BY_HOP_PROPTEST_CASES")
    .ok()
    .and_then(|cases| cases.parse().ok())
    .unwrap_or(2_000)
}

fn proptest_config() -> ProptestConfig {
  ProptestConfig {
    cases: cases(),
    max_shrink_iters: 2_000,
    ..ProptestConfig::default()
  }
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

#[derive(Clone, PartialEq, Eq)]
struct Line {
  name: Vec<u8>,
  value: Vec<u8>,
}

impl std::fmt::Debug for Line {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    write!(
      f,
      "\"{}: {}\"",
      self.name.escape_ascii(),
      self.value.escape_ascii()
    )
  }
}

/// Shows a name list as strings.
fn show(list: &[Vec<u8>]) -> Vec<String> {
  list
    .iter()
    .map(|name| name.escape_ascii().to_string())
    .collect()
}

/// How the caller wants a message treated, owned so that it can be generated.
#[derive(Clone)]
struct Config {
  version: Version,
  direction: Direction,
  proxy: bool,
  keep_upgrade: bool,
  strict: bool,
  status: Option<u16>,
  method: RequestMethod,
  strip: Vec<Vec<u8>>,
  /// `None`: the default protect list.
  protect: Option<Vec<Vec<u8>>>,
}

impl std::fmt::Debug for Config {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("Config")
      .field("version", &self.version)
      .field("direction", &self.direction)
      .field("proxy", &self.proxy)
      .field("keep_upgrade", &self.keep_upgrade)
      .field("strict", &self.strict)
      .field("status", &self.status)
      .field("method", &self.method)
      .field("strip", &show(&self.strip))
      .field("protect", &self.protect.as_deref().map(show))
      .finish()
  }
}

#[derive(Clone, Debug)]
struct Message {
  lines: Vec<Line>,
  config: Config,
}

struct Lines<'a>(&'a [Line]);

impl HeaderSource for Lines<'_> {
  type Error = Infallible;
  fn header_count(&self) -> usize {
    self.0.len()
  }
  fn with_name<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, Infallible> {
    Ok(read(&self.0[header].name))
  }
  fn with_value<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, Infallible> {
    Ok(read(&self.0[header].value))
  }
}

/// Where an output line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
  /// Input line `n`, unchanged.
  Kept(usize),
  /// Input line `n`'s name with the value `trailers`.
  TeTrailers(usize),
  /// Input line `n`, an Upgrade line kept because the upgrade is.
  UpgradeKept(usize),
  /// The appended `Connection: upgrade`.
  AppendedConnection,
}

#[derive(Debug)]
struct Outcome {
  actions: Vec<Action>,
  verdict: Verdict,
  origins: Vec<Origin>,
  output: Vec<Line>,
}

fn with_options<R>(config: &Config, body: impl FnOnce(&Options<'_>) -> R) -> R {
  let protect: &dyn NameList = match &config.protect {
    Some(list) => list,
    None => &DEFAULT_PROTECTED_HEADERS,
  };
  let options = Options {
    version: config.version,
    direction: config.direction,
    proxy: config.proxy,
    keep_upgrade: config.keep_upgrade,
    strict: config.strict,
    status: config.status,
    request_method: config.method,
    strip: &config.strip,
    protect,
  };
  body(&options)
}

/// Runs the core filter and builds the output the way the JavaScript layer does.
fn run(lines: &[Line], config: &Config) -> Result<Outcome, FilterError<Infallible>> {
  // One spare slot: the filter must only write the first `lines.len()` actions.
  let mut records = vec![Record::NEW; lines.len() + 1];
  let verdict = with_options(config, |options| {
    filter(&mut Lines(lines), options, &mut records, &mut ())
  })?;
  assert_eq!(records.pop(), Some(Record::NEW), "wrote past the lines");
  let actions: Vec<Action> = records.iter().map(|record| record.action).collect();
  let mut origins = Vec::new();
  let mut output = Vec::new();
  for (index, (line, action)) in lines.iter().zip(&actions).enumerate() {
    match action {
      Action::Keep => {
        origins.push(Origin::Kept(index));
        output.push(line.clone());
      }
      Action::UpgradeKept => {
        origins.push(Origin::UpgradeKept(index));
        output.push(line.clone());
      }
      Action::TeTrailers => {
        origins.push(Origin::TeTrailers(index));
        output.push(Line {
          name: line.name.clone(),
          value: b"trailers".to_vec(),
        });
      }
      Action::Drop | Action::UpgradeDropped => {}
    }
  }
  if verdict.append_connection_upgrade {
    origins.push(Origin::AppendedConnection);
    output.push(Line {
      name: b"Connection".to_vec(),
      value: b"upgrade".to_vec(),
    });
  }
  Ok(Outcome {
    actions,
    verdict,
    origins,
    output,
  })
}

// ---------------------------------------------------------------------------------------------
// Reference grammar (RFC 9110 §5.6)
// ---------------------------------------------------------------------------------------------

fn eq(a: &[u8], b: &str) -> bool {
  a.eq_ignore_ascii_case(b.as_bytes())
}

fn in_list(list: &[impl AsRef<[u8]>], name: &[u8]) -> bool {
  list
    .iter()
    .any(|entry| entry.as_ref().eq_ignore_ascii_case(name))
}

fn protect_list(config: &Config) -> Vec<Vec<u8>> {
  match &config.protect {
    Some(list) => list.clone(),
    None => DEFAULT_PROTECTED_HEADERS
      .iter()
      .map(|name| name.as_bytes().to_vec())
      .collect(),
  }
}

fn is_fixed(name: &[u8]) -> bool {
  HOP_BY_HOP_HEADERS.iter().any(|fixed| eq(name, fixed))
}

/// What the message says about its own framing and connection.
#[derive(Clone, Copy, Debug)]
struct Framing {
  close: bool,
  keep_alive: bool,
  transfer_encoding: bool,
  chunked_final: bool,
  content_length: bool,
}

fn framing(lines: &[Line]) -> Framing {
  let options: Vec<Vec<u8>> = lines
    .iter()
    .filter(|line| eq(&line.name, "Connection"))
    .flat_map(|line| elements(&line.value))
    .map(<[u8]>::to_ascii_lowercase)
    .collect();
  let codings: Vec<&[u8]> = lines
    .iter()
    .filter(|line| eq(&line.name, "Transfer-Encoding"))
    .flat_map(|line| elements(&line.value))
    .collect();
  Framing {
    close: options.iter().any(|option| option == b"close"),
    keep_alive: options.iter().any(|option| option == b"keep-alive"),
    transfer_encoding: lines.iter().any(|line| eq(&line.name, "Transfer-Encoding")),
    chunked_final: codings
      .last()
      .is_some_and(|last| eq(coding(last), "chunked")),
    content_length: lines.iter().any(|line| eq(&line.name, "Content-Length")),
  }
}

// ---------------------------------------------------------------------------------------------
// Reference: persistence (RFC 9112 §9.3, §6.1, §6.3)
// ---------------------------------------------------------------------------------------------

/// Whether the response's end is found without closing (RFC 9112 §6.3), for a known status.
fn response_length_known(framing: Framing, status: u16, method: RequestMethod) -> bool {
  // (2) a 2xx answer to CONNECT turns the connection into a tunnel.
  if method == RequestMethod::Connect && (200..300).contains(&status) {
    return false;
  }
  // (1) HEAD, 1xx, 204 and 304 responses end at the empty line, whatever the headers say.
  if method == RequestMethod::Head || (100..200).contains(&status) || status == 204 || status == 304
  {
    return true;
  }
  // (4) chunked last, else read until close; (6) Content-Length; (8) read until close.
  if framing.transfer_encoding {
    framing.chunked_final
  } else {
    framing.content_length
  }
}

/// The persistence decision, written from RFC 9112 and the contract.
fn decide(
  framing: Framing,
  version: Version,
  direction: Direction,
  proxy: bool,
  status: Option<u16>,
  method: RequestMethod,
) -> bool {
  // §9.6: `close` ends the connection after this message, in every version.
  if framing.close {
    return false;
  }
  // RFC 9113 §8.2.2: HTTP/2 has no per-message connection management (contract: HTTP/2 keeps
  // the connection unless `close` was seen).
  if version == Version::Http2 {
    return true;
  }
  // §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing; close after it.
  if framing.transfer_encoding && version == Version::Http10 {
    return false;
  }
  // §6.1, §6.3 (3): Transfer-Encoding with Content-Length is a smuggling vector; close after it.
  if framing.transfer_encoding && framing.content_length {
    return false;
  }
  let length_known = match (direction, status) {
    (Direction::Response, Some(status)) => response_length_known(framing, status, method),
    // (4) a request whose final coding is not chunked gets 400 and close; a response of unknown
    // status without a final chunked is read until close. (6), (7): otherwise the end is known.
    _ => !framing.transfer_encoding || framing.chunked_final,
  };
  if !length_known {
    return false;
  }
  match version {
    // §9.3: HTTP/1.1 persists unless `close`.
    Version::Http11 | Version::Http2 => true,
    // §9.3: HTTP/1.0 persists with `keep-alive`, "if ... the recipient is not a proxy or the
    // message is a response".
    Version::Http10 => framing.keep_alive && (!proxy || direction == Direction::Response),
  }
}

fn reference_keep_alive(lines: &[Line], config: &Config) -> bool {
  decide(
    framing(lines),
    config.version,
    config.direction,
    config.proxy,
    config.status,
    config.method,
  )
}

// ---------------------------------------------------------------------------------------------
// Reference: forwarded lines and errors (RFC 9110 §7.6.1 and the contract)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, PartialEq, Eq)]
struct Expected {
  /// Input lines forwarded unchanged (end-to-end and kept Upgrade lines).
  kept: Vec<usize>,
  te_trailers: Option<usize>,
  upgrade: bool,
  append_connection_upgrade: bool,
}

fn pseudo_name(name: &[u8], config: &Config) -> Option<bool> {
  match name {
    [b':', rest @ ..] if config.version == Version::Http2 && is_token(rest) => Some(true),
    [b':', ..] => Some(false),
    _ => None,
  }
}

fn is_printable_protocol(value: &[u8]) -> bool {
  !trim(value).is_empty()
    && value
      .iter()
      .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
}

fn reference(lines: &[Line], config: &Config) -> Result<Expected, FilterError<Infallible>> {
  let protect = protect_list(config);
  // First pass, line by line: names, then `Connection` under `strict`.
  let mut nominated: Vec<Vec<u8>> = Vec::new();
  let mut upgrade_option = false;
  for (header, line) in lines.iter().enumerate() {
    match pseudo_name(&line.name, config) {
      Some(true) => continue,
      Some(false) => return Err(FilterError::InvalidName { header }),
      None if !is_token(&line.name) => return Err(FilterError::InvalidName { header }),
      None => {}
    }
    if !eq(&line.name, "Connection") {
      continue;
    }
    for element in elements(&line.value) {
      if !is_token(element) {
        if config.strict {
          let reason = Suspicious::InvalidToken;
          return Err(FilterError::Suspicious { header, reason });
        }
        continue;
      }
      // Nominating a protected name is suspicious whatever the name, even one that the fixed
      // rules remove anyway (the caller asked to protect it).
      if in_list(&protect, element) {
        if config.strict {
          let reason = Suspicious::Protected;
          return Err(FilterError::Suspicious { header, reason });
        }
      } else {
        nominated.push(element.to_vec());
      }
      upgrade_option |= eq(element, "upgrade");
    }
  }
  let framing = framing(lines);
  let first_te = lines
    .iter()
    .position(|line| eq(&line.name, "Transfer-Encoding"));
  if config.strict && framing.content_length {
    if let Some(header) = first_te {
      return Err(FilterError::AmbiguousLength { header });
    }
  }
  let upgrade_lines: Vec<usize> = (0..lines.len())
    .filter(|&i| eq(&lines[i].name, "Upgrade"))
    .collect();
  let http11 = config.version == Version::Http11;
  let upgrade = http11
    && !upgrade_lines.is_empty()
    && match config.direction {
      Direction::Request => upgrade_option,
      Direction::Response => config.status == Some(101),
    };
  if upgrade {
    if let Some(&header) = upgrade_lines
      .iter()
      .find(|&&i| !is_printable_protocol(&lines[i].value))
    {
      return Err(FilterError::InvalidUpgrade { header });
    }
  }
  // A stripped name is removed even where a rule would keep it (TE: trailers, a kept Upgrade).
  let upgrade_stripped = in_list(&config.strip, b"Upgrade");
  let keep_upgrade = upgrade
    && !upgrade_stripped
    && (config.direction == Direction::Response || config.keep_upgrade);
  let te_stripped = in_list(&config.strip, b"TE");
  let te_trailers = match config.direction {
    Direction::Request if !te_stripped => lines.iter().position(|line| {
      eq(&line.name, "TE")
        && elements(&line.value)
          .iter()
          .any(|element| eq(coding(element), "trailers"))
    }),
    _ => None,
  };
  let kept = (0..lines.len())
    .filter(|&i| {
      let name = &lines[i].name[..];
      if eq(name, "Upgrade") {
        return keep_upgrade;
      }
      let removed = name.starts_with(b":")
        || eq(name, "Connection")
        || is_fixed(name)
        || in_list(&config.strip, name)
        || in_list(&nominated, name)
        || (eq(name, "Content-Length") && framing.transfer_encoding);
      !removed
    })
    .collect();
  Ok(Expected {
    kept,
    te_trailers,
    upgrade,
    append_connection_upgrade: keep_upgrade,
  })
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// Names that carry connection semantics.
const SEMANTIC: &[&str] = &[
  "Connection",
  "TE",
  "Upgrade",
  "Keep-Alive",
  "Transfer-Encoding",
  "Content-Length",
];

/// Other names worth nominating: the rest of the fixed list, the default protect list, and
/// credentials a client might try to make a proxy drop.
const NOTABLE: &[&str] = &[
  "Proxy-Connection",
  "Trailer",
  "Proxy-Authenticate",
  "Proxy-Authorization",
  "HTTP2-Settings",
  "Host",
  "Forwarded",
  "X-Forwarded-For",
  "X-Forwarded-Host",
  "X-Forwarded-Proto",
  "X-Forwarded-Port",
  "X-Real-IP",
  "Authorization",
  "Cookie",
  "Accept",
  "trailers",
];

/// A small pool, so that random nominations and `strip` entries hit present names.
const POOL: &[&str] = &[
  "X-A",
  "X-B",
  "X-C",
  "x-d",
  "X-Long-Name-Over-Thirty-Two-Bytes-Long",
];

/// Flips the ASCII case of each byte whose bit in `seed` is set (cycling through 64 bits).
fn recase(bytes: &[u8], seed: u64) -> Vec<u8> {
  bytes
    .iter()
    .enumerate()
    .map(|(index, &byte)| {
      if seed.rotate_right((index % 64) as u32) & 1 == 1 {
        if byte.is_ascii_lowercase() {
          byte.to_ascii_uppercase()
        } else {
          byte.to_ascii_lowercase()
        }
      } else {
        byte
      }
    })
    .collect()
}

const TCHARS: &[u8] =
  b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A random token of 1 to 40 tchars.
fn random_token() -> impl Strategy<Value = Vec<u8>> {
  proptest::collection::vec(proptest::sample::select(TCHARS), 1..41)
}

fn name() -> impl Strategy<Value = Vec<u8>> {
  let base = prop_oneof![
    40 => proptest::sample::select(SEMANTIC).prop_map(|s| s.as_bytes().to_vec()),
    20 => proptest::sample::select(NOTABLE).prop_map(|s| s.as_bytes().to_vec()),
    25 => proptest::sample::select(POOL).prop_map(|s| s.as_bytes().to_vec()),
    10 => random_token(),
    3 => proptest::sample::select(&[":authority", ":method", ":path", ":status", ":"][..])
      .prop_map(|s| s.as_bytes().to_vec()),
    1 => proptest::sample::select(&["", "a b", "caf\u{e9}", "x:y", "x\r\n", "\"q\""][..])
      .prop_map(|s| s.as_bytes().to_vec()),
  ];
  (base, any::<u64>()).prop_map(|(name, seed)| recase(&name, seed))
}

/// A list element before nominations are resolved.
#[derive(Clone, Debug)]
enum Element {
  Text(Vec<u8>),
  /// The name of input line `n % len`, case flipped by the seed.
  Nominate(usize, u64),
}

fn element() -> impl Strategy<Value = Element> {
  let text = |list: &'static [&'static str]| {
    proptest::sample::select(list).prop_map(|s| Element::Text(s.as_bytes().to_vec()))
  };
  prop_oneof![
    10 => text(&["close", "keep-alive", "upgrade", "Close", "Keep-Alive", "UPGRADE", "TE"]),
    12 => (any::<usize>(), any::<u64>()).prop_map(|(line, seed)| Element::Nominate(line, seed)),
    6 => text(&["chunked", "gzip", "Chunked", "chunked;x=1", "identity", "deflate"]),
    4 => text(&["trailers", "Trailers;q=1", "deflate;q=0.5", "trailersx"]),
    3 => text(&["timeout=5", "max=100", "timeout=\"7\"", "max=99999999999", "timeout="]),
    4 => text(&["websocket", "h2c", "HTTP/2.0", "IRC/6.9"]),
    3 => text(&["a b", ":path", "\"q,uoted\"", "\"q,X-A,close,x-b\"", "\"a\\\",x-c,\"", "caf\u{e9}", "x\u{1}y", "\"a\\\",b\"", "\u{1F600}"]),
    3 => text(&["", " ", "\t"]),
    4 => proptest::sample::select(POOL)
      .prop_map(|s| Element::Text(s.as_bytes().to_vec())),
    2 => random_token().prop_map(Element::Text),
    1 => proptest::collection::vec(any::<u8>(), 0..12).prop_map(Element::Text),
  ]
}

/// A raw line: a name and a list of elements with separators.
type RawLine = (Vec<u8>, Vec<(Element, &'static str)>);

fn separator() -> impl Strategy<Value = &'static str> {
  proptest::sample::select(&[", ", ",", " , ", ",\t", ",,"][..])
}

/// Any name with any list value.
fn generic_line() -> impl Strategy<Value = RawLine> {
  let value = prop_oneof![
    30 => proptest::collection::vec((element(), separator()), 0..5),
    1 => proptest::collection::vec((element(), separator()), 0..300),
  ];
  (name(), value)
}

/// A semantic name with a value of its own kind, so that TE normalisation, upgrades, chunked
/// framing and protected nominations are common.
fn semantic_line() -> impl Strategy<Value = RawLine> {
  let text = |list: &'static [&'static str]| {
    proptest::sample::select(list).prop_map(|s| Element::Text(s.as_bytes().to_vec()))
  };
  let nominate =
    (any::<usize>(), any::<u64>()).prop_map(|(line, seed)| Element::Nominate(line, seed));
  let protected = (
    proptest::sample::select(&DEFAULT_PROTECTED_HEADERS[..]),
    any::<u64>(),
  )
    .prop_map(|(name, seed)| Element::Text(recase(name.as_bytes(), seed)));
  let connection = prop_oneof![
    3 => text(&["close", "keep-alive", "upgrade", "Upgrade", "TE", "Keep-Alive"]),
    3 => nominate,
    1 => protected,
    1 => element(),
  ];
  let list = |strategy: BoxedStrategy<Element>, max: usize| {
    proptest::collection::vec((strategy, separator()), 1..max)
  };
  let with_name = |name: &'static str| {
    (Just(name.as_bytes().to_vec()), any::<u64>()).prop_map(|(name, seed)| recase(&name, seed))
  };
  prop_oneof![
    4 => (with_name("Connection"), list(connection.boxed(), 5)),
    2 => (with_name("TE"), list(text(&["trailers", "gzip", "Trailers;q=1", "deflate;q=0.5", ""]).boxed(), 3)),
    2 => (with_name("Upgrade"), list(prop_oneof![
      8 => text(&["websocket", "h2c", "HTTP/2.0", "IRC/6.9"]),
      1 => text(&["web\u{1}socket", "w\u{e9}bsocket", "\u{1F600}", " ", "\u{7f}"]),
    ].boxed(), 3)),
    2 => (with_name("Transfer-Encoding"), list(text(&["chunked", "gzip", "chunked;x=1", "", "Chunked"]).boxed(), 3)),
    1 => (with_name("Keep-Alive"), list(text(&["timeout=5", "max=100", "timeout=\"7\"", "max=-1"]).boxed(), 3)),
    1 => (with_name("Content-Length"), list(text(&["0", "42", "1, 1", ""]).boxed(), 2)),
  ]
}

fn raw_line() -> impl Strategy<Value = RawLine> {
  prop_oneof![3 => generic_line(), 2 => semantic_line()]
}

fn resolve(raw: Vec<RawLine>) -> Vec<Line> {
  let names: Vec<Vec<u8>> = raw.iter().map(|(name, _)| name.clone()).collect();
  raw
    .into_iter()
    .map(|(name, parts)| {
      let mut value = Vec::new();
      for (index, (element, separator)) in parts.into_iter().enumerate() {
        if index > 0 {
          value.extend_from_slice(separator.as_bytes());
        }
        match element {
          Element::Text(text) => value.extend_from_slice(&text),
          Element::Nominate(line, seed) => value.extend(recase(&names[line % names.len()], seed)),
        }
      }
      Line { name, value }
    })
    .collect()
}

fn name_list() -> impl Strategy<Value = Vec<Vec<u8>>> {
  let entry = prop_oneof![
    3 => proptest::sample::select(POOL),
    2 => proptest::sample::select(NOTABLE),
    1 => proptest::sample::select(SEMANTIC),
  ];
  proptest::collection::vec(
    (entry, any::<u64>()).prop_map(|(name, seed)| recase(name.as_bytes(), seed)),
    0..4,
  )
}

fn call_config() -> impl Strategy<Value = Config> {
  let version = prop_oneof![
    1 => Just(Version::Http10),
    3 => Just(Version::Http11),
    1 => Just(Version::Http2),
  ];
  let direction = prop_oneof![Just(Direction::Request), Just(Direction::Response)];
  let status = prop_oneof![
    2 => Just(None),
    3 => proptest::sample::select(&[100u16, 101, 200, 204, 205, 304, 404, 999][..]).prop_map(Some),
  ];
  let method = prop_oneof![
    4 => Just(RequestMethod::Other),
    1 => Just(RequestMethod::Head),
    1 => Just(RequestMethod::Connect),
  ];
  let protect = prop_oneof![
    3 => Just(None),
    1 => Just(Some(Vec::new())),
    2 => name_list().prop_map(Some),
  ];
  let flags = (any::<bool>(), any::<bool>(), proptest::bool::weighted(0.3));
  (
    version,
    direction,
    flags,
    status,
    method,
    name_list(),
    protect,
  )
    .prop_map(
      |(version, direction, (proxy, keep_upgrade, strict), status, method, strip, protect)| {
        Config {
          version,
          direction,
          proxy,
          keep_upgrade,
          strict,
          status,
          method,
          strip,
          protect,
        }
      },
    )
}

fn message() -> impl Strategy<Value = Message> {
  let lines = prop_oneof![
    30 => proptest::collection::vec(raw_line(), 0..12),
    1 => proptest::collection::vec(raw_line(), 0..80),
  ];
  // One message in four is an upgrade attempt: `Connection: upgrade` and an `Upgrade` line at
  // random places among the other lines.
  let upgrade = prop_oneof![
    3 => Just(None),
    1 => (
      any::<usize>(),
      any::<usize>(),
      proptest::sample::select(&["upgrade", "keep-alive, Upgrade", "UPGRADE, x-a"][..]),
      proptest::sample::select(&["websocket", "h2c", "web\u{1}socket"][..]),
    )
      .prop_map(Some),
  ];
  let lines = (lines.prop_map(resolve), upgrade).prop_map(|(mut lines, upgrade)| {
    if let Some((first, second, connection, protocol)) = upgrade {
      let line = |name: &str, value: &str| Line {
        name: name.as_bytes().to_vec(),
        value: value.as_bytes().to_vec(),
      };
      lines.insert(first % (lines.len() + 1), line("Connection", connection));
      lines.insert(second % (lines.len() + 1), line("Upgrade", protocol));
    }
    lines
  });
  (lines, call_config()).prop_map(|(lines, config)| Message { lines, config })
}

/// The message with the ASCII case of every name, value and option-list entry changed.
fn recased(message: &Message, seed: u64) -> Message {
  let mut config = message.config.clone();
  config.strip = config.strip.iter().map(|n| recase(n, seed)).collect();
  config.protect = config
    .protect
    .map(|list| list.iter().map(|n| recase(n, !seed)).collect());
  let lines = message
    .lines
    .iter()
    .enumerate()
    .map(|(index, line)| Line {
      name: recase(&line.name, seed.rotate_left(index as u32)),
      value: recase(&line.value, seed.rotate_right(index as u32)),
    })
    .collect();
  Message { lines, config }
}

fn check(condition: bool, message: impl FnOnce() -> String) -> Result<(), TestCaseError> {
  if condition {
    Ok(())
  } else {
    Err(TestCaseError::fail(message()))
  }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// The output is a subsequence of the input, apart from the normalised `TE: trailers` (an input
/// TE line's name with the value `trailers`, at most one, requests only) and one appended
/// `Connection: upgrade` at the end.
fn output_is_a_subsequence_of_the_input(message: &Message) -> Result<(), TestCaseError> {
  let Ok(outcome) = run(&message.lines, &message.config) else {
    return Ok(());
  };
  let lines = &message.lines;
  let mut last = None;
  let mut te_lines = 0;
  for (position, origin) in outcome.origins.iter().enumerate() {
    let out = &outcome.output[position];
    match *origin {
      Origin::Kept(index) | Origin::UpgradeKept(index) => {
        check(last < Some(index), || format!("out of order at {index}"))?;
        check(*out == lines[index], || format!("line {index} changed"))?;
        last = Some(index);
      }
      Origin::TeTrailers(index) => {
        check(last < Some(index), || format!("out of order at {index}"))?;
        check(eq(&lines[index].name, "TE"), || {
          "TE action on a non-TE line".into()
        })?;
        check(out.name == lines[index].name, || "TE name changed".into())?;
        check(out.value == b"trailers", || {
          "TE value not normalised".into()
        })?;
        check(message.config.direction == Direction::Request, || {
          "TE kept in a response".into()
        })?;
        te_lines += 1;
        last = Some(index);
      }
      Origin::AppendedConnection => {
        check(position + 1 == outcome.origins.len(), || {
          "appended line not last".into()
        })?;
      }
    }
  }
  prop_assert!(te_lines <= 1, "{} TE lines", te_lines);
  Ok(())
}

/// No fixed-list, `Connection`, stripped, pseudo- or nominated name survives, unless a
/// nominated name is protected; the normalised TE and a kept Upgrade are the only fixed-list
/// names in the output, and only when the rules allow them.
fn no_hop_by_hop_name_survives(message: &Message) -> Result<(), TestCaseError> {
  let Ok(outcome) = run(&message.lines, &message.config) else {
    return Ok(());
  };
  let config = &message.config;
  let protect = protect_list(config);
  let nominated: Vec<&[u8]> = message
    .lines
    .iter()
    .filter(|line| eq(&line.name, "Connection"))
    .flat_map(|line| elements(&line.value))
    .filter(|element| is_token(element))
    .collect();
  let framing = framing(&message.lines);
  for (origin, line) in outcome.origins.iter().zip(&outcome.output) {
    let name = &line.name[..];
    match origin {
      Origin::Kept(_) => {
        prop_assert!(
          !is_fixed(name) && !eq(name, "Connection"),
          "{:?} kept",
          line
        );
        prop_assert!(!name.starts_with(b":"), "pseudo-header {:?} kept", line);
        prop_assert!(!in_list(&config.strip, name), "stripped {:?} kept", line);
        prop_assert!(
          !in_list(&nominated, name) || in_list(&protect, name),
          "nominated {:?} kept",
          line
        );
        prop_assert!(
          !(eq(name, "Content-Length") && framing.transfer_encoding),
          "Content-Length kept next to Transfer-Encoding"
        );
      }
      Origin::UpgradeKept(_) => {
        prop_assert!(eq(name, "Upgrade"));
        prop_assert!(outcome.verdict.upgrade && outcome.verdict.append_connection_upgrade);
        prop_assert!(config.keep_upgrade || config.status == Some(101));
      }
      Origin::TeTrailers(_) | Origin::AppendedConnection => {}
    }
  }
  Ok(())
}

/// Filtering the output again with the same options gives the same output.
fn filtering_is_idempotent(message: &Message) -> Result<(), TestCaseError> {
  let Ok(first) = run(&message.lines, &message.config) else {
    return Ok(());
  };
  // The second pass is lenient: a strict caller that protects `Upgrade` would rightly refuse
  // the `Connection: upgrade` the first pass appended, which is a refusal, not a change.
  let lenient = Config {
    strict: false,
    ..message.config.clone()
  };
  match run(&first.output, &lenient) {
    Ok(second) => prop_assert_eq!(&second.output, &first.output),
    Err(error) => prop_assert!(false, "output {:?} rejected: {:?}", first.output, error),
  }
  Ok(())
}

/// Changing the ASCII case of names, list values and option lists changes no action, no verdict
/// and no error.
fn case_changes_no_decision(message: &Message, seed: u64) -> Result<(), TestCaseError> {
  let other = recased(message, seed);
  let first = run(&message.lines, &message.config);
  let second = run(&other.lines, &other.config);
  match (first, second) {
    (Ok(a), Ok(b)) => {
      prop_assert_eq!(a.actions, b.actions);
      prop_assert_eq!(a.verdict, b.verdict);
    }
    (Err(a), Err(b)) => prop_assert_eq!(a, b),
    (a, b) => prop_assert!(
      false,
      "{:?} vs {:?}",
      a.map(|o| o.verdict),
      b.map(|o| o.verdict)
    ),
  }
  Ok(())
}

/// The keep-alive decision of the whole filter equals the RFC 9112 reference.
fn keep_alive_matches_rfc9112(message: &Message) -> Result<(), TestCaseError> {
  let Ok(outcome) = run(&message.lines, &message.config) else {
    return Ok(());
  };
  let framing = framing(&message.lines);
  prop_assert_eq!(
    outcome.verdict.keep_alive,
    reference_keep_alive(&message.lines, &message.config),
    "framing {:?}",
    framing
  );
  Ok(())
}

/// Forwarded lines, verdict flags and errors equal the reference model.
fn filter_matches_the_reference_model(message: &Message) -> Result<(), TestCaseError> {
  let got = run(&message.lines, &message.config);
  let expected = reference(&message.lines, &message.config);
  match (got, expected) {
    (Ok(outcome), Ok(expected)) => {
      let kept: Vec<usize> = outcome
        .origins
        .iter()
        .filter_map(|origin| match origin {
          Origin::Kept(index) | Origin::UpgradeKept(index) => Some(*index),
          _ => None,
        })
        .collect();
      let te = outcome.origins.iter().find_map(|origin| match origin {
        Origin::TeTrailers(index) => Some(*index),
        _ => None,
      });
      prop_assert_eq!(kept, expected.kept);
      prop_assert_eq!(te, expected.te_trailers);
      prop_assert_eq!(outcome.verdict.upgrade, expected.upgrade);
      prop_assert_eq!(
        outcome.verdict.append_connection_upgrade,
        expected.append_connection_upgrade
      );
      prop_assert_eq!(
        outcome.verdict.unchanged,
        outcome.actions.iter().all(|action| *action == Action::Keep)
          && !outcome.verdict.append_connection_upgrade
      );
    }
    (Err(error), Err(expected)) => prop_assert_eq!(error, expected),
    (got, expected) => prop_assert!(
      false,
      "core {:?}, reference {:?}",
      got.map(|outcome| outcome.origins),
      expected
    ),
  }
  Ok(())
}

proptest! {
  #![proptest_config(proptest_config())]

  /// Every message-level property above, on the same generated messages (generation dominates
  /// the run time in a debug build, so the messages are shared).
  #[test]
  fn message_properties(message in message(), seed in any::<u64>()) {
    output_is_a_subsequence_of_the_input(&message)?;
    no_hop_by_hop_name_survives(&message)?;
    filtering_is_idempotent(&message)?;
    case_changes_no_decision(&message, seed)?;
    keep_alive_matches_rfc9112(&message)?;
    filter_matches_the_reference_model(&message)?;
  }

  /// `is_persistent` over every combination of facts equals the same reference.
  #[test]
  fn is_persistent_matches_rfc9112(
    version in prop_oneof![Just(Version::Http10), Just(Version::Http11), Just(Version::Http2)],
    response in any::<bool>(),
    proxy in any::<bool>(),
    flags in any::<[bool; 5]>(),
    status in proptest::option::of(100u16..1000),
    method in prop_oneof![
      Just(RequestMethod::Other), Just(RequestMethod::Head), Just(RequestMethod::Connect)
    ],
  ) {
    let [close, keep_alive, transfer_encoding, chunked_final, content_length] = flags;
    let framing = Framing {
      close,
      keep_alive,
      transfer_encoding,
      chunked_final: transfer_encoding && chunked_final,
      content_length,
    };
    let direction = if response { Direction::Response } else { Direction::Request };
    let facts = MessageFacts {
      version,
      direction,
      proxy,
      close,
      keep_alive,
      transfer_encoding,
      chunked_final: framing.chunked_final,
      content_length,
      status,
      request_method: method,
    };
    let expected = decide(framing, version, direction, proxy, status, method);
    prop_assert_eq!(is_persistent(&facts), expected, "{:?}", facts);
  }
}

/// RFC 9112 §6.3 (1): "Any response to a HEAD request and any response with a 1xx
/// (Informational), 204 (No Content), or 304 (Not Modified) status code is always terminated by
/// the first empty line after the header fields, regardless of the header fields present in the
/// message", so a `Transfer-Encoding` that does not end in `chunked` does not force a close.
#[test]
fn rfc9112_no_body_response_ignores_transfer_coding() {
  let lines = [Line {
    name: b"Transfer-Encoding".to_vec(),
    value: b"gzip".to_vec(),
  }];
  for (status, method) in [
    (204, RequestMethod::Other),
    (304, RequestMethod::Other),
    (200, RequestMethod::Head),
  ] {
    let config = Config {
      version: Version::Http11,
      direction: Direction::Response,
      proxy: true,
      keep_upgrade: false,
      strict: false,
      status: Some(status),
      method,
      strip: Vec::new(),
      protect: None,
    };
    let verdict = run(&lines, &config).map(|outcome| outcome.verdict.keep_alive);
    assert_eq!(verdict, Ok(true), "{status} {method:?}");
  }
}

/// Spot checks that the references above say what the RFCs say, so a wrong reference cannot
/// silently agree with a wrong core.
#[test]
fn references_agree_with_hand_written_cases() {
  let line = |name: &str, value: &str| Line {
    name: name.as_bytes().to_vec(),
    value: value.as_bytes().to_vec(),
  };
  let base = Config {
    version: Version::Http11,
    direction: Direction::Request,
    proxy: true,
    keep_upgrade: false,
    strict: false,
    status: None,
    method: RequestMethod::Other,
    strip: Vec::new(),
    protect: None,
  };
  let http10 = Config {
    version: Version::Http10,
    ..base.clone()
  };
  let response = |status| Config {
    direction: Direction::Response,
    status: Some(status),
    ..base.clone()
  };
  let cases: Vec<(Vec<Line>, Config, bool)> = vec![
    (vec![], base.clone(), true),
    (vec![line("Connection", "Close")], base.clone(), false),
    (
      vec![line("connection", "keep-alive")],
      http10.clone(),
      false,
    ),
    (
      vec![line("Connection", "keep-alive")],
      Config {
        proxy: false,
        ..http10.clone()
      },
      true,
    ),
    (
      vec![
        line("Transfer-Encoding", "chunked"),
        line("Content-Length", "1"),
      ],
      base.clone(),
      false,
    ),
    (vec![line("Transfer-Encoding", "chunked")], http10, false),
    (
      vec![line("Transfer-Encoding", "chunked, gzip")],
      base.clone(),
      false,
    ),
    (vec![], response(200), false),
    (vec![], response(304), true),
    (vec![line("Content-Length", "3")], response(200), true),
    (vec![line("Proxy-Connection", "close")], base.clone(), true),
  ];
  for (lines, config, expected) in cases {
    assert_eq!(
      reference_keep_alive(&lines, &config),
      expected,
      "{lines:?} {config:?}"
    );
    let got = run(&lines, &config).map(|outcome| outcome.verdict.keep_alive);
    assert_eq!(got, Ok(expected), "{lines:?} {config:?}");
  }
  let lines = vec![
    line("Host", "h"),
    line("Connection", "x-a, Host, \"q,x\""),
    line("X-A", "1"),
    line("TE", "gzip, trailers"),
  ];
  let expected = reference(&lines, &base).map(|e| (e.kept, e.te_trailers));
  assert_eq!(expected, Ok((vec![0], Some(3))));
}

/// The generator reaches the interesting corners often enough for the properties to mean
/// something: accepted and rejected messages, nominations of present end-to-end headers, kept
/// and protected nominations, TE normalisation, upgrades, and both keep-alive outcomes.
#[test]
fn generator_reaches_interesting_cases() {
  use proptest::strategy::ValueTree;
  use proptest::test_runner::TestRunner;
  let mut runner = TestRunner::deterministic();
  let strategy = message();
  let total = 2_000;
  let mut counts = std::collections::BTreeMap::<&str, usize>::new();
  for _ in 0..total {
    let Ok(tree) = strategy.new_tree(&mut runner) else {
      continue;
    };
    let message = tree.current();
    let mut count = |key| *counts.entry(key).or_default() += 1;
    let Ok(outcome) = run(&message.lines, &message.config) else {
      count("error");
      continue;
    };
    count("ok");
    let nominated_present = outcome.actions.iter().enumerate().any(|(index, action)| {
      *action == Action::Drop
        && !is_fixed(&message.lines[index].name)
        && !eq(&message.lines[index].name, "Connection")
        && !message.lines[index].name.starts_with(b":")
    });
    if nominated_present {
      count("end-to-end line removed");
    }
    let protect = protect_list(&message.config);
    if message.lines.iter().any(|line| {
      eq(&line.name, "Connection")
        && elements(&line.value)
          .iter()
          .any(|element| in_list(&protect, element))
    }) {
      count("protected nomination");
    }
    if outcome.actions.contains(&Action::TeTrailers) {
      count("TE normalised");
    }
    if outcome.verdict.upgrade {
      count("upgrade");
    }
    if outcome.verdict.append_connection_upgrade {
      count("upgrade kept");
    }
    count(if outcome.verdict.keep_alive {
      "keep-alive"
    } else {
      "close"
    });
  }
  eprintln!("generator over {total} messages: {counts:?}");
  for key in [
    "error",
    "ok",
    "end-to-end line removed",
    "protected nomination",
    "TE normalised",
    "upgrade",
    "upgrade kept",
    "keep-alive",
    "close",
  ] {
    let seen = counts.get(key).copied().unwrap_or(0);
    assert!(seen * 50 >= total, "{key}: {seen} of {total}");
  }
}

/// Idempotence corner: a 101 response gains `Connection: upgrade`, which a strict filter with
/// `Upgrade` in `protect` refuses as a nomination of a protected name; the lenient second pass
/// keeps it unchanged. The generator rarely reaches this case, so it is pinned here.
#[test]
fn strict_101_output_filters_to_itself_with_upgrade_protected() {
  let lines = vec![Line {
    name: b"Upgrade".to_vec(),
    value: b"websocket".to_vec(),
  }];
  let config = Config {
    version: Version::Http11,
    direction: Direction::Response,
    proxy: true,
    keep_upgrade: false,
    strict: true,
    status: Some(101),
    method: RequestMethod::Other,
    strip: Vec::new(),
    protect: Some(vec![b"Upgrade".to_vec()]),
  };
  let first = run(&lines, &config).map(|outcome| outcome.output);
  let output = first.unwrap_or_default();
  assert_eq!(output.len(), 2);
  assert!(matches!(
    run(&output, &config),
    Err(FilterError::Suspicious {
      reason: Suspicious::Protected,
      ..
    })
  ));
  let message = Message { lines, config };
  assert!(filtering_is_idempotent(&message).is_ok());
}
