'use strict'

// npm run bench:proxy: what the filter costs a real proxy, per request.
//
// Three processes, so that only the proxy's own CPU is counted:
//   upstream (child)  node:http server answering like a typical app (4 Set-Cookie, chunked body)
//   proxy    (child)  node:http server + keep-alive http.Agent, filtering the request headers
//                     and the response headers in one of the modes below
//   driver   (this)   autocannon on 127.0.0.1, and the bookkeeping
//
// Modes: none (rawHeaders forwarded as they are), hop-by-hop (this package), hand-optimised
// (benchmark/peers/hand-optimised.js: the same rules in JS), reply-from
// (benchmark/peers/reply-from.js), go-port (benchmark/peers/go-port.js). Modes run in
// interleaved rounds, shuffled, against the same warm processes; the proxy switches mode on an
// IPC message. For each window the proxy reports process.cpuUsage() delta and the requests it
// completed, giving CPU µs per request and req/s.
//
//   PROXY_DURATION=s     measured seconds per mode per round (default 3)
//   PROXY_ROUNDS=n       rounds (default 5)
//   PROXY_CONNECTIONS=n  autocannon connections (default 10)
//   BENCH_PACKAGE=path   benchmark another build of the package (default: this checkout)

const path = require('node:path')
const http = require('node:http')
const { fork } = require('node:child_process')
const h = require('./harness.js')

const MODES = ['none', 'hop-by-hop', 'hand-optimised', 'reply-from', 'go-port']

/** The package under test; BENCH_PACKAGE points elsewhere, e.g. at another build. */
function packagePath() {
  return process.env.BENCH_PACKAGE ? path.resolve(process.env.BENCH_PACKAGE) : path.join(__dirname, '..')
}

// ---------------------------------------------------------------------------------------------
// Upstream

const BODY = Buffer.from('<!doctype html><title>ok</title>' + 'x'.repeat(1000))

/** The corpus response, minus what Node's server writes itself (framing and Connection). */
function upstreamHeaders() {
  const { CORPUS } = require('./corpus.js')
  const own = new Set(['transfer-encoding', 'connection', 'keep-alive', 'date'])
  return CORPUS.find((item) => item.key === 'response').lines
    .filter(([name]) => !own.has(name.toLowerCase()))
    .flat()
}

function runUpstream() {
  const headers = upstreamHeaders()
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, headers)
      res.write(BODY) // write + end: a chunked response, as a streaming app would send
      res.end()
    })
  })
  server.keepAliveTimeout = 60000
  server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }))
}

// ---------------------------------------------------------------------------------------------
// Proxy

/** Per mode: request headers to send upstream, response headers to send to the client. */
function filtersFor(mode, upstreamHost) {
  switch (mode) {
    case 'none':
      return { request: (req) => req.rawHeaders, response: (res) => res.rawHeaders }
    case 'hop-by-hop': {
      const hop = require(packagePath())
      return {
        request: (req) => hop.filterRequest(req).headers,
        response: (res) => hop.filterResponse(res).headers,
      }
    }
    case 'hand-optimised': {
      const hand = require('./peers/hand-optimised.js')
      return {
        request: (req) => hand.filterRequest(req).headers,
        response: (res) => hand.filterResponse(res).headers,
      }
    }
    case 'reply-from': {
      const replyFrom = require('./peers/reply-from.js')
      return {
        // reply-from drops Host and sets the upstream's own; do the same so the request is valid.
        request: (req) => { const h = replyFrom.filterRaw(req.rawHeaders); h.push('host', upstreamHost); return h },
        response: (res) => replyFrom.filterRaw(res.rawHeaders),
      }
    }
    case 'go-port': {
      const goPort = require('./peers/go-port.js')
      const responseOptions = { direction: 'response' }
      return {
        request: (req) => goPort.filterRaw(req.rawHeaders),
        response: (res) => goPort.filterRaw(res.rawHeaders, responseOptions),
      }
    }
    default:
      throw new Error(`unknown mode ${mode}`)
  }
}

const hrtime = process.hrtime.bigint

function runProxy(upstreamPort) {
  const upstreamHost = `127.0.0.1:${upstreamPort}`
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 })
  const filters = Object.fromEntries(MODES.map((mode) => [mode, filtersFor(mode, upstreamHost)]))
  let current = filters.none
  let completed = 0
  // Time spent inside the filter calls, measured in place on the real IncomingMessages with the
  // JIT in its real state. The clock reads cost the same in every mode, so the 'none' mode
  // (which returns rawHeaders) measures them and the report subtracts it.
  let filterNs = 0

  const server = http.createServer((req, res) => {
    const t0 = hrtime()
    const requestHeaders = current.request(req)
    filterNs += Number(hrtime() - t0)
    const upstreamReq = http.request({
      host: '127.0.0.1',
      port: upstreamPort,
      method: req.method,
      path: req.url,
      headers: requestHeaders,
      agent,
    })
    upstreamReq.on('response', (upstreamRes) => {
      const t1 = hrtime()
      const responseHeaders = current.response(upstreamRes)
      filterNs += Number(hrtime() - t1)
      res.writeHead(upstreamRes.statusCode, responseHeaders)
      upstreamRes.pipe(res)
    })
    upstreamReq.on('error', (error) => {
      res.statusCode = 502
      res.end(String(error.message))
    })
    res.on('finish', () => { completed++ })
    req.pipe(upstreamReq)
  })
  server.keepAliveTimeout = 60000

  let window = null
  process.on('message', (message) => {
    switch (message.type) {
      case 'mode':
        current = filters[message.mode]
        process.send({ type: 'ok', id: message.id })
        break
      case 'start':
        window = { cpu: process.cpuUsage(), time: process.hrtime.bigint(), completed, filterNs }
        process.send({ type: 'ok', id: message.id })
        break
      case 'stop': {
        const cpu = process.cpuUsage(window.cpu)
        process.send({
          type: 'ok',
          id: message.id,
          cpuUs: cpu.user + cpu.system,
          requests: completed - window.completed,
          seconds: Number(process.hrtime.bigint() - window.time) / 1e9,
          filterNs: filterNs - window.filterNs,
        })
        break
      }
      case 'exit':
        process.exit(0)
    }
  })
  server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }))
}

// ---------------------------------------------------------------------------------------------
// Driver

function start(role, args) {
  const child = fork(__filename, [role, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map()
  let nextId = 0
  let onReady
  const ready = new Promise((resolve) => { onReady = resolve })
  child.on('message', (message) => {
    if (message.type === 'ready') onReady(message.port)
    else if (pending.has(message.id)) {
      pending.get(message.id)(message)
      pending.delete(message.id)
    }
  })
  const call = (message) => new Promise((resolve) => {
    const id = nextId++
    pending.set(id, resolve)
    child.send({ ...message, id })
  })
  return { child, ready, call }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Client request headers: the corpus browser navigation (autocannon writes Host itself). */
function clientHeaders() {
  const { CORPUS } = require('./corpus.js')
  const headers = {}
  for (const [name, value] of CORPUS.find((item) => item.key === 'browser').lines) {
    if (name.toLowerCase() !== 'host') headers[name] = value
  }
  return headers
}

/** Runs autocannon for `seconds` + margins and measures the proxy over the middle `seconds`. */
async function window(autocannon, url, proxy, seconds, connections) {
  const settle = 0.5
  const load = autocannon({
    url,
    connections,
    pipelining: 1,
    duration: seconds + 2 * settle,
    headers: clientHeaders(),
  })
  await sleep(settle * 1000)
  await proxy.call({ type: 'start' })
  await sleep(seconds * 1000)
  const stats = await proxy.call({ type: 'stop' })
  const result = await load
  if (result.non2xx || result.errors) throw new Error(`autocannon saw ${result.non2xx} non-2xx and ${result.errors} errors`)
  return {
    usPerRequest: stats.cpuUs / stats.requests,
    rps: stats.requests / stats.seconds,
    cpuShare: stats.cpuUs / 1e6 / stats.seconds,
    // Filter calls per request: slightly over-counted (responses of requests started before the
    // window), which cancels in the difference to 'none'.
    filterUs: stats.filterNs / 1e3 / stats.requests,
  }
}

/** Median time inside the filter calls per request, less the clock's own cost, and its share. */
function filterShare(runs, clockUs, noneUs) {
  const us = h.median(runs.map((r) => r.filterUs)) - clockUs
  return `${us.toFixed(2)} µs (${(us / noneUs * 100).toFixed(2)} %)`
}

async function drive() {
  const autocannon = require('autocannon')
  const DURATION = Number(process.env.PROXY_DURATION || 3)
  const ROUNDS = Number(process.env.PROXY_ROUNDS || 5)
  const CONNECTIONS = Number(process.env.PROXY_CONNECTIONS || 10)

  require(packagePath()) // fail early when the addon is not built
  const upstream = start('--upstream', [])
  const upstreamPort = await upstream.ready
  const proxy = start('--proxy', [String(upstreamPort)])
  const proxyPort = await proxy.ready
  const url = `http://127.0.0.1:${proxyPort}/orders/42?expand=items`

  console.log('## Proxy benchmark\n')
  console.log(h.environment(`PROXY_DURATION=${DURATION} PROXY_ROUNDS=${ROUNDS} PROXY_CONNECTIONS=${CONNECTIONS} npm run bench:proxy`))
  console.log(`- loopback: autocannon (${CONNECTIONS} connections, browser navigation headers) → node:http proxy (keep-alive agent, filters request and response) → node:http upstream (16-line response, chunked); three processes; ${ROUNDS} rounds × ${MODES.length} modes × ${DURATION} s measured, shuffled order; CPU from the proxy's process.cpuUsage()\n`)

  const started = Date.now()
  // Warm-up: every mode once, unrecorded, so the JIT and the connection pools are hot.
  for (const mode of MODES) {
    await proxy.call({ type: 'mode', mode })
    await window(autocannon, url, proxy, 1, CONNECTIONS)
  }
  const random = h.prng(0xc0ffee)
  const results = new Map(MODES.map((mode) => [mode, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of h.shuffle(MODES, random)) {
      await proxy.call({ type: 'mode', mode })
      results.get(mode).push(await window(autocannon, url, proxy, DURATION, CONNECTIONS))
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`)
  }
  const noneUs = results.get('none').map((r) => r.usPerRequest)
  const clockUs = h.median(results.get('none').map((r) => r.filterUs))
  const rows = MODES.map((mode) => {
    const runs = results.get(mode)
    const us = runs.map((r) => r.usPerRequest)
    // Per-round difference to 'none' from the same round, so slow drifts of the machine cancel.
    const added = us.map((v, i) => (v / noneUs[i] - 1) * 100)
    return [
      mode,
      `${h.median(us).toFixed(1)} µs`,
      `${Math.min(...us).toFixed(1)}–${Math.max(...us).toFixed(1)}`,
      mode === 'none' ? '–' : `${h.median(added) >= 0 ? '+' : ''}${h.median(added).toFixed(2)} % (${Math.min(...added).toFixed(1)} … ${Math.max(...added).toFixed(1)})`,
      `${Math.round(h.median(runs.map((r) => r.rps)))}`,
      `${(h.median(runs.map((r) => r.cpuShare)) * 100).toFixed(0)} %`,
      mode === 'none' ? `(clock reads: ${clockUs.toFixed(2)} µs)` : filterShare(runs, clockUs, h.median(noneUs)),
    ]
  })
  console.log(h.table([
    'mode', 'proxy CPU per request (median)', 'min–max', 'added CPU vs none (median of per-round; min … max)',
    'req/s (median)', 'proxy CPU load', 'time in the filter calls per request, req+res (share of none CPU/req)',
  ], rows))
  console.log('\nThe last column is timed in the proxy\'s request handler around the two filter calls (filterRequest and filterResponse, or the peers), on the real messages, minus the cost of the clock reads measured in the none mode. It is the CPU the filter adds to a request, without the run-to-run noise of the end-to-end CPU figures, which on a shared 2-core machine move by several percent between rounds.')
  console.log(`\n_proxy benchmark took ${((Date.now() - started) / 1000).toFixed(0)} s_`)

  proxy.child.send({ type: 'exit' })
  upstream.child.kill()
}

if (process.argv[2] === '--upstream') runUpstream()
else if (process.argv[2] === '--proxy') runProxy(Number(process.argv[3]))
else drive().catch((error) => { console.error(error); process.exit(1) })
