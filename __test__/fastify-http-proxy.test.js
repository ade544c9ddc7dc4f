'use strict'
// @fastify/http-proxy 11 with fastifyProxyOptions() on the wire, run as a user runs
// examples/fastify-http-proxy.js: plain, nominated fields both ways, Via both ways, Expect:
// 100-continue (raw socket and curl), chunked, HTTP/1.0 keep-alive, a WebSocket (websocket: true,
// which ends the client's socket and opens its own to the upstream with ws), refused handshakes,
// a short upstream body; then the helper's options, and what Fastify's hooks cannot see.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const { WebSocket } = require('ws')
const { startExample } = require('./helpers/examples.js')
const Fastify = require('fastify')
const { values, rawRequest, rawResponse, connect, webSocketHandshake, assertHttp10KeepAliveCloses } = require('./helpers/wire.js')
const { SPOOFED, leaky, recordingUpstream, assertClean, assertCleanAnswer, curl, webSocketUpstream, shortBodyUpstream, opened, nextMessage } = require('./helpers/fixtures.js')
const { fastifyProxyOptions } = require('..')

const EXAMPLE = 'fastify-http-proxy.js'

// Node has already answered the client's Expect: 100-continue; undici (reply-from's client) throws
// "expect header not supported" when the hook hands it on, so reply-from answers 500.

async function start(t, upstream) {
  return (await startExample(t, EXAMPLE, { UPSTREAM: upstream })).port
}

/** The upgrade head of a WebSocket handshake, with `extra` lines. */
function handshake(extra = [], upgrade = 'websocket') {
  return webSocketHandshake('/socket', { upgrade, extra })
}

/** A refusal as every wiring writes it: status, text/plain naming the code, Connection: close, then a closed socket. */
async function assertRefused(client, status, code) {
  const response = await client.response()
  assert.equal(response.status, status)
  assert.deepEqual(values(response.headers, 'connection'), ['close'])
  assert.deepEqual(values(response.headers, 'content-type'), ['text/plain; charset=utf-8'])
  assert.match(response.body.toString(), new RegExp(`\\(${code}\\)`))
  assert.equal(await client.closesWithin(2000), true)
}

describe('examples/fastify-http-proxy.js (@fastify/http-proxy 11, ...fastifyProxyOptions())', () => {
  it('a GET: nominated fields dropped both ways, X-Forwarded-For and Via replaced upstream', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
    const port = await start(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    // X_Forwarded_For: what a CGI gateway reads as X-Forwarded-For (RFC 3875 §4.1.18).
    client.send(rawRequest('GET /plain?q=1 HTTP/1.1', [['Host', 'front.test'], ...SPOOFED, ['X_Forwarded_For', '6.6.6.6']]))
    const response = await client.response()
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'ok')
    assertCleanAnswer(response)
    assert.equal(upstream.requests[0].target, '/plain?q=1')
    assertClean(upstream.requests[0])
    assert.deepEqual(values(upstream.requests[0].headers, 'x_forwarded_for'), [])
    assert.deepEqual(values(upstream.requests[0].headers, 'x-forwarded-host'), ['front.test'])
  })

  it('Expect: 100-continue from a raw socket that waits for the 100', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
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
    const upstream = await recordingUpstream(t, leaky)
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
    const upstream = await recordingUpstream(t, leaky)
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
    const port = await start(t, await shortBodyUpstream(t))
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
    client.send(handshake(filler))
    const response = await client.response()
    assert.equal(response.status, 431)
    assert.equal(await client.closesWithin(2000), true)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(upstream.handshakes.length, 0)
  })

  it('a WebSocket handshake with a bad Upgrade value (w\\xe9bsocket) is answered 400 and closed before any 101; no upstream socket is opened', async (t) => {
    const upstream = await webSocketUpstream(t)
    const port = await start(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.socket.write(Buffer.from(handshake([], 'w\u00e9bsocket'), 'latin1'))
    await assertRefused(client, 400, 'ERR_HOP_BY_HOP_INVALID_UPGRADE')
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(upstream.handshakes.length, 0)
  })

  it('an HTTP/1.0 WebSocket handshake (Node emits it as an upgrade too) is answered 400 and closed before any 101; no upstream socket is opened (RFC 9110 §7.8)', async (t) => {
    const upstream = await webSocketUpstream(t)
    const port = await start(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(handshake().replace('GET /socket HTTP/1.1', 'GET /socket HTTP/1.0'))
    await assertRefused(client, 400, 'ERR_HOP_BY_HOP_NOT_AN_UPGRADE')
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(upstream.handshakes.length, 0)
  })

  it('an HTTP/1.0 client asking for keep-alive is answered with Connection: close and closed (RFC 9112 §9.3); HTTP/1.1 stays open', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
    const port = await start(t, upstream.url)
    const { current, response } = await assertHttp10KeepAliveCloses(t, port, 'front.test')
    assert.equal(response.status, 200)
    assert.equal(await current.closesWithin(300), false)
  })

  it('a request pipelined behind an HTTP/1.0 keep-alive one is not forwarded (RFC 9112 §9.6)', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
    const port = await start(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /first HTTP/1.0', [['Host', 'front.test'], ['Connection', 'keep-alive']]) + rawRequest('GET /second HTTP/1.1', [['Host', 'front.test']]))
    assert.equal((await client.response()).status, 200)
    assert.equal(await client.closesWithin(2000), true)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(upstream.requests.map((request) => request.target), ['/first'])
  })
})

/** @fastify/http-proxy registered in the test with fastifyProxyOptions(options). */
async function startWithOptions(t, upstream, options) {
  const app = Fastify()
  app.register(require('@fastify/http-proxy'), { upstream, websocket: true, ...fastifyProxyOptions(options) })
  t.after(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  return app.server.address().port
}

describe('fastifyProxyOptions(options)', () => {
  it('returns the three @fastify/http-proxy options it fills, and checks its options when called, naming the option', () => {
    assert.deepEqual(Object.keys(fastifyProxyOptions()).sort(), ['preHandler', 'replyOptions', 'wsClientOptions'])
    assert.throws(() => fastifyProxyOptions({ stirct: true }), (error) => {
      assert.equal(error.name, 'TypeError')
      assert.equal(error.code, 'ERR_INVALID_ARG_VALUE')
      assert.equal(error.option, 'stirct')
      assert.equal(error.suggestion, 'strict')
      assert.match(error.message, /'options\.stirct' is not an option of fastifyProxyOptions\(\)/)
      return true
    })
    // undici and ws frame the body and own Connection themselves.
    assert.throws(() => fastifyProxyOptions({ framing: true }), { code: 'ERR_INVALID_ARG_VALUE', option: 'framing' })
    assert.throws(() => fastifyProxyOptions({ upstream: 'http://127.0.0.1:1' }), { code: 'ERR_INVALID_ARG_VALUE', option: 'upstream' })
    assert.throws(() => fastifyProxyOptions({ via: 'two words' }), TypeError)
    assert.throws(() => fastifyProxyOptions('strict'), TypeError)
  })

  it('strict: a client nominating X-Forwarded-For is answered 400 as every wiring answers it, and nothing is sent upstream', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
    const port = await startWithOptions(t, upstream.url, { strict: true })
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /nominated HTTP/1.1', [['Host', 'front.test'], ['Connection', 'X-Forwarded-For'], ['X-Forwarded-For', '6.6.6.6']]))
    await assertRefused(client, 400, 'ERR_HOP_BY_HOP_PROTECTED')
    assert.equal(upstream.requests.length, 0)
  })

  it('via and trust: Via names this proxy both ways, and a trusted peer\'s X-Forwarded-For and Via chains are extended', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
    const port = await startWithOptions(t, upstream.url, { trust: 'loopback', via: 'edge-1' })
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /trusted HTTP/1.1', [['Host', 'front.test'], ['X-Forwarded-For', '203.0.113.9'], ['Via', '1.1 front'], ['X_Real_IP', '203.0.113.9']]))
    const response = await client.response()
    assert.equal(response.status, 200)
    assert.deepEqual(values(response.headers, 'via'), ['1.1 edge-1'])
    assert.deepEqual(values(upstream.requests[0].headers, 'x-forwarded-for'), ['203.0.113.9, 127.0.0.1'])
    // A trusted peer's X-Real-IP passes on as sent, in the spelling a CGI gateway reads alike too.
    assert.deepEqual(values(upstream.requests[0].headers, 'x_real_ip'), ['203.0.113.9'])
    // The trusted front proxy's Via stays, ours after it (RFC 9110 §7.6.3).
    assert.deepEqual(values(upstream.requests[0].headers, 'via'), ['1.1 front', '1.1 edge-1'])
  })

  it('via: false adds no Via either way; the upstream\'s own Via still reaches the client', async (t) => {
    const upstream = await recordingUpstream(t, () => rawResponse({ headers: [['Via', '1.1 backend']], body: 'ok' }))
    const port = await startWithOptions(t, upstream.url, { via: false })
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.1', [['Host', 'front.test']]))
    const response = await client.response()
    assert.deepEqual(values(response.headers, 'via'), ['1.1 backend'])
    assert.deepEqual(values(upstream.requests[0].headers, 'via'), [])
  })

  it('a preHandler of the app\'s own that calls the returned one first: a refused request stops there, others go on', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
    const { preHandler, ...proxyOptions } = fastifyProxyOptions()
    const seen = []
    const app = Fastify()
    app.register(require('@fastify/http-proxy'), {
      upstream: upstream.url,
      ...proxyOptions,
      preHandler: async (request, reply) => {
        await preHandler(request, reply)
        if (reply.sent) return
        seen.push(request.url)
      },
    })
    t.after(() => app.close())
    await app.listen({ host: '127.0.0.1', port: 0 })
    const port = app.server.address().port
    const refused = await connect(port)
    t.after(() => refused.destroy())
    refused.socket.write(Buffer.from(rawRequest('GET /refused HTTP/1.1', [['Host', 'front.test'], ['Connection', 'Upgrade'], ['Upgrade', 'w\u00e9bsocket']]), 'latin1'))
    await assertRefused(refused, 400, 'ERR_HOP_BY_HOP_INVALID_UPGRADE')
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /kept HTTP/1.1', [['Host', 'front.test']]))
    assert.equal((await client.response()).status, 200)
    assert.deepEqual(seen, ['/kept'])
    assert.deepEqual(upstream.requests.map((request) => request.target), ['/kept'])
  })

  it('the WebSocket handshake upstream carries the options\' Via', async (t) => {
    const upstream = await webSocketUpstream(t)
    const port = await startWithOptions(t, upstream.url, { via: 'edge-1' })
    const client = new WebSocket(`ws://127.0.0.1:${port}/socket`)
    t.after(() => client.terminate())
    await opened(client)
    client.send('ping')
    assert.equal(await nextMessage(client), 'echo ping')
    assert.deepEqual(values(upstream.handshakes[0], 'via'), ['1.1 edge-1'])
  })
})

describe('what Fastify\'s hooks cannot see (limits of this wiring)', () => {
  it('the client\'s 101 is the proxy\'s own ws server\'s: no Via, none of the upstream\'s 101 fields', async (t) => {
    const upstream = await webSocketUpstream(t)
    const port = await start(t, upstream.url)
    const client = new WebSocket(`ws://127.0.0.1:${port}/socket`)
    t.after(() => client.terminate())
    const response = await opened(client)
    assert.equal(response.headers.via, undefined)
    assert.equal(response.headers['x-upstream-hop'], undefined)
  })

  it('header names are lowercased both ways (reply-from hands the hooks parsed objects; Fastify lowercases response names)', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
    const port = await start(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.1', [['Host', 'front.test'], ['X-Mixed-Case', 'kept']]))
    const response = await client.response()
    assert.ok(response.headers.some(([name]) => name === 'x-end'), 'X-End arrives as x-end')
    assert.ok(response.headers.some(([name]) => name === 'via'), 'Via arrives as via')
    assert.deepEqual(upstream.requests[0].headers.filter(([name]) => /^x-mixed-case$/i.test(name)), [['x-mixed-case', 'kept']])
  })

  it('an upstream 101 to a plain request is answered 500 by reply-from (undici\'s error), not 502, and not left hanging', async (t) => {
    const upstream = await recordingUpstream(t, () => 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')
    const port = await start(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /plain HTTP/1.1', [['Host', 'front.test']]))
    assert.equal((await client.response()).status, 500)
  })

  it('a non-WebSocket upgrade (h2c) is refused by ws with 400; nothing reaches the upstream', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
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
