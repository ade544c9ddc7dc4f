//! Field-value grammar shared by every list-valued header: tokens (RFC 9110 §5.6.2),
//! optional white space (§5.6.3) and comma-separated lists (§5.6.1).

/// [`is_tchar`] as a table: one load per byte, where the `matches!` chain costs a dozen
/// comparisons. Built at compile time, where an out-of-bounds index is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
static TCHAR: [bool; 256] = {
  let mut table = [false; 256];
  let mut byte = 0;
  while byte < 256 {
    table[byte] = is_tchar(byte as u8);
    byte += 1;
  }
  table
};

/// `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" /
/// "~" / DIGIT / ALPHA` (RFC 9110 §5.6.2).
#[inline]
pub const fn is_tchar(byte: u8) -> bool {
  matches!(
    byte,
    b'a'..=b'z'
      | b'A'..=b'Z'
      | b'0'..=b'9'
      | b'!'
      | b'#'
      | b'$'
      | b'%'
      | b'&'
      | b'\''
      | b'*'
      | b'+'
      | b'-'
      | b'.'
      | b'^'
      | b'_'
      | b'`'
      | b'|'
      | b'~'
  )
}

/// `token = 1*tchar` (RFC 9110 §5.6.2): a field name or a connection option.
#[inline]
pub fn is_token(bytes: &[u8]) -> bool {
  // A u8 index into a 256-entry table cannot miss; `get` keeps that visible to clippy.
  // Branch-free: names are short and almost always valid, so an early exit saves nothing and
  // its per-byte branch costs more than the table loads.
  !bytes.is_empty()
    && bytes.iter().fold(true, |valid, &b| {
      valid & TCHAR.get(usize::from(b)).copied().unwrap_or(false)
    })
}

/// `OWS = *( SP / HTAB )` (RFC 9110 §5.6.3).
#[inline]
fn is_ows(byte: u8) -> bool {
  byte == b' ' || byte == b'\t'
}

/// Strips leading and trailing SP/HTAB.
pub fn trim_ows(mut bytes: &[u8]) -> &[u8] {
  while let [first, rest @ ..] = bytes {
    if !is_ows(*first) {
      break;
    }
    bytes = rest;
  }
  while let [rest @ .., last] = bytes {
    if !is_ows(*last) {
      break;
    }
    bytes = rest;
  }
  bytes
}

/// The non-empty elements of a comma-separated list, trimmed of OWS (RFC 9110 §5.6.1: "a recipient
/// MUST parse and ignore a reasonable number of empty list elements"). Commas inside a
/// quoted-string (§5.6.4) do not split, so `max="1,2"` stays one element.
pub fn list_elements(value: &[u8]) -> ListElements<'_> {
  ListElements { rest: value }
}

/// Iterator returned by [`list_elements`]; it never allocates.
pub struct ListElements<'a> {
  rest: &'a [u8],
}

impl<'a> Iterator for ListElements<'a> {
  type Item = &'a [u8];

  fn next(&mut self) -> Option<&'a [u8]> {
    while !self.rest.is_empty() {
      let end = element_end(self.rest);
      let (element, rest) = self.rest.split_at(end);
      self.rest = rest.get(1..).unwrap_or_default();
      let element = trim_ows(element);
      if !element.is_empty() {
        return Some(element);
      }
    }
    None
  }
}

/// Index of the first comma outside a quoted-string, or the length of `bytes`.
fn element_end(bytes: &[u8]) -> usize {
  let mut in_quotes = false;
  let mut escaped = false;
  for (index, &byte) in bytes.iter().enumerate() {
    if escaped {
      escaped = false;
    } else if in_quotes && byte == b'\\' {
      // quoted-pair (RFC 9110 §5.6.4)
      escaped = true;
    } else if byte == b'"' {
      in_quotes = !in_quotes;
    } else if byte == b',' && !in_quotes {
      return index;
    }
  }
  bytes.len()
}

/// Splits `name=value` of a parameter (RFC 9110 §5.6.6) and unquotes a quoted-string value
/// that holds no quoted-pair. Returns `None` when there is no `=`.
pub fn split_parameter(element: &[u8]) -> Option<(&[u8], &[u8])> {
  let equals = element.iter().position(|&b| b == b'=')?;
  let (name, value) = element.split_at(equals);
  let value = trim_ows(value.get(1..).unwrap_or_default());
  let value = match value {
    [b'"', inner @ .., b'"'] if !inner.contains(&b'\\') => inner,
    _ => value,
  };
  Some((trim_ows(name), value))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn tokens() {
    let cases: &[(&[u8], bool)] = &[
      (b"keep-alive", true),
      (b"X-Foo_bar.1~", true),
      (b"!#$%&'*+-.^_`|~", true),
      (b"", false),
      (b"a b", false),
      (b"a\r\nb", false),
      (b"a\0", false),
      (b":authority", false),
      (b"x,y", false),
      ("caf\u{e9}".as_bytes(), false),
      (b"\"quoted\"", false),
    ];
    for (input, expected) in cases {
      assert_eq!(
        is_token(input),
        *expected,
        "{:?}",
        String::from_utf8_lossy(input)
      );
    }
  }

  #[test]
  fn list_splitting() {
    let cases: &[(&str, &[&str])] = &[
      ("close", &["close"]),
      ("keep-alive, Upgrade", &["keep-alive", "Upgrade"]),
      (" , ,a,\t,b , ", &["a", "b"]),
      ("", &[]),
      (",,,", &[]),
      ("a;q=\"1,2\", b", &["a;q=\"1,2\"", "b"]),
      ("a=\"x\\\",y\", b", &["a=\"x\\\",y\"", "b"]),
      ("unterminated=\"x, y", &["unterminated=\"x, y"]),
      ("\t x \t", &["x"]),
    ];
    for (input, expected) in cases {
      let got: Vec<&[u8]> = list_elements(input.as_bytes()).collect();
      let expected: Vec<&[u8]> = expected.iter().map(|s| s.as_bytes()).collect();
      assert_eq!(got, expected, "{input:?}");
    }
  }

  #[test]
  fn parameters() {
    assert_eq!(
      split_parameter(b"timeout=5"),
      Some((&b"timeout"[..], &b"5"[..]))
    );
    assert_eq!(
      split_parameter(b"max = \"10\""),
      Some((&b"max"[..], &b"10"[..]))
    );
    assert_eq!(split_parameter(b"max"), None);
    assert_eq!(split_parameter(b"=x"), Some((&b""[..], &b"x"[..])));
    assert_eq!(split_parameter(b"a=\""), Some((&b"a"[..], &b"\""[..])));
  }
}
