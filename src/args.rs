//! A callback's arguments: read once, inline for small calls.

use std::ffi::c_void;
use std::ptr;

use napi::sys;

use hop_by_hop_core::names::first_invalid_name;

use crate::abi::encode_error;
use crate::strings::{Elements, StringReader};

/// Calls with up to this many arguments read them without allocating.
pub(crate) const INLINE_ARGS: usize = 64;
/// The first read asks for this many: N-API fills every slot asked for (with `undefined` past
/// the real arguments), and the gated calls of lib/filter.js pass a few lines. Larger calls read
/// their arguments a second time.
pub(crate) const FIRST_READ_ARGS: usize = 16;

/// Reads an optional array of names; `undefined` gives `None`.
pub(crate) fn read_name_list(
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
pub(crate) struct Arguments {
  pub(crate) inline: [sys::napi_value; INLINE_ARGS],
  pub(crate) heap: Vec<sys::napi_value>,
  pub(crate) count: usize,
  pub(crate) data: *mut c_void,
}

impl Arguments {
  /// # Safety
  /// `env` and `info` must be those of the running callback.
  pub(crate) unsafe fn read(env: sys::napi_env, info: sys::napi_callback_info) -> Option<Self> {
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

  pub(crate) fn values(&self) -> &[sys::napi_value] {
    if self.count > INLINE_ARGS {
      &self.heap
    } else {
      self.inline.get(..self.count).unwrap_or_default()
    }
  }
}

pub(crate) fn read_flags(env: sys::napi_env, value: Option<&sys::napi_value>) -> Option<u32> {
  let mut flags = 0;
  // SAFETY: a live handle; a non-number gives napi_number_expected.
  let status = unsafe { sys::napi_get_value_uint32(env, *value?, &mut flags) };
  (status == sys::Status::napi_ok).then_some(flags)
}
