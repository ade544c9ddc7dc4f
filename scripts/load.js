#!/usr/bin/env node
'use strict'
// Load test: starts the demo proxy (examples/demo-proxy.js, with its embedded
// echo upstream) on 127.0.0.1 and runs autocannon against it with a mix of hostile header sets
// for a bounded time. Asserts: no errors or timeouts, every response has the status its header
// set calls for, the echoed upstream request never carries a header the client nominated or a
// fixed hop-by-hop header, the proxy's RSS is stable after warm-up, and the proxy still answers
// and shuts down cleanly afterwards. Everything stays on 127.0.0.1 and stops by itself.
//
//   node scripts/load.js                     20 s, 20 connections, a free port
//   LOAD_SECONDS=60 LOAD_CONNECTIONS=50 PORT=8080 LOAD_MAX_RSS_GROWTH_MB=50 node scripts/load.js
//
// Not run by CI.

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const http = require('node:http')
const net = require('node:net')
const path = require('node:path')
const autocannon = require('autocannon')

const root = path.join(__dirname, '..')
const demo = path.join(root, 'examples', 'demo-proxy.js')
const SECONDS = Number(process.env.LOAD_SECONDS ?? 20)
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 20)
const MAX_RSS_GROWTH_MB = Number(process.env.LOAD_MAX_RSS_GROWTH_MB ?? 50)
const START_TIMEOUT_MS = 15_000

const tokens = Array.from({ length: 1000 }, (_, i) => `x-${i}`).join(', ')

// Each header set: request options, the status the proxy must answer with, and strings that the
// echoed upstream request must (not) contain. Header objects cannot repeat a key, so the second
// `Connection` line of the CVE-2021-33197 case is spelled `connection`.
const SETS = [
  {
    name: 'browser',
    headers: { 'User-Agent': 'Mozilla/5.0', Accept: 'text/html', 'Accept-Encoding': 'gzip', Connection: 'keep-alive', Cookie: 'session=abc' },
    status: 200,
    present: ['Cookie: session=abc'],
  },
  {
    name: 'nominations',
    headers: {
      Connection: 'keep-alive, X-Secret, Cookie, Authorization, X-Forwarded-For, Host',
      'X-Secret': 's3cr3t',
      Cookie: 'c',
      Authorization: 'Bearer t',
      'X-Forwarded-For': '10.9.8.7',
    },
    status: 200,
    absent: ['X-Secret', 's3cr3t', 'Cookie:', 'Authorization:'],
    present: ['10.9.8.7'], // protected by default
  },
  {
    name: 'empty first Connection line',
    headers: { Connection: '', connection: 'X-Secret', 'X-Secret': 's3cr3t' },
    status: 200,
    absent: ['X-Secret', 's3cr3t'],
  },
  {
    name: '1,000 tokens',
    headers: { Connection: tokens, 'X-999': 'nominated', 'X-1000': 'kept' },
    status: 200,
    absent: ['X-999', 'nominated'],
    present: ['X-1000: kept'],
  },
  {
    name: 'fixed list',
    headers: {
      Connection: 'TE, Keep-Alive',
      TE: 'gzip, trailers',
      'Keep-Alive': 'timeout=99',
      'Proxy-Connection': 'keep-alive',
      'Proxy-Authorization': 'Basic eDp5',
      Trailer: 'X-T',
      'HTTP2-Settings': 'AAMAAABkAAQAAP__',
    },
    status: 200,
    absent: ['timeout=99', 'Proxy-Connection', 'Proxy-Authorization', 'Basic eDp5', 'Trailer:', 'HTTP2-Settings', 'gzip, trailers'],
  },
  {
    name: 'Connection: close',
    closes: true,
    headers: { Connection: 'close', 'X-Plain': 'p' },
    status: 200,
    present: ['X-Plain: p'],
  },
  {
    name: 'non-ASCII Upgrade',
    closes: true,
    headers: { Connection: 'Upgrade', Upgrade: 'w\u00e9bsocket' },
    status: 400,
  },
  {
    name: 'garbage Connection (8 KB of non-tokens)',
    headers: { Connection: `${'a b, "q,x", '.repeat(700)}X-Gone`, 'X-Gone': 'g', 'X-Stay': 's' },
    status: 200,
    absent: ['X-Gone'],
    present: ['X-Stay: s'],
  },
  {
    name: 'POST, Content-Length nominated',
    method: 'POST',
    body: 'hello',
    headers: { Connection: 'Content-Length, X-Body-Secret', 'Content-Type': 'text/plain', 'X-Body-Secret': 'b' },
    status: 200,
    present: ['Content-Length: 5'],
    absent: ['X-Body-Secret'],
  },
  // An upgrade the demo does not tunnel: answered as a plain request on the same connection.
  {
    name: 'upgrade without a tunnel',
    headers: { Connection: 'keep-alive, Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    status: 200,
    absent: ['Upgrade:', 'websocket'],
  },
]

// Responses are attributed by content, not by autocannon's request order (which slips when the
// server closes a connection): the echo upstream's first body line names the request path, and
// the proxy's log line names path and status.
const byPath = new Map(SETS.map((set) => [`/${encodeURIComponent(set.name)}`, set]))
const tally = new Map(SETS.map((set) => [set.name, { echoed: 0, wrongBody: 0, example: null, logged: new Map() }]))
const unexpected = { statuses: new Map(), bodies: 0, example: null }

function onResponse(status, body) {
  const text = String(body)
  if (status === 400) {
    if (!/^Bad Request \(ERR_HOP_BY_HOP_INVALID_UPGRADE\)/.test(text)) {
      unexpected.bodies++
      unexpected.example ??= text
    }
    return
  }
  if (status !== 200) {
    unexpected.statuses.set(status, (unexpected.statuses.get(status) ?? 0) + 1)
    return
  }
  const requestLine = /^[A-Z]+ (\S+) HTTP\/1\.1\n/.exec(text)
  const set = requestLine && byPath.get(requestLine[1])
  if (!set) {
    unexpected.bodies++
    unexpected.example ??= text
    return
  }
  const entry = tally.get(set.name)
  entry.echoed++
  const bad = (set.absent ?? []).find((needle) => text.includes(needle)) ?? (set.present ?? []).find((needle) => !text.includes(needle))
  if (bad !== undefined) {
    entry.wrongBody++
    entry.example ??= `${JSON.stringify(bad)} in/not in:\n${text}`
  }
}

// autocannon keeps its connections open; after a response that closes the connection it skips
// the next request of its sequence and stalls, so the sets whose response closes the connection
// go through `closingClients` instead: one new connection per request, in parallel with autocannon.
function requests() {
  return SETS.filter((set) => !set.closes).map((set) => ({
    method: set.method ?? 'GET',
    path: `/${encodeURIComponent(set.name)}`,
    headers: set.headers,
    body: set.body,
    onResponse,
  }))
}

/** Sends the closing sets, each on a new connection, `concurrency` at a time until `deadline`. */
async function closingClients(port, deadline, concurrency = 4) {
  const sets = SETS.filter((set) => set.closes)
  const stats = { sent: 0, errors: 0, example: null }
  async function client(offset) {
    for (let i = offset; Date.now() < deadline; i++) {
      const set = sets[i % sets.length]
      stats.sent++
      try {
        const { status, body } = await request(port, set)
        onResponse(status, body)
      } catch (error) {
        stats.errors++
        stats.example ??= `${set.name}: ${error.message}`
      }
    }
  }
  if (sets.length) await Promise.all(Array.from({ length: concurrency }, (_, i) => client(i)))
  return stats
}

function request(port, set) {
  return new Promise((resolve, reject) => {
    const headers = { ...set.headers }
    if (set.body !== undefined) headers['Content-Length'] = Buffer.byteLength(set.body)
    const req = http.request(
      { host: '127.0.0.1', port, method: set.method ?? 'GET', path: `/${encodeURIComponent(set.name)}`, headers, agent: false, timeout: 10_000 },
      (res) => {
        let body = ''
        res.setEncoding('latin1')
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode, body }))
      },
    )
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(set.body)
  })
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function rssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024
  } catch {
    return NaN
  }
}

function get(port, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/after', headers, agent: false, timeout: 5000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode, body }))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
  })
}

async function main() {
  if (!fs.existsSync(demo)) throw new Error(`${demo} does not exist yet (written by the integrations issue)`)
  const port = process.env.PORT === undefined ? await freePort() : Number(process.env.PORT)
  const proxy = spawn(process.execPath, [demo], { cwd: root, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] })
  let exited = null
  const exitPromise = new Promise((resolve) => proxy.once('exit', (code, signal) => resolve((exited = { code, signal }))))
  let stderr = ''
  proxy.stderr.on('data', (chunk) => (stderr += chunk))
  const logged = new Map()
  let buffered = ''
  let ready
  const readyPromise = new Promise((resolve) => (ready = resolve))
  proxy.stdout.setEncoding('utf8')
  proxy.stdout.on('data', (chunk) => {
    buffered += chunk
    let newline
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
      if (line.includes('listening on')) ready()
      const match = /^[A-Z]+ (\S+) HTTP\/[\d.]+ -> (\d{3}) /.exec(line)
      if (match) {
        logged.set(match[2], (logged.get(match[2]) ?? 0) + 1)
        const set = byPath.get(match[1])
        if (set) {
          const counts = tally.get(set.name).logged
          counts.set(Number(match[2]), (counts.get(Number(match[2])) ?? 0) + 1)
        }
      }
    }
  })
  const timer = setTimeout(() => ready('timeout'), START_TIMEOUT_MS)
  const started = await Promise.race([readyPromise, exitPromise])
  clearTimeout(timer)
  if (started !== undefined) {
    proxy.kill('SIGKILL')
    throw new Error(`the demo proxy did not start: ${JSON.stringify(started)}\n${stderr}`)
  }

  console.log(`load: demo proxy pid ${proxy.pid} on 127.0.0.1:${port}; ${SECONDS} s, ${CONNECTIONS} connections, ${SETS.length} header sets`)
  const samples = []
  const sampler = setInterval(() => samples.push({ t: samples.length, rss: rssMb(proxy.pid) }), 1000)
  samples.push({ t: 0, rss: rssMb(proxy.pid) })
  const closing = closingClients(port, Date.now() + SECONDS * 1000)
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    timeout: 10,
    requests: requests(),
  })
  const closed = await closing
  clearInterval(sampler)
  samples.push({ t: samples.length, rss: rssMb(proxy.pid) })

  const failures = []
  // The proxy survived and still filters a request correctly.
  const after = await get(port, { Connection: 'X-Secret', 'X-Secret': 's' }).catch((error) => ({ status: 0, body: String(error) }))
  if (exited) failures.push(`the proxy exited during the run: ${JSON.stringify(exited)}\n${stderr}`)
  if (after.status !== 200 || after.body.includes('X-Secret')) failures.push(`request after the run: ${after.status} ${after.body}`)

  if (result.errors !== 0) failures.push(`${result.errors} errors`)
  if (result.timeouts !== 0) failures.push(`${result.timeouts} timeouts`)
  if (closed.errors !== 0) failures.push(`${closed.errors} errors on new-connection requests; e.g. ${closed.example}`)
  for (const set of SETS) {
    const entry = tally.get(set.name)
    const statuses = [...entry.logged.keys()]
    if (statuses.length === 0) failures.push(`the proxy logged no request for "${set.name}"`)
    if (statuses.some((status) => status !== set.status)) failures.push(`"${set.name}": statuses ${JSON.stringify(Object.fromEntries(entry.logged))}, expected only ${set.status}`)
    if (set.status === 200 && entry.echoed === 0) failures.push(`no echoed response for "${set.name}"`)
    if (entry.wrongBody) failures.push(`"${set.name}": ${entry.wrongBody} wrong upstream requests; e.g. ${entry.example}`)
  }
  if (unexpected.statuses.size) failures.push(`unexpected statuses ${JSON.stringify(Object.fromEntries(unexpected.statuses))}`)
  if (unexpected.bodies) failures.push(`${unexpected.bodies} unattributable bodies; e.g. ${unexpected.example}`)
  const warm = samples[Math.max(1, Math.floor(samples.length / 4))].rss
  const end = samples.at(-1).rss
  const peak = Math.max(...samples.map((sample) => sample.rss))
  if (!(end - warm <= MAX_RSS_GROWTH_MB)) failures.push(`proxy RSS grew ${(end - warm).toFixed(1)} MB after warm-up (> ${MAX_RSS_GROWTH_MB})`)

  proxy.kill('SIGTERM')
  const shutdown = await Promise.race([exitPromise, new Promise((resolve) => setTimeout(() => resolve('timeout'), 5000))])
  if (shutdown === 'timeout') {
    proxy.kill('SIGKILL')
    failures.push('the proxy did not exit within 5 s of SIGTERM')
  } else if (shutdown.code !== 0) failures.push(`the proxy exited with ${JSON.stringify(shutdown)}`)

  const total = result.requests.total
  console.log(`requests: ${total.toLocaleString('en')} in ${result.duration} s (${Math.round(result.requests.average).toLocaleString('en')} req/s average, ${Math.round(result.requests.max ?? 0).toLocaleString('en')} max)`)
  console.log(`latency: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`)
  console.log(`errors ${result.errors}, timeouts ${result.timeouts}, 2xx ${result['2xx']}, non-2xx ${result.non2xx}, resets ${result.resets}`)
  console.log(`new-connection requests (closing sets): ${closed.sent.toLocaleString('en')} sent, ${closed.errors} errors`)
  console.log(`proxy log lines by status: ${JSON.stringify(Object.fromEntries(logged))}`)
  for (const set of SETS) {
    const entry = tally.get(set.name)
    console.log(`  ${set.name.padEnd(40)} proxy statuses ${JSON.stringify(Object.fromEntries(entry.logged)).padEnd(14)} upstream requests checked ${entry.echoed}`)
  }
  console.log(`proxy RSS: start ${samples[0].rss.toFixed(1)} MB, after warm-up ${warm.toFixed(1)} MB, end ${end.toFixed(1)} MB, peak ${peak.toFixed(1)} MB`)
  console.log(`proxy RSS per second: ${samples.map((sample) => sample.rss.toFixed(0)).join(' ')}`)
  if (failures.length) {
    console.error(`FAIL:\n- ${failures.join('\n- ')}`)
    process.exit(1)
  }
  console.log('ok')
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
