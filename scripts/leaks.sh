#!/usr/bin/env bash
# Leak check of the native code under valgrind. NOT run by CI (slow).
#
#   scripts/leaks.sh [CALLS] [WORKERS]     defaults: 20000 calls, 4 worker start/stop cycles
#   ADDON=target/test-panic/hop-by-hop.node scripts/leaks.sh   # another build (debug symbols)
#
# Runs `node` under `valgrind --leak-check=full` on a bounded workload — ordinary, hostile,
# rejected and large messages, diagnostics, option lists, and worker threads that load the
# addon and exit, so the per-environment cleanup runs — then reports the "definitely lost"
# total of the whole process and, separately, the loss records whose allocation stack goes
# through the addon (hop-by-hop.node / hop_by_hop::). Node itself loses a few blocks of its
# own at exit; only the addon's records count. Exits 1 if the addon definitely lost anything.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
calls="${1:-20000}"
workers="${2:-4}"
addon="${ADDON:-$root/hop-by-hop.node}"
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
[ -f "$addon" ] || { echo "no addon at $addon (npm run build)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/workload.js" <<'EOF'
'use strict'
const { Worker } = require('node:worker_threads')
const [root, addon, calls, workers] = process.argv.slice(2)
// Serve the chosen build to lib/native/load-native.js (in the workers too).
const key = require('node:path').join(root, 'hop-by-hop.node')
const useAddon = `if (${JSON.stringify(addon)} !== ${JSON.stringify(key)}) {
  const Module = require('node:module')
  const cached = new Module(${JSON.stringify(key)})
  Object.assign(cached, { filename: ${JSON.stringify(key)}, loaded: true, exports: require(${JSON.stringify(addon)}) })
  require.cache[${JSON.stringify(key)}] = cached
}`
eval(useAddon)
const api = require(root)
const tokens = Array.from({ length: 300 }, (_, i) => `x-${i}`).join(', ')
const big = []
for (let i = 0; i < 5000; i++) big.push(`X-Big-${i % 64}`, `${i}`)
big.push('Connection', 'X-Big-1')
const messages = [
  [['Host', 'h', 'Connection', 'keep-alive, X-A', 'X-A', '1', 'TE', 'gzip, trailers', 'Keep-Alive', 'timeout=5'], undefined],
  [['Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket'], { upgrade: true }],
  [['Transfer-Encoding', 'chunked', 'Content-Length', '5'], { strict: true }],
  [['Connection', 'upgrade', 'Upgrade', 'web\u0001socket'], undefined],
  [['bad name', 'v'], undefined],
  [['Connection', tokens, 'X-1', 'a', 'Host', 'h'], undefined],
  [['Connection', 'Ā😀'.repeat(300), 'Host', 'x'.repeat(1000)], undefined],
  [[':method', 'GET', ':authority', 'a.example', 'te', 'trailers'], { httpVersion: '2.0' }],
  [['Cookie', 'c', 'Connection', 'Cookie'], { strip: ['X-A'], protect: ['Cookie'] }],
]
let results = 0
let errors = 0
for (let i = 0; i < Number(calls); i++) {
  const [raw, options] = i % 500 === 0 ? [big, undefined] : messages[i % messages.length]
  try {
    const result = api.filterHeaders(raw, options)
    if (i % 3 === 0) result.diagnostics.removed.length
    results++
  } catch {
    errors++
  }
}
async function cycles() {
  for (let i = 0; i < Number(workers); i++) {
    const worker = new Worker(
      `${useAddon}
       const api = require(${JSON.stringify(root)});
       for (let i = 0; i < 2000; i++) api.filterHeaders(['Connection', 'X-A', 'X-A', '1', 'Host', 'h']).diagnostics;
       api.filterHeaders(Array.from({ length: 9000 }, (_, i) => (i % 2 ? 'v' : 'X-' + i)));`,
      { eval: true },
    )
    await new Promise((resolve, reject) => worker.once('exit', resolve).once('error', reject))
  }
}
cycles().then(() => console.log(`workload: ${results} results, ${errors} errors, ${workers} worker cycles`))
EOF

log="$work/valgrind.log"
echo "valgrind: node + $(basename "$addon"), $calls calls, $workers worker cycles (takes a minute or two)"
start=$(date +%s)
valgrind --leak-check=full --show-leak-kinds=definite --num-callers=30 --log-file="$log" \
  node "$work/workload.js" "$root" "$addon" "$calls" "$workers"
echo "valgrind finished in $(($(date +%s) - start)) s"

grep -E 'in use at exit|total heap usage|definitely lost:|indirectly lost:|possibly lost:|ERROR SUMMARY' "$log" | sed 's/^==[0-9]*== *//'

# Loss records: from "... are definitely lost in loss record" to the next empty "==pid== " line.
native=$(awk '
  /are definitely lost in loss record/ { record = $0; inrec = 1; next }
  inrec && /^==[0-9]+== *$/ { if (record ~ /hop-by-hop\.node|hop_by_hop::/) print record "\n"; inrec = 0; next }
  inrec { record = record "\n" $0 }
' "$log")
if [ -n "$native" ]; then
  bytes=$(printf '%s\n' "$native" | grep -o '[0-9,]* bytes in [0-9,]* blocks are definitely lost' | awk '{gsub(",", "", $1); gsub(",", "", $4); b += $1; n += $4} END {print b " bytes in " n " blocks"}')
  echo "addon: definitely lost $bytes"
  printf '%s\n' "$native" | sed 's/^==[0-9]*== *//' | head -60
  exit 1
fi
echo "addon: definitely lost 0 bytes (no loss record goes through hop-by-hop.node)"
