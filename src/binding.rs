//! N-API binding: converts JavaScript values into the core's byte slices and the core's verdict
//! into numbers. It holds no HTTP rules.
//!
//! The hot entry points are raw N-API callbacks rather than `#[napi]` functions: the header
//! array is spread into the call (`filter(flags, ...rawHeaders)`), only names and a few values are
//! read, line actions go to a scratch `Uint8Array` that JavaScript owns, and the verdict or an
//! error code comes back as one number. JavaScript builds the output array from its own strings
//! and builds every error message, so no string crosses back.
//!
//! The flag and result layouts below are mirrored in `lib/native.js`;
//! `__test__/native-contract.test.js` parses these constants and fails when the two differ.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use napi::{sys, JsValue};
use napi_derive::napi;

use crate::connection::{ConnectionReport, Suspicious};
use crate::filter::{
  filter, Action, FilterError, Flat, HeaderSource, Line, Options, Report, Verdict,
};
use crate::keep_alive::{Direction, KeepAliveHints, RequestMethod, Version};
use crate::names::{first_invalid_name, NameList, DEFAULT_PROTECTED_HEADERS};

// Option flags (argument 0).
const VERSION_MASK: u32 = 0b11;
const VERSION_HTTP10: u32 = 0;
/// HTTP/1.1; `decode_options` also reads the unused value 3 as HTTP/1.1.
const VERSION_HTTP11: u32 = 1;
const VERSION_HTTP2: u32 = 2;
// The three versions are distinct values of the two version bits.
const _: () = assert!(
  VERSION_HTTP11 & VERSION_MASK == VERSION_HTTP11
    && VERSION_HTTP11 != VERSION_HTTP10
    && VERSION_HTTP11 != VERSION_HTTP2
);
const RESPONSE: u32 = 1 << 2;
const PROXY: u32 = 1 << 3;
const UPGRADE: u32 = 1 << 4;
const STRICT: u32 = 1 << 5;
/// Arguments 1 and 2 are the `strip` and `protect` arrays (or `undefined`).
const LISTS: u32 = 1 << 6;
const METHOD_SHIFT: u32 = 7;
const METHOD_HEAD: u32 = 1;
const METHOD_CONNECT: u32 = 2;
const STATUS_SHIFT: u32 = 9;
const STATUS_MASK: u32 = 0x3ff;

// Result bits (a non-negative return value).
const KEEP_ALIVE: i32 = 1;
const IS_UPGRADE: i32 = 1 << 1;
const APPEND_CONNECTION_UPGRADE: i32 = 1 << 2;
const UNCHANGED: i32 = 1 << 3;
/// `Connection` nominated end-to-end fields ([`Verdict::nominated_lengths`] is not 0); the mask
/// of their lengths follows the line actions in the scratch buffer, as 8 little-endian bytes,
/// when the buffer has room for them.
const NOMINATED: i32 = 1 << 4;

// Error kinds: a negative return value is `-(1 + kind + 16 * index)`, where index is the array
// index (element kinds) or the header line index (line kinds).
const ERROR_NOT_A_STRING: i64 = 1;
const ERROR_INVALID_NAME: i64 = 2;
const ERROR_INVALID_STRIP: i64 = 3;
const ERROR_INVALID_PROTECT: i64 = 4;
const ERROR_PROTECTED: i64 = 5;
const ERROR_INVALID_TOKEN: i64 = 6;
const ERROR_AMBIGUOUS_LENGTH: i64 = 7;
const ERROR_INVALID_UPGRADE: i64 = 8;
const ERROR_SCRATCH_TOO_SMALL: i64 = 9;
const ERROR_BAD_ARGUMENTS: i64 = 10;

/// Strings up to this many UTF-16 units are read into the fixed buffer.
const INLINE_UNITS: usize = 256;
/// Buffers grown past these sizes by one large message are freed after the call.
const RETAINED_UNITS: usize = 64 * 1024;
const RETAINED_LINES: usize = 16 * 1024;
/// Calls with up to this many arguments read them without allocating.
const INLINE_ARGS: usize = 64;
/// The first read asks for this many: N-API fills every slot asked for (with `undefined` past
/// the real arguments), and the gated calls of lib/filter.js pass a few lines. Larger calls read
/// their arguments a second time.
const FIRST_READ_ARGS: usize = 16;

/// Per-environment state, owned by the functions' `data` pointer and freed with the environment,
/// so worker threads share nothing.
struct Instance {
  env: sys::napi_env,
  scratch: Cell<*mut u8>,
  scratch_len: Cell<usize>,
  scratch_ref: Cell<sys::napi_ref>,
  /// Reused across calls so that a call neither zeroes nor allocates buffers. The array entry
  /// point can run JavaScript (getters, Proxy traps) while a borrow is held, so a re-entrant call
  /// finds it taken and fails with an error code instead of aliasing it.
  reader: RefCell<StringReader>,
  lines: RefCell<Vec<Line>>,
}

/// Why a JavaScript value could not be read as a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReadError {
  NotAString { element: usize },
  Napi,
}

/// Where the strings come from: spread call arguments, or one array for inputs too large to
/// spread (V8 caps the argument count).
enum Elements<'a> {
  Args(&'a [sys::napi_value]),
  Array { array: sys::napi_value, len: usize },
}

impl Elements<'_> {
  fn len(&self) -> usize {
    match self {
      Elements::Args(args) => args.len(),
      Elements::Array { len, .. } => *len,
    }
  }

  fn get(&self, env: sys::napi_env, element: usize) -> Result<sys::napi_value, ReadError> {
    match self {
      Elements::Args(args) => args.get(element).copied().ok_or(ReadError::Napi),
      Elements::Array { array, .. } => {
        let index = u32::try_from(element).map_err(|_| ReadError::Napi)?;
        let mut value = ptr::null_mut();
        // SAFETY: `array` is a live handle of the current call and `value` a valid out-pointer.
        let status = unsafe { sys::napi_get_element(env, *array, index, &mut value) };
        if status == sys::Status::napi_ok {
          Ok(value)
        } else {
          Err(ReadError::Napi)
        }
      }
    }
  }
}

/// Reads JavaScript strings as bytes. Strings are read as UTF-16 so that a truncated read is
/// always detectable and no character can alias an ASCII byte (Latin-1 reads keep only the low
/// byte of each unit); every unit above 0x7F becomes 0x80, which no rule accepts as part of a
/// token or protocol.
struct StringReader {
  units: [u16; INLINE_UNITS],
  bytes: [u8; INLINE_UNITS],
  heap_units: Vec<u16>,
  heap_bytes: Vec<u8>,
}

impl StringReader {
  fn new() -> Self {
    StringReader {
      units: [0; INLINE_UNITS],
      bytes: [0; INLINE_UNITS],
      heap_units: Vec::new(),
      heap_bytes: Vec::new(),
    }
  }

  fn read(
    &mut self,
    env: sys::napi_env,
    value: sys::napi_value,
    element: usize,
  ) -> Result<&[u8], ReadError> {
    let mut len = 0;
    // SAFETY: the buffer holds INLINE_UNITS units; N-API writes at most that many, NUL included.
    let status = unsafe {
      sys::napi_get_value_string_utf16(env, value, self.units.as_mut_ptr(), INLINE_UNITS, &mut len)
    };
    check_string_status(status, element)?;
    if len + 1 < INLINE_UNITS {
      let units = self.units.get(..len).ok_or(ReadError::Napi)?;
      let bytes = self.bytes.get_mut(..len).ok_or(ReadError::Napi)?;
      narrow(units, bytes);
      return Ok(bytes);
    }
    self.read_long(env, value, element)
  }

  /// Frees the heap buffers once a long string has grown them past [`RETAINED_UNITS`].
  fn release_large(&mut self) {
    if self.heap_units.capacity() > RETAINED_UNITS {
      self.heap_units = Vec::new();
      self.heap_bytes = Vec::new();
    }
  }

  fn read_long(
    &mut self,
    env: sys::napi_env,
    value: sys::napi_value,
    element: usize,
  ) -> Result<&[u8], ReadError> {
    let mut len = 0;
    // SAFETY: a null buffer asks only for the length.
    let status =
      unsafe { sys::napi_get_value_string_utf16(env, value, ptr::null_mut(), 0, &mut len) };
    check_string_status(status, element)?;
    self.heap_units.resize(len + 1, 0);
    let mut written = 0;
    // SAFETY: heap_units holds len + 1 units.
    let status = unsafe {
      sys::napi_get_value_string_utf16(
        env,
        value,
        self.heap_units.as_mut_ptr(),
        self.heap_units.len(),
        &mut written,
      )
    };
    check_string_status(status, element)?;
    self.heap_bytes.resize(written, 0);
    let units = self.heap_units.get(..written).ok_or(ReadError::Napi)?;
    narrow(units, &mut self.heap_bytes);
    Ok(&self.heap_bytes)
  }
}

fn check_string_status(status: sys::napi_status, element: usize) -> Result<(), ReadError> {
  match status {
    sys::Status::napi_ok => Ok(()),
    sys::Status::napi_string_expected => Err(ReadError::NotAString { element }),
    _ => Err(ReadError::Napi),
  }
}

fn narrow(units: &[u16], bytes: &mut [u8]) {
  for (byte, &unit) in bytes.iter_mut().zip(units) {
    *byte = unit.min(0x80) as u8;
  }
}

/// Header lines backed by JavaScript strings: line `h` is elements `2h` (name) and `2h + 1`
/// (value).
struct JsHeaders<'a> {
  env: sys::napi_env,
  elements: Elements<'a>,
  reader: &'a mut StringReader,
}

impl JsHeaders<'_> {
  fn with_element<R>(
    &mut self,
    element: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, ReadError> {
    let value = self.elements.get(self.env, element)?;
    Ok(read(self.reader.read(self.env, value, element)?))
  }
}

impl HeaderSource for JsHeaders<'_> {
  type Error = ReadError;

  fn header_count(&self) -> usize {
    self.elements.len() / 2
  }

  fn with_name<R>(&mut self, header: usize, read: impl FnOnce(&[u8]) -> R) -> Result<R, ReadError> {
    self.with_element(header.saturating_mul(2), read)
  }

  fn with_value<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, ReadError> {
    self.with_element(header.saturating_mul(2).saturating_add(1), read)
  }
}

fn decode_options<'a>(
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

fn encode_verdict(verdict: Verdict) -> i64 {
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

fn encode_error(kind: i64, index: usize) -> i64 {
  let index = i64::try_from(index).unwrap_or(i64::MAX / 32);
  -(1 + kind + 16 * index)
}

fn encode_filter_error(error: FilterError<ReadError>) -> i64 {
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

/// Reads an optional array of names; `undefined` gives `None`.
fn read_name_list(
  env: sys::napi_env,
  value: sys::napi_value,
  error_kind: i64,
) -> Result<Option<Vec<Box<[u8]>>>, i64> {
  let mut len = 0;
  // SAFETY: `value` is a live handle; a non-array gives napi_array_expected.
  let status = unsafe { sys::napi_get_array_length(env, value, &mut len) };
  if status != sys::Status::napi_ok {
    return Ok(None);
  }
  let elements = Elements::Array {
    array: value,
    len: len as usize,
  };
  let mut reader = StringReader::new();
  let mut names = Vec::with_capacity(elements.len());
  for element in 0..elements.len() {
    let read = elements
      .get(env, element)
      .and_then(|item| reader.read(env, item, element).map(Box::<[u8]>::from));
    names.push(read.map_err(|_| encode_error(error_kind, element))?);
  }
  if let Some(element) = first_invalid_name(&names) {
    return Err(encode_error(error_kind, element));
  }
  Ok(Some(names))
}

/// The call's arguments, inline for small calls.
struct Arguments {
  inline: [sys::napi_value; INLINE_ARGS],
  heap: Vec<sys::napi_value>,
  count: usize,
  data: *mut c_void,
}

impl Arguments {
  /// # Safety
  /// `env` and `info` must be those of the running callback.
  unsafe fn read(env: sys::napi_env, info: sys::napi_callback_info) -> Option<Self> {
    let mut args = Arguments {
      inline: [ptr::null_mut(); INLINE_ARGS],
      heap: Vec::new(),
      count: FIRST_READ_ARGS,
      data: ptr::null_mut(),
    };
    // `count` goes in as the room in `inline` and comes back as the number of arguments.
    let status = sys::napi_get_cb_info(
      env,
      info,
      &mut args.count,
      args.inline.as_mut_ptr(),
      ptr::null_mut(),
      &mut args.data,
    );
    if status != sys::Status::napi_ok {
      return None;
    }
    if args.count > FIRST_READ_ARGS && args.count <= INLINE_ARGS {
      let mut count = INLINE_ARGS;
      let status = sys::napi_get_cb_info(
        env,
        info,
        &mut count,
        args.inline.as_mut_ptr(),
        ptr::null_mut(),
        ptr::null_mut(),
      );
      if status != sys::Status::napi_ok {
        return None;
      }
    } else if args.count > INLINE_ARGS {
      args.heap = vec![ptr::null_mut(); args.count];
      let mut count = args.count;
      let status = sys::napi_get_cb_info(
        env,
        info,
        &mut count,
        args.heap.as_mut_ptr(),
        ptr::null_mut(),
        ptr::null_mut(),
      );
      if status != sys::Status::napi_ok {
        return None;
      }
    }
    Some(args)
  }

  fn values(&self) -> &[sys::napi_value] {
    if self.count > INLINE_ARGS {
      &self.heap
    } else {
      self.inline.get(..self.count).unwrap_or_default()
    }
  }
}

fn read_flags(env: sys::napi_env, value: Option<&sys::napi_value>) -> Option<u32> {
  let mut flags = 0;
  // SAFETY: a live handle; a non-number gives napi_number_expected.
  let status = unsafe { sys::napi_get_value_uint32(env, *value?, &mut flags) };
  (status == sys::Status::napi_ok).then_some(flags)
}

/// Runs the filter for one call. `array_input` selects `filterArray(flags, [strip, protect,]
/// rawHeaders)` over the spread form.
fn filter_call(env: sys::napi_env, args: &Arguments, array_input: bool) -> i64 {
  let values = args.values();
  let Some(flags) = read_flags(env, values.first()) else {
    return encode_error(ERROR_BAD_ARGUMENTS, 0);
  };
  let (strip, protect, rest) = if flags & LISTS != 0 {
    let (Some(&strip), Some(&protect)) = (values.get(1), values.get(2)) else {
      return encode_error(ERROR_BAD_ARGUMENTS, 0);
    };
    let strip = match read_name_list(env, strip, ERROR_INVALID_STRIP) {
      Ok(list) => list,
      Err(code) => return code,
    };
    let protect = match read_name_list(env, protect, ERROR_INVALID_PROTECT) {
      Ok(list) => list,
      Err(code) => return code,
    };
    (strip, protect, values.get(3..).unwrap_or_default())
  } else {
    (None, None, values.get(1..).unwrap_or_default())
  };
  let elements = if array_input {
    let Some(&array) = rest.first() else {
      return encode_error(ERROR_BAD_ARGUMENTS, 0);
    };
    let mut len = 0;
    // SAFETY: a live handle; a non-array gives napi_array_expected.
    if unsafe { sys::napi_get_array_length(env, array, &mut len) } != sys::Status::napi_ok {
      return encode_error(ERROR_BAD_ARGUMENTS, 0);
    }
    Elements::Array {
      array,
      len: len as usize,
    }
  } else {
    Elements::Args(rest)
  };
  let no_names: [&[u8]; 0] = [];
  let strip_list: &dyn NameList = match &strip {
    Some(list) => list,
    None => &no_names,
  };
  let protect_list: &dyn NameList = match &protect {
    Some(list) => list,
    None => &DEFAULT_PROTECTED_HEADERS,
  };
  let options = decode_options(flags, strip_list, protect_list);
  // SAFETY: `data` is the Instance this function was created with; it outlives every call.
  let Some(instance) = (unsafe { args.data.cast::<Instance>().as_ref() }) else {
    return encode_error(ERROR_BAD_ARGUMENTS, 0);
  };
  let (Ok(mut reader), Ok(mut lines)) = (
    instance.reader.try_borrow_mut(),
    instance.lines.try_borrow_mut(),
  ) else {
    return encode_error(ERROR_BAD_ARGUMENTS, 0);
  };
  let mut source = JsHeaders {
    env,
    elements,
    reader: &mut reader,
  };
  let count = source.header_count();
  if count > instance.scratch_len.get() {
    return encode_error(ERROR_SCRATCH_TOO_SMALL, count);
  }
  let scratch = instance.scratch.get();
  if count > 0 && scratch.is_null() {
    return encode_error(ERROR_SCRATCH_TOO_SMALL, count);
  }
  if lines.len() < count {
    lines.resize(count, Line::NEW);
  }
  let result = match filter(&mut source, &options, &mut lines, &mut ()) {
    Ok(verdict) if !scratch.is_null() => {
      // SAFETY: non-null, and a live Uint8Array of scratch_len >= count bytes, kept alive by
      // scratch_ref; JavaScript does not touch it during the call.
      let scratch = unsafe { std::slice::from_raw_parts_mut(scratch, instance.scratch_len.get()) };
      for (byte, line) in scratch.iter_mut().zip(lines.iter().take(count)) {
        *byte = line.action as u8;
      }
      let lengths = verdict.nominated_lengths.to_le_bytes();
      if let Some(tail) = scratch.get_mut(count..count.saturating_add(lengths.len())) {
        tail.copy_from_slice(&lengths);
      }
      encode_verdict(verdict)
    }
    Ok(verdict) => encode_verdict(verdict),
    Err(error) => encode_filter_error(error),
  };
  // One huge message must not keep its buffers for the life of the environment.
  reader.release_large();
  if lines.len() > RETAINED_LINES {
    *lines = vec![Line::NEW; INLINE_UNITS];
  }
  result
}

fn create_number(env: sys::napi_env, number: i64) -> sys::napi_value {
  let mut result = ptr::null_mut();
  // SAFETY: a valid out-pointer; failure leaves null, which N-API returns as undefined.
  unsafe {
    if let Ok(small) = i32::try_from(number) {
      sys::napi_create_int32(env, small, &mut result);
    } else {
      sys::napi_create_double(env, number as f64, &mut result);
    }
  }
  result
}

/// Turns a panic into a JavaScript exception, so it never unwinds into V8.
fn guard(env: sys::napi_env, body: impl FnOnce() -> sys::napi_value) -> sys::napi_value {
  match catch_unwind(AssertUnwindSafe(body)) {
    Ok(value) => value,
    Err(_) => {
      // SAFETY: throwing from a callback is allowed; the strings are NUL-terminated.
      unsafe {
        sys::napi_throw_error(
          env,
          c"ERR_HOP_BY_HOP_INTERNAL".as_ptr(),
          c"hop-by-hop: internal error (a panic was caught)".as_ptr(),
        );
      }
      ptr::null_mut()
    }
  }
}

unsafe extern "C" fn filter_spread(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  guard(env, || match Arguments::read(env, info) {
    Some(args) => create_number(env, filter_call(env, &args, false)),
    None => create_number(env, encode_error(ERROR_BAD_ARGUMENTS, 0)),
  })
}

unsafe extern "C" fn filter_array(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  guard(env, || match Arguments::read(env, info) {
    Some(args) => create_number(env, filter_call(env, &args, true)),
    None => create_number(env, encode_error(ERROR_BAD_ARGUMENTS, 0)),
  })
}

/// `setScratch(uint8Array)`: the buffer that receives one action byte per header line.
unsafe extern "C" fn set_scratch(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  guard(env, || {
    let Some(args) = Arguments::read(env, info) else {
      return ptr::null_mut();
    };
    let (Some(&array), Some(instance)) =
      (args.values().first(), args.data.cast::<Instance>().as_ref())
    else {
      return ptr::null_mut();
    };
    let mut kind = 0;
    let mut len = 0;
    let mut data = ptr::null_mut();
    let status = sys::napi_get_typedarray_info(
      env,
      array,
      &mut kind,
      &mut len,
      &mut data,
      ptr::null_mut(),
      ptr::null_mut(),
    );
    if status != sys::Status::napi_ok || kind != sys::TypedarrayType::uint8_array {
      return ptr::null_mut();
    }
    let mut reference = ptr::null_mut();
    if sys::napi_create_reference(env, array, 1, &mut reference) != sys::Status::napi_ok {
      return ptr::null_mut();
    }
    let previous = instance.scratch_ref.replace(reference);
    if !previous.is_null() {
      sys::napi_delete_reference(env, previous);
    }
    instance.scratch.set(data.cast());
    instance.scratch_len.set(len);
    create_number(env, len as i64)
  })
}

/// Benchmark floor (`--features bench-floors`, never in a release build): an empty callback
/// receiving the same spread arguments, so that `npm run bench` can price the call itself.
#[cfg(feature = "bench-floors")]
unsafe extern "C" fn empty_call(
  _env: sys::napi_env,
  _info: sys::napi_callback_info,
) -> sys::napi_value {
  ptr::null_mut()
}

/// Benchmark floor (`--features bench-floors`, never in a release build): reads every name of
/// the spread arguments and does nothing else, the cost of the boundary without the rules.
#[cfg(feature = "bench-floors")]
unsafe extern "C" fn read_names(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  guard(env, || {
    let Some(args) = Arguments::read(env, info) else {
      return ptr::null_mut();
    };
    let Some(instance) = args.data.cast::<Instance>().as_ref() else {
      return ptr::null_mut();
    };
    let Ok(mut reader) = instance.reader.try_borrow_mut() else {
      return ptr::null_mut();
    };
    let mut source = JsHeaders {
      env,
      elements: Elements::Args(args.values().get(1..).unwrap_or_default()),
      reader: &mut reader,
    };
    let mut total = 0usize;
    for header in 0..source.header_count() {
      total = total.wrapping_add(source.with_name(header, <[u8]>::len).unwrap_or(0));
    }
    create_number(env, total as i64)
  })
}

/// Test-only (`--features test-panic`, never in a release build): panics inside [`guard`] while
/// holding the instance's reusable buffers, so that `__test__/panic.test.js` can check that a
/// panic becomes a JavaScript error and leaves the addon usable.
#[cfg(feature = "test-panic")]
#[allow(clippy::panic)]
unsafe extern "C" fn panic_for_test(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  guard(env, || {
    let instance =
      Arguments::read(env, info).and_then(|args| args.data.cast::<Instance>().as_ref());
    let _held = instance.map(|instance| {
      (
        instance.reader.try_borrow_mut(),
        instance.lines.try_borrow_mut(),
      )
    });
    panic!("hop-by-hop: test-only panic");
  })
}

unsafe extern "C" fn free_instance(data: *mut c_void) {
  let instance = Box::from_raw(data.cast::<Instance>());
  // The scratch reference is owned by us, not by the runtime: Node does not free it with the
  // environment.
  let reference = instance.scratch_ref.replace(ptr::null_mut());
  if !reference.is_null() {
    sys::napi_delete_reference(instance.env, reference);
  }
}

type RawCallback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// Adds the raw callbacks to `exports`, all sharing one per-environment [`Instance`].
#[napi(module_exports)]
pub fn register_raw_callbacks(
  exports: napi::bindgen_prelude::Object,
  env: napi::Env,
) -> napi::Result<()> {
  let raw_env = env.raw();
  let instance = Box::into_raw(Box::new(Instance {
    env: raw_env,
    scratch: Cell::new(ptr::null_mut()),
    scratch_len: Cell::new(0),
    scratch_ref: Cell::new(ptr::null_mut()),
    reader: RefCell::new(StringReader::new()),
    lines: RefCell::new(vec![Line::NEW; INLINE_UNITS]),
  }));
  // SAFETY: the hook frees the instance once, when the environment shuts down.
  let status =
    unsafe { sys::napi_add_env_cleanup_hook(raw_env, Some(free_instance), instance.cast()) };
  napi::check_status!(status)?;
  let callbacks: &[(&std::ffi::CStr, RawCallback)] = &[
    (c"filter", filter_spread),
    (c"filterArray", filter_array),
    (c"setScratch", set_scratch),
    #[cfg(feature = "bench-floors")]
    (c"emptyCall", empty_call),
    #[cfg(feature = "bench-floors")]
    (c"readNames", read_names),
    #[cfg(feature = "test-panic")]
    (c"panicForTest", panic_for_test),
  ];
  for &(name, callback) in callbacks {
    let mut function = ptr::null_mut();
    // SAFETY: valid env, NUL-terminated name, and an instance that outlives the function.
    let status = unsafe {
      sys::napi_create_function(
        raw_env,
        name.as_ptr(),
        name.to_bytes().len() as isize,
        Some(callback),
        instance.cast(),
        &mut function,
      )
    };
    napi::check_status!(status)?;
    // SAFETY: `exports` is the live module object.
    let status =
      unsafe { sys::napi_set_named_property(raw_env, exports.raw(), name.as_ptr(), function) };
    napi::check_status!(status)?;
  }
  Ok(())
}

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
