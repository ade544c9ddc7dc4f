//! What differs under emnapi (the `wasm32-wasip1-threads` build that `@napi-rs/wasm-runtime`
//! loads), and nothing else: the native build never compiles this module.
//!
//! emnapi runs N-API in JavaScript, and JavaScript memory is not wasm memory. For a typed array
//! that JavaScript created, `napi_get_typedarray_info` gives a pointer to a COPY that emnapi made
//! in wasm memory, so bytes written there stay invisible to JavaScript until
//! `emnapi_sync_memory` copies them back. The scratch buffer is written on every call, so every
//! call that wrote it syncs the bytes it wrote.

use napi::sys;

extern "C" {
  /// emnapi's copy between wasm memory and a JavaScript buffer: `js_to_wasm` false copies the
  /// wasm bytes of `arraybuffer_or_view` into the JavaScript buffer. It may replace the handle
  /// (a view re-created after the memory grew).
  fn emnapi_sync_memory(
    env: sys::napi_env,
    js_to_wasm: bool,
    arraybuffer_or_view: *mut sys::napi_value,
    byte_offset: usize,
    length: usize,
  ) -> sys::napi_status;
}

// emnapi's archive imports the cleanup hooks from the `napi` module, and wasm-ld refuses one
// symbol imported from two modules, so the binding must name the same module (napi-rs does too).
#[link(wasm_import_module = "napi")]
extern "C" {
  #[link_name = "napi_add_env_cleanup_hook"]
  fn napi_module_add_env_cleanup_hook(
    env: sys::napi_env,
    fun: Option<unsafe extern "C" fn(arg: *mut core::ffi::c_void)>,
    arg: *mut core::ffi::c_void,
  ) -> sys::napi_status;
}

/// `napi_add_env_cleanup_hook`, imported from the module emnapi provides it in.
///
/// # Safety
/// As `napi_add_env_cleanup_hook`.
pub(crate) unsafe fn add_env_cleanup_hook(
  env: sys::napi_env,
  fun: Option<unsafe extern "C" fn(arg: *mut core::ffi::c_void)>,
  arg: *mut core::ffi::c_void,
) -> sys::napi_status {
  napi_module_add_env_cleanup_hook(env, fun, arg)
}

/// What the scratch reference holds under emnapi: the `ArrayBuffer` of `view` when the view
/// starts at its first byte, else `view` itself.
///
/// Syncing a view costs two caught exceptions inside emnapi 2.0.0-beta.2 (its SharedArrayBuffer
/// probe throws for a view and for a plain ArrayBuffer), about 15 µs per call; syncing an
/// ArrayBuffer costs none. emnapi copies from the start of its copy whatever the offset, so only
/// a view at offset 0 may be synced through its buffer (lib/filter.js makes its scratch with
/// `new Uint8Array(n)`, which is at offset 0).
pub(crate) fn scratch_target(env: sys::napi_env, view: sys::napi_value) -> sys::napi_value {
  let mut buffer = std::ptr::null_mut();
  let mut offset = usize::MAX;
  // SAFETY: a live typed array (the caller checked it) and valid out-pointers; no data pointer
  // is asked for, so emnapi makes no copy here.
  let status = unsafe {
    sys::napi_get_typedarray_info(
      env,
      view,
      std::ptr::null_mut(),
      std::ptr::null_mut(),
      std::ptr::null_mut(),
      &mut buffer,
      &mut offset,
    )
  };
  if status == sys::Status::napi_ok && offset == 0 && !buffer.is_null() {
    buffer
  } else {
    view
  }
}

/// Copies the first `len` bytes of the scratch buffer from emnapi's wasm copy to the JavaScript
/// buffer held by `reference` (see [`scratch_target`]). Returns false when the copy failed: the
/// caller then reports an error rather than let JavaScript read stale actions.
pub(crate) fn sync_scratch(env: sys::napi_env, reference: sys::napi_ref, len: usize) -> bool {
  if len == 0 {
    return true;
  }
  let mut target = std::ptr::null_mut();
  // SAFETY: a live reference owned by the Instance, and valid out-pointers.
  unsafe {
    sys::napi_get_reference_value(env, reference, &mut target) == sys::Status::napi_ok
      && !target.is_null()
      && emnapi_sync_memory(env, false, &mut target, 0, len) == sys::Status::napi_ok
  }
}
