'use strict'
// http-proxy-middleware 3 (plugin()) and http-proxy 1.18 (attach()) on the wire, with every kind
// of request a proxy sees: plain, Expect: 100-continue (curl and a raw socket), chunked,
// WebSocket (ws), a followed redirect, a spoofed X-Forwarded-For, bodies a body parser already
// read (with and without hpm's fixRequestBody, in both listener orders), and an upstream that
// cuts its body short. A raw upstream records the exact request bytes.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const zlib = require('node:zlib')
const express = require('express')
const httpProxy = require('http-proxy')
const { createProxyMiddleware, fixRequestBody } = require('http-proxy-middleware')
const { WebSocket, WebSocketServer } = require('ws')
const { attach, plugin } = require('..')
const { startExample } = require('./helpers/examples.js')
const { WAIT_MS, withTimeout, listen, closeServer, values, names, rawRequest, rawResponse, connect, exchange } = require('./helpers/wire.js')
const { SPOOFED, recordingUpstream, assertClean, curl, webSocketUpstream, opened, nextMessage } = require('./helpers/fixtures.js')

const KINDS = ['hpm + plugin', 'http-proxy + attach']

/**
 * A proxy of `kind` in front of `upstream`: `parsers` (Express middleware) run first; `fix` is
 * where hpm's fixRequestBody goes: 'none', 'before' the package's listener or 'after' it.
 */
async function proxyFor(t, kind, upstream, { parsers = [], fix = 'none', proxyOptions = {} } = {}) {
  const agent = new http.Agent({ keepAlive: true })
  const app = express()
  for (const parser of parsers) app.use(parser)
  let server
  if (kind === 'hpm + plugin') {
    const plugins = fix === 'after' ? [plugin(), (proxy) => proxy.on('proxyReq', fixRequestBody)] : [plugin()]
    const on = fix === 'before' ? { proxyReq: fixRequestBody } : {}
    const proxy = createProxyMiddleware({ target: upstream, agent, ws: true, logger: null, on, plugins, ...proxyOptions })
    app.use(proxy)
    server = http.createServer(app)
    // hpm subscribes to 'upgrade' itself only after a first plain request.
    server.on('upgrade', proxy.upgrade)
  } else {
    const proxy = httpProxy.createProxyServer({ target: upstream, agent, ws: true, ...proxyOptions })
    if (fix === 'before') proxy.on('proxyReq', fixRequestBody)
    attach(proxy)
    if (fix === 'after') proxy.on('proxyReq', fixRequestBody)
    proxy.on('error', (error, req, res) => {
      if (typeof res.writeHead !== 'function') return res.destroy()
      if (!res.headersSent) res.writeHead(502, { 'Content-Length': '0' })
      res.end()
    })
    app.use((req, res) => proxy.web(req, res))
    server = http.createServer(app)
    server.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head))
  }
  const port = await listen(server)
  t.after(async () => {
    agent.destroy()
    await closeServer(server)
  })
  return port
}

for (const kind of KINDS) {
  describe(`${kind}: every request kind reaches the upstream filtered`, () => {
    it('a plain GET: no nominated field, no client Keep-Alive, no forged X-Forwarded-For; Via both ways', async (t) => {
      const upstream = await recordingUpstream(t)
      const port = await proxyFor(t, kind, upstream.url)
      const response = await exchange(port, rawRequest('GET /plain HTTP/1.1', [['Host', 'front.test'], ...SPOOFED]))
      assert.equal(response.status, 200)
      assertClean(upstream.requests[0])
      assert.deepEqual(values(response.headers, 'via'), ['1.1 hop-by-hop'])
    })

    it('a 2 KB POST curl sends with Expect: 100-continue (http-proxy emits no proxyReq for it)', async (t) => {
      const upstream = await recordingUpstream(t)
      const port = await proxyFor(t, kind, upstream.url)
      const body = 'x'.repeat(2048)
      const headers = SPOOFED.flatMap(([name, value]) => ['-H', `${name}: ${value}`])
      const { trace } = await curl(['-H', 'Content-Type: text/plain', '-H', 'Expect: 100-continue', ...headers, '--data-binary', body, `http://127.0.0.1:${port}/expect`])
      assert.match(trace, /> Expect: 100-continue/)
      assert.match(trace, /< HTTP\/1\.1 100 Continue/)
      assert.match(trace, /< HTTP\/1\.1 200 OK/)
      const [request] = upstream.requests
      assert.deepEqual(values(request.headers, 'expect'), ['100-continue'])
      assertClean(request)
      assert.equal(request.body.toString(), body)
    })

    it('a POST with Expect: 100-continue from a raw socket that waits for the 100', async (t) => {
      const upstream = await recordingUpstream(t)
      const port = await proxyFor(t, kind, upstream.url)
      const client = await connect(port)
      t.after(() => client.destroy())
      client.send(rawRequest('POST /expect HTTP/1.1', [['Host', 'front.test'], ['Expect', '100-continue'], ['Content-Length', '5'], ...SPOOFED]))
      assert.equal((await client.response()).status, 100)
      client.send('hello')
      assert.equal((await client.response()).status, 200)
      assertClean(upstream.requests[0])
      assert.equal(upstream.requests[0].body.toString(), 'hello')
    })

    it('a chunked POST goes on chunked, once', async (t) => {
      const upstream = await recordingUpstream(t)
      const port = await proxyFor(t, kind, upstream.url)
      const response = await exchange(port, rawRequest('POST /chunked HTTP/1.1', [['Host', 'front.test'], ['Transfer-Encoding', 'chunked'], ...SPOOFED], '5\r\nhello\r\n0\r\n\r\n'))
      assert.equal(response.status, 200)
      const [request] = upstream.requests
      assertClean(request)
      assert.deepEqual(values(request.headers, 'transfer-encoding'), ['chunked'])
      assert.deepEqual(values(request.headers, 'content-length'), [])
      assert.equal(request.body.toString(), 'hello')
    })

    it('a WebSocket (ws client): the handshake filtered both ways, messages both ways', async (t) => {
      const upstream = await webSocketUpstream(t)
      const port = await proxyFor(t, kind, upstream.url)
      // ws writes its own Connection; the fixed-list and forwarding fields are the client's.
      const client = new WebSocket(`ws://127.0.0.1:${port}/socket`, { headers: { 'Keep-Alive': '300', 'Proxy-Authorization': 'Basic dTpw', 'X-Forwarded-For': '6.6.6.6' } })
      t.after(() => client.terminate())
      const response = await opened(client)
      assert.equal(response.headers.via, '1.1 hop-by-hop')
      assert.equal(response.headers['keep-alive'], undefined)
      assert.equal(response.headers['x-upstream-hop'], undefined)
      client.send('ping')
      assert.equal(await nextMessage(client), 'echo ping')
      const [lines] = upstream.handshakes
      assert.deepEqual(values(lines, 'keep-alive'), [])
      assert.deepEqual(values(lines, 'proxy-authorization'), [])
      assert.deepEqual(values(lines, 'x-forwarded-for'), ['127.0.0.1'])
      assert.deepEqual(values(lines, 'via'), ['1.1 hop-by-hop'])
      assert.deepEqual(values(lines, 'connection'), ['upgrade'])
    })

    it('a WebSocket handshake that nominates a field (raw socket): the field never reaches the upstream', async (t) => {
      const upstream = await recordingUpstream(t, () => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n')
      const port = await proxyFor(t, kind, upstream.url)
      const client = await connect(port)
      t.after(() => client.destroy())
      client.send(rawRequest('GET /socket HTTP/1.1', [
        ['Host', 'front.test'],
        ['Connection', 'Upgrade, X-Secret'],
        ['X-Secret', 'client-token'],
        ['Upgrade', 'websocket'],
        ['Sec-WebSocket-Version', '13'],
        ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
        ['X-Forwarded-For', '6.6.6.6'],
      ]))
      assert.equal((await client.response()).status, 101)
      const [request] = upstream.requests
      assert.deepEqual(values(request.headers, 'x-secret'), [])
      assert.deepEqual(values(request.headers, 'x-forwarded-for'), ['127.0.0.1'])
      assert.deepEqual(values(request.headers, 'via'), ['1.1 hop-by-hop'])
    })

    it('a redirect followed by followRedirects: both hops filtered, the POST body sent on both', async (t) => {
      const upstream = await recordingUpstream(t, (request) => (request.target === '/landing'
        ? rawResponse({ body: 'landed' })
        : rawResponse({ status: 307, reason: 'Temporary Redirect', headers: [['Location', '/landing']] })))
      const port = await proxyFor(t, kind, upstream.url, { proxyOptions: { followRedirects: true } })
      const response = await exchange(port, rawRequest('POST /start HTTP/1.1', [['Host', `127.0.0.1:${upstream.port}`], ['Content-Length', '3'], ...SPOOFED], 'a=1'))
      assert.equal(response.status, 200)
      assert.equal(response.body.toString(), 'landed')
      assert.deepEqual(upstream.requests.map((request) => request.target), ['/start', '/landing'])
      for (const request of upstream.requests) {
        assertClean(request, request.target)
        assert.equal(request.body.toString(), 'a=1')
      }
    })

    it('an absolute-form target whose Host names another host: 400, nothing upstream (RFC 9112 §3.2.2)', async (t) => {
      const upstream = await recordingUpstream(t)
      const port = await proxyFor(t, kind, upstream.url)
      const response = await exchange(port, rawRequest('GET http://admin.internal/secret HTTP/1.1', [['Host', 'front.test']]))
      assert.equal(response.status, 400)
      assert.match(response.body.toString(), /ERR_HOP_BY_HOP_HOST_MISMATCH/)
      assert.equal(upstream.connections, 0)
    })

    it('a response body Node does not decode whole (gzip, a parameter, an empty element): 502, never the coded bytes as content (RFC 9112 §6.1)', async (t) => {
      // llhttp decodes a body as chunked only when the one Transfer-Encoding value is `chunked`.
      const codings = ['gzip, chunked', 'chunked;x=1', 'chunked,', 'x-custom']
      const upstream = await recordingUpstream(t, (request) => {
        const coding = request.target === '/plain' ? ' Chunked ' : codings[Number(request.target.slice(1))]
        return { raw: `HTTP/1.1 200 OK\r\nTransfer-Encoding: ${coding}\r\n\r\n5\r\nxxxxx\r\n0\r\n\r\n`, close: true }
      })
      const port = await proxyFor(t, kind, upstream.url)
      for (const [index, coding] of codings.entries()) {
        const response = await exchange(port, rawRequest(`GET /${index} HTTP/1.1`, [['Host', 'front.test']]))
        assert.equal(response.status, 502, coding)
        assert.doesNotMatch(response.body.toString(), /xxxxx/, coding)
      }
      const plain = await exchange(port, rawRequest('GET /plain HTTP/1.1', [['Host', 'front.test']]))
      assert.equal(plain.status, 200)
      assert.equal(plain.body.toString(), 'xxxxx')
    })

    it('an upstream that sends 10 of 100 promised bytes and resets: the client connection is cut at once', async (t) => {
      const net = require('node:net')
      const cutting = net.createServer((socket) => {
        socket.once('data', () => {
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789')
          setTimeout(() => socket.resetAndDestroy(), 50)
        })
      })
      const upstreamPort = await listen(cutting)
      t.after(() => closeServer(cutting))
      const port = await proxyFor(t, kind, `http://127.0.0.1:${upstreamPort}`)
      const client = await connect(port)
      t.after(() => client.destroy())
      client.send(rawRequest('GET /cut HTTP/1.1', [['Host', 'front.test']]))
      assert.equal(await client.closesWithin(2000), true, 'the client still waits for 90 bytes')
      const received = client.reader.buffer.toString('latin1')
      assert.match(received, /^HTTP\/1\.1 200 OK\r\n/)
      assert.ok(received.split('\r\n\r\n')[1].length < 100, 'never a complete body')
    })
  })

  describe(`${kind}: behind a body parser`, () => {
    const BODIES = [
      { parser: express.json(), type: 'application/json', body: '{"a":1,"b":["x","y"]}' },
      { parser: express.urlencoded({ extended: false }), type: 'application/x-www-form-urlencoded', body: 'a=1&b=x&b=y' },
      { parser: express.text(), type: 'text/plain', body: 'plain text body' },
      { parser: express.raw(), type: 'application/octet-stream', body: 'raw \u0001 bytes' },
    ]
    const parsers = BODIES.map(({ parser }) => parser)

    for (const fix of ['none', 'before', 'after']) {
      it(`forwards each parsed body exactly once, framed by its length (fixRequestBody: ${fix})`, async (t) => {
        const upstream = await recordingUpstream(t)
        const port = await proxyFor(t, kind, upstream.url, { parsers, fix })
        let sent = 0
        for (const { type, body } of BODIES) {
          for (const framing of ['length', 'chunked']) {
            const frame = framing === 'length'
              ? [['Content-Length', String(Buffer.byteLength(body))]]
              : [['Transfer-Encoding', 'chunked']]
            const payload = framing === 'length' ? body : `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`
            const label = `${type} ${framing}`
            const response = await exchange(port, rawRequest('POST /parsed HTTP/1.1', [['Host', 'front.test'], ['Content-Type', type], ...frame], payload))
            assert.equal(response.status, 200, label)
            sent++
            const request = await upstream.received(sent)
            assert.equal(request.body.toString(), body, label)
            assert.deepEqual(values(request.headers, 'content-length'), [String(Buffer.byteLength(body))], label)
            assert.deepEqual(values(request.headers, 'transfer-encoding'), [], label)
          }
        }
        // A body sent twice would show up as a second, garbled request on the upstream.
        await new Promise((resolve) => setTimeout(resolve, 100))
        assert.equal(upstream.requests.length, sent)
      })
    }

    it('answers 500 ERR_HOP_BY_HOP_BODY_CONSUMED at once for a body it cannot rebuild, sending nothing', async (t) => {
      const upstream = await recordingUpstream(t)
      const port = await proxyFor(t, kind, upstream.url, { parsers: [express.urlencoded({ extended: true })] })
      const response = await exchange(port, rawRequest('POST /nested HTTP/1.1', [['Host', 'front.test'], ['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Length', '9']], 'a[b]=1&c=2'.slice(0, 9)))
      assert.equal(response.status, 500)
      assert.match(response.body.toString(), /ERR_HOP_BY_HOP_BODY_CONSUMED/)
      assert.equal(upstream.connections, 0)
    })

    it('a gzip body express.json() inflated goes on decoded, without Content-Encoding', async (t) => {
      const upstream = await recordingUpstream(t)
      const port = await proxyFor(t, kind, upstream.url, { parsers: [express.json()] })
      const gzipped = zlib.gzipSync('{"z":true}')
      const head = rawRequest('POST /gzip HTTP/1.1', [['Host', 'front.test'], ['Content-Type', 'application/json'], ['Content-Encoding', 'gzip'], ['Content-Length', String(gzipped.length)]])
      const response = await exchange(port, Buffer.concat([Buffer.from(head, 'latin1'), gzipped]))
      assert.equal(response.status, 200)
      assert.equal(upstream.requests[0].body.toString(), '{"z":true}')
      assert.deepEqual(values(upstream.requests[0].headers, 'content-encoding'), [])
      assert.deepEqual(values(upstream.requests[0].headers, 'content-length'), ['10'])
    })

    it('a chunked DELETE and OPTIONS with a JSON body parsed first go on with that body (http-proxy rewrites their content-length to 0)', async (t) => {
      const upstream = await recordingUpstream(t)
      const port = await proxyFor(t, kind, upstream.url, { parsers: [express.json()] })
      for (const method of ['DELETE', 'OPTIONS']) {
        const response = await exchange(port, rawRequest(`${method} /d HTTP/1.1`, [['Host', 'front.test'], ['Content-Type', 'application/json'], ['Transfer-Encoding', 'chunked']], '7\r\n{"a":1}\r\n0\r\n\r\n'))
        assert.equal(response.status, 200, method)
      }
      assert.deepEqual(upstream.requests.map((request) => [request.method, request.body.toString(), values(request.headers, 'content-length')]), [
        ['DELETE', '{"a":1}', ['7']],
        ['OPTIONS', '{"a":1}', ['7']],
      ])
    })

    it('a form in charset=iso-8859-1 parsed first goes on in that charset, byte for byte', async (t) => {
      const upstream = await recordingUpstream(t)
      const port = await proxyFor(t, kind, upstream.url, { parsers: [express.urlencoded({ extended: false })] })
      const body = 'name=%E9t%E9&city=K%F6ln+Nord'
      const response = await exchange(port, rawRequest('POST /form HTTP/1.1', [['Host', 'front.test'], ['Content-Type', 'application/x-www-form-urlencoded; charset=iso-8859-1'], ['Content-Length', String(body.length)]], body))
      assert.equal(response.status, 200)
      assert.equal(upstream.requests[0].body.toString('latin1'), 'name=%E9t%E9&city=K%F6ln%20Nord')
    })

    it('a JSON body curl sends with Expect: 100-continue, parsed first', async (t) => {
      const upstream = await recordingUpstream(t)
      const port = await proxyFor(t, kind, upstream.url, { parsers: [express.json()] })
      const body = JSON.stringify({ text: 'y'.repeat(2000) })
      const { trace } = await curl(['-H', 'Content-Type: application/json', '-H', 'Expect: 100-continue', '--data-binary', body, `http://127.0.0.1:${port}/json`])
      assert.match(trace, /> Expect: 100-continue/)
      assert.match(trace, /< HTTP\/1\.1 200 OK/)
      assert.equal(upstream.requests[0].body.toString(), body)
      assert.deepEqual(values(upstream.requests[0].headers, 'content-length'), [String(body.length)])
      assert.ok(!names(upstream.requests[0].headers).includes('transfer-encoding'))
    })
  })
}

describe('attach() and plugin() arguments', () => {
  it('no longer offer the listener-only form, which let Expect requests and WebSocket handshakes through unfiltered', () => {
    const api = require('..')
    for (const name of ['onProxyReq', 'onProxyRes', 'createProxyHandlers']) assert.equal(api[name], undefined, name)
    assert.equal(typeof api.plugin, 'function')
  })

  it('refuse what is not an http-proxy server, naming proxyServer', () => {
    for (const value of [{}, null, undefined, 'proxy', { before() {} }]) {
      assert.throws(() => attach(value), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /"proxyServer"/ })
    }
  })

  it('refuse an unknown option with the nearest name, at once', () => {
    const proxy = httpProxy.createProxyServer({})
    assert.throws(() => attach(proxy, { bogus: 1 }), { code: 'ERR_INVALID_ARG_VALUE', message: /options\.bogus/ })
    assert.throws(() => plugin({ strct: true }), { code: 'ERR_INVALID_ARG_VALUE', message: /did you mean 'strict'/ })
    // Decided per message by attach itself, and framing belongs to Node's ClientRequest.
    for (const name of ['upgrade', 'direction', 'framing']) {
      assert.throws(() => attach(proxy, { [name]: true }), { code: 'ERR_INVALID_ARG_VALUE' }, name)
    }
    assert.throws(() => plugin({ trust: 3.5 }), { code: 'ERR_OUT_OF_RANGE' })
    assert.throws(() => plugin([]), { code: 'ERR_INVALID_ARG_TYPE' })
  })

  it('answer 502 for a proxyRes they cannot read (http-proxy-3\'s fetch Response), never throwing into the event', () => {
    const proxy = httpProxy.createProxyServer({})
    attach(proxy)
    const res = { headersSent: false, setHeader() {}, writeHead(status) { this.status = status; return this }, end() { this.ended = true }, destroy() {} }
    const req = { method: 'GET', httpVersion: '1.1', rawHeaders: ['Host', 'a'], headers: { host: 'a' }, socket: {} }
    assert.doesNotThrow(() => proxy.emit('proxyRes', { status: 200, headers: new Map() }, req, res))
    assert.equal(res.status, 502)
    assert.equal(res.ended, true)
  })

  it('refuse a second attach to the same server, which would filter twice', () => {
    const proxy = httpProxy.createProxyServer({})
    attach(proxy, { strict: true })
    assert.throws(() => attach(proxy), { code: 'ERR_INVALID_ARG_VALUE', message: /proxyServer/ })
    assert.doesNotThrow(() => plugin()(httpProxy.createProxyServer({}), { target: 'http://127.0.0.1:1' }))
  })
})

for (const example of ['http-proxy.js', 'http-proxy-middleware.js']) {
  describe(`examples/${example}, run as a user runs it`, () => {
    it('filters a JSON POST curl sends with Expect: 100-continue and a chunked one, each body sent once', async (t) => {
      const upstream = await recordingUpstream(t)
      const { port } = await startExample(t, example, { UPSTREAM: upstream.url })
      const body = JSON.stringify({ text: 'z'.repeat(2000) })
      const headers = SPOOFED.flatMap(([name, value]) => ['-H', `${name}: ${value}`])
      const { trace, body: answer } = await curl(['-H', 'Content-Type: application/json', '-H', 'Expect: 100-continue', ...headers, '--data-binary', body, `http://127.0.0.1:${port}/json`])
      assert.match(trace, /< HTTP\/1\.1 100 Continue/)
      assert.match(trace, /< HTTP\/1\.1 200 OK/)
      assert.match(trace, /< Via: 1\.1 hop-by-hop/)
      assert.equal(answer, 'ok')
      assertClean(upstream.requests[0])
      assert.equal(upstream.requests[0].body.toString(), body)
      const chunked = await curl(['-H', 'Content-Type: application/json', '-H', 'Transfer-Encoding: chunked', '--data-binary', body, `http://127.0.0.1:${port}/chunked`])
      assert.match(chunked.trace, /< HTTP\/1\.1 200 OK/)
      await upstream.received(2)
      assert.equal(upstream.requests[1].body.toString(), body)
      assert.equal(upstream.requests.length, 2)
    })

    it('an upstream chunked body that breaks after announcing Trailer is answered by the error listener; the process lives on', async (t) => {
      // The Trailer announced for the client's TE: trailers must not outlive the upstream body:
      // Node refuses it on the listener's 502 with a Content-Length, thrown out of the listener.
      const upstream = require('node:net').createServer((socket) => {
        socket.on('error', () => {})
        socket.once('data', (data) => {
          if (data.includes('/broken')) socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\nzz\r\n')
          else socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok')
        })
      })
      const upstreamPort = await listen(upstream)
      t.after(() => closeServer(upstream))
      const { port } = await startExample(t, example, { UPSTREAM: `http://127.0.0.1:${upstreamPort}` })
      const broken = await exchange(port, rawRequest('GET /broken HTTP/1.1', [['Host', 'a'], ['TE', 'trailers'], ['Connection', 'te, close']]))
      assert.equal(broken.status, 502)
      assert.deepEqual(values(broken.headers, 'trailer'), [])
      const next = await exchange(port, rawRequest('GET /next HTTP/1.1', [['Host', 'a'], ['Connection', 'close']]))
      assert.equal(next.status, 200)
      assert.equal(next.body.toString(), 'ok')
    })

    it('proxies a WebSocket (ws client) with the handshake filtered, and cuts a body the upstream cuts short', async (t) => {
      const upstreamServer = http.createServer((req, res) => {
        res.writeHead(200, { 'Content-Length': '100' })
        res.write('0123456789')
        setTimeout(() => res.socket.resetAndDestroy(), 50)
      })
      const wss = new WebSocketServer({ server: upstreamServer })
      const handshakes = []
      wss.on('connection', (socket, req) => {
        handshakes.push(req.headers)
        socket.on('message', (data) => socket.send(`echo ${data}`))
      })
      const upstreamPort = await listen(upstreamServer)
      t.after(async () => {
        for (const socket of wss.clients) socket.terminate()
        wss.close()
        await closeServer(upstreamServer)
      })
      const { port } = await startExample(t, example, { UPSTREAM: `http://127.0.0.1:${upstreamPort}` })
      const client = new WebSocket(`ws://127.0.0.1:${port}/socket`, { headers: { 'Keep-Alive': '300', 'X-Forwarded-For': '6.6.6.6' } })
      t.after(() => client.terminate())
      await withTimeout(new Promise((resolve, reject) => {
        client.once('open', resolve)
        client.once('error', reject)
      }), WAIT_MS, 'open')
      client.send('ping')
      const [data] = await withTimeout(new Promise((resolve) => client.once('message', (...args) => resolve(args))), WAIT_MS, 'message')
      assert.equal(data.toString(), 'echo ping')
      assert.equal(handshakes[0]['keep-alive'], undefined)
      assert.equal(handshakes[0]['x-forwarded-for'], '127.0.0.1')
      assert.equal(handshakes[0].via, '1.1 hop-by-hop')
      const raw = await connect(port)
      t.after(() => raw.destroy())
      raw.send(rawRequest('GET /cut HTTP/1.1', [['Host', 'front.test']]))
      assert.equal(await raw.closesWithin(2000), true, 'the client still waits for 90 bytes')
    })
  })
}
