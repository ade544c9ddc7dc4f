#!/usr/bin/env bash
# Bounded coverage-guided fuzzing of the Rust core. NOT run by CI.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]
#
# Targets (fuzz/fuzz_targets/): connection, te, upgrade, keep_alive, filter (default: all, 60 s
# each). Each target is also a differential test against a reference grammar written
# independently of crates/core/src/, so a wrong answer is a crash too.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a C++ compiler for libFuzzer. cargo-fuzz
# passes nightly-only flags (-Zsanitizer=address); RUSTC_BOOTSTRAP=1 lets the stable toolchain
# accept them. The corpus grows in fuzz/corpus/<target> (git-ignored) from fuzz/seeds/<target>;
# crashes land in fuzz/artifacts/<target>/ and make the script exit 1. Reproduce one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run -O <target> fuzz/artifacts/<target>/<file>   (from fuzz/)
# and turn it into a test in crates/core/tests/properties.rs or __test__/abuse.test.js.
set -euo pipefail

cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
shift || true
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=(connection te upgrade keep_alive filter)
fi
case "$seconds" in '' | *[!0-9]*) echo "SECONDS_PER_TARGET must be a number" >&2; exit 2 ;; esac

export RUSTC_BOOTSTRAP=1
cargo fuzz build -O >/dev/null
mkdir -p logs
status=0
printf '%-12s %8s %12s %10s %8s %s\n' target seconds executions exec/s corpus result
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  log="logs/$target.log"
  # Bounded: -max_total_time stops libFuzzer; -timeout flags any input slower than 10 s (a
  # quadratic parser on a long header); -rss_limit_mb flags runaway memory.
  if cargo fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result="CRASH (see fuzz/$log and fuzz/artifacts/$target)"
    status=1
  fi
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  corpus=$(find "corpus/$target" -type f | wc -l)
  printf '%-12s %8s %12s %10s %8s %s\n' "$target" "$seconds" "${executions:-?}" "${rate:-?}" "$corpus" "$result"
done
exit "$status"
