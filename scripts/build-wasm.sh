#!/usr/bin/env bash
# Builds the WebAssembly addon (wasm32-wasip1-threads, run under emnapi by @napi-rs/wasm-runtime)
# into target/wasm, where lib/native/load-native.js finds it: hop-by-hop.wasm32-wasi.wasm and the
# hop-by-hop.wasi.cjs loader napi-rs generates for it (plus the worker it starts threads with).
#
#   scripts/build-wasm.sh [napi build arguments…]     (npm run build:wasm)
#
# Needs `rustup target add wasm32-wasip1-threads` and the pinned devDependencies emnapi,
# @emnapi/core, @emnapi/runtime (one version, the napi CLI checks) and @napi-rs/wasm-runtime.
# The crate is pure Rust, so no wasi-sdk or C compiler: rust-lld links it against the Rust
# toolchain's wasi-libc and emnapi's archive.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/wasm
rm -rf "$out"
npx napi build --target wasm32-wasip1-threads --release --output-dir "$out" --no-js --dts binding.d.ts "$@"
# The generated loader prefers a .debug.wasm when one is present, and the browser files are for
# bundlers: keep the optimized module and what Node runs.
rm -f "$out"/*.debug.wasm "$out"/browser.js "$out"/*wasi-browser.js "$out"/wasi-worker-browser.mjs "$out"/binding.d.ts
ls -l "$out"
