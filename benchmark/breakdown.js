'use strict'

// Where the package's time goes, per corpus item: the layers of one filterRequest/filterResponse
// call measured separately, on fresh strings, in interleaved rounds.
//
//   emptyCall        calling into native code with the spread arguments, doing nothing
//   readNames        + reading every name string into Rust
//   binding.filter   + the Rust rules and reading the few values they need (no JS around it):
//                      the full path, which filterHeaders takes
//   gated call       the native call of filterRequest/filterResponse's IncomingMessage path:
//                      only the lines that pass lib/filter.js's gate (names that can be
//                      hop-by-hop, and the lengths a Connection line nominates), spread
//   package          filterRequest/filterResponse on an http.IncomingMessage: the gated call
//                      plus the JS around it (message and flag decoding, the gate, building the
//                      output array and the result object)
//
// Not part of `npm run bench`: it calls lib/native.js internals (flag layout included), which
// the package is free to change. Run: npm run build:bench && node benchmark/breakdown.js

const path = require('node:path')
const { CORPUS } = require('./corpus.js')
const h = require('./harness.js')

const TIME = Number(process.env.BENCH_TIME || 200)
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5)

/** Flags as lib/native.js lays them out, for the item's options; null if the layout is unknown. */
function flagsFor(N, options) {
  if (N.VERSION_HTTP11 === undefined || N.STATUS_SHIFT === undefined) return null
  const version = { '1.0': N.VERSION_HTTP10, '1.1': N.VERSION_HTTP11, '2.0': N.VERSION_HTTP2, 2: N.VERSION_HTTP2 }[options.httpVersion || '1.1']
  const response = options.direction === 'response'
  return version | N.PROXY | (response ? N.RESPONSE : 0) | (response && options.statusCode ? options.statusCode << N.STATUS_SHIFT : 0)
}

/** The element indexes of the item's lines that lib/filter.js hands to Rust (found by spying once). */
function gatedIndexes(item) {
  const N = require(path.join(__dirname, '..', 'lib', 'native.js'))
  const pkg = require(path.join(__dirname, '..'))
  const literal = item.lines.flat()
  const filter = N.native.filter
  let seen = null
  N.native.filter = (flags, ...lines) => {
    seen = lines
    return filter(flags, ...lines)
  }
  try {
    h.messageCall(pkg, item)(h.freshMessage(item))
  } finally {
    N.native.filter = filter
  }
  const indexes = []
  for (let i = 0, j = 0; i < literal.length && j < seen.length; i += 2) {
    if (literal[i] === seen[j] && literal[i + 1] === seen[j + 1]) {
      indexes.push(i)
      j += 2
    }
  }
  return indexes
}

async function main() {
  const pkg = require(path.join(__dirname, '..'))
  const N = require(path.join(__dirname, '..', 'lib', 'native.js'))
  const native = N.native || N
  const floor = h.loadFloor()
  if (floor.error) throw new Error(floor.error)
  const variants = [
    ['emptyCall', () => h.rawCall((raw) => floor.emptyCall(0, ...raw))],
    ['readNames', () => h.rawCall((raw) => floor.readNames(0, ...raw))],
  ]
  if (typeof native.filter === 'function' && flagsFor(N, {}) !== null) {
    variants.push(['binding.filter', (item) => { const f = flagsFor(N, item.options); return h.rawCall((raw) => native.filter(f, ...raw)) }])
  }
  variants.push(['gated call', (item) => {
    const f = flagsFor(N, item.options)
    const gated = gatedIndexes(item)
    return h.rawCall((raw) => {
      const lines = []
      for (const index of gated) lines.push(raw[index], raw[index + 1])
      return native.filter(f, ...lines)
    })
  }])
  variants.push(['package', (item) => h.messageCall(pkg, item)])

  const random = h.prng(0xb0a7)
  const results = new Map(CORPUS.map((item) => [item.key, new Map(variants.map(([n]) => [n, []]))]))
  for (let round = -1; round < ROUNDS; round++) {
    for (const item of CORPUS) {
      const tasks = variants.map(([name, make]) => [name, h.batchTask(item, make(item), 32)])
      const medians = await h.runOnce(h.shuffle(tasks, random), round < 0 ? 50 : TIME)
      if (round >= 0) for (const [name, ns] of medians) results.get(item.key).get(name).push(ns)
    }
  }

  const names = variants.map(([n]) => n)
  const t = (item, n) => h.median(results.get(item.key).get(n))
  // Differences of consecutive layers, except across the gated call, which is no layer of the
  // full path but the native part of the package's IncomingMessage path.
  const pairs = []
  for (let i = 1; i < names.length; i++) {
    if (names[i] !== 'gated call') pairs.push([names[i], names[i - 1]])
  }
  console.log('## Breakdown of one call\n')
  console.log(h.environment('node benchmark/breakdown.js') + '\n')
  console.log(h.table(['item', ...names, ...pairs.map(([a, b]) => `${a} − ${b}`)], CORPUS.map((item) => [
    item.name,
    ...names.map((n) => h.formatNs(t(item, n))),
    ...pairs.map(([a, b]) => h.formatNs(t(item, a) - t(item, b))),
  ])))
}

main().catch((error) => { console.error(error); process.exit(1) })
