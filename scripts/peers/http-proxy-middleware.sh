#!/usr/bin/env bash
# Runs chimurai/http-proxy-middleware's own jest suite (the 3.x branch, on http-proxy 1.18)
# twice: stock, then with hop-by-hop's plugin() added after the plugins of every middleware the
# suite creates (registerPlugins is patched, guarded by HOP_BY_HOP, so one checkout serves both
# runs and getPlugins() stays as its unit tests expect). Fetches nothing: pass a checkout whose
# dependencies are installed (npm install --ignore-scripts in it).
#   scripts/peers/http-proxy-middleware.sh /tmp/peers/http-proxy-middleware
set -u
checkout=${1:?usage: $0 <http-proxy-middleware 3.x checkout>}
package=$(cd "$(dirname "$0")/../.." && pwd)
source="$checkout/src/http-proxy-middleware.ts"
if ! grep -q 'HOP_BY_HOP' "$source"; then
  sed -i 's|^    const plugins = getPlugins<TReq, TRes>(options);|    const plugins = [...getPlugins<TReq, TRes>(options), ...(process.env.HOP_BY_HOP ? [require(process.env.HOP_BY_HOP).plugin()] : [])];|' "$source"
  grep -q 'HOP_BY_HOP' "$source" || { echo "patch did not apply to $source" >&2; exit 1; }
fi
cd "$checkout" || exit 1
for run in stock attached; do
  if [ "$run" = attached ]; then export HOP_BY_HOP="$package"; else unset HOP_BY_HOP; fi
  timeout 600 npx jest --ci --maxWorkers=1 > "/tmp/hpm-$run.log" 2>&1
  echo "$run: $(grep -E '^Tests:' "/tmp/hpm-$run.log") (log: /tmp/hpm-$run.log)"
done
