'use strict'
// What the wire tests of the proxy wirings (hpm.test.js, vite.test.js, fastify-http-proxy.test.js)
// send, serve and check alike: the hostile fields a client sends and an upstream answers with,
// the recording, WebSocket and short-body upstreams, curl, a ws client's open and messages, and
// the checks that nothing connection-specific got through either way.

const assert = require('node:assert/strict')
const http = require('node:http')
const { execFile } = require('node:child_process')
const { WebSocketServer } = require('ws')
const { WAIT_MS, withTimeout, listen, closeServer, values, rawResponse, startRecordingUpstream } = require('./wire.js')

// What a client must never get through to the upstream: a nominated field, its own Keep-Alive,
// and a forged chain of addresses.
const SPOOFED = [
  ['Connection', 'keep-alive, X-Secret'],
  ['X-Secret', 'client-token'],
  ['Keep-Alive', 'timeout=30'],
  ['X-Forwarded-For', '6.6.6.6'],
]

// An upstream answer with connection-specific fields of its own.
const LEAKY = rawResponse({ headers: [['Connection', 'X-Upstream-Hop'], ['X-Upstream-Hop', '1'], ['Keep-Alive', 'timeout=9'], ['X-End', 'kept']], body: 'ok' })

/** A `respond` for recordingUpstream that answers every request with LEAKY. */
const leaky = () => LEAKY

/** A recording upstream (startRecordingUpstream, `respond` or its plain 200 `ok`), closed after the test. */
async function recordingUpstream(t, respond) {
  const upstream = await startRecordingUpstream(respond)
  t.after(() => upstream.close())
  return upstream
}

/** What the upstream got of a request with SPOOFED: none of it but a replaced chain, and Via. */
function assertClean(request, label) {
  assert.deepEqual(values(request.headers, 'x-secret'), [], label)
  assert.deepEqual(values(request.headers, 'keep-alive'), [], label)
  assert.deepEqual(values(request.headers, 'x-forwarded-for'), ['127.0.0.1'], label)
  assert.deepEqual(values(request.headers, 'via'), ['1.1 hop-by-hop'], label)
}

/** What the client got of LEAKY: its end-to-end field, none of its connection-specific ones, Via. */
function assertCleanAnswer(response) {
  assert.deepEqual(values(response.headers, 'x-upstream-hop'), [])
  assert.deepEqual(values(response.headers, 'keep-alive').filter((v) => v === 'timeout=9'), [])
  assert.deepEqual(values(response.headers, 'x-end'), ['kept'])
  assert.deepEqual(values(response.headers, 'via'), ['1.1 hop-by-hop'])
}

/** curl -v: resolves its trace (stderr: `>` lines sent, `<` lines received) and the body. */
function curl(args) {
  return withTimeout(new Promise((resolve, reject) => {
    execFile('/usr/bin/curl', ['-sS', '-v', '--max-time', '5', ...args], (error, stdout, stderr) => {
      if (error) reject(new Error(`curl: ${stderr || error.message}`))
      else resolve({ trace: stderr, body: stdout })
    })
  }), WAIT_MS + 1000, 'curl')
}

/**
 * A ws upstream that echoes and records each handshake's raw lines ([name, value] pairs);
 * resolves `{ url, handshakes }`.
 */
async function webSocketUpstream(t) {
  const server = http.createServer()
  const wss = new WebSocketServer({ server })
  const handshakes = []
  // The upstream's 101 nominates a field of its own, which must not reach the client.
  wss.on('headers', (headers) => {
    const at = headers.findIndex((line) => /^connection:/i.test(line))
    headers[at] = 'Connection: Upgrade, X-Upstream-Hop'
    headers.push('X-Upstream-Hop: 1', 'Keep-Alive: timeout=9')
  })
  wss.on('connection', (socket, req) => {
    const lines = []
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push([req.rawHeaders[i], req.rawHeaders[i + 1]])
    handshakes.push(lines)
    socket.on('message', (data) => socket.send(`echo ${data}`))
  })
  const port = await listen(server)
  t.after(async () => {
    for (const socket of wss.clients) socket.terminate()
    wss.close()
    await closeServer(server)
  })
  return { url: `http://127.0.0.1:${port}`, handshakes }
}

/** An upstream that promises 100 bytes (Content-Length), sends 10 and resets; resolves its URL. */
async function shortBodyUpstream(t) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Length': '100' })
    res.write('0123456789')
    setTimeout(() => res.socket.resetAndDestroy(), 50)
  })
  const port = await listen(server)
  t.after(() => closeServer(server))
  return `http://127.0.0.1:${port}`
}

/** A ws client's handshake response, once the socket is open. */
function opened(client) {
  return withTimeout(new Promise((resolve, reject) => {
    client.once('upgrade', (response) => client.once('open', () => resolve(response)))
    client.once('error', reject)
  }), WAIT_MS, 'open')
}

/** The next message a ws client gets, as a string. */
function nextMessage(client) {
  return withTimeout(new Promise((resolve) => client.once('message', (data) => resolve(data.toString()))), WAIT_MS, 'message')
}

module.exports = {
  SPOOFED,
  LEAKY,
  leaky,
  recordingUpstream,
  assertClean,
  assertCleanAnswer,
  curl,
  webSocketUpstream,
  shortBodyUpstream,
  opened,
  nextMessage,
}
