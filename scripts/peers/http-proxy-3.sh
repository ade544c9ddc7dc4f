#!/usr/bin/env bash
# Runs sagemathinc/http-proxy-3's own vitest suite twice: stock, then with hop-by-hop's attach()
# applied to every ProxyServer the suite creates (the constructor is patched; the package is
# loaded by the suite's setup file only when HOP_BY_HOP is set, so one checkout serves both
# runs). Fetches nothing: pass a checkout whose dependencies are installed.
#   scripts/peers/http-proxy-3.sh /tmp/peers/http-proxy-3
set -u
checkout=${1:?usage: $0 <http-proxy-3 checkout>}
package=$(cd "$(dirname "$0")/../.." && pwd)
index="$checkout/lib/http-proxy/index.ts"
setup="$checkout/lib/test/setup.js"
if ! grep -q '__hopByHop' "$index"; then
  sed -i 's|^    this.on("error", this.onError);|&\n    (globalThis as any).__hopByHop?.attach(this);|' "$index"
  grep -q '__hopByHop' "$index" || { echo "patch did not apply to $index" >&2; exit 1; }
  cat >> "$setup" <<'JS'
import { createRequire } from "node:module";
if (process.env.HOP_BY_HOP) globalThis.__hopByHop = createRequire(import.meta.url)(process.env.HOP_BY_HOP);
JS
fi
cd "$checkout" || exit 1
for run in stock attached; do
  if [ "$run" = attached ]; then export HOP_BY_HOP="$package"; else unset HOP_BY_HOP; fi
  NO_COLOR=1 NODE_TLS_REJECT_UNAUTHORIZED=0 timeout 900 npx vitest run --maxWorkers=1 > "/tmp/http-proxy-3-$run.log" 2>&1
  echo "$run: $(sed 's/\x1b\[[0-9;]*m//g' "/tmp/http-proxy-3-$run.log" | grep -E '^ +Tests ' | tr -s ' ') (log: /tmp/http-proxy-3-$run.log)"
done
