'use strict'

// Shared machinery of bench.js and scaling.js: timing a variant on fresh inputs with
// tinybench, interleaved rounds, statistics and markdown.

const http = require('node:http')
const os = require('node:os')
const v8 = require('node:v8')
const vm = require('node:vm')
const path = require('node:path')
const { fresh } = require('./corpus.js')

/** A forced GC before each timed task, so one variant's garbage is not collected on another's clock. */
function getGc() {
  if (typeof globalThis.gc === 'function') return globalThis.gc
  v8.setFlagsFromString('--expose-gc')
  return vm.runInNewContext('gc')
}
const gc = getGc()

/** Keeps results alive so the optimiser cannot drop the calls. */
let blackhole

/**
 * A timing loop compiled separately for each variant. If every variant ran through one shared
 * loop, its call site would see all of them, go megamorphic and add the same few ns to each,
 * pulling every ratio towards 1. `new Function` gives each loop its own feedback.
 */
function makeLoop() {
  // eslint-disable-next-line no-new-func
  return new Function('call', 'inputs', `
    let last
    for (let i = 0; i < inputs.length; i++) last = call(inputs[i])
    return last
  `)
}

const hrtime = process.hrtime.bigint

/**
 * One tinybench task function: builds `batch` fresh messages outside the clock, then times
 * `batch` calls on them and reports the time per call. Timing a batch rather than each call
 * keeps hrtime's own ~30-50 ns out of sub-microsecond results; building the inputs just before
 * the calls matches a server, where the parser made the strings a moment earlier.
 */
function batchTask(item, call, batch) {
  const loop = makeLoop()
  const inputs = new Array(batch)
  return function task() {
    const start = hrtime()
    for (let i = 0; i < batch; i++) inputs[i] = freshMessage(item)
    const t0 = hrtime()
    blackhole = loop(call, inputs)
    const t1 = hrtime()
    return {
      overriddenDuration: Number(t1 - t0) / 1e6 / batch,
      overriddenIterationCost: Number(t1 - start) / 1e6,
    }
  }
}

let Bench
async function loadTinybench() {
  // tinybench 6 is ESM-only.
  if (Bench === undefined) ({ Bench } = await import('tinybench'))
  return Bench
}

/**
 * Runs the given [name, taskFn] pairs once each, in the given order, for `time` ms each, and
 * returns name -> median ns per call.
 */
async function runOnce(tasks, time) {
  const TinyBench = await loadTinybench()
  const bench = new TinyBench({ time, iterations: 5, warmup: false, throws: true })
  for (const [name, fn] of tasks) bench.add(name, fn, { beforeAll: () => gc() })
  await bench.run()
  const out = new Map()
  for (const task of bench.tasks) out.set(task.name, task.result.latency.p50 * 1e6)
  return out
}

/** Deterministic PRNG (mulberry32) so shuffles and generated inputs are reproducible. */
function prng(seed) {
  let a = seed >>> 0
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function shuffle(array, random) {
  const a = array.slice()
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = a[i]
    a[i] = a[j]
    a[j] = t
  }
  return a
}

function median(values) {
  const a = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y)
  if (a.length === 0) return NaN
  const mid = a.length >> 1
  return a.length % 2 ? a[mid] : (a[mid - 1] + a[mid]) / 2
}

function geomean(values) {
  const a = values.filter((v) => Number.isFinite(v) && v > 0)
  if (a.length === 0) return NaN
  return Math.exp(a.reduce((s, v) => s + Math.log(v), 0) / a.length)
}

function formatNs(ns) {
  if (!Number.isFinite(ns)) return 'n/a'
  if (ns >= 100000) return `${(ns / 1000).toFixed(0)} µs`
  if (ns >= 10000) return `${(ns / 1000).toFixed(1)} µs`
  if (ns >= 1000) return `${(ns / 1000).toFixed(2)} µs`
  return `${ns.toFixed(0)} ns`
}

function formatRatio(r) {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a'
}

function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`]
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`)
  return lines.join('\n')
}

/** Which build was measured: the addon's hash and build time. */
function addonIdentity() {
  try {
    const file = path.join(__dirname, '..', 'hop-by-hop.node')
    const bytes = require('node:fs').readFileSync(file)
    const hash = require('node:crypto').createHash('sha256').update(bytes).digest('hex').slice(0, 12)
    return `hop-by-hop.node sha256 ${hash}…, built ${require('node:fs').statSync(file).mtime.toISOString()}`
  } catch (error) {
    return `unknown (${error.message})`
  }
}

/** Numbers from a busy machine are not worth printing without saying so. */
function busyWarning() {
  const load = os.loadavg()[0]
  return load > 0.7
    ? `\n- **warning: the machine was busy (1-minute load ${load.toFixed(2)}); other processes compete for the CPU and the results are noisy**`
    : ''
}

/** Machine and command description printed above the tables. */
function environment(command) {
  const cpus = os.cpus()
  return [
    `- addon: ${addonIdentity()}`,
    `- command: \`${command}\``,
    `- node ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.release()} ${os.arch()}`,
    `- CPU: ${cpus[0] ? cpus[0].model : 'unknown'} × ${cpus.length} logical cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `- date: ${new Date().toISOString()}; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min)`,
  ].join('\n') + busyWarning()
}

/** The benchmark's own addon: the release build plus the floors (cargo feature bench-floors). */
const FLOOR_ADDON = path.join(__dirname, '..', 'target', 'bench', 'hop-by-hop.node')

/**
 * The native floor entry points, `emptyCall` and `readNames`. The release addon does not export
 * them (users never call them), so they come from target/bench/hop-by-hop.node, which
 * `npm run bench` builds first (`npm run build:bench`). Without it the floors are skipped and the
 * report says why.
 */
function loadFloor() {
  let addon
  try {
    addon = require(FLOOR_ADDON)
  } catch (error) {
    return { error: `${path.relative(process.cwd(), FLOOR_ADDON)} does not load (${error.message.split('\n')[0]}); run \`npm run build:bench\`` }
  }
  const floor = {}
  for (const name of ['emptyCall', 'readNames']) {
    if (typeof addon[name] === 'function') floor[name] = addon[name]
  }
  if (!floor.emptyCall || !floor.readNames) floor.error = `${FLOOR_ADDON} was built without the bench-floors feature`
  return floor
}

/**
 * A fresh IncomingMessage like the one a proxy holds, made outside the clock as Node makes one
 * before the handler runs: new rawHeaders strings, and an httpVersion that is a new string too,
 * because Node builds it per message (`${major}.${minor}`) and a filter that looks it up in a
 * table pays for hashing it. A real http.IncomingMessage, so that every variant reads its
 * properties from the object shape a handler really gets, on a socket stand-in whose parser
 * keeps Node's default of 1000 lines, or all of them for the scaling runs' longer heads (a
 * server with maxHeadersCount 0), so that the package's check for cut heads sees what it would
 * see in a server.
 */
const DEFAULT_PARSER = { maxHeaderPairs: 2000 }
const UNLIMITED_PARSER = { maxHeaderPairs: 0 }

function freshMessage(item) {
  const o = item.options
  const [major, minor] = (o.httpVersion || '1.1').split('.').map(Number)
  // A socket of its own, on which this request is the one being answered, as in a handler of
  // Node's server (socket._httpMessage is its ServerResponse): filterRequest refuses a request
  // that waits behind one after which the connection closes (RFC 9112 §9.6), and an HTTP/1.0
  // item's request is one.
  const socket = { parser: item.offsets.length < 4000 ? DEFAULT_PARSER : UNLIMITED_PARSER, _httpMessage: null }
  const message = new http.IncomingMessage(socket)
  socket._httpMessage = { req: message }
  message.httpVersion = `${major}.${minor || 0}`
  message.rawHeaders = fresh(item)
  if (o.direction === 'response') {
    message.statusCode = o.statusCode
    message.req = { method: 'GET' }
  }
  return message
}

/** `filterRequest(req)` or `filterResponse(res)` of an API that has them. */
function messageCall(api, item) {
  return item.options.direction === 'response'
    ? (message) => api.filterResponse(message)
    : (message) => api.filterRequest(message)
}

/** A variant that takes rawHeaders only. */
function rawCall(fn) {
  return (message) => fn(message.rawHeaders)
}

module.exports = {
  loadFloor,
  messageCall,
  rawCall,
  freshMessage,
  batchTask,
  runOnce,
  prng,
  shuffle,
  median,
  geomean,
  formatNs,
  formatRatio,
  table,
  environment,
  gc,
  sink: () => blackhole,
}
