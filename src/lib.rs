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
//!
//! The rules live in the `hop-by-hop-core` crate (`crates/core`); this crate only converts.
#![cfg_attr(test, allow(dead_code))]
#![deny(
  clippy::unwrap_used,
  clippy::expect_used,
  clippy::indexing_slicing,
  clippy::panic
)]

use std::ptr;

use napi::{sys, JsValue};
use napi_derive::napi;

mod abi;
mod args;
mod call;
#[cfg(any(feature = "bench-floors", feature = "test-panic"))]
mod hooks;
mod inspect;
mod instance;
mod strings;
#[cfg(target_family = "wasm")]
mod wasm;

use std::cell::{Cell, RefCell};

use hop_by_hop_core::filter::Line;

use crate::call::filter_callback;
#[cfg(feature = "test-panic")]
use crate::hooks::panic_for_test;
#[cfg(feature = "bench-floors")]
use crate::hooks::{empty_call, read_names};
use crate::instance::{free_instance, set_scratch, Instance};
use crate::strings::{StringReader, INLINE_UNITS};

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
  #[cfg(not(target_family = "wasm"))]
  let status =
    unsafe { sys::napi_add_env_cleanup_hook(raw_env, Some(free_instance), instance.cast()) };
  // SAFETY: as above.
  #[cfg(target_family = "wasm")]
  let status = unsafe { wasm::add_env_cleanup_hook(raw_env, Some(free_instance), instance.cast()) };
  napi::check_status!(status)?;
  let callbacks: &[(&std::ffi::CStr, RawCallback)] = &[
    (c"filter", filter_callback::<false>),
    (c"filterArray", filter_callback::<true>),
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
