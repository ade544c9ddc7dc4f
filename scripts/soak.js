#!/usr/bin/env node
'use strict'
// Memory soak: a few million filter calls over a mix of ordinary, hostile,
// rejected and large messages, printing RSS, V8 heap and external memory at intervals (after a
// forced GC), and exiting 1 if memory grows past a threshold after the warm-up.
//
//   node scripts/soak.js [CALLS]          default 3,000,000
//   SOAK_MAX_RSS_GROWTH_MB=64 SOAK_MAX_HEAP_GROWTH_MB=16 SOAK_MAX_NATIVE_GROWTH_MB=16 node scripts/soak.js
//
// RSS includes V8's heap capacity, which grows in steps (the young generation doubles under
// allocation pressure) while the live heap stays flat; "rss-heapTotal-ext" is the part that
// native leaks would grow.
//
// Growth is measured from the end of the warm-up (the first 10% of calls, when V8 and the
// allocator reach their steady state) to the end. Not run by CI: it takes about a minute.

if (typeof global.gc !== 'function') {
  // Re-run with --expose-gc so that every sample is taken after a full collection.
  const { spawnSync } = require('node:child_process')
  const run = spawnSync(process.execPath, ['--expose-gc', __filename, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(run.status ?? 1)
}

const path = require('node:path')
const { filterHeaders, filterRequest, filterResponse, createFilter } = require(path.join(__dirname, '..'))

const CALLS = Number(process.argv[2] ?? 3_000_000)
const SAMPLES = 12
const MAX_RSS_GROWTH_MB = Number(process.env.SOAK_MAX_RSS_GROWTH_MB ?? 64)
const MAX_HEAP_GROWTH_MB = Number(process.env.SOAK_MAX_HEAP_GROWTH_MB ?? 16)
const MAX_OTHER_GROWTH_MB = Number(process.env.SOAK_MAX_NATIVE_GROWTH_MB ?? 16)

const browser = [
  'Host', 'example.com', 'User-Agent', 'Mozilla/5.0', 'Accept', 'text/html,*/*;q=0.8',
  'Accept-Language', 'en-US,en;q=0.5', 'Accept-Encoding', 'gzip, deflate, br',
  'Connection', 'keep-alive', 'Cookie', 'session=abc', 'Upgrade-Insecure-Requests', '1',
]
const tokens = Array.from({ length: 200 }, (_, i) => `x-${i}`).join(', ')
const messages = [
  // [rawHeaders, options, reads diagnostics]
  [browser, undefined, false],
  [['Host', 'h', 'Connection', 'keep-alive, X-A', 'X-A', '1', 'TE', 'gzip, trailers', 'Keep-Alive', 'timeout=5'], undefined, true],
  [['Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], { upgrade: true }, true],
  [['Transfer-Encoding', 'chunked', 'Content-Length', '5', 'Host', 'h'], undefined, false],
  [['Transfer-Encoding', 'chunked', 'Content-Length', '5'], { strict: true }, false], // throws
  [['Connection', 'X-Forwarded-For', 'X-Forwarded-For', '1.2.3.4'], { strict: true }, false], // throws
  [['Connection', 'upgrade', 'Upgrade', 'web\u0001socket'], undefined, false], // throws
  [['bad name', 'v'], undefined, false], // throws TypeError
  [['Connection', tokens, 'X-1', 'a', 'x-199', 'b', 'Host', 'h'], undefined, true],
  [['Connection', 'Ā😀'.repeat(300), 'Host', 'Łódź'.repeat(100)], undefined, true],
  [[':method', 'GET', ':authority', 'a.example', ':path', '/', 'te', 'trailers'], { httpVersion: '2.0' }, true],
  [browser, { strip: ['Cookie'], protect: [] }, true],
]
const big = []
for (let i = 0; i < 5000; i++) big.push(`X-Big-${i % 64}`, `${i}`)
big.push('Connection', 'X-Big-1, close')
const compiled = createFilter({ strip: ['X-Big-2'] })
const response = { rawHeaders: ['Content-Length', '3', 'Connection', 'close', 'Keep-Alive', 'timeout=5'], httpVersion: '1.1', statusCode: 200, req: { method: 'GET' } }
const request = { rawHeaders: browser, httpVersion: '1.0' }

let results = 0
let errors = 0
let sink = 0
function call(i) {
  if (i % 1000 === 0) {
    sink += compiled(big).headers.length
    return
  }
  if (i % 7 === 0) {
    sink += filterResponse(response).headers.length + filterRequest(request).headers.length
    return
  }
  const [raw, options, diagnostics] = messages[i % messages.length]
  try {
    const result = filterHeaders(raw, options)
    sink += result.headers.length
    if (diagnostics) sink += result.diagnostics.removed.length
    results++
  } catch (error) {
    sink += error.code.length
    errors++
  }
}

function sample() {
  global.gc()
  global.gc()
  const usage = process.memoryUsage()
  return {
    rss: usage.rss / 2 ** 20,
    heap: usage.heapUsed / 2 ** 20,
    heapTotal: usage.heapTotal / 2 ** 20,
    external: usage.external / 2 ** 20,
    // What is neither V8's heap (including the young generation's capacity, which V8 grows in
    // steps under allocation pressure) nor external memory: native allocations, code, stacks.
    other: (usage.rss - usage.heapTotal - usage.external) / 2 ** 20,
  }
}

const mb = (value) => value.toFixed(1).padStart(8)
console.log(`soak: ${CALLS.toLocaleString('en')} calls, node ${process.version}`)
console.log('     calls   rss MB  heap MB heapTotal  ext MB  rss-heapTotal-ext   calls/s')
const warmupEnd = Math.floor(CALLS / 10)
let baseline
const started = process.hrtime.bigint()
let last = started
const rows = []
for (let s = 0; s <= SAMPLES; s++) {
  const target = s === 0 ? warmupEnd : warmupEnd + Math.floor(((CALLS - warmupEnd) * s) / SAMPLES)
  const from = s === 0 ? 0 : rows.at(-1).calls
  for (let i = from; i < target; i++) call(i)
  const now = process.hrtime.bigint()
  const rate = ((target - from) / Number(now - last)) * 1e9
  last = now
  const memory = { calls: target, ...sample() }
  if (s === 0) baseline = memory
  rows.push(memory)
  console.log(`${String(target).padStart(10)} ${mb(memory.rss)} ${mb(memory.heap)} ${mb(memory.heapTotal)}  ${mb(memory.external)} ${mb(memory.other).padStart(18)} ${Math.round(rate).toString().padStart(9)}`)
}
const end = rows.at(-1)
const peakRss = Math.max(...rows.map((row) => row.rss))
const seconds = Number(process.hrtime.bigint() - started) / 1e9
const growth = { rss: end.rss - baseline.rss, heap: end.heap - baseline.heap, other: end.other - baseline.other }
console.log(
  `done in ${seconds.toFixed(1)} s: ${results.toLocaleString('en')} results, ${errors.toLocaleString('en')} errors (+ entry-point calls); ` +
    `after warm-up RSS ${baseline.rss.toFixed(1)} -> ${end.rss.toFixed(1)} MB (${growth.rss >= 0 ? '+' : ''}${growth.rss.toFixed(1)}, peak ${peakRss.toFixed(1)}), ` +
    `heap used ${baseline.heap.toFixed(1)} -> ${end.heap.toFixed(1)} MB (${growth.heap >= 0 ? '+' : ''}${growth.heap.toFixed(1)}), ` +
    `heap total ${baseline.heapTotal.toFixed(1)} -> ${end.heapTotal.toFixed(1)} MB, ` +
    `RSS outside the V8 heap ${baseline.other.toFixed(1)} -> ${end.other.toFixed(1)} MB (${growth.other >= 0 ? '+' : ''}${growth.other.toFixed(1)}) [checksum ${sink}]`,
)
let failed = false
if (growth.rss > MAX_RSS_GROWTH_MB) {
  console.error(`FAIL: RSS grew ${growth.rss.toFixed(1)} MB > ${MAX_RSS_GROWTH_MB} MB`)
  failed = true
}
if (growth.other > MAX_OTHER_GROWTH_MB) {
  console.error(`FAIL: RSS outside the V8 heap grew ${growth.other.toFixed(1)} MB > ${MAX_OTHER_GROWTH_MB} MB`)
  failed = true
}
if (growth.heap > MAX_HEAP_GROWTH_MB) {
  console.error(`FAIL: heap grew ${growth.heap.toFixed(1)} MB > ${MAX_HEAP_GROWTH_MB} MB`)
  failed = true
}
process.exit(failed ? 1 : 0)
