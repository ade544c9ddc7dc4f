#!/usr/bin/env bash
# Runs node:test files against the WebAssembly build instead of the native addon: builds it
# (scripts/build-wasm.sh) when target/wasm has none, then forces it in this process and in every
# child the tests start (HOP_BY_HOP_FORCE_WASM=1, HOP_BY_HOP_WASM_PATH absolute, so that copies
# of the package elsewhere load it too).
#
#   scripts/test-wasm.sh [node --test arguments…]     default: every __test__/*.test.js but one
#
# The default leaves out panic.test.js: it needs the native test-panic build (its trigger is not
# in the wasm build), and wasm32 Rust aborts on a panic instead of unwinding, so a panic there is
# a wasm trap, not the catchable ERR_HOP_BY_HOP_INTERNAL that file checks.
set -euo pipefail
cd "$(dirname "$0")/.."
loader=$PWD/target/wasm/hop-by-hop.wasi.cjs
[ -f "$loader" ] || scripts/build-wasm.sh
test_args=("$@")
if [ ${#test_args[@]} -eq 0 ]; then
  for file in __test__/*.test.js; do
    [ "$file" = __test__/panic.test.js ] || test_args+=("$file")
  done
fi
HOP_BY_HOP_FORCE_WASM=1 HOP_BY_HOP_WASM_PATH=$loader exec node --test "${test_args[@]}"
