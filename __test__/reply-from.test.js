'use strict'
// Wire-level tests of @fastify/reply-from 12.6.5 (fastify 5, default options: undici upstream
// client). A raw TCP upstream writes exact HTTP/1.1 responses and records the exact request
// bytes; raw-socket clients read the exact bytes the fastify proxy writes. Everything listens on
// 127.0.0.1, every wait is bounded, and every server and socket is closed after each test.
//
// reply-from strips hop-by-hop fields only when the client is HTTP/2 (lib/utils.js
// stripHttp1ConnectionHeaders). An HTTP/1 client gets the upstream's response headers as undici
// parsed them (index.js: copyHeaders(rewriteHeaders(res.headers, request), reply)); only
// Transfer-Encoding is deleted (lib/request.js handleUndici). Towards the upstream it removes the
// client's Connection and the names it nominates, and nothing else of the fixed list.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const http2 = require('node:http2')
const { execFileSync } = require('node:child_process')
const Fastify = require('fastify')
const replyFrom = require('@fastify/reply-from')
const {
  WAIT_MS,
  withTimeout,
  runChild,
  CHILD_MS,
  listen,
  closeServer,
  values,
  names,
  rawRequest,
  rawResponse,
  startRecordingUpstream,
  connect,
  exchange,
  assertHttp10KeepAliveCloses,
} = require('./helpers/wire.js')

// The hooks as examples/reply-from.js uses them.
const { replyFromHooks } = require('..')
const hopByHop = replyFromHooks()

const TEST_TIMEOUT = { timeout: 4 * WAIT_MS }

// An upstream answer with its own hop-by-hop fields; chunked, so that Node accepts the Trailer
// field when reply-from copies it (see the Content-Length case below).
const LEAKY_HEADERS = [
  ['Connection', 'keep-alive, X-Internal-Route'],
  ['X-Internal-Route', 'backend-7'],
  ['Keep-Alive', 'timeout=600, max=5'],
  ['Proxy-Connection', 'keep-alive'],
  ['Trailer', 'X-Checksum'],
  ['Upgrade', 'h2c'],
  ['Proxy-Authenticate', 'Basic realm="internal"'],
  ['Set-Cookie', 'a=1; Path=/'],
  ['Set-Cookie', 'b=2; Path=/'],
  ['X-End-To-End', 'kept'],
  ['Transfer-Encoding', 'chunked'],
]
const LEAKY_RESPONSE = rawResponse({ headers: LEAKY_HEADERS, body: '5\r\nhello\r\n0\r\nX-Checksum: 5d41\r\n\r\n' })

// Content-Length and a Trailer field: Node refuses to write that header block.
const TRAILER_WITH_LENGTH = 'HTTP/1.1 200 OK\r\nTrailer: X-Checksum\r\nContent-Length: 5\r\n\r\nhello'

// A client request with hop-by-hop fields. Connection does not nominate keep-alive, so
// reply-from's own Connection pass leaves Keep-Alive in place.
const CRAFTED = rawRequest('GET /crafted?q=1 HTTP/1.1', [
  ['Host', 'front.test'],
  ['Connection', 'X-Client-Secret'],
  ['connection', 'x-other'],
  ['X-Client-Secret', 'client-token'],
  ['X-Other', 'o'],
  ['Keep-Alive', 'timeout=30, max=100'],
  ['Proxy-Connection', 'keep-alive'],
  ['TE', 'gzip'],
  ['Trailer', 'X-Checksum'],
  ['Proxy-Authorization', 'Basic dTpw'],
  ['X-End-To-End', 'kept'],
])

/** A raw upstream and a fastify server with reply-from in front of it (`options` for reply.from). */
async function fixture(t, { respond, options, upstream: given, register = {} } = {}) {
  const upstream = given ?? await startRecordingUpstream(respond)
  const app = Fastify({ logger: false })
  await app.register(replyFrom, { base: upstream.url, ...register })
  app.all('/*', (request, reply) => reply.from(request.url, options))
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.after(async () => {
    await withTimeout(app.close(), WAIT_MS, 'fastify close')
    if (given === undefined) await upstream.close()
  })
  return { port: app.server.address().port, upstream, app }
}

/** The response header lines as written, without Date (which changes every second). */
function linesWithoutDate(response) {
  return response.headers.filter(([name]) => name.toLowerCase() !== 'date')
}


// fastify + reply-from with default options in a child process, so that a crash cannot take the
// test runner down. Prints the status line the client got, if any.
const TRAILER_CRASH_SCRIPT = `
  const net = require('node:net')
  const app = require('fastify')({ logger: false })
  setTimeout(() => process.exit(3), ${CHILD_MS - 1000}).unref()
  const upstream = net.createServer((s) => s.once('data', () => s.end(${JSON.stringify(TRAILER_WITH_LENGTH)})))
  upstream.listen(0, '127.0.0.1', async () => {
    await app.register(require('@fastify/reply-from'), { base: 'http://127.0.0.1:' + upstream.address().port })
    app.get('/', (request, reply) => reply.from('/'))
    await app.listen({ host: '127.0.0.1', port: 0 })
    const client = net.connect(app.server.address().port, '127.0.0.1', () => {
      client.write('GET / HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\n')
    })
    client.once('data', (chunk) => {
      console.log('status ' + chunk.toString('latin1').split(' ')[1])
      client.destroy()
      app.close()
      upstream.close()
    })
  })`

describe('@fastify/reply-from 12.6.5 alone (default options)', () => {
  it('leaks the upstream Connection, its nominated X-Internal-Route and Keep-Alive timeout=600, max=5 to an HTTP/1 client', TEST_TIMEOUT, async (t) => {
    const { port } = await fixture(t, { respond: () => LEAKY_RESPONSE })
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'front.test']]))
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'hello')
    // The upstream's connection options, verbatim: they were meant for the proxy's hop only.
    assert.deepEqual(values(response.headers, 'connection'), ['keep-alive, X-Internal-Route'])
    assert.deepEqual(values(response.headers, 'x-internal-route'), ['backend-7'])
    // Node writes no Keep-Alive of its own then: the client is told 600 s, fastify closes after 72 s.
    assert.deepEqual(values(response.headers, 'keep-alive'), ['timeout=600, max=5'])
    assert.deepEqual(values(response.headers, 'proxy-connection'), ['keep-alive'])
    assert.deepEqual(values(response.headers, 'trailer'), ['X-Checksum'])
    assert.deepEqual(values(response.headers, 'upgrade'), ['h2c'])
    assert.deepEqual(values(response.headers, 'proxy-authenticate'), ['Basic realm="internal"'])
  })

  it('closes the client connection when the upstream sends Connection: close', TEST_TIMEOUT, async (t) => {
    const { port } = await fixture(t, {
      respond: () => ({ raw: rawResponse({ headers: [['Connection', 'close']], body: 'bye' }), close: true }),
    })
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.1', [['Host', 'front.test']]))
    const response = await client.response()
    assert.deepEqual(values(response.headers, 'connection'), ['close'])
    assert.equal(await client.closesWithin(1000), true)
  })

  it('crashes the process on an upstream Trailer header with Content-Length (ERR_HTTP_TRAILER_INVALID)', TEST_TIMEOUT, async () => {
    const outcome = await runChild(TRAILER_CRASH_SCRIPT)
    assert.notEqual(outcome.code, 0)
    assert.doesNotMatch(outcome.stdout, /status/)
    assert.match(outcome.stderr, /ERR_HTTP_TRAILER_INVALID/)
  })

  it('forwards the client TE: gzip, Proxy-Connection, Trailer and Proxy-Authorization upstream', TEST_TIMEOUT, async (t) => {
    const { port, upstream } = await fixture(t)
    // Without Keep-Alive: undici would refuse the request (next test).
    const response = await exchange(port, CRAFTED.replace('Keep-Alive: timeout=30, max=100\r\n', ''))
    assert.equal(response.status, 200)
    const [request] = upstream.requests
    assert.deepEqual(values(request.headers, 'te'), ['gzip'])
    assert.deepEqual(values(request.headers, 'proxy-connection'), ['keep-alive'])
    assert.deepEqual(values(request.headers, 'trailer'), ['X-Checksum'])
    assert.deepEqual(values(request.headers, 'proxy-authorization'), ['Basic dTpw'])
    // What reply-from does strip: Connection and the names it nominates.
    assert.deepEqual(values(request.headers, 'x-client-secret'), [])
    assert.deepEqual(values(request.headers, 'x-other'), [])
  })

  it('answers 500 to a client Keep-Alive that Connection does not nominate (undici refuses it)', TEST_TIMEOUT, async (t) => {
    const { port, upstream } = await fixture(t)
    const response = await exchange(port, CRAFTED)
    assert.equal(response.status, 500)
    assert.match(response.body.toString(), /invalid keep-alive header/)
    assert.equal(upstream.requests.length, 0)
  })
})

describe('@fastify/reply-from 12.6.5 with hop-by-hop (rewriteHeaders, rewriteRequestHeaders)', () => {
  it('gives the client none of the upstream hop-by-hop or nominated fields, and both Set-Cookie lines', TEST_TIMEOUT, async (t) => {
    const { port, app } = await fixture(t, { respond: () => LEAKY_RESPONSE, options: hopByHop })
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'front.test']]))
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'hello')
    // The exact header block: only end-to-end fields, then Node's own for the client hop.
    assert.deepEqual(linesWithoutDate(response), [
      ['set-cookie', 'a=1; Path=/'],
      ['set-cookie', 'b=2; Path=/'],
      ['x-end-to-end', 'kept'],
      ['via', '1.1 hop-by-hop'],
      ['Connection', 'keep-alive'],
      ['Keep-Alive', `timeout=${app.server.keepAliveTimeout / 1000}`],
      ['Transfer-Encoding', 'chunked'],
    ])
    for (const name of ['x-internal-route', 'proxy-connection', 'trailer', 'upgrade', 'proxy-authenticate']) {
      assert.ok(!names(response.headers).includes(name), `${name} reached the client`)
    }
  })

  it('keeps the client connection open when the upstream sends Connection: close', TEST_TIMEOUT, async (t) => {
    const { port } = await fixture(t, {
      respond: () => ({ raw: rawResponse({ headers: [['Connection', 'close']], body: 'bye' }), close: true }),
      options: hopByHop,
    })
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /one HTTP/1.1', [['Host', 'front.test']]))
    assert.deepEqual(values((await client.response()).headers, 'connection'), ['keep-alive'])
    assert.equal(await client.closesWithin(300), false)
    // The same client connection serves a second request.
    client.send(rawRequest('GET /two HTTP/1.1', [['Host', 'front.test']]))
    const second = await client.response()
    assert.equal(second.status, 200)
    assert.equal(second.body.toString(), 'bye')
  })

  it('answers an upstream Trailer header with Content-Length instead of crashing', TEST_TIMEOUT, async (t) => {
    const { port } = await fixture(t, { respond: () => TRAILER_WITH_LENGTH, options: hopByHop })
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'front.test']]))
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'hello')
    assert.deepEqual(values(response.headers, 'trailer'), [])
    assert.deepEqual(values(response.headers, 'content-length'), ['5'])
  })

  it('sends upstream no client hop-by-hop field or nominated header, and a client Keep-Alive no longer fails', TEST_TIMEOUT, async (t) => {
    const { port, upstream } = await fixture(t, { options: hopByHop })
    const response = await exchange(port, CRAFTED)
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'ok')
    // The exact request bytes: reply-from's Host, undici's own Connection, the end-to-end field,
    // then the proxy's own forwarding fields and Via.
    assert.equal(
      upstream.requests[0].raw.toString('latin1'),
      `GET /crafted?q=1 HTTP/1.1\r\nhost: 127.0.0.1:${upstream.port}\r\nconnection: keep-alive\r\nx-end-to-end: kept\r\n` +
        'x-forwarded-for: 127.0.0.1\r\nx-forwarded-host: front.test\r\nx-forwarded-proto: http\r\nvia: 1.1 hop-by-hop\r\n\r\n',
    )
  })

  it('passes TE: trailers on as exactly one te line', TEST_TIMEOUT, async (t) => {
    const { port, upstream } = await fixture(t, { options: hopByHop })
    await exchange(port, rawRequest('GET /a HTTP/1.1', [['Host', 'front.test'], ['TE', 'deflate;q=0.5, trailers'], ['te', 'gzip']]))
    await exchange(port, rawRequest('GET /b HTTP/1.1', [['Host', 'front.test'], ['TE', 'gzip']]))
    assert.deepEqual(values(upstream.requests[0].headers, 'te'), ['trailers'])
    assert.deepEqual(values(upstream.requests[1].headers, 'te'), [])
  })
})

/** An HTTP/2 upstream (h2c, or TLS when `tls` is given) that records each request's raw headers. */
async function startHttp2Upstream(t, tls) {
  const received = []
  const server = tls === undefined ? http2.createServer() : http2.createSecureServer({ ...tls, allowHTTP1: false })
  server.on('stream', (stream, headers, flags, rawHeaders) => {
    received.push(rawHeaders)
    stream.respond({ ':status': 200, 'set-cookie': ['a=1', 'b=2'], 'x-h2': 'yes', 'content-type': 'text/plain' })
    stream.end('from h2')
  })
  const port = await listen(server)
  t.after(() => closeServer(server))
  return { url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`, received }
}

/** A throwaway self-signed certificate for 127.0.0.1 (undici negotiates HTTP/2 only over TLS). */
function selfSigned(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hop-by-hop-tls-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const key = path.join(dir, 'key.pem')
  const cert = path.join(dir, 'cert.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { timeout: WAIT_MS, stdio: 'ignore' })
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) }
}

/** [name, value] lines of a flat list. */
function pairs(flat) {
  const lines = []
  for (let i = 0; i < flat.length; i += 2) lines.push([flat[i], flat[i + 1]])
  return lines
}

const HOP_BY_HOP_REQUEST = rawRequest('GET /h2?q=1 HTTP/1.1', [
  ['Host', 'front.test'],
  ['Connection', 'X-Secret'],
  ['X-Secret', 's'],
  ['Keep-Alive', 'timeout=5'],
  ['Proxy-Connection', 'keep-alive'],
  ['TE', 'trailers, gzip'],
  ['X-Forwarded-For', '203.0.113.9'],
  ['X-Kept', 'k'],
])

/** What the HTTP/2 upstream saw, and what the HTTP/1.1 client got, for HOP_BY_HOP_REQUEST. */
function assertFilteredThroughHttp2(response, received, via) {
  assert.equal(response.status, 200)
  assert.deepEqual(values(response.headers, 'via'), [via])
  assert.equal(response.body.toString(), 'from h2')
  assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1', 'b=2'])
  assert.deepEqual(values(response.headers, 'x-h2'), ['yes'])
  assert.ok(!response.head.includes(':status'), response.head)
  const lines = pairs(received[0])
  assert.deepEqual(values(lines, 'x-kept'), ['k'])
  assert.deepEqual(values(lines, 'te'), ['trailers'])
  assert.deepEqual(values(lines, 'x-forwarded-for'), ['127.0.0.1'])
  assert.deepEqual(values(lines, 'via'), ['1.1 hop-by-hop'])
  for (const name of ['x-secret', 'keep-alive', 'proxy-connection', 'connection']) assert.ok(!names(lines).includes(name), name)
}

// The recipe the README showed before replyFromHooks, with reply-from's `http2: true`, in a child
// process: the upstream's :status reaches filterHeaders inside an http2 stream event.
const HTTP2_CRASH_SCRIPT = `
  const http2 = require('node:http2')
  const net = require('node:net')
  const { filterHeaders } = require('.')
  setTimeout(() => process.exit(3), ${CHILD_MS - 1000}).unref()
  const toRaw = (headers) => Object.entries(headers).flatMap(([n, v]) => [v].flat().flatMap((line) => [n, String(line)]))
  const fromRaw = (raw) => Object.fromEntries(raw.flatMap((item, i) => (i % 2 === 0 ? [[item.toLowerCase(), raw[i + 1]]] : [])))
  const upstream = http2.createServer().on('stream', (stream) => stream.respond({ ':status': 200 }, { endStream: true }))
  upstream.listen(0, '127.0.0.1', async () => {
    const app = require('fastify')({ logger: false })
    await app.register(require('@fastify/reply-from'), { base: 'http://127.0.0.1:' + upstream.address().port, http2: true })
    const rewriteHeaders = (headers) => fromRaw(filterHeaders(toRaw(headers), { direction: 'response' }).headers)
    app.get('/', (request, reply) => reply.from('/', { rewriteHeaders }))
    await app.listen({ host: '127.0.0.1', port: 0 })
    const client = net.connect(app.server.address().port, '127.0.0.1', () => client.write('GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n'))
    client.on('error', () => {})
    client.once('data', (chunk) => {
      console.log('status ' + chunk.toString('latin1').split(' ')[1])
      process.exit(0)
    })
  })`

describe('@fastify/reply-from with replyFromHooks(): HTTP/2 upstreams, refusals, failures', () => {
  it('the old recipe crashes the process on an HTTP/2 upstream (http2: true): :status reaches the filter in a stream event', TEST_TIMEOUT, async () => {
    const outcome = await runChild(HTTP2_CRASH_SCRIPT)
    assert.notEqual(outcome.code, 0)
    assert.doesNotMatch(outcome.stdout, /status/)
    assert.match(outcome.stderr, /ERR_INVALID_HTTP_TOKEN/)
  })

  it('http2: true against a node:http2 upstream: filtered both ways, pseudo-headers dropped', TEST_TIMEOUT, async (t) => {
    const upstream = await startHttp2Upstream(t)
    const { port } = await fixture(t, { upstream, options: hopByHop, register: { http2: true } })
    const response = await exchange(port, HOP_BY_HOP_REQUEST)
    assertFilteredThroughHttp2(response, upstream.received, '2 hop-by-hop')
  })

  it('undici with allowH2 against a TLS HTTP/2 upstream', TEST_TIMEOUT, async (t) => {
    const upstream = await startHttp2Upstream(t, selfSigned(t))
    const { port } = await fixture(t, { upstream, options: hopByHop, register: { undici: { allowH2: true, connect: { rejectUnauthorized: false } } } })
    const response = await exchange(port, HOP_BY_HOP_REQUEST)
    // undici hands over no sign of the version it negotiated: the response Via says 1.1.
    assertFilteredThroughHttp2(response, upstream.received, '1.1 hop-by-hop')
  })

  it('a request the filter refuses is answered with its statusCode by fastify, and nothing is sent upstream', TEST_TIMEOUT, async (t) => {
    const { port, upstream } = await fixture(t, { options: replyFromHooks({ strict: true }) })
    // Without an 'upgrade' listener Node hands an upgrade request to the route like any other.
    const upgrade = await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: w\u00e9bsocket\r\n\r\n')
    assert.equal(upgrade.status, 400)
    assert.match(upgrade.body.toString(), /ERR_HOP_BY_HOP_INVALID_UPGRADE/)
    const nominated = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Connection', 'X-Forwarded-For'], ['X-Forwarded-For', '1.2.3.4']]))
    assert.equal(nominated.status, 400)
    assert.match(nominated.body.toString(), /ERR_HOP_BY_HOP_PROTECTED/)
    assert.equal(upstream.requests.length, 0)
    // The process and the server go on.
    assert.equal((await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))).status, 200)
  })

  it('adds its Via to the response after the upstream\'s own; `via` names it, `via: false` adds none', TEST_TIMEOUT, async (t) => {
    const respond = () => rawResponse({ headers: [['Via', '1.1 backend'], ['Connection', 'Via'], ['X-End', 'e']], body: 'ok' })
    const plain = await fixture(t, { respond: () => rawResponse({ body: 'ok' }), options: hopByHop })
    assert.deepEqual(values((await exchange(plain.port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))).headers, 'via'), ['1.1 hop-by-hop'])
    // The upstream nominated its own Via: this hop's field, removed; ours still goes on.
    const nominated = await fixture(t, { respond, options: replyFromHooks({ via: 'edge-1' }) })
    const response = await exchange(nominated.port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.deepEqual(values(response.headers, 'via'), ['1.1 edge-1'])
    assert.deepEqual(values(nominated.upstream.requests[0].headers, 'via'), ['1.1 edge-1'])
    const chained = await fixture(t, { respond: () => rawResponse({ headers: [['Via', '1.1 backend']], body: 'ok' }), options: hopByHop })
    assert.deepEqual(values((await exchange(chained.port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))).headers, 'via'), ['1.1 backend', '1.1 hop-by-hop'])
    const none = await fixture(t, { respond: () => rawResponse({ headers: [['Via', '1.1 backend']], body: 'ok' }), options: replyFromHooks({ via: false }) })
    const bare = await exchange(none.port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.deepEqual(values(bare.headers, 'via'), ['1.1 backend'])
    assert.deepEqual(values(none.upstream.requests[0].headers, 'via'), [])
  })

  it('closes an HTTP/1.0 client\'s keep-alive connection after the response (RFC 9112 §9.3); an HTTP/1.1 one stays open', TEST_TIMEOUT, async (t) => {
    const { port, upstream } = await fixture(t, { options: hopByHop })
    const { current, response } = await assertHttp10KeepAliveCloses(t, port, 'a')
    assert.deepEqual(values(response.headers, 'connection'), ['keep-alive'])
    assert.equal(await current.closesWithin(300), false)
    assert.equal(upstream.requests.length, 2)
  })

  it('does not forward a request pipelined behind an HTTP/1.0 keep-alive one (RFC 9112 §9.6)', TEST_TIMEOUT, async (t) => {
    const { port, upstream } = await fixture(t, { options: hopByHop })
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /first HTTP/1.0', [['Host', 'a'], ['Connection', 'keep-alive']]) + rawRequest('GET /second HTTP/1.1', [['Host', 'a']]))
    assert.equal((await client.response()).status, 200)
    assert.equal(await client.closesWithin(2000), true)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(upstream.requests.map((request) => request.target), ['/first'])
  })

  it('rewriteHeaders never throws: an object the filter cannot read fails closed on its fields', () => {
    const { rewriteHeaders } = replyFromHooks()
    const odd = { ':status': 200, 'bad name': 'x', connection: 'X-A', 'x-a': '1', 'keep-alive': 't', ok: 'y', 'set-cookie': ['a', 'b'] }
    // :status is reply-from's http2 client's: the upstream spoke HTTP/2.
    assert.deepEqual({ ...rewriteHeaders(odd) }, { ok: 'y', 'set-cookie': ['a', 'b'], via: '2 hop-by-hop' })
    assert.deepEqual({ ...rewriteHeaders(null) }, { via: '1.1 hop-by-hop' })
    const strict = replyFromHooks({ strict: true, via: false }).rewriteHeaders
    // strict refuses a protected nomination; the fallback drops the nominated field instead.
    assert.deepEqual({ ...strict({ connection: 'content-length', 'content-length': '5', ok: 'y' }) }, { ok: 'y' })
  })

  it('checks its options when called, naming the option', () => {
    assert.throws(() => replyFromHooks({ trsut: 'loopback' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', suggestion: 'trust' })
    // undici and Node's http2 client frame the body themselves.
    assert.throws(() => replyFromHooks({ framing: true }), { code: 'ERR_INVALID_ARG_VALUE' })
    assert.throws(() => replyFromHooks({ strip: 'x' }), TypeError)
    assert.throws(() => replyFromHooks(1), TypeError)
  })
})
