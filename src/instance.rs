//! Per-environment state: the scratch buffer JavaScript owns and the reusable read buffers.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::ptr;

use napi::sys;

use hop_by_hop_core::filter::Line;

use crate::args::Arguments;
use crate::call::{create_number, guard};
use crate::strings::StringReader;

/// Per-environment state, owned by the functions' `data` pointer and freed with the environment,
/// so worker threads share nothing.
pub(crate) struct Instance {
  pub(crate) env: sys::napi_env,
  pub(crate) scratch: Cell<*mut u8>,
  pub(crate) scratch_len: Cell<usize>,
  pub(crate) scratch_ref: Cell<sys::napi_ref>,
  /// Reused across calls so that a call neither zeroes nor allocates buffers. The array entry
  /// point can run JavaScript (getters, Proxy traps) while a borrow is held, so a re-entrant call
  /// finds it taken and fails with an error code instead of aliasing it.
  pub(crate) reader: RefCell<StringReader>,
  pub(crate) lines: RefCell<Vec<Line>>,
}

/// `setScratch(uint8Array)`: the buffer that receives one action byte per header line.
pub(crate) unsafe extern "C" fn set_scratch(
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
    // Under emnapi the reference also names what each call copies the actions back to.
    #[cfg(target_family = "wasm")]
    let array = crate::wasm::scratch_target(env, array);
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

pub(crate) unsafe extern "C" fn free_instance(data: *mut c_void) {
  let instance = Box::from_raw(data.cast::<Instance>());
  // The scratch reference is owned by us, not by the runtime: Node does not free it with the
  // environment.
  let reference = instance.scratch_ref.replace(ptr::null_mut());
  if !reference.is_null() {
    sys::napi_delete_reference(instance.env, reference);
  }
}
