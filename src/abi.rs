//! The numbers that cross the boundary, and nothing else: the option flags JavaScript sends
//! (argument 0), the verdict bits and error codes it gets back, and their decoding and encoding.
//! The layouts are mirrored in `lib/native.js`; `__test__/native-contract.test.js` parses the
//! constants of this file and fails when the two differ.

use hop_by_hop_core::connection::Suspicious;
use hop_by_hop_core::filter::{FilterError, Options, Verdict};
use hop_by_hop_core::keep_alive::{Direction, RequestMethod, Version};
use hop_by_hop_core::names::NameList;

use crate::strings::ReadError;

// Option flags (argument 0).
pub(crate) const VERSION_MASK: u32 = 0b11;
pub(crate) const VERSION_HTTP10: u32 = 0;
/// HTTP/1.1; `decode_options` also reads the unused value 3 as HTTP/1.1.
pub(crate) const VERSION_HTTP11: u32 = 1;
pub(crate) const VERSION_HTTP2: u32 = 2;
// The three versions are distinct values of the two version bits.
const _: () = assert!(
  VERSION_HTTP11 & VERSION_MASK == VERSION_HTTP11
    && VERSION_HTTP11 != VERSION_HTTP10
    && VERSION_HTTP11 != VERSION_HTTP2
);
pub(crate) const RESPONSE: u32 = 1 << 2;
pub(crate) const PROXY: u32 = 1 << 3;
pub(crate) const UPGRADE: u32 = 1 << 4;
pub(crate) const STRICT: u32 = 1 << 5;
/// Arguments 1 and 2 are the `strip` and `protect` arrays (or `undefined`).
pub(crate) const LISTS: u32 = 1 << 6;
pub(crate) const METHOD_SHIFT: u32 = 7;
pub(crate) const METHOD_HEAD: u32 = 1;
pub(crate) const METHOD_CONNECT: u32 = 2;
pub(crate) const STATUS_SHIFT: u32 = 9;
pub(crate) const STATUS_MASK: u32 = 0x3ff;

// Result bits (a non-negative return value).
pub(crate) const KEEP_ALIVE: i32 = 1;
pub(crate) const IS_UPGRADE: i32 = 1 << 1;
pub(crate) const APPEND_CONNECTION_UPGRADE: i32 = 1 << 2;
pub(crate) const UNCHANGED: i32 = 1 << 3;
/// `Connection` nominated end-to-end fields ([`Verdict::nominated_lengths`] is not 0); the mask
/// of their lengths follows the line actions in the scratch buffer, as 8 little-endian bytes,
/// when the buffer has room for them.
pub(crate) const NOMINATED: i32 = 1 << 4;

// Error kinds: a negative return value is `-(1 + kind + 16 * index)`, where index is the array
// index (element kinds) or the header line index (line kinds).
pub(crate) const ERROR_NOT_A_STRING: i64 = 1;
pub(crate) const ERROR_INVALID_NAME: i64 = 2;
pub(crate) const ERROR_INVALID_STRIP: i64 = 3;
pub(crate) const ERROR_INVALID_PROTECT: i64 = 4;
pub(crate) const ERROR_PROTECTED: i64 = 5;
pub(crate) const ERROR_INVALID_TOKEN: i64 = 6;
pub(crate) const ERROR_AMBIGUOUS_LENGTH: i64 = 7;
pub(crate) const ERROR_INVALID_UPGRADE: i64 = 8;
pub(crate) const ERROR_SCRATCH_TOO_SMALL: i64 = 9;
pub(crate) const ERROR_BAD_ARGUMENTS: i64 = 10;

pub(crate) fn decode_options<'a>(
  flags: u32,
  strip: &'a dyn NameList,
  protect: &'a dyn NameList,
) -> Options<'a> {
  let version = match flags & VERSION_MASK {
    VERSION_HTTP10 => Version::Http10,
    VERSION_HTTP2 => Version::Http2,
    // VERSION_HTTP11, and 3, which lib/native.js never sends.
    _ => Version::Http11,
  };
  let request_method = match (flags >> METHOD_SHIFT) & 0b11 {
    METHOD_HEAD => RequestMethod::Head,
    METHOD_CONNECT => RequestMethod::Connect,
    _ => RequestMethod::Other,
  };
  let status = (flags >> STATUS_SHIFT) & STATUS_MASK;
  Options {
    version,
    direction: if flags & RESPONSE != 0 {
      Direction::Response
    } else {
      Direction::Request
    },
    proxy: flags & PROXY != 0,
    keep_upgrade: flags & UPGRADE != 0,
    strict: flags & STRICT != 0,
    status: u16::try_from(status).ok().filter(|&status| status != 0),
    request_method,
    strip,
    protect,
  }
}

pub(crate) fn encode_verdict(verdict: Verdict) -> i64 {
  let mut bits = 0;
  for (set, bit) in [
    (verdict.keep_alive, KEEP_ALIVE),
    (verdict.upgrade, IS_UPGRADE),
    (verdict.append_connection_upgrade, APPEND_CONNECTION_UPGRADE),
    (verdict.unchanged, UNCHANGED),
    (verdict.nominated_lengths != 0, NOMINATED),
  ] {
    if set {
      bits |= bit;
    }
  }
  i64::from(bits)
}

pub(crate) fn encode_error(kind: i64, index: usize) -> i64 {
  let index = i64::try_from(index).unwrap_or(i64::MAX / 32);
  -(1 + kind + 16 * index)
}

pub(crate) fn encode_filter_error(error: FilterError<ReadError>) -> i64 {
  match error {
    FilterError::Source(ReadError::NotAString { element }) => {
      encode_error(ERROR_NOT_A_STRING, element)
    }
    FilterError::Source(ReadError::Napi) => encode_error(ERROR_BAD_ARGUMENTS, 0),
    FilterError::ActionsTooShort => encode_error(ERROR_SCRATCH_TOO_SMALL, 0),
    FilterError::InvalidName { header } => encode_error(ERROR_INVALID_NAME, header),
    FilterError::Suspicious {
      header,
      reason: Suspicious::Protected,
    } => encode_error(ERROR_PROTECTED, header),
    FilterError::Suspicious {
      header,
      reason: Suspicious::InvalidToken,
    } => encode_error(ERROR_INVALID_TOKEN, header),
    FilterError::AmbiguousLength { header } => encode_error(ERROR_AMBIGUOUS_LENGTH, header),
    FilterError::InvalidUpgrade { header } => encode_error(ERROR_INVALID_UPGRADE, header),
  }
}
