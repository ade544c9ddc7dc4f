'use strict'

// npm run bench: this package against the peers a proxy author would otherwise use, and against
// the cost of merely crossing into native code, on fresh-string inputs, in interleaved rounds.
//
//   BENCH_TIME=ms     time per variant per item per round (default 250)
//   BENCH_ROUNDS=n    number of interleaved rounds (default 8)
//   BENCH_BATCH=n     calls timed together (default 32)
//   BENCH_SCALING=0   skip the scaling section
//   BENCH_ITEMS=a,b   only these corpus keys (browser, api, nominated, http10, response, mesh)
//   BENCH_PACKAGE=p   benchmark another build of the package (default: this checkout)
//   BENCH_BASELINE=p  also run the package at p (a copy of index.js, lib/, package.json and its
//                     hop-by-hop.node) as the variants 'baseline' and 'baseline filterHeaders+opts',
//                     for A/B ratios in one run
//   BENCH_VARIANTS=a,b  only these variants (names as in the tables), for shorter A/B runs
//   BENCH_PROCESSES=n   the rounds in each of n processes, one after another, pooled (default 1):
//                     V8 inlines differently from one process to the next, which moves a small
//                     item's ratios by ±0.1×; per-round ratios pooled over processes average that out
//
// The floors come from target/bench/hop-by-hop.node, built by `npm run build:bench` (the
// `prebench` script) with the cargo feature bench-floors; the release addon does not have them.

const path = require('node:path')
const { CORPUS } = require('./corpus.js')
const replyFrom = require('./peers/reply-from.js')
const goPort = require('./peers/go-port.js')
const handOptimised = require('./peers/hand-optimised.js')
const leanReplyFrom = require('./peers/lean-reply-from.js')
const leanGo = require('./peers/lean-go.js')
const checkedCopy = require('./floors/checked-copy.js')
const h = require('./harness.js')
const { loadFloor, messageCall, rawCall, freshMessage } = h

const TIME = Number(process.env.BENCH_TIME || 250)
const ROUNDS = Number(process.env.BENCH_ROUNDS || 8)
const BATCH = Number(process.env.BENCH_BATCH || 32)
const PROCESSES = positiveInteger('BENCH_PROCESSES', process.env.BENCH_PROCESSES ?? '1')
// Set in the processes BENCH_PROCESSES starts: the index of the process, and the file its
// per-round results go to.
const CHILD = process.env.BENCH_CHILD

function positiveInteger(name, text) {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a positive integer, not ${JSON.stringify(text)}`)
    process.exit(1)
  }
  return value
}

function loadPackage() {
  try {
    return require(process.env.BENCH_PACKAGE ? path.resolve(process.env.BENCH_PACKAGE) : path.join(__dirname, '..'))
  } catch (error) {
    console.error(`cannot load hop-by-hop (${error.message}); build it with \`npm run build\` first`)
    process.exit(1)
  }
}

/**
 * The variants, each a function of(item) returning the per-call function. The package and the
 * hand-optimised peer are called the way a proxy calls them, `filterRequest(req)` and
 * `filterResponse(res)`; `filterHeaders(raw, options)` shows the price of an options object
 * decoded on every call.
 */
function variants(pkg, floor, baseline) {
  const list = [
    ['hop-by-hop', (item) => messageCall(pkg, item)],
    ['filterHeaders+opts', (item) => { const o = item.options; return rawCall((raw) => pkg.filterHeaders(raw, o)) }],
    // The same options compiled once (createFilter), and built anew for every call (a literal
    // in the call, as programs often write it; building it is part of the time).
    ['createFilter', (item) => { const filter = pkg.createFilter(item.options); return rawCall((raw) => filter(raw)) }],
    ['filterHeaders+literal', (item) => { const o = item.options; return rawCall((raw) => pkg.filterHeaders(raw, { ...o })) }],
    ['reply-from', () => rawCall((raw) => replyFrom.filterRaw(raw))],
    ['go-port', (item) => { const o = item.options; return rawCall((raw) => goPort.filterRaw(raw, o)) }],
    ['hand-optimised', (item) => messageCall(handOptimised, item)],
    // The leanest JavaScript a proxy author writes on rawHeaders: fewer rules, no object or map.
    ['lean-reply-from', () => rawCall((raw) => leanReplyFrom.filterRaw(raw))],
    ['lean-go', () => rawCall((raw) => leanGo.filterRaw(raw))],
    // Not a filter: the copy and the name check alone, the floor of any array path that checks
    // every name (benchmark/floors/checked-copy.js).
    ['checked-copy floor', () => rawCall((raw) => checkedCopy.filterRaw(raw))],
  ]
  if (baseline) {
    list.push(['baseline', (item) => messageCall(baseline, item)])
    list.push(['baseline filterHeaders+opts', (item) => { const o = item.options; return rawCall((raw) => baseline.filterHeaders(raw, o)) }])
  }
  // The floors get the same spread arguments the package's binding receives.
  if (floor.emptyCall) list.push(['native emptyCall', () => rawCall((raw) => floor.emptyCall(0, ...raw))])
  if (floor.readNames) list.push(['native readNames', () => rawCall((raw) => floor.readNames(0, ...raw))])
  const only = process.env.BENCH_VARIANTS ? process.env.BENCH_VARIANTS.split(',') : null
  return only ? list.filter(([name]) => only.includes(name)) : list
}

/** Every variant must accept every item before we time anything. */
function smokeTest(items, list) {
  for (const item of items) {
    for (const [name, make] of list) {
      try {
        make(item)(freshMessage(item))
      } catch (error) {
        throw new Error(`${name} failed on ${item.key}: ${error.stack}`)
      }
    }
  }
}

/** results[item][variant] = per-round medians, none yet. */
function noRounds(items, list) {
  return new Map(items.map((item) => [item.key, new Map(list.map(([name]) => [name, []]))]))
}

async function interleaved(items, list, processIndex = 0) {
  // Each process shuffles in an order of its own.
  const random = h.prng(0x5eed + processIndex)
  const results = noRounds(items, list)
  const tasksFor = (item) => list.map(([name, make]) => [name, h.batchTask(item, make(item), BATCH)])

  // A short unrecorded round first, so every variant is optimised before the clock counts.
  for (const item of items) await h.runOnce(tasksFor(item), Math.max(50, TIME / 3))

  for (let round = 0; round < ROUNDS; round++) {
    for (const item of h.shuffle(items, random)) {
      const medians = await h.runOnce(h.shuffle(tasksFor(item), random), TIME)
      for (const [name, ns] of medians) results.get(item.key).get(name).push(ns)
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`)
  }
  return results
}

/**
 * The rounds of BENCH_PROCESSES processes, run one after another, as one result: each variant's
 * per-round medians in the same order for every variant, so that per-round ratios stay pairs
 * measured in the same round of the same process.
 */
function inProcesses(items, list) {
  const { spawnSync } = require('node:child_process')
  const fs = require('node:fs')
  const os = require('node:os')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hop-by-hop-bench-'))
  const results = noRounds(items, list)
  try {
    for (let index = 0; index < PROCESSES; index++) {
      const out = path.join(dir, `${index}.json`)
      const env = { ...process.env, BENCH_CHILD: String(index), BENCH_CHILD_OUT: out }
      const child = spawnSync(process.execPath, [__filename], { env, stdio: ['ignore', 'ignore', 'inherit'] })
      if (child.status !== 0) throw new Error(`benchmark process ${index + 1} of ${PROCESSES} failed (status ${child.status}, signal ${child.signal})`)
      const rounds = JSON.parse(fs.readFileSync(out, 'utf8'))
      for (const item of items) {
        for (const [name] of list) results.get(item.key).get(name).push(...rounds[item.key][name])
      }
      process.stderr.write(`process ${index + 1}/${PROCESSES} done\n`)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return results
}

/** Median over rounds of the per-round ratio a/b (pairs measured minutes apart are not mixed). */
function ratio(perRound, a, b) {
  const x = perRound.get(a)
  const y = perRound.get(b)
  if (!x || !y) return { median: NaN, min: NaN, max: NaN }
  const r = x.map((v, i) => v / y[i])
  return { median: h.median(r), min: Math.min(...r), max: Math.max(...r) }
}

function report(items, list, results, floor) {
  const names = list.map(([name]) => name)
  const lines = []
  lines.push('### Time per call (median of per-round medians, fresh strings every call)\n')
  const rows = items.map((item) => [item.name, ...names.map((n) => h.formatNs(h.median(results.get(item.key).get(n))))])
  rows.push(['**geometric mean**', ...names.map((n) => h.formatNs(h.geomean(items.map((item) => h.median(results.get(item.key).get(n))))))])
  lines.push(h.table(['item', ...names], rows))

  // The targets the package holds itself to: at or below hand-written JavaScript of the same
  // rules, and close to the leanest filters that check less.
  const pairs = [
    ['hop-by-hop', 'hand-optimised', '≤ 1 each'],
    ['hop-by-hop', 'lean-reply-from', '≤ 1 geomean, ≤ 1.25 each'],
    ['hop-by-hop', 'lean-go', '≤ 1 geomean, ≤ 1.25 each'],
    ['hop-by-hop', 'native readNames', '≤ 1.5 each'],
    ['hop-by-hop', 'native emptyCall', ''],
    ['hop-by-hop', 'reply-from', '≤ 1 geomean'],
    ['hop-by-hop', 'go-port', '≤ 0.67 each'],
    ['filterHeaders+opts', 'lean-go', '≤ 1 each'],
    ['filterHeaders+opts', 'lean-reply-from', '≤ 1 geomean'],
    ['createFilter', 'lean-go', '≤ 1 each'],
    ['createFilter', 'lean-reply-from', '≤ 1 geomean'],
    ['filterHeaders+literal', 'filterHeaders+opts', ''],
    ['filterHeaders+opts', 'hop-by-hop', ''],
    ['filterHeaders+opts', 'checked-copy floor', ''],
    ['checked-copy floor', 'lean-go', ''],
    ['hop-by-hop', 'baseline', ''],
    ['filterHeaders+opts', 'baseline filterHeaders+opts', ''],
  ].filter(([a, b]) => names.includes(a) && names.includes(b))
  lines.push('\n### Ratios (median of per-round ratios; min–max over rounds)\n')
  const ratioRows = items.map((item) => [item.name, ...pairs.map(([a, b]) => {
    const r = ratio(results.get(item.key), a, b)
    return `${h.formatRatio(r.median)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`
  })])
  ratioRows.push(['**geometric mean**', ...pairs.map(([a, b]) =>
    h.formatRatio(h.geomean(items.map((item) => ratio(results.get(item.key), a, b).median))))])
  ratioRows.push(['target', ...pairs.map(([, , target]) => target || '–')])
  lines.push(h.table(['item', ...pairs.map(([a, b]) => `${a} / ${b}`)], ratioRows))

  if (!floor.emptyCall || !floor.readNames) {
    lines.push(`\n> native floor variants skipped: no ${[!floor.emptyCall && 'emptyCall', !floor.readNames && 'readNames'].filter(Boolean).join(' and ')}${floor.error ? ` (${floor.error})` : ''}.`)
  }
  return lines.join('\n')
}

async function main() {
  const pkg = loadPackage()
  const floor = loadFloor()
  const only = process.env.BENCH_ITEMS ? process.env.BENCH_ITEMS.split(',') : null
  const items = only ? CORPUS.filter((item) => only.includes(item.key)) : CORPUS
  const baseline = process.env.BENCH_BASELINE ? require(path.resolve(process.env.BENCH_BASELINE)) : null
  const list = variants(pkg, floor, baseline)
  smokeTest(items, list)

  if (CHILD !== undefined) {
    const results = await interleaved(items, list, Number(CHILD))
    const rounds = {}
    for (const [key, byVariant] of results) rounds[key] = Object.fromEntries(byVariant)
    require('node:fs').writeFileSync(process.env.BENCH_CHILD_OUT, JSON.stringify(rounds))
    return
  }
  const env = [
    `BENCH_TIME=${TIME}`, `BENCH_ROUNDS=${ROUNDS}`, `BENCH_BATCH=${BATCH}`, ...(PROCESSES > 1 ? [`BENCH_PROCESSES=${PROCESSES}`] : []),
  ].join(' ')
  console.log('## Microbenchmark\n')
  console.log(h.environment(`${env} npm run bench`))
  const processes = PROCESSES > 1 ? ` in each of ${PROCESSES} processes run one after another (pooled: the medians and min–max below are over all their rounds)` : ''
  console.log(`- ${ROUNDS} interleaved rounds${processes}; in each round every item runs every variant for ${TIME} ms, in shuffled order, timed in batches of ${BATCH} calls on freshly sliced strings; a GC runs before each variant\n`)
  const started = Date.now()
  const results = PROCESSES > 1 ? inProcesses(items, list) : await interleaved(items, list)
  console.log(report(items, list, results, floor))
  console.log(`\n_microbenchmark took ${((Date.now() - started) / 1000).toFixed(0)} s_\n`)

  if (process.env.BENCH_SCALING !== '0') {
    await require('./scaling.js').run(pkg, floor)
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
