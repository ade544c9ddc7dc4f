//! Splits one message's header lines into end-to-end lines to forward and hop-by-hop lines to
//! drop, and decides whether its connection stays open (RFC 9110 §7.6.1).

use std::convert::Infallible;

use crate::codings::{final_coding_is_chunked, is_printable_protocol, te_has_trailers};
use crate::connection::{ConnectionOptions, ConnectionReport, Suspicious};
use crate::keep_alive::{
  is_persistent, Direction, KeepAliveHints, MessageFacts, RequestMethod, Version,
};
use crate::names::{
  class_bit, classify, name_class, HeaderKind, NameList, DEFAULT_PROTECTED_HEADERS,
};
use crate::token::is_token;

/// Header lines as the caller holds them, read by index. A source may fail to produce a line
/// (a JavaScript element that is not a string); the filter passes that error on.
pub trait HeaderSource {
  /// What reading a line can fail with.
  type Error;
  /// Number of header lines (name/value pairs).
  fn header_count(&self) -> usize;
  /// Lends the name of line `header` to `read`.
  fn with_name<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, Self::Error>;
  /// Lends the value of line `header` to `read`.
  fn with_value<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, Self::Error>;
}

/// Header lines held in memory as `(name, value)` pairs.
pub struct Pairs<'a, T>(pub &'a [(T, T)]);

impl<T: AsRef<[u8]>> HeaderSource for Pairs<'_, T> {
  type Error = Infallible;
  fn header_count(&self) -> usize {
    self.0.len()
  }
  fn with_name<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, Infallible> {
    Ok(read(
      self.0.get(header).map_or(&[][..], |line| line.0.as_ref()),
    ))
  }
  fn with_value<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, Infallible> {
    Ok(read(
      self.0.get(header).map_or(&[][..], |line| line.1.as_ref()),
    ))
  }
}

/// Header lines held in memory as a flat list, name and value alternating, as in Node's
/// `rawHeaders`; a trailing odd element is not a line.
pub struct Flat<'a, T>(pub &'a [T]);

impl<T: AsRef<[u8]>> HeaderSource for Flat<'_, T> {
  type Error = Infallible;
  fn header_count(&self) -> usize {
    self.0.len() / 2
  }
  fn with_name<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, Infallible> {
    let name = self.0.get(header.saturating_mul(2));
    Ok(read(name.map_or(&[][..], AsRef::as_ref)))
  }
  fn with_value<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, Infallible> {
    let value = self.0.get(header.saturating_mul(2).saturating_add(1));
    Ok(read(value.map_or(&[][..], AsRef::as_ref)))
  }
}

/// What happens to one header line. The discriminants are part of the binding's contract; none
/// is zero, so a zero-filled or stale buffer on the JavaScript side drops lines instead of
/// forwarding them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Action {
  /// Forward the line unchanged.
  Keep = 1,
  /// Do not forward the line.
  Drop = 2,
  /// Forward the line's name with the value `trailers`, the one TE member an intermediary may pass
  /// on (RFC 9110 §10.1.4, RFC 9113 §8.2.2).
  TeTrailers = 3,
  /// An `Upgrade` line, forwarded because the upgrade is.
  UpgradeKept = 4,
  /// An `Upgrade` line, not forwarded.
  UpgradeDropped = 5,
}

/// The filter's record of one header line. Callers read [`Line::action`]; the rest lets the
/// second pass skip lines without reading their names again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
  /// What happens to the line.
  pub action: Action,
  class: u8,
  content_length: bool,
}

impl Line {
  /// A line before filtering.
  pub const NEW: Line = Line {
    action: Action::Keep,
    class: 0,
    content_length: false,
  };
}

/// How the caller wants a message treated.
#[derive(Clone, Copy)]
pub struct Options<'a> {
  /// The message's HTTP version.
  pub version: Version,
  /// Request or response.
  pub direction: Direction,
  /// Whether the recipient deciding about the connection is a proxy.
  pub proxy: bool,
  /// Forward a valid upgrade request instead of dropping it.
  pub keep_upgrade: bool,
  /// Reject suspicious input instead of repairing it.
  pub strict: bool,
  /// The response status, when known.
  pub status: Option<u16>,
  /// The request method a response answers.
  pub request_method: RequestMethod,
  /// Extra names to remove.
  pub strip: &'a dyn NameList,
  /// Names that a nomination does not remove.
  pub protect: &'a dyn NameList,
}

const NO_NAMES: [&str; 0] = [];

impl Default for Options<'_> {
  fn default() -> Self {
    Options {
      version: Version::Http11,
      direction: Direction::Request,
      proxy: true,
      keep_upgrade: false,
      strict: false,
      status: None,
      request_method: RequestMethod::Other,
      strip: &NO_NAMES,
      protect: &DEFAULT_PROTECTED_HEADERS,
    }
  }
}

/// The decision about a message; the lines' fates are in the caller's action slice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
  /// The connection may carry another message.
  pub keep_alive: bool,
  /// The message is a valid upgrade (request or 101 response).
  pub upgrade: bool,
  /// The output needs one `Connection: upgrade` line after the kept lines (RFC 9110 §7.8:
  /// the sender of Upgrade "MUST also send an upgrade connection option").
  pub append_connection_upgrade: bool,
  /// Every action is [`Action::Keep`].
  pub unchanged: bool,
  /// The lengths of the fields `Connection` nominated that only the nomination removes (RFC 9110
  /// §7.6.1), other than `Close`: bit `n` for length `n`, bit 63 for 63 and more; 0 for none. A
  /// caller that filtered only the lines that can be hop-by-hop without a nomination must filter
  /// again with the lines of these lengths added.
  pub nominated_lengths: u64,
}

/// Why a message cannot be filtered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterError<E> {
  /// The source could not read a line.
  Source(E),
  /// The action slice is shorter than the number of lines.
  ActionsTooShort,
  /// A field name is not a token (RFC 9110 §5.1).
  InvalidName {
    /// The line at fault.
    header: usize,
  },
  /// A strict filter found a suspicious `Connection` line.
  Suspicious {
    /// The `Connection` line at fault.
    header: usize,
    /// What is suspicious about it.
    reason: Suspicious,
  },
  /// A strict filter found Transfer-Encoding together with Content-Length (RFC 9112 §6.1).
  AmbiguousLength {
    /// The first `Transfer-Encoding` line.
    header: usize,
  },
  /// An upgrade names a protocol that is empty or not printable ASCII.
  InvalidUpgrade {
    /// The `Upgrade` line at fault.
    header: usize,
  },
}

impl<E> From<E> for FilterError<E> {
  fn from(error: E) -> Self {
    FilterError::Source(error)
  }
}

/// Receives diagnostics beyond the verdict. The defaults do nothing, so `()` costs nothing.
pub trait Report: ConnectionReport {
  /// Whether `Keep-Alive` values should be read for [`Report::keep_alive_hints`].
  const WANTS_HINTS: bool = false;
  /// The parsed `Keep-Alive` parameters.
  fn keep_alive_hints(&mut self, _hints: KeepAliveHints) {}
  /// The line holding the HTTP/2 `:authority` pseudo-header.
  fn authority(&mut self, _header: usize) {}
}

impl Report for () {}

/// What the first look at a name found.
enum NameInfo {
  Invalid,
  Pseudo { authority: bool },
  Field(Field),
}

/// A field line's name, classified.
struct Field {
  kind: HeaderKind,
  class: u8,
  stripped: bool,
}

/// Facts gathered line by line in the first pass.
#[derive(Default)]
struct Scan {
  connection: ConnectionOptions,
  hints: KeepAliveHints,
  dropped_any: bool,
  /// Union of [`name_class`] over kept lines, to skip the nomination pass when it cannot match.
  kept_classes: u64,
  content_length: bool,
  transfer_encoding: Option<usize>,
  chunked_final: bool,
  te_trailers: bool,
  has_upgrade: bool,
  /// `strip` names Upgrade, so no Upgrade line may be forwarded.
  upgrade_stripped: bool,
  invalid_upgrade: Option<usize>,
}

/// Filters the lines of `source` into `lines` (one per header line, at least
/// `source.header_count()` long) and returns the verdict.
///
/// Two passes: the first reads every name (and the values of the few fields that carry
/// connection semantics); the second, needed only when `Connection` nominated a name that a kept
/// line may carry, re-reads just the names of those lines.
pub fn filter<S: HeaderSource, R: Report>(
  source: &mut S,
  options: &Options<'_>,
  lines: &mut [Line],
  report: &mut R,
) -> Result<Verdict, FilterError<S::Error>> {
  let count = source.header_count();
  let lines = lines.get_mut(..count).ok_or(FilterError::ActionsTooShort)?;
  let mut scan = Scan::default();
  let stripping = !options.strip.is_empty_list();
  for (header, line) in lines.iter_mut().enumerate() {
    let info = source.with_name(header, |name| inspect_name(name, options, stripping))?;
    *line = match info {
      NameInfo::Invalid => return Err(FilterError::InvalidName { header }),
      NameInfo::Pseudo { authority } => {
        if authority {
          report.authority(header);
        }
        Line {
          action: Action::Drop,
          ..Line::NEW
        }
      }
      NameInfo::Field(field) => scan_field(source, header, field, options, &mut scan, report)?,
    };
    scan.dropped_any |= line.action != Action::Keep;
  }
  if R::WANTS_HINTS {
    report.keep_alive_hints(scan.hints);
  }
  finish(source, options, lines, scan)
}

fn inspect_name(name: &[u8], options: &Options<'_>, stripping: bool) -> NameInfo {
  if let [b':', pseudo @ ..] = name {
    // RFC 9113 §8.3: pseudo-headers describe this HTTP/2 stream; they are never forwarded as
    // fields, and outside HTTP/2 a name starting with ':' is not a token.
    if options.version == Version::Http2 && is_token(pseudo) {
      return NameInfo::Pseudo {
        authority: pseudo == b"authority",
      };
    }
    return NameInfo::Invalid;
  }
  if !is_token(name) {
    return NameInfo::Invalid;
  }
  let kind = classify(name);
  // `Connection` is always removed; stripping any other name removes its lines even where a rule
  // would keep them (TE: trailers, a forwarded Upgrade), while their values still count.
  let stripped = stripping && kind != HeaderKind::Connection && options.strip.contains_name(name);
  NameInfo::Field(Field {
    kind,
    class: name_class(name),
    stripped,
  })
}

/// First-pass handling of one field line; returns its tentative record. A stripped
/// Content-Length still counts for framing: it was part of the message as received.
fn scan_field<S: HeaderSource, R: Report>(
  source: &mut S,
  header: usize,
  field: Field,
  options: &Options<'_>,
  scan: &mut Scan,
  report: &mut R,
) -> Result<Line, FilterError<S::Error>> {
  let Field {
    kind,
    class,
    stripped,
  } = field;
  let action = match kind {
    HeaderKind::EndToEnd | HeaderKind::ContentLength => {
      let content_length = kind == HeaderKind::ContentLength;
      scan.content_length |= content_length;
      if stripped {
        Action::Drop
      } else {
        scan.kept_classes |= class_bit(class);
        return Ok(Line {
          action: Action::Keep,
          class,
          content_length,
        });
      }
    }
    HeaderKind::Connection => {
      let added = source.with_value(header, |value| {
        scan
          .connection
          .add_line(value, options.protect, options.strict, report)
      })?;
      added.map_err(|reason| FilterError::Suspicious { header, reason })?;
      Action::Drop
    }
    HeaderKind::KeepAlive => {
      if R::WANTS_HINTS {
        source.with_value(header, |value| scan.hints.add_line(value))?;
      }
      Action::Drop
    }
    HeaderKind::Te => {
      // RFC 9110 §10.1.4: TE is hop-by-hop; only a request's `trailers` member survives, as one
      // normalised line.
      if options.direction == Direction::Request
        && !stripped
        && !scan.te_trailers
        && source.with_value(header, te_has_trailers)?
      {
        scan.te_trailers = true;
        Action::TeTrailers
      } else {
        Action::Drop
      }
    }
    HeaderKind::TransferEncoding => {
      scan.transfer_encoding.get_or_insert(header);
      // RFC 9112 §6.1: the codings of all lines form one list, so the last line decides.
      if let Some(chunked) = source.with_value(header, final_coding_is_chunked)? {
        scan.chunked_final = chunked;
      }
      Action::Drop
    }
    HeaderKind::Upgrade => {
      scan.has_upgrade = true;
      scan.upgrade_stripped |= stripped;
      if scan.invalid_upgrade.is_none() && !source.with_value(header, is_printable_protocol)? {
        scan.invalid_upgrade = Some(header);
      }
      Action::UpgradeDropped
    }
    HeaderKind::OtherHopByHop => Action::Drop,
  };
  Ok(Line {
    action,
    ..Line::NEW
  })
}

fn finish<S: HeaderSource>(
  source: &mut S,
  options: &Options<'_>,
  lines: &mut [Line],
  mut scan: Scan,
) -> Result<Verdict, FilterError<S::Error>> {
  let ambiguous_length = scan.transfer_encoding.filter(|_| scan.content_length);
  if let (Some(header), true) = (ambiguous_length, options.strict) {
    return Err(FilterError::AmbiguousLength { header });
  }
  let upgrade = is_upgrade(options, &scan);
  if upgrade {
    if let Some(header) = scan.invalid_upgrade {
      return Err(FilterError::InvalidUpgrade { header });
    }
  }
  // RFC 9110 §7.8: a 101 response switches this connection, so its Upgrade must reach the
  // client; a request's upgrade is forwarded only when the caller can tunnel it.
  let keep_upgrade = upgrade
    && !scan.upgrade_stripped
    && (options.direction == Direction::Response || options.keep_upgrade);
  if keep_upgrade {
    for line in lines.iter_mut() {
      if line.action == Action::UpgradeDropped {
        line.action = Action::UpgradeKept;
      }
    }
  }
  let removed_classes = scan.connection.removed_classes() & scan.kept_classes;
  if removed_classes != 0 || ambiguous_length.is_some() {
    scan.dropped_any |= drop_nominated(
      source,
      lines,
      &scan.connection,
      removed_classes,
      ambiguous_length.is_some(),
    )?;
  }
  let facts = MessageFacts {
    version: options.version,
    direction: options.direction,
    proxy: options.proxy,
    close: scan.connection.close,
    keep_alive: scan.connection.keep_alive,
    transfer_encoding: scan.transfer_encoding.is_some(),
    chunked_final: scan.chunked_final,
    content_length: scan.content_length,
    status: options.status,
    request_method: options.request_method,
  };
  Ok(Verdict {
    keep_alive: is_persistent(&facts),
    upgrade,
    append_connection_upgrade: keep_upgrade,
    unchanged: !scan.dropped_any && !keep_upgrade,
    nominated_lengths: scan.connection.nominated_lengths,
  })
}

/// RFC 9110 §7.8 (request) and §15.2.2 (101 response): an upgrade needs HTTP/1.1, an Upgrade
/// field, and for a request the `upgrade` connection option.
fn is_upgrade(options: &Options<'_>, scan: &Scan) -> bool {
  let http11 = options.version == Version::Http11;
  let has_upgrade = scan.has_upgrade;
  match options.direction {
    Direction::Request => http11 && has_upgrade && scan.connection.upgrade,
    Direction::Response => http11 && has_upgrade && options.status == Some(101),
  }
}

/// Second pass: drops every kept line whose name `Connection` nominated (RFC 9110 §7.6.1), and
/// every Content-Length when Transfer-Encoding is present (RFC 9112 §6.1: "an intermediary ...
/// MUST remove the received Content-Length field"). Returns whether it dropped anything.
fn drop_nominated<S: HeaderSource>(
  source: &mut S,
  lines: &mut [Line],
  connection: &ConnectionOptions,
  removed_classes: u64,
  drop_content_length: bool,
) -> Result<bool, FilterError<S::Error>> {
  let mut dropped = false;
  for (header, line) in lines.iter_mut().enumerate() {
    if line.action != Action::Keep {
      continue;
    }
    let remove = (drop_content_length && line.content_length)
      || (removed_classes & class_bit(line.class) != 0
        && source.with_name(header, |name| connection.removes(name))?);
    if remove {
      line.action = Action::Drop;
      dropped = true;
    }
  }
  Ok(dropped)
}

#[cfg(test)]
pub(crate) mod tests {
  use super::*;

  /// A header line in tests.
  pub type Pair<'a> = (&'a str, &'a str);
  /// Forwarded lines and the verdict.
  pub type Outcome = (Vec<(String, String)>, Verdict);

  /// The forwarded lines and the verdict, as the JavaScript layer would build them.
  pub fn run(
    lines: &[Pair<'_>],
    options: &Options<'_>,
  ) -> Result<Outcome, FilterError<Infallible>> {
    let mut records = vec![Line::NEW; lines.len()];
    let verdict = filter(&mut Pairs(lines), options, &mut records, &mut ())?;
    let mut output: Vec<(String, String)> = Vec::new();
    for (line, record) in lines.iter().zip(&records) {
      match record.action {
        Action::Keep | Action::UpgradeKept => output.push((line.0.into(), line.1.into())),
        Action::TeTrailers => output.push((line.0.into(), "trailers".into())),
        Action::Drop | Action::UpgradeDropped => {}
      }
    }
    if verdict.append_connection_upgrade {
      output.push(("Connection".into(), "upgrade".into()));
    }
    Ok((output, verdict))
  }

  /// [`run`] that must succeed.
  fn accepted(lines: &[Pair<'_>], options: &Options<'_>) -> Outcome {
    match run(lines, options) {
      Ok(outcome) => outcome,
      Err(error) => panic!("{lines:?}: {error:?}"),
    }
  }

  fn kept_names(lines: &[Pair<'_>], options: &Options<'_>) -> Vec<String> {
    let (output, _) = accepted(lines, options);
    output.into_iter().map(|(name, _)| name).collect()
  }

  #[test]
  fn removes_connection_fixed_list_and_nominations() {
    let lines = [
      ("Host", "a"),
      ("X-Foo", "1"),
      ("Connection", "keep-alive, X-Foo"),
      ("Keep-Alive", "timeout=5"),
      ("Proxy-Connection", "keep-alive"),
      ("TE", "gzip"),
      ("Trailer", "X-T"),
      ("Transfer-Encoding", "chunked"),
      ("Upgrade", "websocket"),
      ("Proxy-Authenticate", "Basic"),
      ("Proxy-Authorization", "Basic x"),
      ("HTTP2-Settings", "AAA"),
      ("x-foo", "2"),
      ("Accept", "*/*"),
    ];
    assert_eq!(kept_names(&lines, &Options::default()), ["Host", "Accept"]);
  }

  #[test]
  fn nominations_on_any_line_and_before_the_field() {
    let lines = [
      ("X-A", "1"),
      ("Connection", ""),
      ("X-B", "2"),
      ("Connection", "x-a"),
      ("connection", ", X-B ,"),
      ("X-C", "3"),
    ];
    assert_eq!(kept_names(&lines, &Options::default()), ["X-C"]);
  }

  #[test]
  fn strip_and_protect() {
    let lines = [
      ("Host", "h"),
      ("X-Forwarded-For", "1.2.3.4"),
      ("Connection", "Host, X-Forwarded-For, Cookie"),
      ("Cookie", "a=b"),
      ("X-Internal", "secret"),
    ];
    let strip = ["x-internal"];
    let options = Options {
      strip: &strip,
      ..Options::default()
    };
    assert_eq!(kept_names(&lines, &options), ["Host", "X-Forwarded-For"]);
    let unprotected = Options {
      protect: &NO_NAMES,
      ..Options::default()
    };
    assert_eq!(kept_names(&lines, &unprotected), ["X-Internal"]);
    let strict = Options {
      strict: true,
      ..Options::default()
    };
    assert_eq!(
      run(&lines, &strict).err(),
      Some(FilterError::Suspicious {
        header: 2,
        reason: Suspicious::Protected
      })
    );
  }

  #[test]
  fn strip_removes_lines_that_rules_would_keep() {
    let strip = ["te", "Upgrade"];
    let options = Options {
      strip: &strip,
      keep_upgrade: true,
      ..Options::default()
    };
    let lines = [
      ("TE", "trailers"),
      ("Connection", "upgrade"),
      ("Upgrade", "websocket"),
      ("Host", "h"),
    ];
    let (output, verdict) = accepted(&lines, &options);
    assert_eq!(output, [("Host".to_string(), "h".to_string())]);
    assert!(verdict.upgrade);
    assert!(!verdict.append_connection_upgrade);
  }

  #[test]
  fn te_trailers_is_normalised_once() {
    let lines = [
      ("TE", "gzip"),
      ("te", "deflate, Trailers"),
      ("TE", "trailers"),
    ];
    let (output, _) = accepted(&lines, &Options::default());
    assert_eq!(output, [("te".to_string(), "trailers".to_string())]);
    let response = Options {
      direction: Direction::Response,
      ..Options::default()
    };
    assert_eq!(kept_names(&lines, &response), Vec::<String>::new());
  }

  #[test]
  fn upgrade_rules() {
    let websocket = [
      ("Connection", "keep-alive, Upgrade"),
      ("Upgrade", "websocket"),
      ("Sec-WebSocket-Key", "k"),
    ];
    let dropped = accepted(&websocket, &Options::default());
    assert!(dropped.1.upgrade);
    assert_eq!(dropped.0.len(), 1);
    let kept = Options {
      keep_upgrade: true,
      ..Options::default()
    };
    assert_eq!(
      kept_names(&websocket, &kept),
      ["Upgrade", "Sec-WebSocket-Key", "Connection"]
    );
    let http10 = Options {
      version: Version::Http10,
      keep_upgrade: true,
      ..Options::default()
    };
    let (output, verdict) = accepted(&websocket, &http10);
    assert!(!verdict.upgrade);
    assert_eq!(output.len(), 1);
    let no_option = [("Upgrade", "websocket")];
    assert!(!accepted(&no_option, &kept).1.upgrade);
    let bad = [("Connection", "upgrade"), ("Upgrade", "web\u{1}socket")];
    assert_eq!(
      run(&bad, &Options::default()).err(),
      Some(FilterError::InvalidUpgrade { header: 1 })
    );
    let switching = Options {
      direction: Direction::Response,
      status: Some(101),
      ..Options::default()
    };
    assert_eq!(
      kept_names(
        &[("Upgrade", "websocket"), ("Connection", "Upgrade")],
        &switching
      ),
      ["Upgrade", "Connection"]
    );
  }

  #[test]
  fn http2_pseudo_headers() {
    let lines = [
      (":method", "GET"),
      (":authority", "example.com"),
      (":path", "/"),
      ("te", "trailers"),
      ("accept", "*/*"),
    ];
    let h2 = Options {
      version: Version::Http2,
      ..Options::default()
    };
    assert_eq!(kept_names(&lines, &h2), ["te", "accept"]);
    assert_eq!(
      run(&lines, &Options::default()).err(),
      Some(FilterError::InvalidName { header: 0 })
    );
  }

  #[test]
  fn invalid_names_are_errors() {
    for name in ["", "a b", "x\r\n", "\0", "caf\u{e9}", ":"] {
      let lines = [("Host", "h"), (name, "v")];
      let h2 = Options {
        version: Version::Http2,
        ..Options::default()
      };
      for options in [Options::default(), h2] {
        assert_eq!(
          run(&lines, &options).err(),
          Some(FilterError::InvalidName { header: 1 }),
          "{name:?}"
        );
      }
    }
  }

  #[test]
  fn transfer_encoding_with_content_length() {
    let lines = [
      ("Content-Length", "5"),
      ("Transfer-Encoding", "chunked"),
      ("content-length", "6"),
    ];
    let (output, verdict) = accepted(&lines, &Options::default());
    assert!(output.is_empty());
    assert!(!verdict.keep_alive);
    let strict = Options {
      strict: true,
      ..Options::default()
    };
    assert_eq!(
      run(&lines, &strict).err(),
      Some(FilterError::AmbiguousLength { header: 1 })
    );
  }

  #[test]
  fn keep_alive_decisions() {
    let response = |status| Options {
      direction: Direction::Response,
      status: Some(status),
      ..Options::default()
    };
    let http10 = Options {
      version: Version::Http10,
      ..Options::default()
    };
    let cases: &[(&[Pair<'_>], Options<'_>, bool)] = &[
      (&[], Options::default(), true),
      (&[("Connection", "close")], Options::default(), false),
      (
        &[("Connection", "keep-alive"), ("Connection", "close")],
        Options::default(),
        false,
      ),
      (&[("Proxy-Connection", "close")], Options::default(), true),
      (&[("Connection", "keep-alive")], http10, false),
      (
        &[("Connection", "keep-alive")],
        Options {
          proxy: false,
          ..http10
        },
        true,
      ),
      (&[("Transfer-Encoding", "chunked")], http10, false),
      (&[("Transfer-Encoding", "gzip")], Options::default(), false),
      (&[("Content-Length", "0")], response(200), true),
      (&[], response(200), false),
      (&[], response(204), true),
      (&[("Transfer-Encoding", "chunked")], response(200), true),
      (
        &[],
        Options {
          request_method: RequestMethod::Head,
          ..response(200)
        },
        true,
      ),
    ];
    for (lines, options, expected) in cases {
      let verdict = run(lines, options).map(|(_, verdict)| verdict.keep_alive);
      assert_eq!(verdict, Ok(*expected), "{lines:?}");
    }
  }

  #[test]
  fn nominated_lengths() {
    let lengths = |connection: &str| {
      run(&[("Connection", connection)], &Options::default())
        .map(|(_, verdict)| verdict.nominated_lengths)
    };
    let nominates = |connection: &str| lengths(connection).map(|mask| mask != 0);
    for fixed_or_close in [
      "keep-alive",
      "close",
      "Keep-Alive, Upgrade, TE",
      "CLOSE",
      "",
    ] {
      assert_eq!(nominates(fixed_or_close), Ok(false), "{fixed_or_close}");
    }
    // A protected name is not removed, so it does not count (non-strict).
    assert_eq!(nominates("Host, X-Forwarded-For"), Ok(false));
    for other in [
      "x-foo",
      "close, X-Foo",
      "keep-alive, content-length2",
      "Closed",
    ] {
      assert_eq!(nominates(other), Ok(true), "{other}");
    }
    assert_eq!(lengths("close, X-Foo, x-bar-baz"), Ok(1 << 5 | 1 << 9));
    let long = "x".repeat(70);
    assert_eq!(lengths(&long), Ok(1 << 63));
  }

  #[test]
  fn unchanged_flag_and_short_action_slice() {
    let lines = [("Host", "h"), ("Accept", "*/*")];
    let verdict = run(&lines, &Options::default()).map(|(_, v)| v.unchanged);
    assert_eq!(verdict, Ok(true));
    let mut records = [Line::NEW; 1];
    let result = filter(
      &mut Pairs(&lines[..]),
      &Options::default(),
      &mut records,
      &mut (),
    );
    assert_eq!(result.err(), Some(FilterError::ActionsTooShort));
  }
}
