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
const Fastify = require('fastify')
const replyFrom = require('@fastify/reply-from')
const {
  WAIT_MS,
  withTimeout,
  runChild,
  values,
  names,
  rawRequest,
  rawResponse,
  startRecordingUpstream,
  connect,
  exchange,
} = require('./helpers/wire.js')

// ---- The recipe (README "### @fastify/reply-from"), exactly as documented. ----
const { filterHeaders, filterRequest, forwardHeaders } = require('..')

// reply-from hands rewriteHeaders a parsed object: lowercase names, repeated fields as arrays.
function toRawHeaders(headers) {
  const raw = []
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const line of value) raw.push(name, `${line}`)
    else if (value !== undefined) raw.push(name, `${value}`)
  }
  return raw
}

function fromRawHeaders(raw) {
  const headers = Object.create(null)
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    headers[name] = name in headers ? [headers[name], raw[i + 1]].flat() : raw[i + 1]
  }
  return headers
}

const hopByHop = {
  // Client -> upstream. reply-from has already set the upstream Host (protected, never removed).
  rewriteRequestHeaders(request, headers) {
    const forward = filterRequest(request.raw)
    for (const name of forward.diagnostics.removed) delete headers[name.toLowerCase()]
    const te = forward.headers.findIndex((name, i) => i % 2 === 0 && name.toLowerCase() === 'te')
    if (te !== -1) headers.te = forward.headers[te + 1] // exactly 'trailers'
    // The proxy's own X-Forwarded-* and Via replace a client's (undici frames the body itself).
    const own = fromRawHeaders(forwardHeaders(request.raw, forward.headers, { framing: false }))
    for (const name of ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-prefix', 'x-real-ip', 'via']) {
      if (own[name] === undefined) delete headers[name]
      else headers[name] = own[name]
    }
    return headers
  },
  // Upstream -> client. Node writes the client hop's own Connection/Keep-Alive.
  rewriteHeaders(headers) {
    return fromRawHeaders(filterHeaders(toRawHeaders(headers), { direction: 'response' }).headers)
  },
}
// ---- End of the recipe. ----

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
async function fixture(t, { respond, options } = {}) {
  const upstream = await startRecordingUpstream(respond)
  const app = Fastify({ logger: false })
  await app.register(replyFrom, { base: upstream.url })
  app.all('/*', (request, reply) => reply.from(request.url, options))
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.after(async () => {
    await withTimeout(app.close(), WAIT_MS, 'fastify close')
    await upstream.close()
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
  setTimeout(() => process.exit(3), ${WAIT_MS - 1000}).unref()
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
