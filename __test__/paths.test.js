'use strict'
// One behaviour on every path: each request kind a proxy sees is sent through the four wirings
// the README shows (http-proxy + attach, http-proxy-middleware + plugin, Express middleware +
// relay, node:http filterRequest + forwardHeaders + relay) and the framework ones (Vite's dev
// proxy + attach, @fastify/http-proxy + fastifyProxyOptions), and what the upstream receives and
// what the client gets back are compared field by field, header names in their case included.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const Fastify = require('fastify')
const { WIRINGS: SHARED_WIRINGS, SERVER_OPTIONS } = require('./helpers/paths.js')
const { startRecordingUpstream, connect, rawRequest } = require('./helpers/wire.js')
const { fastifyProxyOptions } = require('..')

const FASTIFY = '@fastify/http-proxy + fastifyProxyOptions'

/**
 * @fastify/http-proxy as examples/fastify-http-proxy.js registers it, with `options` for
 * fastifyProxyOptions(); Node's keepAliveTimeout (5 s) as the other wirings have it, not
 * Fastify's 72 s.
 */
async function fastifyProxyWiring(t, target, options, host = '127.0.0.1') {
  const app = Fastify({ http: SERVER_OPTIONS, keepAliveTimeout: 5000 })
  app.register(require('@fastify/http-proxy'), { upstream: target, websocket: true, ...fastifyProxyOptions(options) })
  t.after(() => app.close())
  await app.listen({ host, port: 0 })
  return app.server.address().port
}

// The shared table's wirings, its hand-built @fastify/http-proxy one replaced by the helper's.
const WIRINGS = Object.fromEntries(
  Object.entries(SHARED_WIRINGS).map(([name, wiring]) => (name.startsWith('@fastify/http-proxy') ? [FASTIFY, fastifyProxyWiring] : [name, wiring])),
)

// Fields every path writes with its own clock or framework.
const VOLATILE = new Set(['date', 'x-powered-by'])
// Lines one wiring's framework writes on every response, exactly: Vite's CORS middleware.
const FRAMEWORK_LINES = { 'Vite server.proxy + attach': new Set(['Vary: Origin']) }

const ROWS = [
  { name: 'plain GET', head: ['GET /plain HTTP/1.1', [['Host', 'front.test'], ['Accept', 'text/plain'], ['X-Mixed-Case', 'kept']]] },
  { name: 'HTTP/1.0', head: ['GET /old HTTP/1.0', [['Host', 'front.test']]] },
  // RFC 9112 §3.3: without Host the target URI's authority is the server's own address.
  { name: 'HTTP/1.0 without Host', head: ['GET /nohost HTTP/1.0', [['User-Agent', 'old']]] },
  { name: 'Expect: 100-continue', head: ['POST /expect HTTP/1.1', [['Host', 'front.test'], ['Content-Type', 'text/plain'], ['Expect', '100-continue'], ['Content-Length', '5']]], body: 'hello', expect: true },
  { name: 'chunked POST', head: ['POST /chunked HTTP/1.1', [['Host', 'front.test'], ['Content-Type', 'text/plain'], ['Transfer-Encoding', 'chunked']]], body: '5\r\nhello\r\n0\r\n\r\n' },
  { name: 'nominated headers', head: ['GET /nominated HTTP/1.1', [['Host', 'front.test'], ['Connection', 'keep-alive, X-Secret'], ['X-Secret', 'token'], ['Keep-Alive', 'timeout=30'], ['Proxy-Authorization', 'Basic dTpw']]] },
  { name: 'spoofed forwarding', head: ['GET /spoof HTTP/1.1', [['Host', 'front.test'], ['X-Forwarded-For', '6.6.6.6'], ['X-Forwarded-Host', 'evil.test'], ['Forwarded', 'for=6.6.6.6'], ['X-Real-IP', '6.6.6.6'], ['X-Client-IP', '6.6.6.6'], ['True-Client-IP', '6.6.6.6'], ['CF-Connecting-IP', '6.6.6.6'], ['Via', '1.1 forged']]] },
  { name: 'bad Upgrade with Connection: upgrade', head: ['GET /socket HTTP/1.1', [['Host', 'front.test'], ['Connection', 'Upgrade'], ['Upgrade', 'w\u00e9bsocket'], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==']]] },
  // Not an upgrade request: Upgrade is a field of this hop, removed like the others, whatever
  // its value (a latin1 byte is obs-text, allowed in a field value by RFC 9110 §5.5).
  { name: 'bad Upgrade without Connection: upgrade', head: ['GET /socket HTTP/1.1', [['Host', 'front.test'], ['Upgrade', 'w\u00e9bsocket']]] },
  { name: 'TE: trailers', head: ['GET /te HTTP/1.1', [['Host', 'front.test'], ['TE', 'trailers, gzip']]] },
  { name: 'Connection: close', head: ['GET /close HTTP/1.1', [['Host', 'front.test'], ['Connection', 'close']]] },
  { name: 'HTTP/1.0 keep-alive', head: ['GET /old-keep HTTP/1.0', [['Host', 'front.test'], ['Connection', 'keep-alive']]] },
]

/** Header lines as "Name: value", names as sent, sorted by lowercased name (order is not compared). */
function lines(headers, ports, ignored = new Set()) {
  return headers
    .filter(([name, value]) => !VOLATILE.has(name.toLowerCase()) && !ignored.has(`${name}: ${value}`))
    .map(([name, value]) => `${name}: ${value.replaceAll(`:${ports.proxy}`, ':PROXY').replaceAll(`:${ports.upstream}`, ':UPSTREAM')}`)
    .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))
}

/** What one path did with one request: the upstream's view and the client's. */
async function drive(t, wiring, row) {
  const upstream = await startRecordingUpstream()
  t.after(() => upstream.close())
  const port = await WIRINGS[wiring](t, upstream.url)
  const ports = { proxy: port, upstream: upstream.port }
  const client = await connect(port)
  t.after(() => client.destroy())
  client.socket.write(Buffer.from(rawRequest(...row.head), 'latin1'))
  let response
  try {
    if (row.expect) {
      const interim = await client.response()
      assert.equal(interim.status, 100, `${wiring}: 100 Continue`)
    }
    if (row.body !== undefined) client.send(row.body)
    response = await client.response()
  } catch {
    response = undefined
  }
  const closed = await client.closesWithin(300)
  await new Promise((resolve) => setTimeout(resolve, 20))
  const [request] = upstream.requests
  return {
    upstream: request === undefined ? null : { start: `${request.method} ${request.target} ${request.version}`, headers: lines(request.headers, ports), body: request.body.toString('latin1') },
    client: response === undefined ? null : { status: response.status, headers: lines(response.headers, ports, FRAMEWORK_LINES[wiring]), body: response.body.toString('latin1') },
    closed,
  }
}

// Differences the Fastify wiring cannot remove, per row. What @fastify/reply-from's hooks cannot
// change: they get and return parsed objects and Fastify lowercases response names (names
// lowercased both ways), and reply-from sends the upstream's Host (the client's goes in
// X-Forwarded-Host). A refused request is answered by the helper's preHandler as every wiring
// answers it, so that row is compared as it is.
const REPLY_FROM = 'reply-from: names lowercased both ways, the upstream\'s Host'
const FASTIFY_TODO = {
  'Expect: 100-continue': `${REPLY_FROM}; Expect is not passed on (Node has answered the 100, undici refuses the field)`,
  'chunked POST': `${REPLY_FROM}; undici sends the body with Content-Length, not chunked`,
  'TE: trailers': `${REPLY_FROM}; TE: trailers goes without Connection: te (undici owns Connection, RFC 9110 §10.1.4 wants both)`,
  'bad Upgrade with Connection: upgrade': null,
}
const TODO = Object.fromEntries(ROWS.map((row) => [row.name, { [FASTIFY]: FASTIFY_TODO[row.name] === null ? undefined : (FASTIFY_TODO[row.name] ?? REPLY_FROM) }]))

describe('every request kind through every wiring', () => {
  for (const row of ROWS) {
    it(row.name, async (t) => {
      const seen = {}
      for (const wiring of Object.keys(WIRINGS)) seen[wiring] = await drive(t, wiring, row)
      const [reference, ...others] = Object.keys(WIRINGS)
      for (const wiring of others) {
        const todo = TODO[row.name]?.[wiring]
        const compare = () => assert.deepEqual(seen[wiring], seen[reference], `${wiring} differs from ${reference}`)
        // A todo wiring is still compared, in a subtest of its own, so the row stays a real test.
        if (todo !== undefined) await t.test(wiring, { todo }, compare)
        else compare()
      }
      expectations(row, seen[reference])
    })
  }
})

/** What the reference path must do for each row, so that agreeing on a wrong answer fails too. */
function expectations(row, { upstream, client, closed }) {
  const names = (headers) => headers.map((line) => line.slice(0, line.indexOf(':')).toLowerCase())
  if (row.name === 'bad Upgrade with Connection: upgrade') {
    assert.equal(upstream, null)
    assert.equal(client?.status, 400)
    assert.equal(closed, true)
    return
  }
  assert.equal(client.status, 200)
  assert.ok(client.headers.includes('Via: 1.1 hop-by-hop'), 'Via, spelt Via, to the client')
  assert.ok(upstream.headers.some((line) => /^Via: 1\.[01] hop-by-hop$/.test(line)))
  for (const name of ['keep-alive', 'x-secret', 'proxy-authorization', 'x-real-ip', 'x-client-ip', 'true-client-ip', 'cf-connecting-ip', 'upgrade']) assert.ok(!names(upstream.headers).includes(name), name)
  if (row.name === 'plain GET') assert.ok(upstream.headers.includes('X-Mixed-Case: kept'), 'the client\'s case')
  if (row.name === 'HTTP/1.0 without Host') assert.ok(upstream.headers.includes('Host: 127.0.0.1:PROXY'))
  if (row.name === 'spoofed forwarding') assert.ok(upstream.headers.includes('X-Forwarded-For: 127.0.0.1'))
  if (row.name === 'TE: trailers') assert.ok(upstream.headers.includes('TE: trailers') && upstream.headers.includes('Connection: te'))
  if (row.body !== undefined) assert.equal(upstream.body, 'hello')
  assert.equal(closed, row.name === 'Connection: close' || row.name.startsWith('HTTP/1.0'))
}

describe('the Host of a Host-less HTTP/1.0 request on a dual-stack listener', () => {
  // On a server listening on `::` a client on 127.0.0.1 arrives as ::ffff:127.0.0.1: the Host
  // built from the local address must be a valid authority (RFC 3986 §3.2.2), here unmapped.
  for (const wiring of Object.keys(WIRINGS)) {
    const todo = wiring === FASTIFY ? { todo: 'reply-from sends the upstream\'s Host (the client\'s goes in X-Forwarded-Host)' } : {}
    it(wiring, todo, async (t) => {
      const upstream = await startRecordingUpstream()
      t.after(() => upstream.close())
      const port = await WIRINGS[wiring](t, upstream.url, undefined, '::')
      const client = await connect(port)
      t.after(() => client.destroy())
      client.send(rawRequest('GET /nohost HTTP/1.0', []))
      assert.equal((await client.response()).status, 200)
      const host = upstream.requests[0].headers.find(([name]) => name.toLowerCase() === 'host')[1]
      assert.equal(host, `127.0.0.1:${port}`)
    })
  }
})
