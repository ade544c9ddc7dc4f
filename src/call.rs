//! One filter call: arguments in, the core run over the JavaScript strings, one number out.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use napi::sys;

use hop_by_hop_core::filter::{filter, HeaderSource, Line};
use hop_by_hop_core::names::{NameList, DEFAULT_PROTECTED_HEADERS};

use crate::abi::{
  decode_options, encode_error, encode_filter_error, encode_verdict, ERROR_BAD_ARGUMENTS,
  ERROR_INVALID_PROTECT, ERROR_INVALID_STRIP, ERROR_SCRATCH_TOO_SMALL, LISTS,
};
use crate::args::{read_flags, read_name_list, Arguments};
use crate::instance::Instance;
use crate::strings::{Elements, JsHeaders, INLINE_UNITS};

pub(crate) const RETAINED_LINES: usize = 16 * 1024;

/// How a call passes its header elements after the flags (and the strip and protect lists).
#[derive(Clone, Copy)]
pub(crate) enum Input {
  /// `filter(flags, [strip, protect,] ...rawHeaders)`: spread, the cheap form.
  Spread,
  /// `filterArray(flags, [strip, protect,] rawHeaders)`: for inputs too large to spread (V8
  /// caps the argument count and the stack).
  Array,
}

/// Runs the filter for one call.
pub(crate) fn filter_call(env: sys::napi_env, args: &Arguments, input: Input) -> i64 {
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
  let elements = if let Input::Array = input {
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
      let mut written = count;
      if let Some(tail) = scratch.get_mut(count..count.saturating_add(lengths.len())) {
        tail.copy_from_slice(&lengths);
        written += lengths.len();
      }
      if publish_scratch(env, instance, written) {
        encode_verdict(verdict)
      } else {
        encode_error(ERROR_BAD_ARGUMENTS, 0)
      }
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

/// Makes the first `len` bytes written to the scratch buffer visible to JavaScript. Natively
/// they already are (the pointer is into the `Uint8Array` itself), so this is nothing.
#[cfg(not(target_family = "wasm"))]
#[inline(always)]
fn publish_scratch(_env: sys::napi_env, _instance: &Instance, _len: usize) -> bool {
  true
}

/// Under emnapi the scratch pointer is into a wasm copy of the `Uint8Array`: copy the bytes back.
#[cfg(target_family = "wasm")]
fn publish_scratch(env: sys::napi_env, instance: &Instance, len: usize) -> bool {
  crate::wasm::sync_scratch(env, instance.scratch_ref.get(), len)
}

pub(crate) fn create_number(env: sys::napi_env, number: i64) -> sys::napi_value {
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
pub(crate) fn guard(env: sys::napi_env, body: impl FnOnce() -> sys::napi_value) -> sys::napi_value {
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

/// The raw callback for `input`: `filter` and `filterArray` differ only in how they pass the lines.
pub(crate) unsafe extern "C" fn filter_callback<const ARRAY: bool>(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  let input = if ARRAY { Input::Array } else { Input::Spread };
  guard(env, || match Arguments::read(env, info) {
    Some(args) => create_number(env, filter_call(env, &args, input)),
    None => create_number(env, encode_error(ERROR_BAD_ARGUMENTS, 0)),
  })
}
