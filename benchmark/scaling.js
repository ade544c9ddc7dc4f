'use strict'

// Scaling: per-header cost from 10 to 10,000 headers, a Connection with 1,000 vs 10,000
// options, a 100,000-element rawHeaders, and the large inputs of the abuse matrix
// (__test__/abuse.test.js) at a quarter of their size and their own. Run by bench.js, or alone:
//   node benchmark/scaling.js

const path = require('node:path')
const { itemFromLines, fresh } = require('./corpus.js')
const handOptimised = require('./peers/hand-optimised.js')
const h = require('./harness.js')

const TIME = Number(process.env.BENCH_TIME || 250)
const ROUNDS = Math.max(1, Math.min(3, Number(process.env.BENCH_ROUNDS || 3)))

/** `count` header lines: a Host and a Connection, then distinct realistic-looking fields. */
function manyHeaders(count) {
  const lines = [['Host', 'example.com'], ['Connection', 'keep-alive']]
  for (let i = lines.length; i < count; i++) lines.push([`X-Custom-Field-${i}`, `value-${i}-0123456789abcdef`])
  return itemFromLines(`${count} headers`, lines.slice(0, count), { httpVersion: '1.1', direction: 'request' })
}

/** A Connection line listing `tokens` options, some of which name real fields. */
function manyTokens(tokens) {
  const options = []
  for (let i = 0; i < tokens; i++) options.push(`x-opt-${i}`)
  const lines = [['Host', 'example.com'], ['Connection', options.join(', ')]]
  for (let i = 0; i < 20; i++) lines.push([i % 4 === 0 ? `X-Opt-${i}` : `X-Other-${i}`, `v${i}`])
  return itemFromLines(`Connection with ${tokens} tokens`, lines, { httpVersion: '1.1', direction: 'request' })
}

/**
 * Batch size that keeps one batch of fresh inputs around 256 KiB: large enough to amortise the
 * timer, small enough that the live inputs do not make every scavenge copy megabytes (which
 * would charge the GC's work to whichever variant happens to run).
 */
function batchFor(item) {
  return Math.max(1, Math.min(64, Math.floor(262144 / item.buffer.length)))
}

async function measure(items, variants) {
  const random = h.prng(0x5ca1e)
  const out = new Map(items.map((item) => [item.key, new Map(variants.map(([n]) => [n, []]))]))
  for (let round = -1; round < ROUNDS; round++) {
    for (const item of items) {
      const tasks = variants.map(([name, make]) => [name, h.batchTask(item, make(item), batchFor(item))])
      const medians = await h.runOnce(h.shuffle(tasks, random), round < 0 ? 50 : TIME)
      if (round >= 0) for (const [name, ns] of medians) out.get(item.key).get(name).push(ns)
    }
  }
  return out
}

function variantsFor(pkg, floor) {
  const list = [
    ['hop-by-hop', (item) => h.messageCall(pkg, item)],
    ['hand-optimised', (item) => h.messageCall(handOptimised, item)],
  ]
  if (floor && floor.readNames) list.push(['native readNames', () => h.rawCall((raw) => floor.readNames(0, ...raw))])
  return list
}

async function perHeader(pkg, floor) {
  const sizes = [10, 100, 1000, 10000]
  const items = sizes.map(manyHeaders)
  let variants = variantsFor(pkg, floor)
  // Spreading 20,000 arguments may exceed the stack on some builds; report instead of dying.
  variants = variants.filter(([name, make]) => {
    try { make(items[3])(h.freshMessage(items[3])); return true } catch (error) {
      console.log(`> ${name} cannot take ${sizes[3]} headers: ${error.message}`)
      return false
    }
  })
  const results = await measure(items, variants)
  const names = variants.map(([n]) => n)
  const perHeaderNs = (item, n, size) => h.median(results.get(item.key).get(n)) / size
  const rows = items.map((item, i) => [String(sizes[i]), ...names.map((n) => `${perHeaderNs(item, n, sizes[i]).toFixed(1)} ns`)])
  rows.push(['max / min', ...names.map((n) => {
    const v = items.map((item, i) => perHeaderNs(item, n, sizes[i]))
    return h.formatRatio(Math.max(...v) / Math.min(...v))
  })])
  console.log('### Time per header line (target: flat within 2× from 10 to 10,000)\n')
  console.log(h.table(['headers', ...names.map((n) => `${n} per header`)], rows))
}

async function connectionTokens(pkg) {
  const counts = [100, 1000, 10000]
  const items = counts.map(manyTokens)
  const variants = variantsFor(pkg, null)
  const results = await measure(items, variants)
  const names = variants.map(([n]) => n)
  const t = (item, n) => h.median(results.get(item.key).get(n))
  const rows = items.map((item, i) => [item.name, ...names.map((n) => `${h.formatNs(t(item, n))} (${(t(item, n) / counts[i]).toFixed(1)} ns/token)`)])
  rows.push(['10,000 / 1,000 tokens (linear ≈ 10×)', ...names.map((n) => h.formatRatio(t(items[2], n) / t(items[1], n)))])
  console.log('\n### Connection with many options (target: linear)\n')
  console.log(h.table(['input', ...names], rows))
}

async function hugeInput(pkg) {
  const count = 50000 // 100,000 rawHeaders elements
  const item = manyHeaders(count)
  const raw = fresh(item)
  const rows = []
  for (const [name, fn] of [
    ['hop-by-hop', (r) => pkg.filterHeaders(r, item.options)],
    ['hand-optimised', (r) => handOptimised.filterHeaders(r, item.options)],
  ]) {
    try {
      const result = fn(raw)
      const times = []
      for (let i = 0; i < 7; i++) {
        const input = fresh(item)
        const t0 = process.hrtime.bigint()
        fn(input)
        times.push(Number(process.hrtime.bigint() - t0))
      }
      rows.push([name, 'ok', String(result.headers.length), h.formatNs(h.median(times)), `${(h.median(times) / count).toFixed(1)} ns`])
    } catch (error) {
      rows.push([name, `**fails**: ${error.message}`, '–', '–', '–'])
    }
  }
  console.log(`\n### rawHeaders with ${2 * count} elements\n`)
  console.log(h.table(['variant', 'result', 'output length', 'median time (7 calls)', 'per header'], rows))
}

const KiB = 1024

/** `count` distinct tokens. */
function tokens(count) {
  return Array.from({ length: count }, (_, i) => `x-${i}`)
}

/**
 * The abuse matrix's large inputs as rawHeaders builders of a size: `scale` 1 is a quarter of the
 * matrix's (256 KiB values, 2,500 tokens), 4 is the matrix's own (1 MiB, 10,000).
 */
const HOSTILE_INPUTS = [
  ['`Connection` of empty elements, then `close`', (scale) => ['Connection', `${' ,'.repeat(128 * KiB * scale)}close`, 'Accept', '*/*']],
  ['`Connection` naming one token of that size, with a field of that name', (scale) => ['Connection', 'x'.repeat(256 * KiB * scale), 'x'.repeat(256 * KiB * scale), 'v', 'Host', 'h']],
  ['`Connection` of control bytes', (scale) => ['Connection', '\u0001'.repeat(256 * KiB * scale), 'Host', 'h']],
  ['`Connection` of an unterminated quote, then `, close`', (scale) => ['Connection', `"${'a'.repeat(256 * KiB * scale)}, close`, 'Host', 'h']],
  ['a non-Latin-1 `Connection` value', (scale) => ['Connection', 'Ā'.repeat(256 * KiB * scale), 'Host', 'h']],
  ['tokens in one `Connection` line, the first and last named by fields', (scale) => {
    const list = tokens(2500 * scale)
    return ['Connection', list.join(', '), list[0], 'a', list[list.length - 1], 'b', 'X-Kept', 'c']
  }],
  ['`Connection` lines of one token each', (scale) => [...tokens(2500 * scale).flatMap((token) => ['Connection', token]), 'X-Kept', '1']],
  ['`Host` nominated that many times', (scale) => ['Connection', Array(2500 * scale).fill('Host').join(','), 'Host', 'h']],
]

/**
 * The least time of 12 calls of `filterHeaders(raw, { strict })` on fresh copies of
 * `build(scale)`, after 3 calls untimed: a single call of a few microseconds is moved by a
 * collection or a tier-up far more than by the input's size. A call that throws (strict refuses
 * most of these) is timed too.
 */
function hostileTime(pkg, build, scale, strict) {
  const call = (raw) => {
    try {
      pkg.filterHeaders(raw, { strict })
    } catch {}
  }
  // A fresh string each call, as a request brings: no flat string cached from the last call.
  const input = () => build(scale).map((element) => element.split('').join(''))
  for (let i = 0; i < 3; i++) call(input())
  let least = Infinity
  for (let i = 0; i < 12; i++) {
    const raw = input()
    const t0 = process.hrtime.bigint()
    call(raw)
    least = Math.min(least, Number(process.hrtime.bigint() - t0))
  }
  return least
}

/** The abuse matrix's large inputs: 4× the size should take about 4× the time, or less. */
function hostileInputs(pkg) {
  const rows = HOSTILE_INPUTS.map(([name, build]) => {
    const small = hostileTime(pkg, build, 1, false)
    const large = hostileTime(pkg, build, 4, false)
    const strictRatio = hostileTime(pkg, build, 4, true) / hostileTime(pkg, build, 1, true)
    return [name, h.formatNs(small), h.formatNs(large), h.formatRatio(large / small), h.formatRatio(strictRatio)]
  })
  console.log('\n### The abuse matrix\'s large inputs (target: linear, 4× the size ≈ 4× the time or less)\n')
  console.log('256 KiB / 2,500 tokens against 1 MiB / 10,000 tokens, the matrix\'s own size; each the least of 12 calls.\n')
  console.log(h.table(['input', '¼ size', 'full size', 'full / ¼', '`strict: true`: full / ¼'], rows))
}

async function run(pkg, floor) {
  const started = Date.now()
  console.log('## Scaling\n')
  await perHeader(pkg, floor)
  await connectionTokens(pkg)
  await hugeInput(pkg)
  hostileInputs(pkg)
  console.log(`\n_scaling took ${((Date.now() - started) / 1000).toFixed(0)} s_`)
}

module.exports = { run }

if (require.main === module) {
  const pkg = require(path.join(__dirname, '..'))
  run(pkg, h.loadFloor()).catch((error) => { console.error(error); process.exit(1) })
}
