#!/usr/bin/env bash
# Runs node:test files against the WebAssembly build instead of the native addon: builds it
# (scripts/build-wasm.sh) when target/wasm has none, then forces it in this process and in every
# child the tests start (HOP_BY_HOP_FORCE_WASM=1, HOP_BY_HOP_WASM_PATH absolute, so that copies
# of the package elsewhere load it too).
#
#   scripts/test-wasm.sh [node --test arguments…]     default: every __test__/*.test.js
set -euo pipefail
cd "$(dirname "$0")/.."
loader=$PWD/target/wasm/hop-by-hop.wasi.cjs
[ -f "$loader" ] || scripts/build-wasm.sh
test_args=("$@")
[ ${#test_args[@]} -gt 0 ] || test_args=(__test__/*.test.js)
HOP_BY_HOP_FORCE_WASM=1 HOP_BY_HOP_WASM_PATH=$loader exec node --test "${test_args[@]}"
