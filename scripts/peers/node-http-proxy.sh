#!/usr/bin/env bash
# Runs http-party/node-http-proxy's own mocha suite twice: stock, then with hop-by-hop's attach()
# applied to every ProxyServer the suite creates (the constructor is patched, guarded by
# HOP_BY_HOP, so one checkout serves both runs). Fetches nothing: pass a checkout whose
# dependencies are installed (npm install --ignore-scripts in it).
#   scripts/peers/node-http-proxy.sh /tmp/peers/node-http-proxy
set -u
checkout=${1:?usage: $0 <node-http-proxy checkout>}
package=$(cd "$(dirname "$0")/../.." && pwd)
index="$checkout/lib/http-proxy/index.js"
if ! grep -q 'HOP_BY_HOP' "$index"; then
  # After the constructor's last statement, so that attach() sees the passes and options.
  sed -i "s|^  this.on('error', this.onError, this);|&\n  if (process.env.HOP_BY_HOP) require(process.env.HOP_BY_HOP).attach(this);|" "$index"
  grep -q 'HOP_BY_HOP' "$index" || { echo "patch did not apply to $index" >&2; exit 1; }
fi
cd "$checkout" || exit 1
for run in stock attached; do
  if [ "$run" = attached ]; then export HOP_BY_HOP="$package"; else unset HOP_BY_HOP; fi
  timeout 300 npx mocha --reporter dot test/*-test.js > "/tmp/node-http-proxy-$run.log" 2>&1
  echo "$run: $(grep -Eo '[0-9]+ passing' "/tmp/node-http-proxy-$run.log") $(grep -Eo '[0-9]+ failing' "/tmp/node-http-proxy-$run.log") $(grep -Eo '[0-9]+ pending' "/tmp/node-http-proxy-$run.log") (log: /tmp/node-http-proxy-$run.log)"
done
