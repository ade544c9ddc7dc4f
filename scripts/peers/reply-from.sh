#!/usr/bin/env bash
# Runs @fastify/reply-from's own test suite twice, stock and with replyFromHooks() applied to every
# reply.from() call, and prints the tests whose outcome differs.
#
#   scripts/peers/reply-from.sh /tmp/peers/reply-from
#
# The checkout must have its dependencies installed (npm install in it). The hooks come first and
# a test's own rewriteRequestHeaders/rewriteHeaders run on their output, as a proxy author
# composing both would write it.
set -euo pipefail

checkout=${1:?usage: $0 <reply-from checkout>}
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$checkout"

cat > hop-by-hop-hooks.js <<JS
'use strict'
const { replyFromHooks } = require('${here}/index.js')
const hooks = replyFromHooks()
// How often the hooks ran, so that a run with none can be told from one where they change nothing.
let calls = 0
process.on('exit', () => require('node:fs').appendFileSync('/tmp/reply-from-hook-calls', calls + '\\n'))
module.exports = function withHooks (opts) {
  calls++
  const request = opts.rewriteRequestHeaders
  const response = opts.rewriteHeaders
  return {
    ...opts,
    rewriteRequestHeaders: (req, headers) => {
      const filtered = hooks.rewriteRequestHeaders(req, headers)
      return request ? request(req, filtered) : filtered
    },
    rewriteHeaders: (headers, req) => {
      const filtered = hooks.rewriteHeaders(headers, req)
      return response ? response(filtered, req) : filtered
    }
  }
}
JS

# One line in the plugin: reply.from(source, opts) sees the composed hooks when asked to.
if ! grep -q 'hop-by-hop-hooks' index.js; then
  sed -i "s|^    opts = opts \|\| {}$|    opts = opts \|\| {}\n    if (process.env.HOP_BY_HOP_HOOKS === '1') opts = require('./hop-by-hop-hooks.js')(opts)|" index.js
  grep -q 'hop-by-hop-hooks' index.js || { echo 'could not patch index.js' >&2; exit 1; }
fi

run() {
  HOP_BY_HOP_HOOKS=$1 node --test --test-timeout=30000 --test-reporter=tap test/*.test.js > "$2" 2>&1 || true
}
rm -f /tmp/reply-from-hook-calls
run 0 /tmp/reply-from-stock.tap
run 1 /tmp/reply-from-hooks.tap
echo "reply.from() calls with the hooks applied: $(awk '{ n += $1 } END { print n + 0 }' /tmp/reply-from-hook-calls 2>/dev/null)"

summary() {
  # Top-level results: "ok N - name" / "not ok N - name" lines with their file's subtests.
  grep -E '^ *(not )?ok [0-9]+ - ' "$1" | sed -E 's/ *# (SKIP|TODO).*//' | sort | uniq
}
for tap in /tmp/reply-from-stock.tap /tmp/reply-from-hooks.tap; do
  echo "$tap: $(grep -E '^# (tests|pass|fail|skipped|todo|cancelled) ' "$tap" | tr '\n' ' ')"
done
echo 'differences (< stock, > with hooks):'
diff <(summary /tmp/reply-from-stock.tap) <(summary /tmp/reply-from-hooks.tap) || true
