'use strict'

// Where the package's time goes, per corpus item: the layers of one filterRequest/filterResponse
// call measured separately, on fresh strings, in interleaved rounds.
//
//   emptyCall        calling into native code with the spread arguments, doing nothing
//   readNames        + reading every name string into Rust
//   binding.filter   + the Rust rules and reading the few values they need (no JS around it):
//                      the checked path, which filterHeaders takes for arrays it does not gate
//   gated call       the native call of filterRequest/filterResponse's IncomingMessage path:
//                      only the lines that pass lib/filter/gate.js's gate (names that can be
//                      hop-by-hop, and the lengths a Connection line nominates), spread
//   package, unknown shape
//                    filterRequest/filterResponse on an http.IncomingMessage whose names are
//                      written in capitals, a spelling the table of known shapes does not take
//                      (Rust reads names case-insensitively, so its work is the same): the gated
//                      call plus the JS around it, what a message of a shape not in the table
//                      costs
//   package          filterRequest/filterResponse on the item as it is: after its first
//                      message, a shape the table knows, answered without a native call
//
// With BENCH_BASELINE=<directory of another build>, that build's two package calls run too,
// and the table gives the ratios.
//
// Not part of `npm run bench`: it calls lib/native/ internals (flag layout included), which
// the package is free to change. Run: npm run build:bench && node benchmark/breakdown.js

const path = require('node:path')
const { CORPUS, itemFromLines } = require('./corpus.js')
const h = require('./harness.js')

const TIME = Number(process.env.BENCH_TIME || 200)
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5)

/** Flags as lib/native/abi.js lays them out, for the item's options; null if the layout is unknown. */
function flagsFor(N, options) {
  if (N.VERSION_HTTP11 === undefined || N.STATUS_SHIFT === undefined) return null
  const version = { '1.0': N.VERSION_HTTP10, '1.1': N.VERSION_HTTP11, '2.0': N.VERSION_HTTP2, 2: N.VERSION_HTTP2 }[options.httpVersion || '1.1']
  const response = options.direction === 'response'
  return version | N.PROXY | (response ? N.RESPONSE : 0) | (response && options.statusCode ? options.statusCode << N.STATUS_SHIFT : 0)
}

/** The item with its names in capitals, a spelling the table of known shapes does not take. */
function unknownShape(item) {
  return itemFromLines(item.name, item.lines.map(([name, value]) => [name.toUpperCase(), value]), item.options)
}

/**
 * The element indexes of the item's lines that lib/filter/gated.js hands to Rust (found by spying on a
 * call for the item in capitals, which the table never answers; the gate passes the same lines).
 */
function gatedIndexes(item) {
  const N = { ...require(path.join(__dirname, '..', 'lib', 'native', 'abi.js')), ...require(path.join(__dirname, '..', 'lib', 'native', 'call.js')) }
  const pkg = require(path.join(__dirname, '..'))
  const upper = unknownShape(item)
  const literal = upper.lines.flat()
  const filter = N.native.filter
  let seen = null
  N.native.filter = (flags, ...lines) => {
    seen = lines
    return filter(flags, ...lines)
  }
  try {
    h.messageCall(pkg, upper)(h.freshMessage(upper))
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
  const N = { ...require(path.join(__dirname, '..', 'lib', 'native', 'abi.js')), ...require(path.join(__dirname, '..', 'lib', 'native', 'call.js')) }
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
  variants.push(['package, unknown shape', (item) => h.messageCall(pkg, item), unknownShape])
  variants.push(['package', (item) => h.messageCall(pkg, item)])
  // BENCH_BASELINE=<another build of the package>: the same two calls of that build, for A/B.
  if (process.env.BENCH_BASELINE) {
    const baseline = require(path.resolve(process.env.BENCH_BASELINE))
    variants.push(['baseline, unknown shape', (item) => h.messageCall(baseline, item), unknownShape])
    variants.push(['baseline', (item) => h.messageCall(baseline, item)])
  }
  const unknownItems = new Map(CORPUS.map((item) => [item.key, unknownShape(item)]))

  const random = h.prng(0xb0a7)
  const results = new Map(CORPUS.map((item) => [item.key, new Map(variants.map(([n]) => [n, []]))]))
  for (let round = -1; round < ROUNDS; round++) {
    for (const item of CORPUS) {
      const tasks = variants.map(([name, make, which]) => {
        const input = which === undefined ? item : unknownItems.get(item.key)
        return [name, h.batchTask(input, make(input), 32)]
      })
      const medians = await h.runOnce(h.shuffle(tasks, random), round < 0 ? 50 : TIME)
      if (round >= 0) for (const [name, ns] of medians) results.get(item.key).get(name).push(ns)
    }
  }

  const names = variants.map(([n]) => n)
  const t = (item, n) => h.median(results.get(item.key).get(n))
  // Differences of consecutive layers of the full path, and the JS around the gated call.
  const pairs = [
    ['readNames', 'emptyCall'],
    ['binding.filter', 'readNames'],
    ['package, unknown shape', 'gated call'],
    ['package, unknown shape', 'baseline, unknown shape'],
    ['package', 'baseline'],
  ].filter(([a, b]) => names.includes(a) && names.includes(b))
  console.log('## Breakdown of one call\n')
  console.log(h.environment('node benchmark/breakdown.js') + '\n')
  console.log(h.table(['item', ...names, ...pairs.map(([a, b]) => (b.startsWith('baseline') ? `${a} / ${b}` : `${a} − ${b}`))], CORPUS.map((item) => [
    item.name,
    ...names.map((n) => h.formatNs(t(item, n))),
    ...pairs.map(([a, b]) => (b.startsWith('baseline') ? h.formatRatio(t(item, a) / t(item, b)) : h.formatNs(t(item, a) - t(item, b)))),
  ])))
}

main().catch((error) => { console.error(error); process.exit(1) })
