'use strict'

// npm run bench:proxy: what a proxy costs with hop-by-hop wired in as the README shows, against
// the same stack without it.
//
// Processes, so that only a proxy's own CPU is counted:
//   upstream (child)   node:http answering like a typical app (16 lines, 4 Set-Cookie, chunked)
//   proxies  (children) one per stack below, each on its own port, a new one for every round
//   driver   (this)    autocannon on 127.0.0.1 against one proxy at a time, and the bookkeeping
//
// Each round starts a new process per stack (the speed of one process differs from another's of
// the same code by up to 15% on a shared machine, which would otherwise bias every round alike),
// warms it, and measures one window; the stack's process reports the delta of its
// process.cpuUsage() and the responses it finished, giving CPU µs per request, req/s, and
// autocannon's p99 latency. Stacks run in interleaved, shuffled rounds, and each with-package
// stack is compared with its stock pair of the same round (medians of the per-round ratios), so
// the drift of a shared machine cancels.
//
//   PROXY_DURATION=s     measured seconds per stack per round (default 3)
//   PROXY_ROUNDS=n       rounds (default 5)
//   PROXY_WARMUP_SECONDS=s  load on each new proxy process before it is measured (default 2)
//   PROXY_CONNECTIONS=n  autocannon connections (default 10)
//   PROXY_RATE=n         requests per second from all connections together (default: as many as
//                        the proxy serves); at a rate every stack sustains, each serves the same
//                        load, and CPU per request is not skewed by how many requests share an
//                        event-loop turn at saturation
//   PROXY_PIN=1          the proxy processes alone on CPU 0, the upstream and autocannon on CPU 1
//                        (taskset; threads started later inherit it): no other process shares the
//                        proxy's core, so its CPU per request varies much less between rounds
//   PROXY_VERBOSE=1      print every measurement as it is made (on stderr)
//   PROXY_STACKS=a,b     run only these stacks (names from STACKS; their stock pairs are added)
//                        (a name holds no comma, so that the list splits on commas)
//   PROXY_PROFILE=a,b    start these stacks' processes with --cpu-prof (profiles in ./profiles/<pid>;
//                        each process prints its pid and the requests it served at exit)
//   BENCH_PACKAGE=path   benchmark another build of the package (default: this checkout)
//
// PROXY_INSTRUCTIONS=1 counts instructions instead of CPU time: each proxy runs under valgrind's
// callgrind (node --single-threaded, so that compiler and collector work is counted in the same
// thread, and --no-memory-reducer, see `valgrind` below), is warmed up with PROXY_WARMUP requests
// (default 24000, past Node 24's tier-up to its optimizing compiler, see WARMUP) and then up to
// 1000 more on new connections, then counts PROXY_WINDOWS windows (default 3) of PROXY_REQUESTS
// more each (default 2000), one stack at a time, and reports each window, the least and the
// mean. A count does not move with the other work of a shared machine, as CPU time does; it
// leaves out the kernel (the same syscalls per request here) and cache misses, and an
// old-generation collection that falls in one window and not in another moves that window's
// count (see WINDOWS). Needs valgrind (callgrind_control) on PATH; about 4 minutes per stack.
// PROXY_KEEP_CALLGRIND=1 keeps callgrind's files for callgrind_annotate (their folder is
// printed); PROXY_NODE_FLAGS='--perf-basic-prof' adds flags to the proxy's node, here so that
// /tmp/perf-<pid>.map names the JIT's code in those files.

const path = require('node:path')
const http = require('node:http')
const { fork } = require('node:child_process')
const h = require('./harness.js')

function packagePath() {
  return process.env.BENCH_PACKAGE ? path.resolve(process.env.BENCH_PACKAGE) : path.join(__dirname, '..')
}

// ---------------------------------------------------------------------------------------------
// The stacks: `stock` is the same stack without the package, or undefined for a stock stack.

/** Forwards with http.request as hand-written proxies do, optionally filtering each side. */
function pipeHandler(upstream, agent, filterRequest, filterResponse) {
  return (req, res) => {
    const headers = filterRequest === undefined ? req.headers : filterRequest(req)
    const upstreamRequest = http.request({ ...upstream, method: req.method, path: req.originalUrl ?? req.url, headers, agent })
    upstreamRequest.on('response', (upstreamResponse) => {
      res.writeHead(upstreamResponse.statusCode, filterResponse === undefined ? upstreamResponse.headers : filterResponse(upstreamResponse))
      upstreamResponse.pipe(res)
    })
    upstreamRequest.on('error', () => res.destroy())
    req.pipe(upstreamRequest)
  }
}

function httpProxyServer(target, agent, wire) {
  const httpProxy = require('http-proxy')
  const proxy = httpProxy.createProxyServer({ target, agent })
  wire(proxy)
  proxy.on('error', (error, req, res) => res.destroy())
  return http.createServer((req, res) => proxy.web(req, res))
}

function hpmServer(target, agent, plugins) {
  const express = require('express')
  const { createProxyMiddleware } = require('http-proxy-middleware')
  const app = express()
  app.use(createProxyMiddleware({ target, agent, plugins, logger: undefined }))
  return http.createServer(app)
}

const STACKS = {
  'http-proxy': { make: ({ target, agent }) => httpProxyServer(target, agent, () => {}) },
  'http-proxy + attach': {
    stock: 'http-proxy',
    make: ({ target, agent, hop }) => httpProxyServer(target, agent, (proxy) => hop.attach(proxy)),
  },
  'http-proxy + attach without forwarding fields or Via': {
    stock: 'http-proxy',
    make: ({ target, agent, hop }) => httpProxyServer(target, agent, (proxy) => hop.attach(proxy, { forwarded: false, via: false })),
  },
  // Each of the proxy's own additions alone: the forwarding fields (X-Forwarded-*, or Forwarded)
  // without Via, and Via without them.
  'http-proxy + attach with via: false': {
    stock: 'http-proxy',
    make: ({ target, agent, hop }) => httpProxyServer(target, agent, (proxy) => hop.attach(proxy, { via: false })),
  },
  'http-proxy + attach with forwarded: false': {
    stock: 'http-proxy',
    make: ({ target, agent, hop }) => httpProxyServer(target, agent, (proxy) => hop.attach(proxy, { forwarded: false })),
  },
  // http-proxy's own xfwd option writes X-Forwarded-For/-Port/-Proto/-Host (from any client,
  // trusted or not): the stock stack that sends forwarding fields, for attach() with its defaults.
  'http-proxy with xfwd': {
    make: ({ target, agent }) => httpProxyServer(target, agent, (proxy) => {
      proxy.options.xfwd = true
    }),
  },
  'http-proxy + attach against http-proxy with xfwd': {
    stock: 'http-proxy with xfwd',
    make: ({ target, agent, hop }) => httpProxyServer(target, agent, (proxy) => hop.attach(proxy)),
  },
  // attach() gives the response's names the upstream's case unless the program sets
  // preserveHeaderKeyCase; with it false, names go lower-case as from stock http-proxy: this row
  // against the defaults is what the case costs.
  'http-proxy + attach with preserveHeaderKeyCase: false': {
    stock: 'http-proxy',
    make: ({ target, agent, hop }) => httpProxyServer(target, agent, (proxy) => {
      proxy.options.preserveHeaderKeyCase = false
      hop.attach(proxy)
    }),
  },
  'http-proxy-middleware': { make: ({ target, agent }) => hpmServer(target, agent, []) },
  'http-proxy-middleware + plugin': {
    stock: 'http-proxy-middleware',
    make: ({ target, agent, hop }) => hpmServer(target, agent, [hop.plugin()]),
  },
  'Express + http.request pipe': {
    make: ({ upstream, agent }) => {
      const app = require('express')()
      app.use(pipeHandler(upstream, agent))
      return http.createServer(app)
    },
  },
  'Express + middleware() + relay()': {
    stock: 'Express + http.request pipe',
    make: ({ upstream, agent, hop }) => {
      const app = require('express')()
      app.use(hop.middleware())
      app.use((req, res) => {
        const upstreamRequest = http.request({ ...upstream, method: req.method, path: req.originalUrl, headers: req.forward.headers, agent })
        hop.relay(req, res, upstreamRequest)
      })
      return http.createServer(app)
    },
  },
  'node:http + http.request pipe': { make: ({ upstream, agent }) => http.createServer(pipeHandler(upstream, agent)) },
  'node:http + forward()': {
    stock: 'node:http + http.request pipe',
    make: ({ target, agent, hop }) => http.createServer((req, res) => hop.forward(req, res, target, { agent })),
  },
  'node:http + filterRequest/filterResponse only': {
    stock: 'node:http + http.request pipe',
    make: ({ upstream, agent, hop }) =>
      http.createServer(pipeHandler(upstream, agent, (req) => hop.filterRequest(req).headers, (res) => hop.filterResponse(res).headers)),
  },
}

// ---------------------------------------------------------------------------------------------
// Upstream

const BODY = Buffer.from('<!doctype html><title>ok</title>' + 'x'.repeat(1000))

function upstreamHeaders() {
  const { CORPUS } = require('./corpus.js')
  const own = new Set(['transfer-encoding', 'connection', 'keep-alive', 'date'])
  return CORPUS.find((item) => item.key === 'response').lines.filter(([name]) => !own.has(name.toLowerCase())).flat()
}

function runUpstream() {
  const headers = upstreamHeaders()
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, headers)
      res.write(BODY)
      res.end()
    })
  })
  server.keepAliveTimeout = 60000
  server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }))
}

// ---------------------------------------------------------------------------------------------
// A proxy process

function runProxy(name, upstreamPort) {
  const upstream = { host: '127.0.0.1', port: upstreamPort }
  const target = `http://127.0.0.1:${upstreamPort}`
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 })
  const hop = require(packagePath())
  const server = STACKS[name].make({ upstream, target, agent, hop })
  server.keepAliveTimeout = 60000
  let completed = 0
  server.on('request', (req, res) => res.once('finish', () => completed++))
  let window = null
  process.on('message', (message) => {
    if (message.type === 'start') {
      window = { cpu: process.cpuUsage(), time: process.hrtime.bigint(), completed }
      process.send({ type: 'ok', id: message.id })
    } else if (message.type === 'stop') {
      const cpu = process.cpuUsage(window.cpu)
      process.send({
        type: 'ok',
        id: message.id,
        cpuUs: cpu.user + cpu.system,
        systemUs: cpu.system,
        requests: completed - window.completed,
        seconds: Number(process.hrtime.bigint() - window.time) / 1e9,
      })
    } else if (message.type === 'exit') {
      server.close()
      // A profile's file is named by pid: say which stack it is and how many requests it holds.
      if (process.execArgv.includes('--cpu-prof')) console.error(`profile of pid ${process.pid}: ${name}, ${completed} requests`)
      process.exit(0)
    }
  })
  server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }))
}

// ---------------------------------------------------------------------------------------------
// Driver

function start(args, execArgv = [], execPath = process.execPath) {
  const child = fork(__filename, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv, execPath })
  const pending = new Map()
  let nextId = 0
  let onReady
  const ready = new Promise((resolve) => {
    onReady = resolve
  })
  child.on('message', (message) => {
    if (message.type === 'ready') onReady(message.port)
    else if (pending.has(message.id)) {
      pending.get(message.id)(message)
      pending.delete(message.id)
    }
  })
  const call = (message) =>
    new Promise((resolve) => {
      const id = nextId++
      pending.set(id, resolve)
      child.send({ ...message, id })
    })
  return { child, ready, call }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Asks a proxy process (from start()) to exit, and waits until it has. */
async function stopProxy(proxy) {
  const exited = new Promise((resolve) => proxy.child.once('exit', resolve))
  proxy.child.send({ type: 'exit' })
  await exited
}

/** Every thread of process `pid` on CPU `cpu` only (Linux, util-linux taskset). */
function pinTo(pid, cpu) {
  require('node:child_process').execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' })
}

function clientHeaders() {
  const { CORPUS } = require('./corpus.js')
  const headers = {}
  for (const [name, value] of CORPUS.find((item) => item.key === 'browser').lines) {
    if (name.toLowerCase() !== 'host') headers[name] = value
  }
  return headers
}

async function measure(autocannon, port, proxy, seconds, connections) {
  const settle = 0.5
  const rate = Number(process.env.PROXY_RATE || 0)
  const load = autocannon({
    url: `http://127.0.0.1:${port}/orders/42?expand=items`,
    connections,
    pipelining: 1,
    duration: seconds + 2 * settle,
    headers: clientHeaders(),
    ...(rate > 0 ? { overallRate: rate } : {}),
  })
  await sleep(settle * 1000)
  await proxy.call({ type: 'start' })
  await sleep(seconds * 1000)
  const stats = await proxy.call({ type: 'stop' })
  const result = await load
  if (result.non2xx || result.errors) throw new Error(`autocannon saw ${result.non2xx} non-2xx and ${result.errors} errors`)
  return { usPerRequest: stats.cpuUs / stats.requests, systemUsPerRequest: stats.systemUs / stats.requests, rps: stats.requests / stats.seconds, p99: result.latency.p99 }
}

function selectedStacks() {
  if (!process.env.PROXY_STACKS) return Object.keys(STACKS)
  const names = new Set()
  for (const name of process.env.PROXY_STACKS.split(',').map((s) => s.trim())) {
    if (!(name in STACKS)) throw new Error(`PROXY_STACKS: no stack named ${JSON.stringify(name)}`)
    names.add(name)
    if (STACKS[name].stock) names.add(STACKS[name].stock)
  }
  return Object.keys(STACKS).filter((name) => names.has(name))
}

/** An instruction count per request, in thousands. */
function thousands(count) {
  return `${Math.round(count / 1000)} k`
}

/** PROXY_INSTRUCTIONS=1: instructions per request of each stack's proxy, under callgrind. */
async function countInstructions() {
  const autocannon = require('autocannon')
  const { execFileSync } = require('node:child_process')
  const fs = require('node:fs')
  const os = require('node:os')
  // Node 24 (V8 13) moves most of a proxy's hot functions to its optimizing compiler only after
  // 10,000 to 20,000 requests (Node 22 much sooner). The compilation is done once, but under
  // --single-threaded it is counted in whichever window it falls in, more of it the more code a
  // stack has: a warm-up shorter than this measured the compiler, not the requests.
  const WARMUP = Number(process.env.PROXY_WARMUP || 24000)
  const REQUESTS = Number(process.env.PROXY_REQUESTS || 2000)
  // A second, shorter warm-up on new connections: the first connections' end and the next ones'
  // start deoptimize Node's socket code, and the recompilation would otherwise fall into the
  // counted window, more of it the more code a stack has.
  const RECONNECTED_WARMUP = Math.min(WARMUP, 1000)
  const CONNECTIONS = Number(process.env.PROXY_CONNECTIONS || 10)
  // Windows of REQUESTS each, one after another in the same process. A collection of the old
  // generation falls into one window and not the next, and moves that window's count by 10-50%:
  // the least window is the cost between such collections, and the mean (everything counted over
  // every request counted) the cost with the collections that fell in it.
  const WINDOWS = Number(process.env.PROXY_WINDOWS || 3)
  const names = selectedStacks()
  require(packagePath())
  const upstream = start(['--upstream'])
  const upstreamPort = await upstream.ready
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hop-by-hop-callgrind-'))
  console.log('## Instructions per request of the proxy process\n')
  console.log(h.environment(`PROXY_INSTRUCTIONS=1 PROXY_WARMUP=${WARMUP} PROXY_REQUESTS=${REQUESTS} npm run bench:proxy`))
  console.log(`- callgrind (valgrind), node --single-threaded --no-memory-reducer; ${WARMUP} requests of warm-up and ${RECONNECTED_WARMUP} more on new connections, then ${WINDOWS} windows of ${REQUESTS} requests counted; autocannon ${CONNECTIONS} connections, browser navigation headers\n`)
  const counts = new Map()
  for (const name of names) {
    const out = path.join(dir, `${counts.size}.out`)
    // PROXY_NODE_FLAGS: more flags for the proxy's node, e.g. --perf-basic-prof, which writes
    // /tmp/perf-<pid>.map to name the JIT's code in callgrind's files.
    const nodeFlags = (process.env.PROXY_NODE_FLAGS ?? '').split(' ').filter(Boolean)
    // --no-memory-reducer: V8's memory reducer starts a compacting collection when the allocation
    // rate per millisecond looks idle, and under callgrind a busy proxy runs about 50 times
    // slower than at full speed: it ran every few thousand requests, where a loaded proxy at full
    // speed sees none, and moved the window it fell in by 10-50%.
    const valgrind = ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, '-q', process.execPath, '--single-threaded', '--no-memory-reducer', ...nodeFlags]
    const proxy = start(['--proxy', name, String(upstreamPort)], valgrind, 'valgrind')
    const port = await proxy.ready
    const run = (amount) => new Promise((resolve, reject) => {
      autocannon({ url: `http://127.0.0.1:${port}/orders/42?expand=items`, connections: CONNECTIONS, amount, headers: clientHeaders(), timeout: 300 }, (error, result) => {
        if (error) reject(error)
        else if (result.non2xx || result.errors) reject(new Error(`${name}: autocannon saw ${result.non2xx} non-2xx and ${result.errors} errors`))
        else resolve(result)
      })
    })
    await run(WARMUP)
    await run(RECONNECTED_WARMUP)
    const pid = String(proxy.child.pid)
    const windows = []
    for (let window = 1; window <= WINDOWS; window++) {
      execFileSync('callgrind_control', ['--zero', pid], { stdio: 'ignore' })
      execFileSync('callgrind_control', ['--instr=on', pid], { stdio: 'ignore' })
      await run(REQUESTS)
      execFileSync('callgrind_control', ['--instr=off', pid], { stdio: 'ignore' })
      // A dump holds what was counted since --zero: `<out>.<n>`, n counting the dumps from 1.
      execFileSync('callgrind_control', ['--dump', pid], { stdio: 'ignore' })
      const totals = /^totals: (\d+)/m.exec(fs.readFileSync(`${out}.${window}`, 'utf8'))
      if (totals === null) throw new Error(`${name}: no totals line in callgrind's dump ${out}.${window}`)
      windows.push(Number(totals[1]) / REQUESTS)
    }
    await stopProxy(proxy)
    counts.set(name, windows)
    process.stderr.write(`${name} done: ${windows.map(thousands).join(', ')}\n`)
  }
  upstream.child.kill()
  // PROXY_KEEP_CALLGRIND=1 keeps callgrind's files (0.out, 1.out, ... in the order of the table,
  // each window's dump as 0.out.1, 0.out.2, ...) for callgrind_annotate.
  if (process.env.PROXY_KEEP_CALLGRIND === '1') console.log(`callgrind files: ${dir}\n`)
  else fs.rmSync(dir, { recursive: true, force: true })
  const least = (name) => Math.min(...counts.get(name))
  const mean = (name) => counts.get(name).reduce((sum, count) => sum + count, 0) / WINDOWS
  const ratio = (name, of) => (STACKS[name].stock === undefined ? '–' : `**${(of(name) / of(STACKS[name].stock)).toFixed(3)}×**`)
  const rows = names.map((name) => [
    name,
    counts.get(name).map(thousands).join(', '),
    thousands(least(name)),
    ratio(name, least),
    thousands(mean(name)),
    ratio(name, mean),
  ])
  console.log(h.table(['stack', 'instructions per request, each window', 'least window', 'vs stock (least)', 'mean', 'vs stock (mean)'], rows))
}

async function drive() {
  if (process.env.PROXY_INSTRUCTIONS === '1') return countInstructions()
  const autocannon = require('autocannon')
  const DURATION = Number(process.env.PROXY_DURATION || 3)
  const WARMUP_SECONDS = Number(process.env.PROXY_WARMUP_SECONDS || 2)
  const ROUNDS = Number(process.env.PROXY_ROUNDS || 5)
  const CONNECTIONS = Number(process.env.PROXY_CONNECTIONS || 10)
  const names = selectedStacks()

  require(packagePath()) // fail early when the addon is not built
  const pin = process.env.PROXY_PIN === '1'
  // Pinned: the proxies on CPU 0, the upstream and this process (autocannon) on CPU 1.
  if (pin) pinTo(process.pid, 1)
  const upstream = start(['--upstream'])
  if (pin) pinTo(upstream.child.pid, 1)
  const upstreamPort = await upstream.ready
  // A new process per stack and round: one process's own speed (its memory layout, hash seed,
  // what V8 compiled when) differs from another's of the same stack by up to 15% here, and
  // would otherwise weigh on every round alike.
  const startProxy = async (name) => {
    const profile = (process.env.PROXY_PROFILE ?? '').split(',').map((s) => s.trim()).includes(name) ? ['--cpu-prof', '--cpu-prof-dir=profiles', '--cpu-prof-interval=100'] : []
    const proxy = start(['--proxy', name, String(upstreamPort)], profile)
    if (pin) pinTo(proxy.child.pid, 0)
    return { ...proxy, port: await proxy.ready }
  }

  console.log('## The proxy with the package wired in\n')
  const RATE = Number(process.env.PROXY_RATE || 0)
  console.log(h.environment(`PROXY_DURATION=${DURATION} PROXY_ROUNDS=${ROUNDS} PROXY_CONNECTIONS=${CONNECTIONS}${RATE > 0 ? ` PROXY_RATE=${RATE}` : ''}${pin ? ' PROXY_PIN=1' : ''} npm run bench:proxy`))
  console.log(`- loopback: autocannon (${CONNECTIONS} connections, keep-alive, browser navigation headers, ${RATE > 0 ? `${RATE} requests per second in all` : 'as fast as the proxy answers'}${pin ? '; proxies pinned to CPU 0, upstream and autocannon to CPU 1' : ''}) → the proxy (a new process per stack and round, warmed for ${WARMUP_SECONDS} s; keep-alive agent to the upstream) → node:http upstream (16-line response, chunked); ${ROUNDS} rounds × ${names.length} stacks × ${DURATION} s measured, shuffled; CPU from the proxy process's own process.cpuUsage()\n`)

  const started = Date.now()
  const random = h.prng(0xc0ffee)
  const results = new Map(names.map((name) => [name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of h.shuffle(names, random)) {
      const proxy = await startProxy(name)
      await measure(autocannon, proxy.port, proxy, WARMUP_SECONDS, CONNECTIONS)
      const result = await measure(autocannon, proxy.port, proxy, DURATION, CONNECTIONS)
      await stopProxy(proxy)
      if (process.env.PROXY_VERBOSE === '1') process.stderr.write(`  ${name}: ${result.usPerRequest.toFixed(1)} µs (${result.systemUsPerRequest.toFixed(1)} µs in the kernel), ${Math.round(result.rps)} req/s\n`)
      results.get(name).push(result)
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`)
  }

  const rows = names.map((name) => {
    const runs = results.get(name)
    const us = runs.map((r) => r.usPerRequest)
    const stock = STACKS[name].stock
    let ratio = '–'
    if (stock !== undefined) {
      const base = results.get(stock).map((r) => r.usPerRequest)
      const ratios = us.map((v, i) => v / base[i])
      ratio = `**${h.median(ratios).toFixed(2)}×** (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`
    }
    return [
      name,
      `${h.median(us).toFixed(1)} µs`,
      ratio,
      `${Math.round(h.median(runs.map((r) => r.rps)))}`,
      `${h.median(runs.map((r) => r.p99)).toFixed(0)} ms`,
    ]
  })
  console.log(h.table(['stack', 'proxy CPU per request (median)', 'vs the same stack without the package (median of per-round ratios; min–max)', 'req/s (median)', 'p99 latency (median)'], rows))
  console.log(`\n_proxy benchmark took ${((Date.now() - started) / 1000).toFixed(0)} s_`)

  upstream.child.kill()
}

if (process.argv[2] === '--upstream') runUpstream()
else if (process.argv[2] === '--proxy') runProxy(process.argv[3], Number(process.argv[4]))
else
  drive().catch((error) => {
    console.error(error)
    process.exit(1)
  })
