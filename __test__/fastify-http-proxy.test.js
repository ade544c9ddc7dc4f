'use strict'
// @fastify/http-proxy 11 with replyFromHooks() (`replyOptions: hooks`) on the wire, run as a
// user runs examples/fastify-http-proxy.js: plain, nominated fields both ways, Expect:
// 100-continue (raw socket and curl), chunked, a WebSocket (websocket: true, which ends the
// client's socket and opens its own to the upstream with ws), and what Fastify's hooks cannot see.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { execFile } = require('node:child_process')
const { WebSocket, WebSocketServer } = require('ws')
const { startExample } = require('./helpers/examples.js')
const { WAIT_MS, withTimeout, listen, closeServer, values, rawRequest, rawResponse, startRecordingUpstream, connect } = require('./helpers/wire.js')

const EXAMPLE = 'fastify-http-proxy.js'

// Node has already answered the client's Expect: 100-continue; undici (reply-from's client) throws
// "expect header not supported" when the hook hands it on, so reply-from answers 500.

// What a client must never get through: a nominated field, its own Keep-Alive, a forged chain.
const SPOOFED = [
  ['Connection', 'keep-alive, X-Secret'],
  ['X-Secret', 'client-token'],
  ['Keep-Alive', 'timeout=30'],
  ['X-Forwarded-For', '6.6.6.6'],
]

// An upstream answer with connection-specific fields of its own.
const LEAKY = rawResponse({ headers: [['Connection', 'X-Upstream-Hop'], ['X-Upstream-Hop', '1'], ['Keep-Alive', 'timeout=9'], ['X-End', 'kept']], body: 'ok' })

async function recordingUpstream(t, respond = () => LEAKY) {
  const upstream = await startRecordingUpstream(respond)
  t.after(() => upstream.close())
  return upstream
}

async function start(t, upstream) {
  return (await startExample(t, EXAMPLE, { UPSTREAM: upstream })).port
}

function assertClean(request) {
  assert.deepEqual(values(request.headers, 'x-secret'), [])
  assert.deepEqual(values(request.headers, 'keep-alive'), [])
  assert.deepEqual(values(request.headers, 'x-forwarded-for'), ['127.0.0.1'])
  assert.deepEqual(values(request.headers, 'via'), ['1.1 hop-by-hop'])
}

function assertCleanAnswer(response) {
  assert.deepEqual(values(response.headers, 'x-upstream-hop'), [])
  assert.deepEqual(values(response.headers, 'keep-alive').filter((v) => v === 'timeout=9'), [])
  assert.deepEqual(values(response.headers, 'x-end'), ['kept'])
}

/** curl -v: resolves its trace (stderr) and body. */
function curl(args) {
  return withTimeout(new Promise((resolve, reject) => {
    execFile('/usr/bin/curl', ['-sS', '-v', '--max-time', '5', ...args], (error, stdout, stderr) => {
      if (error) reject(new Error(`curl: ${stderr || error.message}`))
      else resolve({ trace: stderr, body: stdout })
    })
  }), WAIT_MS + 1000, 'curl')
}

/** A ws upstream that echoes and records each handshake's raw lines. */
async function webSocketUpstream(t) {
  const server = http.createServer()
  const wss = new WebSocketServer({ server })
  const handshakes = []
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

function opened(client) {
  return withTimeout(new Promise((resolve, reject) => {
    client.once('upgrade', (response) => client.once('open', () => resolve(response)))
    client.once('error', reject)
  }), WAIT_MS, 'open')
}

function nextMessage(client) {
  return withTimeout(new Promise((resolve) => client.once('message', (data) => resolve(data.toString()))), WAIT_MS, 'message')
}

describe('examples/fastify-http-proxy.js (@fastify/http-proxy 11, replyOptions: replyFromHooks())', () => {
  it('a GET: nominated fields dropped both ways, X-Forwarded-For and Via replaced upstream', async (t) => {
    const upstream = await recordingUpstream(t)
    const port = await start(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /plain?q=1 HTTP/1.1', [['Host', 'front.test'], ...SPOOFED]))
    const response = await client.response()
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'ok')
    assertCleanAnswer(response)
    assert.equal(upstream.requests[0].target, '/plain?q=1')
    assertClean(upstream.requests[0])
    assert.deepEqual(values(upstream.requests[0].headers, 'x-forwarded-host'), ['front.test'])
  })

  it('Expect: 100-continue from a raw socket that waits for the 100', async (t) => {
    const upstream = await recordingUpstream(t)
    const port = await start(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('POST /expect HTTP/1.1', [['Host', 'front.test'], ['Content-Type', 'text/plain'], ['Expect', '100-continue'], ['Content-Length', '5'], ...SPOOFED]))
    assert.equal((await client.response()).status, 100)
    client.send('hello')
    const response = await client.response()
    assert.equal(response.status, 200)
    assertCleanAnswer(response)
    assertClean(upstream.requests[0])
    assert.equal(upstream.requests[0].body.toString(), 'hello')
  })

  it('a 2 KB JSON POST curl sends with Expect: 100-continue: the body sent once, filtered', async (t) => {
    const upstream = await recordingUpstream(t)
    const port = await start(t, upstream.url)
    const body = JSON.stringify({ text: 'x'.repeat(2048) })
    const headers = SPOOFED.flatMap(([name, value]) => ['-H', `${name}: ${value}`])
    const { trace } = await curl(['-H', 'Content-Type: application/json', '-H', 'Expect: 100-continue', ...headers, '--data-binary', body, `http://127.0.0.1:${port}/expect`])
    assert.match(trace, /< HTTP\/1\.1 100 Continue/)
    assert.match(trace, /< HTTP\/1\.1 200 OK/)
    assert.doesNotMatch(trace, /< X-Upstream-Hop/i)
    assertClean(upstream.requests[0])
    assert.equal(upstream.requests[0].body.toString(), body)
  })

  it('a 2 KB chunked POST (curl): the body goes on once, filtered', async (t) => {
    const upstream = await recordingUpstream(t)
    const port = await start(t, upstream.url)
    const body = 'y'.repeat(2048)
    const headers = SPOOFED.flatMap(([name, value]) => ['-H', `${name}: ${value}`])
    const { trace } = await curl(['-H', 'Content-Type: text/plain', '-H', 'Transfer-Encoding: chunked', ...headers, '--data-binary', body, `http://127.0.0.1:${port}/chunked`])
    assert.match(trace, /< HTTP\/1\.1 200 OK/)
    assert.doesNotMatch(trace, /< X-Upstream-Hop/i)
    const request = await upstream.received(1)
    assertClean(request)
    assert.equal(request.body.toString(), body)
    assert.equal(upstream.requests.length, 1)
  })

  it('an upstream that cuts its body short (Content-Length: 100, reset after 10 bytes): the client connection is cut, not left waiting', async (t) => {
    const upstreamServer = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Length': '100' })
      res.write('0123456789')
      setTimeout(() => res.socket.resetAndDestroy(), 50)
    })
    const upstreamPort = await listen(upstreamServer)
    t.after(() => closeServer(upstreamServer))
    const port = await start(t, `http://127.0.0.1:${upstreamPort}`)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /cut HTTP/1.1', [['Host', 'front.test']]))
    assert.equal(await client.closesWithin(2000), true, 'the client still waits for 90 bytes')
  })

  it('a WebSocket (ws client): the upstream handshake carries the client\'s fields filtered, with X-Forwarded-For and Via; messages both ways', async (t) => {
    const upstream = await webSocketUpstream(t)
    const port = await start(t, upstream.url)
    const client = new WebSocket(`ws://127.0.0.1:${port}/socket`, {
      headers: { 'Keep-Alive': '300', 'Proxy-Authorization': 'Basic dTpw', 'X-Forwarded-For': '6.6.6.6', 'X-Kept': 'yes', Cookie: 'session=1' },
    })
    t.after(() => client.terminate())
    const response = await opened(client)
    // The client's 101 is the proxy's own ws server's: nothing of the upstream's 101 reaches it.
    assert.equal(response.headers['x-upstream-hop'], undefined)
    assert.equal(response.headers['keep-alive'], undefined)
    client.send('ping')
    assert.equal(await nextMessage(client), 'echo ping')
    const [lines] = upstream.handshakes
    assert.deepEqual(values(lines, 'keep-alive'), [])
    assert.deepEqual(values(lines, 'proxy-authorization'), [])
    assert.deepEqual(values(lines, 'x-forwarded-for'), ['127.0.0.1'])
    assert.deepEqual(values(lines, 'via'), ['1.1 hop-by-hop'])
    assert.deepEqual(values(lines, 'x-kept'), ['yes'])
    assert.deepEqual(values(lines, 'cookie'), ['session=1'])
    assert.deepEqual(values(lines, 'host'), [new URL(upstream.url).host])
  })

  it('a WebSocket handshake the filter refuses (a head longer than Node keeps) is answered 431 before any 101, and no upstream socket is opened', async (t) => {
    const upstream = await webSocketUpstream(t)
    const port = await start(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    // Node 20 keeps the first 1,000 lines and calls the listener (the filter answers 431); 22 and
    // later answer 431 themselves.
    const filler = Array.from({ length: 1500 }, (_, i) => [`F${i}`, 'v'])
    client.send(rawRequest('GET /socket HTTP/1.1', [
      ['Host', 'front.test'],
      ['Connection', 'Upgrade'],
      ['Upgrade', 'websocket'],
      ['Sec-WebSocket-Version', '13'],
      ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ...filler,
    ]))
    const response = await client.response()
    assert.equal(response.status, 431)
    assert.equal(await client.closesWithin(2000), true)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(upstream.handshakes.length, 0)
  })
})

describe('what @fastify/reply-from\'s hooks cannot see (limits of this wiring)', () => {
  it('responses carry no Via: rewriteHeaders filters the upstream\'s fields but adds none of its own', async (t) => {
    const upstream = await recordingUpstream(t)
    const port = await start(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.1', [['Host', 'front.test']]))
    const response = await client.response()
    assert.equal(response.status, 200)
    assert.deepEqual(values(response.headers, 'via'), [])
  })

  it('a non-WebSocket upgrade (h2c) is refused by ws with 400; nothing reaches the upstream', async (t) => {
    const upstream = await recordingUpstream(t)
    const port = await start(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /h2c HTTP/1.1', [['Host', 'front.test'], ['Connection', 'Upgrade, HTTP2-Settings'], ['Upgrade', 'h2c'], ['HTTP2-Settings', 'AAMAAABkAARAAAAAAAIAAAAA']]))
    const response = await client.response()
    assert.equal(response.status, 400)
    assert.equal(await client.closesWithin(2000), true)
    assert.equal(upstream.requests.length, 0)
  })

  it('upstream trailers do not reach the client (reply-from drops them)', async (t) => {
    const upstream = await recordingUpstream(t, () => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n2\r\nok\r\n0\r\nX-Checksum: abc\r\n\r\n')
    const port = await start(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /trailers HTTP/1.1', [['Host', 'front.test'], ['TE', 'trailers'], ['Connection', 'TE']]))
    const response = await client.response()
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'ok')
    assert.deepEqual(response.trailers, [])
    assert.deepEqual(values(upstream.requests[0].headers, 'te'), ['trailers'])
  })
})
