'use strict'
// Express 5 integration: middleware(), writeHead() and the documented forwarding recipe, on the wire.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const express = require('express')
const { middleware, writeHead } = require('..')
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
} = require('./helpers/wire.js')
const { forwardingApp } = require('./helpers/recipes.js')

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
    assert.throws(() => middleware({ httpVersion: '3' }), RangeError)
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

describe('Express forwarding recipe', () => {
  async function recipeFixture(t, respond) {
    const upstream = await startRecordingUpstream(respond)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const port = await serve(t, forwardingApp({ host: '127.0.0.1', port: upstream.port }, agent))
    t.after(async () => {
      agent.destroy()
      await upstream.close()
    })
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
