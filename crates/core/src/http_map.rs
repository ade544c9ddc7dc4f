//! The rules over an [`http::HeaderMap`], for Rust proxies built on hyper, axum or pingora
//! (feature `http`).
//!
//! ```
//! use http::{HeaderMap, HeaderValue};
//! use hop_by_hop_core::filter::Options;
//! use hop_by_hop_core::http_map::filter_header_map;
//!
//! let mut headers = HeaderMap::new();
//! headers.insert("host", HeaderValue::from_static("a.example"));
//! headers.insert("connection", HeaderValue::from_static("keep-alive, x-trace"));
//! headers.insert("x-trace", HeaderValue::from_static("1"));
//! headers.insert("te", HeaderValue::from_static("trailers, deflate"));
//!
//! let verdict = filter_header_map(&mut headers, &Options::default())?;
//! assert!(verdict.keep_alive);
//! assert_eq!(headers.len(), 2);
//! assert_eq!(headers["host"], "a.example");
//! assert_eq!(headers["te"], "trailers"); // RFC 9110 §10.1.4
//! # Ok::<(), hop_by_hop_core::filter::FilterError<std::convert::Infallible>>(())
//! ```

use std::convert::Infallible;

use http::header::{HeaderName, HeaderValue, CONNECTION};
use http::HeaderMap;

use crate::filter::{filter, Action, FilterError, HeaderSource, Line, Options, Verdict};

/// The lines of a [`HeaderMap`] in its iteration order, one line per value.
pub struct HeaderMapLines<'a> {
  lines: Vec<(&'a HeaderName, &'a HeaderValue)>,
}

impl<'a> HeaderMapLines<'a> {
  /// Borrows every line of `map`.
  pub fn new(map: &'a HeaderMap) -> Self {
    HeaderMapLines {
      lines: map.iter().collect(),
    }
  }
}

impl HeaderSource for HeaderMapLines<'_> {
  type Error = Infallible;

  fn header_count(&self) -> usize {
    self.lines.len()
  }

  fn with_name<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, Infallible> {
    Ok(read(
      self
        .lines
        .get(header)
        .map_or(&[][..], |(name, _)| name.as_str().as_bytes()),
    ))
  }

  fn with_value<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, Infallible> {
    Ok(read(
      self
        .lines
        .get(header)
        .map_or(&[][..], |(_, value)| value.as_bytes()),
    ))
  }
}

/// Removes the hop-by-hop lines of `map` in place (RFC 9110 §7.6.1) and returns the verdict:
/// whether the connection stays open, and whether the message upgrades. A `TE` that offered
/// trailers becomes exactly `TE: trailers`; a forwarded upgrade gets one `Connection: upgrade`.
pub fn filter_header_map(
  map: &mut HeaderMap,
  options: &Options<'_>,
) -> Result<Verdict, FilterError<Infallible>> {
  let mut lines = vec![Line::NEW; map.len()];
  let verdict = filter(&mut HeaderMapLines::new(map), options, &mut lines, &mut ())?;
  if verdict.unchanged {
    return Ok(verdict);
  }
  let mut kept = HeaderMap::with_capacity(map.len());
  for ((name, value), line) in map.iter().zip(&lines) {
    match line.action {
      Action::Keep | Action::UpgradeKept => {
        kept.append(name.clone(), value.clone());
      }
      Action::TeTrailers => {
        kept.append(name.clone(), HeaderValue::from_static("trailers"));
      }
      Action::Drop | Action::UpgradeDropped => {}
    }
  }
  if verdict.append_connection_upgrade {
    kept.append(CONNECTION, HeaderValue::from_static("upgrade"));
  }
  *map = kept;
  Ok(verdict)
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::keep_alive::Version;

  fn map(lines: Lines) -> HeaderMap {
    let mut map = HeaderMap::new();
    for &(name, value) in lines {
      map.append(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
      );
    }
    map
  }

  fn pairs(map: &HeaderMap) -> Vec<(String, String)> {
    map
      .iter()
      .map(|(name, value)| {
        (
          name.to_string(),
          String::from_utf8_lossy(value.as_bytes()).into_owned(),
        )
      })
      .collect()
  }

  type Lines = &'static [(&'static str, &'static str)];

  /// Why, the input lines, the options, the lines left, and the keep-alive decision.
  type Case<'a> = (&'a str, Lines, &'a Options<'a>, Lines, bool);

  #[test]
  fn table() {
    let http10 = Options {
      version: Version::Http10,
      ..Options::default()
    };
    let upgrade = Options {
      keep_upgrade: true,
      ..Options::default()
    };
    let cases: &[Case] = &[
      (
        "nominated lines of every spelling go, duplicates of kept names stay",
        &[
          ("host", "a"),
          ("connection", "X-A"),
          ("x-a", "1"),
          ("x-a", "2"),
          ("set-cookie", "a"),
          ("set-cookie", "b"),
        ],
        &Options::default(),
        &[("host", "a"), ("set-cookie", "a"), ("set-cookie", "b")],
        true,
      ),
      (
        "the fixed hop-by-hop names go; TE keeps only trailers",
        &[
          ("keep-alive", "timeout=5"),
          ("proxy-connection", "x"),
          ("te", "gzip, trailers"),
          ("upgrade", "h2c"),
          ("accept", "*/*"),
        ],
        &Options::default(),
        &[("te", "trailers"), ("accept", "*/*")],
        true,
      ),
      (
        "a nominated protected name stays (CVE-2022-31813)",
        &[
          ("connection", "x-forwarded-for"),
          ("x-forwarded-for", "1.2.3.4"),
        ],
        &Options::default(),
        &[("x-forwarded-for", "1.2.3.4")],
        true,
      ),
      (
        "an HTTP/1.0 client of a proxy is not kept open (RFC 9112 §9.3)",
        &[("connection", "keep-alive"), ("host", "a")],
        &http10,
        &[("host", "a")],
        false,
      ),
      (
        "a forwarded upgrade keeps Upgrade and names it once in Connection",
        &[
          ("connection", "Upgrade"),
          ("upgrade", "websocket"),
          ("host", "a"),
        ],
        &upgrade,
        &[
          ("upgrade", "websocket"),
          ("host", "a"),
          ("connection", "upgrade"),
        ],
        true,
      ),
      (
        "a message with nothing to remove is left as it is",
        &[("host", "a"), ("accept", "*/*")],
        &Options::default(),
        &[("host", "a"), ("accept", "*/*")],
        true,
      ),
    ];
    for &(why, input, options, expected, keep_alive) in cases {
      let mut headers = map(input);
      let verdict = filter_header_map(&mut headers, options);
      assert!(verdict.is_ok(), "{why}");
      let verdict = verdict.unwrap_or_default();
      let expected: Vec<(String, String)> = expected
        .iter()
        .map(|&(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
      assert_eq!(pairs(&headers), expected, "{why}");
      assert_eq!(verdict.keep_alive, keep_alive, "{why}");
    }
  }
}
