//! Connection persistence (RFC 9112 §9.3) and the `Keep-Alive` hints of HTTP/1.0
//! (RFC 2068 §19.7.1.1).

use crate::token::{list_elements, split_parameter};

/// The HTTP version a message arrived with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
  /// HTTP/1.0: persistent only by the `keep-alive` option.
  Http10,
  /// HTTP/1.1 or a later HTTP/1.x: persistent unless `close`.
  Http11,
  /// HTTP/2: messages carry no connection-specific fields (RFC 9113 §8.2.2).
  Http2,
}

/// Whether the message is a request or a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
  /// A request received from a client.
  Request,
  /// A response received from a server.
  Response,
}

/// The request method, as far as it changes the framing of the response (RFC 9112 §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestMethod {
  /// GET, POST and every other method.
  Other,
  /// A response to HEAD has no body, whatever its headers say.
  Head,
  /// A 2xx response to CONNECT turns the connection into a tunnel.
  Connect,
}

/// What [`is_persistent`] needs to know about a message.
#[derive(Clone, Copy, Debug)]
pub struct MessageFacts {
  /// The message's version.
  pub version: Version,
  /// Request or response.
  pub direction: Direction,
  /// Whether the recipient deciding is a proxy.
  pub proxy: bool,
  /// `Connection: close` on any line.
  pub close: bool,
  /// `Connection: keep-alive` on any line.
  pub keep_alive: bool,
  /// A `Transfer-Encoding` line is present.
  pub transfer_encoding: bool,
  /// The last transfer coding named is `chunked`.
  pub chunked_final: bool,
  /// A `Content-Length` line is present.
  pub content_length: bool,
  /// The response status, when known.
  pub status: Option<u16>,
  /// The method of the request a response answers.
  pub request_method: RequestMethod,
}

/// Whether the connection the message arrived on can carry another message.
pub fn is_persistent(facts: &MessageFacts) -> bool {
  // RFC 9112 §9.6: `close` ends the connection after this message, whatever the version.
  if facts.close {
    return false;
  }
  if facts.version == Version::Http2 {
    // RFC 9113 §8.2.2: HTTP/2 has no per-message connection management.
    return true;
  }
  if !framing_allows_reuse(facts) {
    return false;
  }
  match facts.version {
    Version::Http11 | Version::Http2 => true,
    // RFC 9112 §9.3: an HTTP/1.0 peer asks with `keep-alive`, but "a proxy server MUST NOT
    // maintain a persistent connection with an HTTP/1.0 client". The upstream's HTTP/1.0
    // response may keep the proxy's own upstream connection open.
    Version::Http10 => facts.keep_alive && (!facts.proxy || facts.direction == Direction::Response),
  }
}

/// Whether the end of this message can be found without closing the connection.
fn framing_allows_reuse(facts: &MessageFacts) -> bool {
  if facts.transfer_encoding {
    // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing, and together
    // with Content-Length it is a smuggling vector; either way "close the connection after
    // processing the message".
    if facts.version == Version::Http10 || facts.content_length {
      return false;
    }
    // RFC 9112 §6.3 (4): if chunked is not the final coding, a request is an error (400 and
    // close) and a response body runs until the connection closes, unless §6.3 (1) says the
    // response has no body at all.
    if !facts.chunked_final && !response_has_no_body(facts) {
      return false;
    }
  }
  match (facts.direction, facts.status) {
    (Direction::Response, Some(status)) => response_length_is_known(facts, status),
    _ => true,
  }
}

/// RFC 9112 §6.3 (1): a response to HEAD, and a 1xx, 204 or 304 response, ends with its header
/// section whatever its fields say.
fn response_has_no_body(facts: &MessageFacts) -> bool {
  match (facts.direction, facts.status) {
    (Direction::Response, Some(status)) => {
      facts.request_method == RequestMethod::Head
        || (100..200).contains(&status)
        || status == 204
        || status == 304
    }
    _ => false,
  }
}

/// RFC 9112 §6.3: the response ends without the server closing the connection.
fn response_length_is_known(facts: &MessageFacts, status: u16) -> bool {
  if facts.request_method == RequestMethod::Connect && (200..300).contains(&status) {
    // §6.3 (2): the connection becomes a tunnel and never carries another HTTP message. A 101
    // also ends HTTP on the connection, but it is reported as `upgrade`, and its framing is intact.
    return false;
  }
  response_has_no_body(facts)
    || (facts.transfer_encoding && facts.chunked_final)
    || facts.content_length
}

/// `Keep-Alive: timeout=N, max=M`, as sent by HTTP/1.0 peers and by Node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeepAliveHints {
  /// Seconds the sender keeps an idle connection open.
  pub timeout: Option<u32>,
  /// Requests the sender allows on the connection.
  pub max: Option<u32>,
}

impl KeepAliveHints {
  /// Reads one `Keep-Alive` line. Parameter names are case-insensitive; a value that is not a
  /// non-negative integer fitting 32 bits is ignored, as is any other parameter. The first
  /// valid occurrence of each parameter wins.
  pub fn add_line(&mut self, value: &[u8]) {
    for element in list_elements(value) {
      let Some((name, value)) = split_parameter(element) else {
        continue;
      };
      let Some(number) = parse_integer(value) else {
        continue;
      };
      if name.eq_ignore_ascii_case(b"timeout") {
        self.timeout.get_or_insert(number);
      } else if name.eq_ignore_ascii_case(b"max") {
        self.max.get_or_insert(number);
      }
    }
  }
}

fn parse_integer(digits: &[u8]) -> Option<u32> {
  if digits.is_empty() {
    return None;
  }
  digits.iter().try_fold(0u32, |total, &byte| {
    let digit = char::from(byte).to_digit(10)?;
    total.checked_mul(10)?.checked_add(digit)
  })
}

#[cfg(test)]
mod tests {
  use super::*;

  fn facts(version: Version, direction: Direction) -> MessageFacts {
    MessageFacts {
      version,
      direction,
      proxy: true,
      close: false,
      keep_alive: false,
      transfer_encoding: false,
      chunked_final: false,
      content_length: false,
      status: None,
      request_method: RequestMethod::Other,
    }
  }

  #[test]
  fn version_and_options() {
    use Direction::*;
    use Version::*;
    // (version, direction, proxy, close, keep-alive) -> persistent
    let cases = [
      (Http11, Request, true, false, false, true),
      (Http11, Request, true, true, false, false),
      (Http11, Request, true, true, true, false),
      (Http10, Request, true, false, false, false),
      (Http10, Request, true, false, true, false),
      (Http10, Request, false, false, true, true),
      (Http10, Response, true, false, true, true),
      (Http10, Response, true, true, true, false),
      (Http10, Response, true, false, false, false),
      (Http2, Request, true, false, false, true),
      (Http2, Response, true, true, false, false),
    ];
    for (version, direction, proxy, close, keep_alive, expected) in cases {
      let message = MessageFacts {
        proxy,
        close,
        keep_alive,
        ..facts(version, direction)
      };
      assert_eq!(is_persistent(&message), expected, "{message:?}");
    }
  }

  #[test]
  fn framing() {
    let request = facts(Version::Http11, Direction::Request);
    let chunked = MessageFacts {
      transfer_encoding: true,
      chunked_final: true,
      ..request
    };
    assert!(is_persistent(&chunked));
    assert!(!is_persistent(&MessageFacts {
      content_length: true,
      ..chunked
    }));
    assert!(!is_persistent(&MessageFacts {
      chunked_final: false,
      ..chunked
    }));
    assert!(!is_persistent(&MessageFacts {
      version: Version::Http10,
      keep_alive: true,
      proxy: false,
      ..chunked
    }));
  }

  #[test]
  fn response_length() {
    let response = facts(Version::Http11, Direction::Response);
    // (status, method, content-length, chunked) -> persistent
    let cases = [
      (Some(200), RequestMethod::Other, false, false, false),
      (None, RequestMethod::Other, false, false, true),
      (Some(200), RequestMethod::Other, true, false, true),
      (Some(200), RequestMethod::Other, false, true, true),
      (Some(200), RequestMethod::Head, false, false, true),
      (Some(101), RequestMethod::Other, false, false, true),
      (Some(204), RequestMethod::Other, false, false, true),
      (Some(304), RequestMethod::Other, false, false, true),
      (Some(205), RequestMethod::Other, false, false, false),
      (Some(200), RequestMethod::Connect, true, false, false),
      (Some(407), RequestMethod::Connect, true, false, true),
    ];
    for (status, request_method, content_length, chunked, expected) in cases {
      let message = MessageFacts {
        status,
        request_method,
        content_length,
        transfer_encoding: chunked,
        chunked_final: chunked,
        ..response
      };
      assert_eq!(is_persistent(&message), expected, "{message:?}");
    }
  }

  #[test]
  fn hints() {
    let cases: &[(&[&str], Option<u32>, Option<u32>)] = &[
      (&["timeout=5, max=100"], Some(5), Some(100)),
      (&["Timeout=5", "MAX=7"], Some(5), Some(7)),
      (&["timeout=\"9\""], Some(9), None),
      (&["timeout=-1, max=1.5"], None, None),
      (&["timeout=99999999999"], None, None),
      (&["timeout=, max"], None, None),
      (&["timeout=x, timeout=3"], Some(3), None),
      (&["timeout=1", "timeout=2"], Some(1), None),
      (&["foo=1, bar"], None, None),
    ];
    for (lines, timeout, max) in cases {
      let mut hints = KeepAliveHints::default();
      for line in *lines {
        hints.add_line(line.as_bytes());
      }
      assert_eq!((hints.timeout, hints.max), (*timeout, *max), "{lines:?}");
    }
  }
}
