'use strict'
// The README's node:http, undici and HTTP/2 forwarding recipes, tested on the wire.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const http2 = require('node:http2')
const undici = require('undici')
const { filterRequest, filterHeaders, forwardHeaders, createFilter, writeHead, HopByHopError } = require('..')
const {
  WAIT_MS,
  withTimeout,
  listen,
  closeServer,
  values,
  names,
  rawRequest,
  rawResponse,
  startRecordingUpstream,
  connect,
  exchange,
} = require('./helpers/wire.js')
const { nodeHttpProxy, http2ToHttp1Proxy } = require('./helpers/recipes.js')

// Recipes, as in the README. Keep the two in sync.

/** undici: a forwarding server for `origin` ('http://host:port'). */
function undiciProxy(origin, dispatcher) {
  // undici refuses an Expect field (Node's server has already answered 100-continue).
  const filter = createFilter({ strip: ['Expect'] })
  return http.createServer(async (req, res) => {
    let forward
    try {
      forward = filter.request(req)
    } catch (error) {
      // 400, or 431 for a head Node may have cut; anything else is a bug worth a 500.
      res.writeHead(error instanceof HopByHopError ? error.statusCode : 500, { Connection: 'close' }).end()
      return
    }
    if (!forward.keepAlive) res.setHeader('Connection', 'close')
    // Host, X-Forwarded-*, Via; undici frames the body and owns Connection itself.
    const headers = forwardHeaders(req, forward.headers, { framing: false })
    // undici frames a stream body itself (chunked when there is no Content-Length).
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
    try {
      const upstream = await undici.request(new URL(req.url, origin), {
        method: req.method,
        headers,
        body: hasBody ? req : null,
        dispatcher,
        responseHeaders: 'raw', // a flat list with the upstream's case and duplicates
      })
      const response = filterHeaders(upstream.headers, { direction: 'response', statusCode: upstream.statusCode, requestMethod: req.method })
      writeHead(res, upstream.statusCode, response.headers)
      upstream.body.pipe(res)
    } catch {
      if (res.headersSent) res.destroy()
      else res.writeHead(502).end()
    }
  })
}

/** HTTP/1.1 front end, HTTP/2 upstream over `session` (an http2.connect() session). */
function http1ToHttp2Proxy(session) {
  return http.createServer((req, res) => {
    let forward
    try {
      forward = filterRequest(req)
    } catch (error) {
      // 400, or 431 for a head Node may have cut; anything else is a bug worth a 500.
      res.writeHead(error instanceof HopByHopError ? error.statusCode : 500, { Connection: 'close' }).end()
      return
    }
    if (!forward.keepAlive) res.setHeader('Connection', 'close')
    const headers = { ':method': req.method, ':path': req.url }
    for (let i = 0; i < forward.headers.length; i += 2) {
      const name = forward.headers[i].toLowerCase()
      const value = forward.headers[i + 1]
      // HTTP/2 carries the target authority in :authority (RFC 9113 §8.3.1).
      if (name === 'host') headers[':authority'] = value
      else headers[name] = name in headers ? [headers[name], value].flat() : value
    }
    const stream = session.request(headers)
    stream.on('response', (responseHeaders, flags, rawHeaders) => {
      const status = responseHeaders[':status']
      writeHead(res, status, filterHeaders(rawHeaders, { httpVersion: '2.0', direction: 'response', statusCode: status, requestMethod: req.method }).headers)
      stream.pipe(res)
    })
    stream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()))
    req.pipe(stream)
  })
}

// Fixtures

const LEAKY = () => rawResponse({
  headers: [
    ['Connection', 'keep-alive, X-Internal'],
    ['X-Internal', 'secret'],
    ['Keep-Alive', 'timeout=99, max=3'],
    ['Set-Cookie', 'a=1'],
    ['Set-Cookie', 'b=2'],
    ['X-Mixed-Case', 'v'],
  ],
  body: 'payload',
})

const CRAFTED = rawRequest('GET /r HTTP/1.1', [
  ['Host', 'front.test'],
  ['Connection', 'keep-alive, X-Secret'],
  ['X-Secret', 's'],
  ['Keep-Alive', 'timeout=5'],
  ['Proxy-Connection', 'keep-alive'],
  ['TE', 'trailers, gzip'],
  ['Trailer', 'X-Checksum'],
  ['Expect', '100-continue'],
  ['X-Kept', 'k'],
])

async function h1Fixture(t, makeProxy, respond = LEAKY) {
  const upstream = await startRecordingUpstream(respond)
  const proxy = makeProxy(upstream)
  const port = await listen(proxy)
  t.after(async () => {
    await closeServer(proxy)
    await upstream.close()
  })
  return { port, upstream }
}

/** Checks shared by the node:http and undici recipes. */
async function assertCleanBothWays(port, upstream, connection = ['keep-alive']) {
  const client = await connect(port)
  try {
    client.send(CRAFTED)
    assert.equal((await client.response()).status, 100) // Node answers the Expect itself
    const response = await client.response()
    const [request] = upstream.requests
    for (const name of ['x-secret', 'keep-alive', 'proxy-connection', 'trailer']) {
      assert.ok(!names(request.headers).includes(name), `${name} reached the upstream`)
    }
    assert.deepEqual(values(request.headers, 'te'), ['trailers'])
    assert.deepEqual(values(request.headers, 'connection'), connection)
    assert.deepEqual(values(request.headers, 'x-kept'), ['k'])
    assert.deepEqual(values(request.headers, 'x-forwarded-for'), ['127.0.0.1'])
    assert.deepEqual(values(response.headers, 'x-internal'), [])
    assert.deepEqual(values(response.headers, 'keep-alive'), ['timeout=5'])
    assert.deepEqual(values(response.headers, 'connection'), ['keep-alive'])
    assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1', 'b=2'])
    assert.ok(response.head.includes('\r\nX-Mixed-Case: v\r\n'), response.head)
    assert.equal(response.body.toString(), 'payload')
    // The client connection is still usable.
    client.send(rawRequest('GET /again HTTP/1.1', [['Host', 'front.test']]))
    assert.equal((await client.response()).status, 200)
  } finally {
    client.destroy()
  }
}

async function assertClosesHttp10KeepAlive(port) {
  const client = await connect(port)
  try {
    client.send(rawRequest('GET / HTTP/1.0', [['Host', 'a'], ['Connection', 'keep-alive']]))
    assert.equal((await client.response()).status, 200)
    assert.equal(await client.closesWithin(1000), true)
  } finally {
    client.destroy()
  }
}

describe('node:http recipe', () => {
  const make = (agent) => (upstream) => nodeHttpProxy({ host: '127.0.0.1', port: upstream.port }, agent)

  it('filters both directions and keeps both connections usable', async (t) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    t.after(() => agent.destroy())
    const { port, upstream } = await h1Fixture(t, make(agent))
    // forwardHeaders names te, as the sender of TE must (RFC 9110 §10.1.4); HTTP/1.1 is persistent anyway.
    await assertCleanBothWays(port, upstream, ['te'])
    assert.equal(upstream.connections, 1)
  })

  it('closes an HTTP/1.0 keep-alive client and re-frames chunked bodies', async (t) => {
    const { port, upstream } = await h1Fixture(t, make(undefined), () => rawResponse({ body: 'ok' }))
    await assertClosesHttp10KeepAlive(port)
    const inner = 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n'
    await exchange(port, `OPTIONS /o HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${inner.length.toString(16)}\r\n${inner}\r\n0\r\n\r\n`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(upstream.requests.map((r) => r.target), ['/', '/o'])
    assert.equal(upstream.requests[1].body.toString(), inner)
  })

  it('supplies Host for an HTTP/1.0 client that sent none: the authority it connected to', async (t) => {
    const { port, upstream } = await h1Fixture(t, make(undefined))
    assert.equal((await exchange(port, 'GET / HTTP/1.0\r\n\r\n')).status, 200)
    assert.deepEqual(values(upstream.requests[0].headers, 'host'), [`127.0.0.1:${port}`])
  })

  it('answers 400 for a request the filter refuses', async (t) => {
    const { port, upstream } = await h1Fixture(t, make(undefined))
    const response = await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: \u00e9\r\n\r\n')
    assert.equal(response.status, 400)
    assert.equal(upstream.connections, 0)
  })
})

describe('undici recipe', () => {
  it('undici alone refuses Keep-Alive and forwards a nominated header (the anchors)', async (t) => {
    const upstream = await startRecordingUpstream()
    const dispatcher = new undici.Agent()
    t.after(async () => {
      await dispatcher.close()
      await upstream.close()
    })
    await assert.rejects(undici.request(upstream.url, { headers: ['Keep-Alive', 'timeout=5'], dispatcher }), /invalid keep-alive header/)
    const response = await undici.request(upstream.url, { headers: ['Connection', 'keep-alive, X-Secret', 'X-Secret', 's'], dispatcher })
    await response.body.text()
    assert.deepEqual(values(upstream.requests[0].headers, 'x-secret'), ['s'])
  })

  it('filters both directions and keeps both connections usable', async (t) => {
    const dispatcher = new undici.Agent({ connections: 1 })
    t.after(() => dispatcher.close())
    const { port, upstream } = await h1Fixture(t, (up) => undiciProxy(up.url, dispatcher))
    await assertCleanBothWays(port, upstream)
    assert.equal(upstream.connections, 1)
  })

  it('closes an HTTP/1.0 keep-alive client and forwards a chunked body', async (t) => {
    const dispatcher = new undici.Agent()
    t.after(() => dispatcher.close())
    const { port, upstream } = await h1Fixture(t, (up) => undiciProxy(up.url, dispatcher), () => rawResponse({ body: 'ok' }))
    await assertClosesHttp10KeepAlive(port)
    const response = await exchange(port, 'POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n')
    assert.equal(response.status, 200)
    assert.equal(upstream.requests[1].body.toString(), 'abc')
    // undici chose the framing (Content-Length or chunked); exactly one is present.
    const framing = [...values(upstream.requests[1].headers, 'content-length'), ...values(upstream.requests[1].headers, 'transfer-encoding')]
    assert.equal(framing.length, 1)
  })
})

describe('HTTP/2', () => {
  async function http2Upstream(t) {
    const received = []
    const server = http2.createServer()
    server.on('stream', (stream, headers, flags, rawHeaders) => {
      received.push(rawHeaders)
      stream.respond({ ':status': 200, 'set-cookie': ['a=1', 'b=2'], 'x-h2': 'yes' })
      stream.end('from h2')
    })
    const port = await listen(server)
    const session = http2.connect(`http://127.0.0.1:${port}`)
    t.after(async () => {
      session.close()
      await closeServer(server)
    })
    return { session, received }
  }

  it('a naive HTTP/1.1 -> HTTP/2 forward throws ERR_HTTP2_INVALID_CONNECTION_HEADERS', async (t) => {
    const { session } = await http2Upstream(t)
    assert.throws(
      () => session.request({ ':path': '/', connection: 'keep-alive', 'keep-alive': 'timeout=5' }),
      { code: 'ERR_HTTP2_INVALID_CONNECTION_HEADERS' },
    )
  })

  it('HTTP/1.1 front end -> HTTP/2 upstream', async (t) => {
    const { session, received } = await http2Upstream(t)
    const front = http1ToHttp2Proxy(session)
    const port = await listen(front)
    t.after(() => closeServer(front))
    const response = await exchange(port, rawRequest('GET /h2 HTTP/1.1', [
      ['Host', 'front.test'],
      ['Connection', 'keep-alive, X-Secret'],
      ['X-Secret', 's'],
      ['Keep-Alive', 'timeout=5'],
      ['Proxy-Connection', 'keep-alive'],
      ['Transfer-Encoding', 'chunked'],
      ['Upgrade', 'h2c'],
      ['TE', 'trailers, gzip'],
      ['X-Kept', 'k'],
    ]) + '0\r\n\r\n')
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'from h2')
    assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1', 'b=2'])
    assert.deepEqual(values(response.headers, 'x-h2'), ['yes'])
    assert.ok(!response.head.includes(':status'))
    const [rawHeaders] = received
    const lines = []
    for (let i = 0; i < rawHeaders.length; i += 2) lines.push([rawHeaders[i], rawHeaders[i + 1]])
    assert.deepEqual(values(lines, ':authority'), ['front.test'])
    assert.deepEqual(values(lines, 'te'), ['trailers'])
    assert.deepEqual(values(lines, 'x-kept'), ['k'])
    for (const name of ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'x-secret', 'host']) {
      assert.ok(!names(lines).includes(name), name)
    }
  })

  it('h2c front end -> HTTP/1.1 upstream', async (t) => {
    const upstream = await startRecordingUpstream(() => rawResponse({
      headers: [
        ['Connection', 'keep-alive, X-Internal'],
        ['X-Internal', 'secret'],
        ['Keep-Alive', 'timeout=99'],
        ['Transfer-Encoding', 'chunked'],
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
      ],
      body: '7\r\npayload\r\n0\r\n\r\n',
    }))
    const agent = new http.Agent({ keepAlive: true })
    const front = http2ToHttp1Proxy({ host: '127.0.0.1', port: upstream.port }, agent)
    const port = await listen(front)
    const session = http2.connect(`http://127.0.0.1:${port}`)
    t.after(async () => {
      session.close()
      agent.destroy()
      await closeServer(front)
      await upstream.close()
    })
    const stream = session.request({ ':path': '/from-h2?q=1', cookie: ['a=1', 'b=2'], te: 'trailers', 'x-kept': 'k' })
    const [headers, body] = await withTimeout(Promise.all([
      new Promise((resolve) => stream.once('response', resolve)),
      new Promise((resolve, reject) => {
        const chunks = []
        stream.on('data', (chunk) => chunks.push(chunk))
        stream.on('end', () => resolve(Buffer.concat(chunks).toString()))
        stream.on('error', reject)
      }),
    ]), WAIT_MS, 'h2 response')
    assert.equal(headers[':status'], 200)
    assert.equal(body, 'payload')
    assert.deepEqual(headers['set-cookie'], ['a=1', 'b=2'])
    assert.equal(headers['x-internal'], undefined)
    const [request] = upstream.requests
    assert.equal(request.startLine, 'GET /from-h2?q=1 HTTP/1.1')
    assert.deepEqual(values(request.headers, 'host'), [`127.0.0.1:${port}`])
    assert.deepEqual(values(request.headers, 'cookie'), ['a=1; b=2'])
    assert.deepEqual(values(request.headers, 'te'), ['trailers'])
    assert.deepEqual(values(request.headers, 'x-kept'), ['k'])
    assert.ok(!request.head.includes(':method') && !request.head.includes(':path'))
    // A GET with a body (allowed in HTTP/2) reaches the HTTP/1.1 upstream framed.
    const withBody = session.request({ ':method': 'GET', ':path': '/get-with-body' }, { endStream: false })
    withBody.end('GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n')
    withBody.resume()
    await withTimeout(new Promise((resolve) => withBody.once('close', resolve)), WAIT_MS, 'h2 stream')
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(upstream.requests.map((r) => r.target), ['/from-h2?q=1', '/get-with-body'])
    assert.deepEqual(values(upstream.requests[1].headers, 'transfer-encoding'), ['chunked'])
    assert.equal(upstream.requests[1].body.toString(), 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n')
  })

  it('a naive h2c front end fails on the upstream Connection/Keep-Alive/Transfer-Encoding', async (t) => {
    const front = http2.createServer((req, res) => {
      try {
        res.writeHead(200, { 'keep-alive': 'timeout=99', 'transfer-encoding': 'chunked' })
        res.end()
      } catch (error) {
        res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR)
        front.emit('naive-error', error)
      }
    })
    const port = await listen(front)
    const session = http2.connect(`http://127.0.0.1:${port}`)
    t.after(async () => {
      session.close()
      await closeServer(front)
    })
    const failed = new Promise((resolve) => front.once('naive-error', resolve))
    const stream = session.request({ ':path': '/' })
    stream.on('error', () => {})
    stream.resume()
    const error = await withTimeout(failed, WAIT_MS, 'naive error')
    assert.equal(error.code, 'ERR_HTTP2_INVALID_CONNECTION_HEADERS')
  })
})
