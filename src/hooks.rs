//! Builds for benchmarks and tests only, never in a release addon: the boundary floors that
//! `npm run bench` prices (`--features bench-floors`) and a deliberate panic for
//! `__test__/panic.test.js` (`--features test-panic`).

#[cfg(feature = "bench-floors")]
use std::ptr;

use napi::sys;

#[cfg(feature = "bench-floors")]
use hop_by_hop_core::filter::HeaderSource;

use crate::args::Arguments;
#[cfg(feature = "bench-floors")]
use crate::call::create_number;
use crate::call::guard;
use crate::instance::Instance;
#[cfg(feature = "bench-floors")]
use crate::strings::{Elements, JsHeaders};

/// Benchmark floor (`--features bench-floors`, never in a release build): an empty callback
/// receiving the same spread arguments, so that `npm run bench` can price the call itself.
#[cfg(feature = "bench-floors")]
pub(crate) unsafe extern "C" fn empty_call(
  _env: sys::napi_env,
  _info: sys::napi_callback_info,
) -> sys::napi_value {
  ptr::null_mut()
}

/// Benchmark floor (`--features bench-floors`, never in a release build): reads every name of
/// the spread arguments and does nothing else, the cost of the boundary without the rules.
#[cfg(feature = "bench-floors")]
pub(crate) unsafe extern "C" fn read_names(
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
pub(crate) unsafe extern "C" fn panic_for_test(
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
