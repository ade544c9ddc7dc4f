'use strict'
// Express 5 integration: middleware(), writeHead() and the documented forwarding recipe, on the wire.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const express = require('express')
const net = require('node:net')
const zlib = require('node:zlib')
const querystring = require('node:querystring')
const { spawn } = require('node:child_process')
const { middleware, writeHead, relay, relayUpgrade, forward, forwardUpgrade } = require('..')
const {
  listen,
  closeServer,
  values,
  names,
  rawRequest,
  rawResponse,
  startRecordingUpstream,
  connect,
  exchange,
  withTimeout,
} = require('./helpers/wire.js')
const { startExample } = require('./helpers/examples.js')

async function serve(t, handler) {
  const server = http.createServer(handler)
  const port = await listen(server)
  t.after(() => closeServer(server))
  return port
}

/** [name, value] lines of a flat list, as values() reads them. */
function pairs(flat) {
  const lines = []
  for (let i = 0; i < flat.length; i += 2) lines.push([flat[i], flat[i + 1]])
  return lines
}

/** An Express app whose route answers with what the middleware put on req.forward. */
function echoForwardApp(options) {
  const app = express()
  app.use(middleware(options))
  app.use((req, res) => {
    res.json({ headers: req.forward.headers, keepAlive: req.forward.keepAlive, protected: req.forward.diagnostics.protected })
  })
  return app
}

describe('middleware()', () => {
  it('sets req.forward to the end-to-end headers and the keep-alive decision', async (t) => {
    const port = await serve(t, echoForwardApp())
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [
      ['Host', 'a'],
      ['Connection', 'keep-alive, X-Secret'],
      ['X-Secret', 's'],
      ['Keep-Alive', 'timeout=5'],
      ['TE', 'trailers, gzip'],
      ['x-Case', 'Kept'],
    ]))
    const forward = JSON.parse(response.body)
    assert.deepEqual(forward.headers, [
      'Host', 'a', 'TE', 'trailers', 'x-Case', 'Kept',
      // This proxy's own fields, after the end-to-end ones.
      'X-Forwarded-For', '127.0.0.1', 'X-Forwarded-Host', 'a', 'X-Forwarded-Proto', 'http', 'Via', '1.1 hop-by-hop', 'Connection', 'te',
    ])
    assert.equal(forward.keepAlive, true)
  })

  it('closes an HTTP/1.0 client that asked for keep-alive after the response', async (t) => {
    const port = await serve(t, echoForwardApp())
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.0', [['Host', 'a'], ['Connection', 'keep-alive']]))
    const response = await client.response()
    assert.equal(JSON.parse(response.body).keepAlive, false)
    assert.deepEqual(values(response.headers, 'connection'), ['close'])
    assert.equal(await client.closesWithin(1000), true)
  })

  it('leaves that HTTP/1.0 client open without the middleware (Node alone honours keep-alive)', async (t) => {
    const app = express()
    app.use((req, res) => res.send('ok'))
    const port = await serve(t, app)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.0', [['Host', 'a'], ['Connection', 'keep-alive']]))
    const response = await client.response()
    assert.deepEqual(values(response.headers, 'connection'), ['keep-alive'])
    assert.equal(await client.closesWithin(300), false)
  })

  it('keeps an HTTP/1.1 client open across requests', async (t) => {
    const port = await serve(t, echoForwardApp())
    const client = await connect(port)
    t.after(() => client.destroy())
    for (let i = 0; i < 3; i++) {
      client.send(rawRequest(`GET /${i} HTTP/1.1`, [['Host', 'a']]))
      const response = await client.response()
      assert.equal(response.status, 200)
      assert.deepEqual(values(response.headers, 'connection'), ['keep-alive'])
    }
  })

  it('with strict answers 400 for a protected nomination and stops the chain', async (t) => {
    let reached = 0
    const app = express()
    app.use(middleware({ strict: true }))
    app.use((req, res) => {
      reached++
      res.send('reached')
    })
    const port = await serve(t, app)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Connection', 'X-Forwarded-For'], ['X-Forwarded-For', '1.2.3.4']]))
    const response = await client.response()
    assert.equal(response.status, 400)
    assert.match(response.body.toString(), /ERR_HOP_BY_HOP_PROTECTED/)
    assert.equal(reached, 0)
    assert.equal(await client.closesWithin(1000), true)
  })

  it('without strict passes the same request on and reports the protected name', async (t) => {
    const port = await serve(t, echoForwardApp())
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Connection', 'X-Forwarded-For'], ['X-Forwarded-For', '1.2.3.4']]))
    const forward = JSON.parse(response.body)
    // Kept by the filter, then replaced: an untrusted client's X-Forwarded-For never goes on.
    assert.deepEqual(values(pairs(forward.headers), 'x-forwarded-for'), ['127.0.0.1'])
    assert.deepEqual(forward.protected, ['x-forwarded-for'])
  })

  it('answers 400 for an upgrade naming a protocol outside printable ASCII', async (t) => {
    const port = await serve(t, echoForwardApp())
    const response = await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: w\u00e9bsocket\r\n\r\n')
    assert.equal(response.status, 400)
    assert.match(response.body.toString(), /ERR_HOP_BY_HOP_INVALID_UPGRADE/)
  })

  it('validates its options when the app is built', () => {
    // The message's own version is read from each request: not an option of a middleware.
    assert.throws(() => middleware({ httpVersion: '3' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    assert.throws(() => middleware({ strip: ['bad name'] }), TypeError)
  })
})

const DUPLICATES = ['Set-Cookie', 'a=1', 'X-Mixed-Case', 'v', 'set-cookie', 'b=2', 'Vary', 'Accept', 'Vary', 'Origin']
// Node 20 turns a flat-array writeHead into setHeader calls once any header was set (Express
// sets X-Powered-By), so later duplicates overwrite earlier ones. Node 22.0.0 fixed it
// (nodejs/node#50387, semver-major PR #50394: removeHeader, then appendHeader).
const WRITEHEAD_KEEPS_DUPLICATES = Number(process.versions.node.split('.')[0]) >= 22

describe('writeHead()', () => {
  it(`Express + res.writeHead(status, flatArray) ${WRITEHEAD_KEEPS_DUPLICATES ? 'keeps duplicates (Node >= 22)' : 'collapses duplicates (the Node 20 bug)'}`, async (t) => {
    const app = express()
    app.use((req, res) => {
      res.writeHead(200, DUPLICATES)
      res.end()
    })
    const port = await serve(t, app)
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.deepEqual(values(response.headers, 'set-cookie'), WRITEHEAD_KEEPS_DUPLICATES ? ['a=1', 'b=2'] : ['b=2'])
    assert.deepEqual(values(response.headers, 'vary'), WRITEHEAD_KEEPS_DUPLICATES ? ['Accept', 'Origin'] : ['Origin'])
  })

  it('keeps every line, their order and case next to Express\'s X-Powered-By', async (t) => {
    const app = express()
    app.use((req, res) => {
      writeHead(res, 201, DUPLICATES)
      res.end('done')
    })
    const port = await serve(t, app)
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.equal(response.status, 201)
    assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1', 'b=2'])
    assert.deepEqual(values(response.headers, 'vary'), ['Accept', 'Origin'])
    assert.deepEqual(values(response.headers, 'x-powered-by'), ['Express'])
    assert.ok(response.head.includes('\r\nX-Mixed-Case: v\r\n'))
    const order = names(response.headers).filter((name) => ['set-cookie', 'x-mixed-case', 'vary'].includes(name))
    assert.deepEqual(order, ['set-cookie', 'set-cookie', 'x-mixed-case', 'vary', 'vary'])
  })

  it('works on a plain node:http ServerResponse, with or without earlier setHeader', async (t) => {
    const port = await serve(t, (req, res) => {
      if (req.url === '/preset') res.setHeader('X-Early', 'yes')
      const returned = writeHead(res, 200, DUPLICATES)
      assert.equal(returned, res)
      res.end()
    })
    for (const url of ['/', '/preset']) {
      const response = await exchange(port, rawRequest(`GET ${url} HTTP/1.1`, [['Host', 'a']]))
      assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1', 'b=2'])
      assert.deepEqual(values(response.headers, 'x-early'), url === '/preset' ? ['yes'] : [])
    }
  })

  it('writes the list as it is when nothing was set: every line in its place and spelling; grouped by name after setHeader or behind a wrapped writeHead', async (t) => {
    const LIST = ['Set-Cookie', 'a=1', 'X-Mixed-Case', 'v', 'set-cookie', 'b=2', 'Vary', 'Accept', 'VARY', 'Origin']
    const port = await serve(t, (req, res) => {
      if (req.url === '/preset') res.setHeader('X-Early', 'yes')
      if (req.url === '/wrapped') {
        // As on-headers (morgan, express-session) wraps it: an array is read as [name, value] pairs.
        const original = res.writeHead
        res.writeHead = function writeHead(statusCode, headers) {
          if (Array.isArray(headers)) for (const [name, value] of headers) this.setHeader(name, value)
          return original.call(this, statusCode)
        }
      }
      writeHead(res, 200, LIST)
      res.end()
    })
    const listed = (head) => head.split('\r\n').slice(1).filter((line) => /^(set-cookie|x-mixed-case|vary):/i.test(line))
    const asIs = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.deepEqual(listed(asIs.head), ['Set-Cookie: a=1', 'X-Mixed-Case: v', 'set-cookie: b=2', 'Vary: Accept', 'VARY: Origin'])
    for (const url of ['/preset', '/wrapped']) {
      const grouped = await exchange(port, rawRequest(`GET ${url} HTTP/1.1`, [['Host', 'a']]))
      assert.deepEqual(listed(grouped.head), ['Set-Cookie: a=1', 'Set-Cookie: b=2', 'X-Mixed-Case: v', 'Vary: Accept', 'Vary: Origin'], url)
      assert.deepEqual(values(grouped.headers, 'x-early'), url === '/preset' ? ['yes'] : [])
    }
  })

  it('lets the list replace a header of the same name set earlier', async (t) => {
    const port = await serve(t, (req, res) => {
      res.setHeader('Content-Type', 'text/html')
      writeHead(res, 200, ['content-type', 'text/plain'])
      res.end()
    })
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.deepEqual(values(response.headers, 'content-type'), ['text/plain'])
  })

  it('rejects a list that is not a flat array of pairs', () => {
    const res = new http.ServerResponse(new http.IncomingMessage(null))
    assert.throws(() => writeHead(res, 200, { a: 'b' }), TypeError)
    assert.throws(() => writeHead(res, 200, ['a']), RangeError)
  })
})

describe('Express forwarding recipe (examples/express.js)', () => {
  async function recipeFixture(t, respond) {
    const upstream = await startRecordingUpstream(respond)
    t.after(() => upstream.close())
    const { port } = await startExample(t, 'express.js', { UPSTREAM: upstream.url })
    return { port, upstream }
  }

  const LEAKY = () => rawResponse({
    headers: [
      ['Connection', 'X-Internal'],
      ['X-Internal', 'secret'],
      ['Keep-Alive', 'timeout=99'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
      ['ETag', '"v1"'],
    ],
    body: 'payload',
  })

  it('sends upstream only end-to-end fields plus its own, on a reusable connection', async (t) => {
    const { port, upstream } = await recipeFixture(t)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /a HTTP/1.1', [
      ['Host', 'front.test'],
      ['Connection', 'close, X-Secret'],
      ['X-Secret', 's'],
      ['Keep-Alive', 'timeout=1'],
      ['Proxy-Connection', 'keep-alive'],
      ['TE', 'trailers'],
      ['Trailer', 'X-Checksum'],
      ['Upgrade', 'h2c'],
      ['Proxy-Authorization', 'Basic dTpw'],
    ]))
    assert.equal((await client.response()).status, 200)
    assert.equal(await client.closesWithin(1000), true)
    await exchange(port, rawRequest('GET /b HTTP/1.1', [['Host', 'front.test']]))
    const [request] = upstream.requests
    assert.deepEqual(names(request.headers).sort(), ['connection', 'host', 'te', 'via', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto'])
    assert.deepEqual(values(request.headers, 'connection'), ['te'])
    assert.deepEqual(values(request.headers, 'te'), ['trailers'])
    assert.deepEqual(values(request.headers, 'x-forwarded-for'), ['127.0.0.1'])
    assert.deepEqual(upstream.requests.map((r) => r.connection), [1, 1])
  })

  it('cannot be made to drop the X-Forwarded-For or Via it adds, and replaces the client\'s', async (t) => {
    const { port, upstream } = await recipeFixture(t)
    await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Connection', 'X-Forwarded-For, Via'], ['X-Forwarded-For', '203.0.113.9']]))
    const [request] = upstream.requests
    assert.deepEqual(values(request.headers, 'x-forwarded-for'), ['127.0.0.1'])
    assert.deepEqual(values(request.headers, 'via'), ['1.1 hop-by-hop'])
  })

  it('gives the client the upstream end-to-end fields only, duplicates and case intact', async (t) => {
    const { port } = await recipeFixture(t, LEAKY)
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.deepEqual(values(response.headers, 'x-internal'), [])
    assert.deepEqual(values(response.headers, 'keep-alive'), ['timeout=5'])
    assert.deepEqual(values(response.headers, 'connection'), ['keep-alive'])
    assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1', 'b=2'])
    assert.ok(response.head.includes('\r\nETag: "v1"\r\n'))
    assert.equal(response.body.toString(), 'payload')
  })

  it('keeps the client connection when the upstream closes its own', async (t) => {
    const { port, upstream } = await recipeFixture(t, () => ({ raw: rawResponse({ headers: [['Connection', 'close']], body: 'x' }), close: true }))
    const client = await connect(port)
    t.after(() => client.destroy())
    for (let i = 0; i < 2; i++) {
      client.send(rawRequest(`GET /${i} HTTP/1.1`, [['Host', 'a']]))
      const response = await client.response()
      assert.deepEqual(values(response.headers, 'connection'), ['keep-alive'])
    }
    assert.equal(upstream.connections, 2)
  })

  it('closes an HTTP/1.0 keep-alive client after its response and supplies a missing Host', async (t) => {
    const { port, upstream } = await recipeFixture(t, LEAKY)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.0', [['Connection', 'keep-alive']]))
    const response = await client.response()
    assert.equal(response.body.toString(), 'payload')
    assert.equal(await client.closesWithin(1000), true)
    // No Host: the authority the client connected to (RFC 9112 §3.3).
    assert.deepEqual(values(upstream.requests[0].headers, 'host'), [`127.0.0.1:${port}`])
  })

  it('re-frames a chunked GET body instead of sending it unframed', async (t) => {
    const { port, upstream } = await recipeFixture(t)
    const inner = 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n'
    await exchange(port, `GET /outer HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${inner.length.toString(16)}\r\n${inner}\r\n0\r\n\r\n`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(upstream.requests.map((r) => r.target), ['/outer'])
    assert.equal(upstream.requests[0].body.toString(), inner)
  })
})

/** An upstream request for `req` to the recording upstream, with the filtered headers as a flat array. */
function upstreamRequestFor(upstream, req, headers = req.forward.headers) {
  return http.request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.originalUrl, headers })
}

/** Express with `before` in front of middleware(), `between` after it, then relay(). */
async function parserProxy(t, { before = [], between = [], headers } = {}) {
  const upstream = await startRecordingUpstream((request) => rawResponse({ body: `got ${request.body.length}` }))
  t.after(() => upstream.close())
  const app = express()
  for (const handler of before) app.use(handler)
  app.use(middleware())
  for (const handler of between) app.use(handler)
  app.use((req, res) => relay(req, res, upstreamRequestFor(upstream, req, headers?.(req))))
  return { port: await serve(t, app), upstream }
}

/** exchange() for a request whose text stands for bytes (latin1): binary and encoded bodies. */
async function exchangeBytes(port, text) {
  const client = await connect(port)
  try {
    client.socket.write(Buffer.from(text, 'latin1'))
    return await client.response()
  } finally {
    client.destroy()
  }
}

function withLength(startLine, lines, body) {
  return rawRequest(startLine, [...lines, ['Content-Length', String(Buffer.byteLength(body, 'latin1'))]], body)
}

function chunkedOf(startLine, lines, body) {
  const bytes = Buffer.from(body, 'latin1')
  const half = Math.ceil(bytes.length / 2)
  const chunks = [bytes.subarray(0, half), bytes.subarray(half)].filter((chunk) => chunk.length > 0)
  const encoded = chunks.map((chunk) => `${chunk.length.toString(16)}\r\n${chunk.toString('latin1')}\r\n`).join('')
  return rawRequest(startLine, [...lines, ['Transfer-Encoding', 'chunked']], `${encoded}0\r\n\r\n`)
}

// Each parser, what a client sends, and how the upstream's bytes are compared with it.
const PARSERS = [
  { name: 'json', parser: () => express.json(), type: 'application/json', body: '{ "a": 1, "b": ["x", null] }', same: (sent, got) => assert.deepEqual(JSON.parse(got), JSON.parse(sent)) },
  { name: 'urlencoded', parser: () => express.urlencoded({ extended: false }), type: 'application/x-www-form-urlencoded', body: 'a=1&b=x+y&b=z', same: (sent, got) => assert.deepEqual({ ...querystring.parse(got.toString()) }, { ...querystring.parse(sent) }) },
  { name: 'text', parser: () => express.text(), type: 'text/plain; charset=utf-8', body: Buffer.from('h\u00e9llo \u2713', 'utf8').toString('latin1'), same: (sent, got) => assert.equal(got.toString('latin1'), sent) },
  { name: 'raw', parser: () => express.raw(), type: 'application/octet-stream', body: '\u0000\u0001\u00ff binary', same: (sent, got) => assert.equal(got.toString('latin1'), sent) },
]
const FRAMINGS = [['Content-Length', withLength], ['chunked', chunkedOf]]

describe('behind a body parser (the body was read before relay() could pipe it)', () => {
  for (const { name, parser, type, body, same } of PARSERS) {
    for (const [framing, frame] of FRAMINGS) {
      it(`express.${name}() before middleware(), ${framing}: forwarded with the length of what is sent`, async (t) => {
        const { port, upstream } = await parserProxy(t, { before: [parser()] })
        const response = await exchangeBytes(port, frame('POST /p HTTP/1.1', [['Host', 'a'], ['Content-Type', type]], body))
        assert.equal(response.status, 200)
        const [request] = upstream.requests
        same(body, request.body)
        assert.deepEqual(values(request.headers, 'content-length'), [String(request.body.length)])
        assert.deepEqual(values(request.headers, 'transfer-encoding'), [])
        assert.equal(response.body.toString(), `got ${request.body.length}`)
      })
    }
  }

  it('express.json() before middleware(), charset=utf-16le: the parsed body goes back in UTF-16LE, as its Content-Type says', async (t) => {
    const { port, upstream } = await parserProxy(t, { before: [express.json()] })
    const body = Buffer.from('{"name":"Zo\u00eb \u2713"}', 'utf16le').toString('latin1')
    const response = await exchangeBytes(port, withLength('POST /p HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/json; charset=utf-16le']], body))
    assert.equal(response.status, 200)
    const [request] = upstream.requests
    assert.deepEqual(JSON.parse(request.body.toString('utf16le')), { name: 'Zo\u00eb \u2713' })
    assert.deepEqual(values(request.headers, 'content-type'), ['application/json; charset=utf-16le'])
    assert.deepEqual(values(request.headers, 'content-length'), [String(request.body.length)])
  })

  it('express.urlencoded() and express.text() before middleware(), charset=iso-8859-1: the body goes back in that charset', async (t) => {
    const { port, upstream } = await parserProxy(t, { before: [express.urlencoded({ extended: false }), express.text()] })
    const form = 'name=%E9t%E9'
    assert.equal((await exchangeBytes(port, withLength('POST /f HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/x-www-form-urlencoded; charset=iso-8859-1']], form))).status, 200)
    const text = 'caf\u00e9'
    assert.equal((await exchangeBytes(port, withLength('POST /t HTTP/1.1', [['Host', 'a'], ['Content-Type', 'text/plain; charset=iso-8859-1']], text))).status, 200)
    assert.equal(upstream.requests[0].body.toString('latin1'), form)
    assert.equal(upstream.requests[1].body.toString('latin1'), text)
    assert.deepEqual(values(upstream.requests[1].headers, 'content-length'), ['4'])
  })

  it('express.json() before middleware(), a charset Node cannot encode (utf-32): 500 at once, nothing sent', async (t) => {
    const { port, upstream } = await parserProxy(t, { before: [express.json()] })
    const text = '{"a":1}'
    const utf32 = Buffer.alloc(text.length * 4)
    for (let i = 0; i < text.length; i++) utf32.writeUInt32LE(text.charCodeAt(i), i * 4)
    const response = await exchangeBytes(port, withLength('POST /p HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/json; charset=utf-32le']], utf32.toString('latin1')))
    assert.equal(response.status, 500)
    assert.match(response.body.toString(), /ERR_HOP_BY_HOP_BODY_CONSUMED/)
    assert.equal(upstream.requests.length, 0)
  })

  it('express.json() between middleware() and relay(): a chunked body goes on chunked', async (t) => {
    const { port, upstream } = await parserProxy(t, { between: [express.json()] })
    const body = '{ "a": [1, 2] }'
    const response = await exchange(port, chunkedOf('POST /p HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/json']], body))
    assert.equal(response.status, 200)
    assert.deepEqual(JSON.parse(upstream.requests[0].body), { a: [1, 2] })
    assert.deepEqual(values(upstream.requests[0].headers, 'transfer-encoding'), ['chunked'])
  })

  it('express.json() between middleware() and relay(): a Content-Length that still matches goes on', async (t) => {
    const { port, upstream } = await parserProxy(t, { between: [express.json()] })
    const response = await exchange(port, withLength('POST /p HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/json']], '{"a":1}'))
    assert.equal(response.status, 200)
    assert.equal(upstream.requests[0].body.toString(), '{"a":1}')
  })

  it('express.json() between middleware() and relay(), flat headers rendered with the old length: 500 at once, nothing sent', async (t) => {
    const { port, upstream } = await parserProxy(t, { between: [express.json()] })
    const started = Date.now()
    const response = await exchange(port, withLength('POST /p HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/json']], '{ "a": 1 }'))
    assert.equal(response.status, 500)
    assert.match(response.body.toString(), /ERR_HOP_BY_HOP_BODY_CONSUMED/)
    assert.ok(Date.now() - started < 1000)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(upstream.requests.length, 0)
  })

  it('express.json() between middleware() and relay(), headers as an object: framing set to the parsed body', async (t) => {
    const { port, upstream } = await parserProxy(t, {
      between: [express.json()],
      headers: (req) => Object.fromEntries(pairs(req.forward.headers)),
    })
    const response = await exchange(port, withLength('POST /p HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/json']], '{ "a": 1 }'))
    assert.equal(response.status, 200)
    assert.equal(upstream.requests[0].body.toString(), '{"a":1}')
    assert.deepEqual(values(upstream.requests[0].headers, 'content-length'), ['7'])
  })

  it('a gzip body express.json() inflated goes on decoded, without Content-Encoding', async (t) => {
    const { port, upstream } = await parserProxy(t, { before: [express.json()] })
    const gzipped = zlib.gzipSync('{"z":true}').toString('latin1')
    const response = await exchangeBytes(port, withLength('POST /p HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/json'], ['Content-Encoding', 'gzip']], gzipped))
    assert.equal(response.status, 200)
    assert.equal(upstream.requests[0].body.toString(), '{"z":true}')
    assert.deepEqual(values(upstream.requests[0].headers, 'content-encoding'), [])
  })

  for (const where of ['before', 'between']) {
    it(`a parsed body that cannot be rebuilt (${where} middleware()): 500 at once, nothing sent`, async (t) => {
      // A parser of its own media type: the parsed object says nothing of the bytes sent.
      const custom = (req, res, next) => {
        req.on('data', () => {})
        req.on('end', () => {
          req.body = { parsed: true }
          next()
        })
      }
      const { port, upstream } = await parserProxy(t, { [where]: [custom] })
      const response = await exchange(port, withLength('POST /p HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/x-custom']], 'abc'))
      assert.equal(response.status, 500)
      assert.match(response.body.toString(), /ERR_HOP_BY_HOP_BODY_CONSUMED/)
      assert.equal(upstream.requests.length, 0)
    })
  }

  it('forward() behind express.json(): JSON with Content-Length and chunked', async (t) => {
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    const app = express()
    app.use(express.json())
    app.use((req, res) => forward(req, res, upstream.url))
    const port = await serve(t, app)
    const body = '{ "f": "orward" }'
    assert.equal((await exchange(port, withLength('POST /l HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/json']], body))).status, 200)
    assert.equal((await exchange(port, chunkedOf('POST /c HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/json']], body))).status, 200)
    for (const request of upstream.requests) {
      assert.equal(request.body.toString(), '{"f":"orward"}')
      assert.deepEqual(values(request.headers, 'content-length'), ['14'])
    }
  })
})

describe('arguments: coded errors that name the argument, checked before anything is sent', () => {
  const req = new http.IncomingMessage(new net.Socket())
  const res = new http.ServerResponse(req)
  const socket = new net.Socket()
  const typeError = (argument) => ({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: new RegExp(`"${argument.replace('.', '\\.')}"`) })

  it('relay() and relayUpgrade()', () => {
    assert.throws(() => relay(), typeError('req'))
    assert.throws(() => relay(req), typeError('res'))
    assert.throws(() => relay(req, res), typeError('upstreamRequest'))
    assert.throws(() => relay(req, res, {}), typeError('upstreamRequest'))
    const upstreamRequest = http.request({ host: '127.0.0.1', port: 9, agent: false })
    upstreamRequest.on('error', () => {})
    upstreamRequest.destroy()
    assert.throws(() => relay(req, res, upstreamRequest, { trsut: 'loopback' }), { code: 'ERR_INVALID_ARG_VALUE', suggestion: 'trust' })
    // A value of the wrong type, or a bad name in a list, is thrown at the call too, not answered
    // 502 on every response after the request went upstream.
    assert.throws(() => relay(req, res, upstreamRequest, { strict: 'yes' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /options\.strict/ })
    assert.throws(() => relay(req, res, upstreamRequest, Object.create({ strict: 1 })), { name: 'TypeError', message: /options\.strict/ })
    assert.throws(() => relay(req, res, upstreamRequest, { protect: 'Host' }), { name: 'TypeError', message: /options\.protect/ })
    assert.throws(() => relay(req, res, upstreamRequest, { strip: ['bad name'] }), { message: /bad name/ })
    assert.throws(() => relay(req, res, upstreamRequest, { timeout: '30s' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"options\.timeout"/ })
    assert.throws(() => relay(req, res, upstreamRequest, { timeout: 1.5 }), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: /"options\.timeout"/ })
    assert.throws(() => relayUpgrade(req, socket, Buffer.alloc(0), upstreamRequest, { timeout: -1 }), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' })
    assert.throws(() => relayUpgrade(req, socket, Buffer.alloc(0), upstreamRequest, { strict: 'yes' }), { name: 'TypeError', message: /options\.strict/ })
    assert.throws(() => relayUpgrade(req, {}, Buffer.alloc(0), upstreamRequest), typeError('socket'))
    assert.throws(() => relayUpgrade(req, socket, 'head', upstreamRequest), typeError('head'))
    assert.throws(() => relayUpgrade(req, socket, Buffer.alloc(0), null), typeError('upstreamRequest'))
  })

  it('middleware() when the app is built', () => {
    assert.throws(() => middleware({ trsut: 'loopback' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', suggestion: 'trust', message: /options\.trsut/ })
    assert.throws(() => middleware({ trust: 1.5 }), RangeError)
    assert.throws(() => middleware('strict'), TypeError)
  })

  it('writeHead()', () => {
    assert.throws(() => writeHead(res, 200, 'A: b'), typeError('headers'))
    assert.throws(() => writeHead(res, 200, ['A']), { name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE', message: /'headers'/ })
    assert.throws(() => writeHead(res, 2000, []), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: /"statusCode"/ })
    assert.throws(() => writeHead({}, 200, []), typeError('res'))
  })

  it('forward() and forwardUpgrade(): a req, res, socket or head that is not one is thrown', () => {
    assert.throws(() => forward({}, res, 'http://127.0.0.1/'), typeError('req'))
    assert.throws(() => forwardUpgrade(req, socket, undefined, 'ws://127.0.0.1/'), typeError('head'))
    assert.throws(() => forwardUpgrade(req, undefined, Buffer.alloc(0), 'ws://127.0.0.1/'), typeError('socket'))
    socket.destroy()
  })
})

describe('forward() and forwardUpgrade() with a wrong target or options: 500 on the wire and one warning, never a throw out of the listener', () => {
  // Each runs in a server's listener, where a throw would crash the process (the quick start).
  const MISTAKES = [
    ['a number as target', 42, undefined, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"target"/ }],
    ['a target that is no URL', 'not a url', undefined, { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: /'target'/ }],
    ['an ftp: target', 'ftp://127.0.0.1/', undefined, { name: 'RangeError', message: /'target'/ }],
    ['credentials in the target', 'http://u:p@127.0.0.1/', undefined, { name: 'RangeError', message: /credentials/ }],
    ['a misspelt option', 'http://127.0.0.1:9/', { strct: true }, { code: 'ERR_INVALID_ARG_VALUE', suggestion: 'strict', message: /options\.strct/ }],
    // Node's client would send a chunked GET body unframed: a second request to the upstream.
    ['framing: false, which Node\'s client cannot honour', 'http://127.0.0.1:9/', { framing: false }, { code: 'ERR_INVALID_ARG_VALUE', message: /options\.framing/ }],
    ['an agent that is no agent', 'http://127.0.0.1:9/', { agent: {} }, { name: 'TypeError', message: /"options\.agent"/ }],
    ['an http agent for an https target', 'https://127.0.0.1:9/', { agent: new http.Agent() }, { name: 'RangeError', message: /'options\.agent'/ }],
    ['a timeout that is no number', 'http://127.0.0.1:9/', { timeout: '5s' }, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"options\.timeout"/ }],
    ['a negative timeout', 'http://127.0.0.1:9/', { timeout: -1 }, { name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: /"options\.timeout"/ }],
    ['a timeout past setTimeout\'s bound', 'http://127.0.0.1:9/', { timeout: 2 ** 31 }, { name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: /"options\.timeout"/ }],
  ]
  for (const [what, target, options, expected] of MISTAKES) {
    it(`${what}`, async (t) => {
      const warnings = []
      const onWarning = (warning) => warnings.push(warning)
      process.on('warning', onWarning)
      t.after(() => process.off('warning', onWarning))
      const server = http.createServer((q, s) => forward(q, s, target, options))
      server.on('upgrade', (q, sock, head) => forwardUpgrade(q, sock, head, target, options))
      const port = await listen(server)
      t.after(() => closeServer(server))
      for (let i = 0; i < 2; i++) {
        const { status } = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a.test']]))
        assert.equal(status, 500)
      }
      const upgrade = await exchange(port, rawRequest('GET /ws HTTP/1.1', [['Host', 'a.test'], ['Connection', 'Upgrade'], ['Upgrade', 'websocket']]))
      assert.equal(upgrade.status, 500)
      await new Promise((resolve) => setImmediate(resolve))
      const reported = warnings.filter((warning) => warning.code === expected.code || expected.code === undefined)
      assert.ok(reported.length >= 1 && reported.length <= 2, `one warning per function, got ${warnings.map((w) => w.message)}`)
      assert.throws(() => {
        throw reported[0]
      }, expected)
    })
  }
})

describe('timeout (forward(), forwardUpgrade(), relay()): an upstream that goes quiet', () => {
  const TIMEOUT_MS = 300

  /**
   * A port where the kernel drops the SYNs, as for a host that is down: a stopped process's
   * listening socket whose accept queue is full.
   */
  async function unreachableUpstream(t) {
    const script = "const s = require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => console.log(s.address().port))"
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    t.after(() => child.kill('SIGKILL'))
    const port = await withTimeout(new Promise((resolve) => child.stdout.once('data', (data) => resolve(Number(String(data).trim())))), 5000, 'the listener')
    child.kill('SIGSTOP')
    for (let i = 0; i < 4; i++) {
      const filler = net.connect(port, '127.0.0.1')
      filler.on('error', () => {})
      t.after(() => filler.destroy())
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
    return { url: `http://127.0.0.1:${port}` }
  }

  /** A proxy of forward()/forwardUpgrade() with `options` in front of `upstream`. */
  async function timedProxy(t, upstream, options = { timeout: TIMEOUT_MS }) {
    const server = http.createServer((q, s) => forward(q, s, upstream.url, options))
    server.on('upgrade', (q, sock, head) => forwardUpgrade(q, sock, head, upstream.url, options))
    const port = await listen(server)
    t.after(() => closeServer(server))
    return port
  }

  it('answers 504 when the upstream sends no answer in time, and the next request is served', async (t) => {
    const upstream = await startRecordingUpstream((request) => (request.target === '/slow' ? new Promise(() => {}) : rawResponse({ body: 'ok' })))
    t.after(() => upstream.close())
    const port = await timedProxy(t, upstream)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /slow HTTP/1.1', [['Host', 'a.test']]))
    const timedOut = await client.response()
    assert.equal(timedOut.status, 504)
    assert.match(timedOut.body.toString(), /ERR_HOP_BY_HOP_UPSTREAM_TIMEOUT/)
    const fresh = await exchange(port, rawRequest('GET /fast HTTP/1.1', [['Host', 'a.test']]))
    assert.equal(fresh.status, 200)
    assert.equal(fresh.body.toString(), 'ok')
  })

  it('cuts the client when the upstream goes quiet in the middle of its body, never ending it as if whole', async (t) => {
    const upstream = await startRecordingUpstream(() => (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf')
      return new Promise(() => {})
    })
    t.after(() => upstream.close())
    const port = await timedProxy(t, upstream)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.1', [['Host', 'a.test']]))
    await assert.rejects(client.response())
    assert.equal(await client.closesWithin(2000), true)
  })

  it('lets an upstream that sends slowly but steadily finish, the whole taking longer than the timeout', async (t) => {
    const parts = ['a', 'b', 'c', 'd', 'e', 'f']
    const upstream = await startRecordingUpstream(() => async (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')
      for (const part of parts) {
        await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 3))
        socket.write(`1\r\n${part}\r\n`)
      }
      socket.write('0\r\n\r\n')
    })
    t.after(() => upstream.close())
    const port = await timedProxy(t, upstream)
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a.test']]))
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), parts.join(''))
  })

  it('answers 504 when the upstream does not even take the connection in time (its SYNs dropped)', async (t) => {
    const upstream = await unreachableUpstream(t)
    for (const agent of [new http.Agent({ keepAlive: true }), false]) {
      const port = await timedProxy(t, upstream, { timeout: TIMEOUT_MS, agent })
      const response = await withTimeout(exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a.test']])), 3000, 'the 504')
      assert.equal(response.status, 504, String(agent))
      if (agent) agent.destroy()
    }
  })

  it("keeps a shorter timeout of the program's own upstream request, connecting included", async (t) => {
    const upstream = await unreachableUpstream(t)
    const server = http.createServer((req, res) => {
      const upstreamRequest = http.request(`${upstream.url}/`, { timeout: TIMEOUT_MS, agent: false })
      upstreamRequest.on('timeout', () => upstreamRequest.destroy(Object.assign(new Error('the program gave up'), { code: 'PROGRAM_TIMEOUT' })))
      relay(req, res, upstreamRequest, { timeout: 30_000 })
    })
    const port = await listen(server)
    t.after(() => closeServer(server))
    const response = await withTimeout(exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a.test']])), 5000, 'an answer')
    // The program's own timeout, answered as an upstream failure: not relay()'s 504, 30 s later.
    assert.equal(response.status, 502)
    assert.match(response.body.toString(), /PROGRAM_TIMEOUT/)
  })

  it('does not cut a client that reads slowly: the upstream then waits on the client, not the reverse', async (t) => {
    const size = 8 * 1024 * 1024
    const upstream = await startRecordingUpstream(() => rawResponse({ body: 'x'.repeat(size) }))
    t.after(() => upstream.close())
    const port = await timedProxy(t, upstream)
    const socket = net.connect(port, '127.0.0.1')
    t.after(() => socket.destroy())
    socket.on('error', () => {})
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(rawRequest('GET / HTTP/1.1', [['Host', 'a.test'], ['Connection', 'close']]))
    socket.pause() // the client stops reading: the proxy's buffers fill, and it pauses the upstream
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 4))
    let received = 0
    socket.on('data', (chunk) => (received += chunk.length))
    socket.resume()
    await withTimeout(new Promise((resolve) => socket.once('close', resolve)), 10000, 'the whole answer')
    assert.ok(received > size, `received ${received} of more than ${size} bytes`)
  })

  it('keeps an idle WebSocket tunnel open past the timeout once the upstream switched protocols', async (t) => {
    const upstream = await startRecordingUpstream(() => (socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n')
      socket.on('data', (chunk) => socket.write(chunk)) // echoes the tunnel's bytes
      return new Promise(() => {})
    })
    t.after(() => upstream.close())
    const port = await timedProxy(t, upstream)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /ws HTTP/1.1', [['Host', 'a.test'], ['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==']]))
    assert.equal((await client.response()).status, 101)
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 2))
    client.send('ping')
    assert.equal((await withTimeout(client.reader.bytes(4), 2000, 'echo')).toString(), 'ping')
  })

  it('relay() with timeout, as in the Express recipe: 504 when the upstream sends no answer in time', async (t) => {
    const upstream = await startRecordingUpstream(() => new Promise(() => {}))
    t.after(() => upstream.close())
    const app = express()
    app.use(middleware())
    app.use((req, res) => {
      relay(req, res, http.request(upstream.url, { method: req.method, path: req.url, headers: req.forward.headers }), { timeout: TIMEOUT_MS })
    })
    const server = http.createServer(app)
    const port = await listen(server)
    t.after(() => closeServer(server))
    const response = await exchange(port, rawRequest('GET /x HTTP/1.1', [['Host', 'a.test']]))
    assert.equal(response.status, 504)
    assert.equal(upstream.requests.length, 1)
  })

  it('answers 504 on the socket when the upstream of a handshake sends no answer in time', async (t) => {
    const upstream = await startRecordingUpstream(() => new Promise(() => {}))
    t.after(() => upstream.close())
    const port = await timedProxy(t, upstream)
    const response = await exchange(port, rawRequest('GET /ws HTTP/1.1', [['Host', 'a.test'], ['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==']]))
    assert.equal(response.status, 504)
  })
})
