'use strict'
// Wire-level tests of the http-proxy 1.18.1 and http-proxy-middleware 3 integration: a raw
// upstream records the exact request bytes, raw-socket clients send crafted requests.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const path = require('node:path')
const httpProxy = require('http-proxy')
const express = require('express')
const { createProxyMiddleware } = require('http-proxy-middleware')
const { WebSocketServer } = require('ws')
const { attach, plugin } = require('..')
const {
  WAIT_MS,
  withTimeout,
  runChild,
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

// A request that exercises every rule: the fixed list, nominated names (any case), TE.
const CRAFTED = rawRequest('GET /crafted HTTP/1.1', [
  ['Host', 'front.test'],
  ['Connection', 'keep-alive, X-Secret, x-other'],
  ['Connection', 'Proxy-Authenticate'],
  ['X-Secret', 'client-token'],
  ['X-Other', 'o'],
  ['Keep-Alive', 'timeout=30, max=100'],
  ['Proxy-Connection', 'keep-alive'],
  ['TE', 'gzip, trailers'],
  ['Trailer', 'X-Checksum'],
  ['Upgrade', 'h2c'],
  ['HTTP2-Settings', 'AAMAAABkAAQAoAAAAAIAAAAA'],
  ['Proxy-Authorization', 'Basic dTpw'],
  ['X-End-To-End', 'kept'],
])

const WS_HANDSHAKE = [
  ['Host', 'front.test'],
  ['Upgrade', 'websocket'],
  ['Sec-WebSocket-Version', '13'],
  ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
]

const REMOVED_FROM_REQUEST = [
  'keep-alive',
  'proxy-connection',
  'trailer',
  'upgrade',
  'http2-settings',
  'proxy-authorization',
  'x-secret',
  'x-other',
]

// An upstream answer with its own hop-by-hop fields.
const LEAKY_RESPONSE = rawResponse({
  headers: [
    ['Connection', 'keep-alive, X-Upstream-Secret'],
    ['X-Upstream-Secret', 'internal'],
    ['Keep-Alive', 'timeout=99, max=7'],
    ['Proxy-Connection', 'keep-alive'],
    ['Set-Cookie', 'a=1; Path=/'],
    ['Set-Cookie', 'b=2; Path=/'],
    ['X-CamelCase-Header', 'Value'],
  ],
  body: 'upstream body',
})

/** The raw upstream, http-proxy in front of it, and a front server on 127.0.0.1. */
async function proxyFixture(t, { mode = 'attach', core, proxyOptions, respond } = {}) {
  const upstream = await startRecordingUpstream(respond)
  // One upstream socket, so that reuse (or its absence) is visible in upstream.connections.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const proxy = httpProxy.createProxyServer({ target: upstream.url, xfwd: true, agent, ...proxyOptions })
  const errors = []
  proxy.on('error', (error, req, res) => {
    errors.push(error)
    if (typeof res.writeHead !== 'function') return res.destroy()
    if (!res.headersSent) res.writeHead(error.statusCode ?? 502, { 'Content-Length': '0' })
    res.end()
  })
  if (mode === 'attach') attach(proxy, core)
  const front = http.createServer((req, res) => proxy.web(req, res))
  if (proxyOptions?.ws) front.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head))
  const port = await listen(front)
  t.after(async () => {
    agent.destroy()
    await closeServer(front)
    await upstream.close()
  })
  return { port, upstream, errors }
}

function upstreamConnectionValue(request) {
  return values(request.headers, 'connection').join(', ')
}

describe('http-proxy 1.18.1 alone (the anchor bugs this package fixes)', () => {
  it('forwards the client hop-by-hop fields and nominated headers upstream', async (t) => {
    const { port, upstream } = await proxyFixture(t, { mode: 'none' })
    await exchange(port, CRAFTED.replace('Trailer: X-Checksum\r\n', ''))
    const [request] = upstream.requests
    assert.equal(values(request.headers, 'x-secret')[0], 'client-token')
    assert.equal(values(request.headers, 'keep-alive')[0], 'timeout=30, max=100')
    assert.match(upstreamConnectionValue(request), /X-Secret/)
  })

  it('copies the upstream Connection/Keep-Alive and the nominated header to the client', async (t) => {
    const { port } = await proxyFixture(t, { mode: 'none', respond: () => LEAKY_RESPONSE })
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.deepEqual(values(response.headers, 'x-upstream-secret'), ['internal'])
    assert.deepEqual(values(response.headers, 'keep-alive'), ['timeout=99, max=7'])
  })

  it('closes the client connection when the upstream sends Connection: close', async (t) => {
    const { port } = await proxyFixture(t, {
      mode: 'none',
      respond: () => ({ raw: rawResponse({ headers: [['Connection', 'close']], body: 'x' }), close: true }),
    })
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    await client.response()
    assert.equal(await client.closesWithin(1000), true)
  })

  it('keeps an HTTP/1.0 client that asked for keep-alive open (setConnection pass)', async (t) => {
    const { port } = await proxyFixture(t, { mode: 'none' })
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.0', [['Host', 'a'], ['Connection', 'keep-alive']]))
    const response = await client.response()
    assert.deepEqual(values(response.headers, 'connection'), ['keep-alive'])
    assert.equal(await client.closesWithin(300), false)
  })

  it('sends a chunked DELETE body as a second request (deleteLength pass)', async (t) => {
    const { port, upstream } = await proxyFixture(t, { mode: 'none' })
    await exchange(port, chunkedRequest('DELETE', 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n'))
    await upstream.received(2)
    assert.equal(upstream.requests[1].target, '/smuggled')
  })

  it("ends the process when the upstream refuses and nobody listens for 'error'", async () => {
    const outcome = await runChild(unansweredErrorScript(false))
    assert.notEqual(outcome.code, 0)
    assert.match(outcome.stderr, /ECONNREFUSED/)
  })

  it('crashes the process on a client Trailer header (http-proxy issue #1647)', async () => {
    const outcome = await runChild(trailerScript(false))
    assert.notEqual(outcome.code, 0)
    assert.match(outcome.stderr, /ERR_HTTP_TRAILER_INVALID/)
  })
})

describe('http-proxy 1.18.1 with attach()', () => {
  it('sends upstream no hop-by-hop field, no nominated header and only its own Connection', async (t) => {
    const { port, upstream } = await proxyFixture(t)
    const response = await exchange(port, CRAFTED)
    assert.equal(response.status, 200)
    const [request] = upstream.requests
    for (const name of REMOVED_FROM_REQUEST) assert.ok(!names(request.headers).includes(name), `${name} reached the upstream`)
    // The crafted request offers TE: trailers, so the proxy's own Connection names te too.
    assert.equal(upstreamConnectionValue(request), 'te')
    assert.deepEqual(values(request.headers, 'x-end-to-end'), ['kept'])
    assert.deepEqual(values(request.headers, 'host'), ['front.test'])
  })

  it('sends the client\'s lines upstream in the client\'s case, the first line of a name spelling it, and its own lines as spelt', async (t) => {
    // The proxy's own lines are set under lower-case names and spelt afterwards (appendOwnHeader).
    for (const proxyOptions of [{}, { changeOrigin: true }]) {
      const { port, upstream } = await proxyFixture(t, { proxyOptions })
      // A client's own via line: this proxy's Via joins it under the client's spelling.
      const lines = [['Host', 'front.test'], ['User-Agent', 'curl/8'], ['X-Mixed-Case', '1'], ['x-lower', '2'], ['COOKIE', 'a=1'], ['cookie', 'b=2'], ['X-Dup', '1'], ['x-dup', '2'], ['via', '1.0 other']]
      // Twice: the second request meets the names of the first again.
      for (const target of ['/one', '/two']) {
        assert.equal((await exchange(port, rawRequest(`GET ${target} HTTP/1.1`, lines))).status, 200)
        const head = upstream.requests.at(-1).head
        for (const line of ['User-Agent: curl/8', 'X-Mixed-Case: 1', 'x-lower: 2', 'COOKIE: a=1; b=2', 'X-Dup: 1', 'X-Dup: 2', 'via: 1.0 other', 'via: 1.1 hop-by-hop', 'X-Forwarded-For: 127.0.0.1', 'X-Forwarded-Host: front.test']) {
          assert.ok(head.includes(`\r\n${line}\r\n`), `${line} in ${JSON.stringify(head)}`)
        }
        // changeOrigin sets http-proxy's own lower-case host, as without the package.
        assert.match(head, /\r\nhost: /i)
      }
    }
  })

  it('never forwards an upgrade on the web path', async (t) => {
    // Without an 'upgrade' listener Node serves this as a plain request; http-proxy's web path
    // could not tunnel a 101 anyway.
    const { port, upstream } = await proxyFixture(t)
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Connection', 'Upgrade'], ['Upgrade', 'h2c']]))
    assert.equal(response.status, 200)
    assert.deepEqual(values(upstream.requests[0].headers, 'upgrade'), [])
    assert.equal(upstreamConnectionValue(upstream.requests[0]), 'keep-alive')
  })

  it('passes TE: trailers on as exactly one TE line', async (t) => {
    const { port, upstream } = await proxyFixture(t)
    await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['TE', 'deflate;q=0.5, trailers'], ['te', 'gzip']]))
    await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['TE', 'gzip']]))
    assert.deepEqual(values(upstream.requests[0].headers, 'te'), ['trailers'])
    assert.deepEqual(values(upstream.requests[1].headers, 'te'), [])
    // RFC 9110 §10.1.4: the sender of TE names it in Connection too (keep-alive is HTTP/1.1's
    // default, and the other paths send `te` alone).
    assert.equal(upstreamConnectionValue(upstream.requests[0]), 'te')
    assert.equal(upstreamConnectionValue(upstream.requests[1]), 'keep-alive')
  })

  it('keeps the upstream socket reusable and never forwards the client Connection: close', async (t) => {
    const { port, upstream } = await proxyFixture(t)
    const first = await connect(port)
    t.after(() => first.destroy())
    first.send(rawRequest('GET /one HTTP/1.1', [['Host', 'a'], ['Connection', 'close']]))
    assert.equal((await first.response()).status, 200)
    // Only the client side is closed ...
    assert.equal(await first.closesWithin(1000), true)
    // ... and the next client's request travels on the same upstream connection.
    await exchange(port, rawRequest('GET /two HTTP/1.1', [['Host', 'a']]))
    assert.equal(upstreamConnectionValue(upstream.requests[0]), 'keep-alive')
    assert.equal(upstream.connections, 1)
    assert.deepEqual(upstream.requests.map((r) => r.connection), [1, 1])
  })

  it('sends Connection: close upstream when http-proxy has no agent (its own decision)', async (t) => {
    const { port, upstream } = await proxyFixture(t, { proxyOptions: { agent: false } })
    await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Connection', 'keep-alive, X-A'], ['X-A', '1']]))
    assert.equal(upstreamConnectionValue(upstream.requests[0]), 'close')
    assert.deepEqual(values(upstream.requests[0].headers, 'x-a'), [])
  })

  it('gives the client only its own Connection/Keep-Alive, none of the upstream fields', async (t) => {
    const { port } = await proxyFixture(t, { respond: () => LEAKY_RESPONSE })
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Connection', 'keep-alive, X-Client']]))
    assert.deepEqual(values(response.headers, 'x-upstream-secret'), [])
    assert.deepEqual(values(response.headers, 'proxy-connection'), [])
    // Node's own values for the client hop, not the upstream's timeout=99 or the client's tokens.
    assert.deepEqual(values(response.headers, 'connection'), ['keep-alive'])
    assert.deepEqual(values(response.headers, 'keep-alive'), ['timeout=5'])
    assert.equal(response.body.toString(), 'upstream body')
  })

  it('keeps the upstream Content-Length of a HEAD answer and the connection usable', async (t) => {
    const { port } = await proxyFixture(t, {
      respond: (request) => `HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: keep-alive, X-A\r\nX-A: 1\r\n\r\n${request.method === 'HEAD' ? '' : 'x'.repeat(100)}`,
    })
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('HEAD / HTTP/1.1', [['Host', 'a']]))
    const head = await client.response('HEAD')
    assert.deepEqual(values(head.headers, 'content-length'), ['100'])
    assert.deepEqual(values(head.headers, 'x-a'), [])
    client.send(rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.equal((await client.response()).body.length, 100)
  })

  it('keeps duplicate Set-Cookie lines and the upstream header case', async (t) => {
    const { port } = await proxyFixture(t, { respond: () => LEAKY_RESPONSE })
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1; Path=/', 'b=2; Path=/'])
    assert.ok(response.head.includes('\r\nX-CamelCase-Header: Value\r\n'), response.head)
    assert.ok(response.head.includes('\r\nSet-Cookie: a=1; Path=/\r\n'), response.head)
  })

  it('gives the names the upstream\'s case without http-proxy\'s preserveHeaderKeyCase, which a program may still choose', async (t) => {
    const spelt = (head) => head.split('\r\n').filter((line) => /^(x-camelcase-header|set-cookie):/i.test(line)).map((line) => line.slice(0, line.indexOf(':')))
    for (const [preserveHeaderKeyCase, names] of [
      [undefined, ['Set-Cookie', 'Set-Cookie', 'X-CamelCase-Header']],
      [true, ['Set-Cookie', 'Set-Cookie', 'X-CamelCase-Header']],
      [false, ['set-cookie', 'set-cookie', 'x-camelcase-header']],
    ]) {
      const proxyOptions = preserveHeaderKeyCase === undefined ? {} : { preserveHeaderKeyCase }
      const { port } = await proxyFixture(t, { proxyOptions, respond: () => LEAKY_RESPONSE })
      const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
      assert.deepEqual(spelt(response.head), names, `preserveHeaderKeyCase: ${preserveHeaderKeyCase}`)
      assert.deepEqual(values(response.headers, 'x-upstream-secret'), [])
      // This proxy's Via, spelt as the package spells it whatever the mode...
      assert.ok(response.head.includes('\r\nVia: 1.1 hop-by-hop\r\n'), response.head)
      // ...and after an upstream Via, under the upstream's spelling where names keep theirs.
      const { port: viaPort } = await proxyFixture(t, { proxyOptions, respond: () => rawResponse({ headers: [['via', '1.0 up']], body: 'ok' }) })
      const chained = await exchange(viaPort, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
      assert.ok(chained.head.includes('\r\nvia: 1.0 up, 1.1 hop-by-hop\r\n'), chained.head)
    }
    // attach() leaves the program's option alone: it respells the names itself.
    const proxy = attach(httpProxy.createProxyServer({ target: 'http://127.0.0.1:9' }))
    assert.equal(proxy.options.preserveHeaderKeyCase, undefined)
  })

  it('spells a name as its first line does in each response, whatever the case of its later lines or of earlier responses', async (t) => {
    // Each response: [lines sent, the names on the client's wire]. Node's proxyRes.headers joins
    // repeated lines into one, which http-proxy writes.
    const rounds = [
      [[['x-dup', '1'], ['X-Dup', '2'], ['X-Two', 'a'], ['x-TWO', 'b']], ['x-dup', 'X-Two']],
      [[['X-DUP', '1'], ['x-dup', '2'], ['x-two', 'a'], ['X-Two', 'b']], ['X-DUP', 'x-two']],
      [[['X-Dup', '1'], ['X-Two', 'a']], ['X-Dup', 'X-Two']],
    ]
    let round = 0
    const { port } = await proxyFixture(t, { respond: () => rawResponse({ headers: rounds[round][0], body: 'x' }) })
    for (; round < rounds.length; round++) {
      const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
      const names = response.head.split('\r\n').filter((line) => /^x-(dup|two):/i.test(line)).map((line) => line.slice(0, line.indexOf(':')))
      assert.deepEqual(names, rounds[round][1], `response ${round + 1}`)
      for (const name of ['x-dup', 'x-two']) {
        assert.equal(values(response.headers, name).join(', '), rounds[round][0].filter(([sent]) => sent.toLowerCase() === name).map(([, value]) => value).join(', '))
      }
    }
  })

  it('sends upstream what a proxyReq listener sets, replaces and removes', async (t) => {
    const upstream = await startRecordingUpstream()
    const proxy = httpProxy.createProxyServer({ target: upstream.url })
    attach(proxy)
    proxy.on('proxyReq', (proxyReq) => {
      proxyReq.setHeader('X-Added', 'by-listener')
      proxyReq.setHeader('X-Replace', 'new')
      proxyReq.removeHeader('x-remove-me')
    })
    const front = http.createServer((req, res) => proxy.web(req, res))
    const port = await listen(front)
    t.after(async () => {
      await closeServer(front)
      await upstream.close()
    })
    const head = [['Host', 'h'], ['X-Remove-Me', '1'], ['X-Replace', 'old'], ['Connection', 'X-Nom'], ['X-Nom', 'n'], ['Content-Length', '3']]
    await exchange(port, rawRequest('POST /a HTTP/1.1', head, 'abc'))
    const [request] = upstream.requests
    assert.deepEqual(values(request.headers, 'x-added'), ['by-listener'])
    assert.deepEqual(values(request.headers, 'x-replace'), ['new'])
    assert.deepEqual(values(request.headers, 'x-remove-me'), [])
    assert.deepEqual(values(request.headers, 'x-nom'), [])
    assert.equal(request.body.toString(), 'abc')
  })

  it("keeps http-proxy's response rewrites: cookieDomainRewrite, cookiePathRewrite, autoRewrite, hostRewrite, protocolRewrite", async (t) => {
    // A redirect to the target itself, with cookies for the internal domain and a nominated field.
    let target = ''
    const upstream = await startRecordingUpstream(() => rawResponse({
      status: 302,
      reason: 'Found',
      headers: [
        ['Location', `${target}/next?x=1`],
        ['Set-Cookie', 'sid=1; Domain=internal.example; Path=/api'],
        ['Set-Cookie', 'b=2; Domain=internal.example'],
        ['Connection', 'X-Up'],
        ['X-Up', 'secret'],
      ],
    }))
    target = upstream.url
    t.after(() => upstream.close())
    const cases = [
      [{ cookieDomainRewrite: 'public.example', cookiePathRewrite: { '/api': '/' } }, `${target}/next?x=1`, ['sid=1; Domain=public.example; Path=/', 'b=2; Domain=public.example']],
      [{ autoRewrite: true }, 'http://front.example:8080/next?x=1', null],
      [{ hostRewrite: 'front.example' }, 'http://front.example/next?x=1', null],
      [{ protocolRewrite: 'https', hostRewrite: 'front.example' }, 'https://front.example/next?x=1', null],
    ]
    for (const [options, location, cookies] of cases) {
      const proxy = httpProxy.createProxyServer({ target, ...options })
      attach(proxy)
      const front = http.createServer((req, res) => proxy.web(req, res))
      const port = await listen(front)
      t.after(() => closeServer(front))
      const response = await exchange(port, rawRequest('GET /api/x HTTP/1.1', [['Host', 'front.example:8080']]))
      const label = JSON.stringify(options)
      assert.equal(response.status, 302, label)
      assert.deepEqual(values(response.headers, 'location'), [location], label)
      assert.deepEqual(values(response.headers, 'set-cookie'), cookies ?? ['sid=1; Domain=internal.example; Path=/api', 'b=2; Domain=internal.example'], label)
      assert.deepEqual(values(response.headers, 'x-up'), [], label)
    }
  })

  it('proxyRes.headers reads Connection as the proxy decided and lists no Connection key', async (t) => {
    const seen = []
    const upstream = await startRecordingUpstream(() => LEAKY_RESPONSE)
    t.after(() => upstream.close())
    const proxy = attach(httpProxy.createProxyServer({ target: upstream.url }))
    proxy.on('error', (error, req, res) => res.destroy())
    proxy.on('proxyRes', (proxyRes) => {
      seen.push([proxyRes.headers.connection, Object.keys(proxyRes.headers).includes('connection'), JSON.stringify(proxyRes.headers).includes('onnection')])
    })
    const front = http.createServer((req, res) => proxy.web(req, res))
    const port = await listen(front)
    t.after(() => closeServer(front))
    await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    await exchange(port, rawRequest('GET / HTTP/1.0', [['Host', 'a']]))
    assert.deepEqual(seen, [['keep-alive', false, false], ['close', false, false]])
  })

  it('a header a proxyRes listener sets in its own spelling keeps it; one it adds to proxyRes.headers is lower-case, as without the package', async (t) => {
    const upstream = await startRecordingUpstream(() => LEAKY_RESPONSE)
    t.after(() => upstream.close())
    const proxy = attach(httpProxy.createProxyServer({ target: upstream.url }))
    proxy.on('error', (error, req, res) => res.destroy())
    proxy.on('proxyRes', (proxyRes, req, res) => {
      res.setHeader('X-Own-SPELLING', '1')
      proxyRes.headers['x-added'] = '2'
    })
    const front = http.createServer((req, res) => proxy.web(req, res))
    const port = await listen(front)
    t.after(() => closeServer(front))
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.ok(response.head.includes('\r\nX-Own-SPELLING: 1\r\n'), response.head)
    assert.ok(response.head.includes('\r\nx-added: 2\r\n'), response.head)
    assert.ok(response.head.includes('\r\nX-CamelCase-Header: Value\r\n'), response.head)
  })

  it('does not close the client connection when the upstream sends Connection: close', async (t) => {
    const { port, upstream } = await proxyFixture(t, {
      respond: () => ({ raw: rawResponse({ headers: [['Connection', 'close']], body: 'x' }), close: true }),
    })
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /1 HTTP/1.1', [['Host', 'a']]))
    const first = await client.response()
    assert.deepEqual(values(first.headers, 'connection'), ['keep-alive'])
    client.send(rawRequest('GET /2 HTTP/1.1', [['Host', 'a']]))
    assert.equal((await client.response()).status, 200)
    // The upstream closed after each answer, so the proxy opened a second upstream connection.
    assert.equal(upstream.connections, 2)
  })

  it('closes an HTTP/1.0 client that asked for keep-alive after its response', async (t) => {
    const { port } = await proxyFixture(t)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.0', [['Host', 'a'], ['Connection', 'keep-alive']]))
    const response = await client.response()
    assert.equal(response.status, 200)
    assert.deepEqual(values(response.headers, 'connection'), ['close'])
    assert.equal(await client.closesWithin(1000), true)
  })

  it('answers a request with a Trailer header instead of crashing (#1647)', async (t) => {
    const { port, upstream } = await proxyFixture(t)
    const plain = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Trailer', 'X-Checksum']]))
    assert.equal(plain.status, 200)
    assert.deepEqual(values(upstream.requests[0].headers, 'trailer'), [])
    const outcome = await runChild(trailerScript(true))
    assert.equal(outcome.code, 0, outcome.stderr)
    assert.match(outcome.stdout, /status 200/)
  })

  it('also filters requests with Expect: 100-continue, where http-proxy emits no proxyReq', async (t) => {
    const { port, upstream } = await proxyFixture(t)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('POST / HTTP/1.1', [
      ['Host', 'a'],
      ['Expect', '100-continue'],
      ['Trailer', 'X-Checksum'],
      ['Connection', 'X-Secret'],
      ['X-Secret', 's'],
      ['Content-Length', '4'],
    ]))
    assert.equal((await client.response()).status, 100)
    client.send('body')
    assert.equal((await client.response()).status, 200)
    const [request] = upstream.requests
    assert.deepEqual(values(request.headers, 'trailer'), [])
    assert.deepEqual(values(request.headers, 'x-secret'), [])
    assert.equal(request.body.toString(), 'body')
  })

  it('replaces xfwd: a client\'s X-Forwarded-* never reaches the upstream, nominated or not; Via both ways', async (t) => {
    const { port, upstream } = await proxyFixture(t)
    const first = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Connection', 'X-Forwarded-For'], ['X-Forwarded-For', '203.0.113.9']]))
    await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Connection', 'X-Forwarded-For, X-Forwarded-Proto'], ['X-Forwarded-Proto', 'https'], ['X-Forwarded-Port', '443']]))
    for (const request of upstream.requests) {
      assert.deepEqual(values(request.headers, 'x-forwarded-for'), ['127.0.0.1'])
      assert.deepEqual(values(request.headers, 'x-forwarded-proto'), ['http'])
      assert.deepEqual(values(request.headers, 'x-forwarded-host'), ['a'])
      assert.deepEqual(values(request.headers, 'x-forwarded-port'), [])
      assert.deepEqual(values(request.headers, 'via'), ['1.1 hop-by-hop'])
      assert.equal(upstreamConnectionValue(request), 'keep-alive')
    }
    assert.deepEqual(values(first.headers, 'via'), ['1.1 hop-by-hop'])
  })

  it('with trust, extends the chain of a trusted peer', async (t) => {
    const { port, upstream } = await proxyFixture(t, { core: { trust: 'loopback' } })
    await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['X-Forwarded-For', '203.0.113.9'], ['X-Forwarded-Proto', 'https']]))
    assert.deepEqual(values(upstream.requests[0].headers, 'x-forwarded-for'), ['203.0.113.9, 127.0.0.1'])
    assert.deepEqual(values(upstream.requests[0].headers, 'x-forwarded-proto'), ['https'])
  })

  it('with strip: [X-Forwarded-For] still sends the proxy entry', async (t) => {
    const { port, upstream } = await proxyFixture(t, { core: { strip: ['X-Forwarded-For'] } })
    await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['X-Forwarded-For', '203.0.113.9, 10.0.0.1']]))
    assert.deepEqual(values(upstream.requests[0].headers, 'x-forwarded-for'), ['127.0.0.1'])
  })

  it('frames chunked request bodies itself, also for DELETE', async (t) => {
    const { port, upstream } = await proxyFixture(t)
    const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n'
    for (const method of ['POST', 'DELETE', 'GET']) {
      assert.equal((await exchange(port, chunkedRequest(method, smuggled))).status, 200)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(upstream.requests.map((r) => r.method), ['POST', 'DELETE', 'GET'])
    for (const request of upstream.requests) {
      assert.equal(request.body.toString(), smuggled)
      assert.deepEqual(values(request.headers, 'transfer-encoding'), ['chunked'])
      assert.deepEqual(values(request.headers, 'content-length'), [])
    }
  })

  it('keeps the framing of a body whose Content-Length the client nominated (protect: [])', async (t) => {
    const { port, upstream } = await proxyFixture(t, { core: { protect: [] } })
    const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n'
    const request = rawRequest('GET /outer HTTP/1.1', [['Host', 'a'], ['Connection', 'Content-Length'], ['Content-Length', String(smuggled.length)]], smuggled)
    assert.equal((await exchange(port, request)).status, 200)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(upstream.requests.map((r) => r.target), ['/outer'])
    assert.deepEqual(values(upstream.requests[0].headers, 'content-length'), [String(smuggled.length)])
    assert.equal(upstream.requests[0].body.toString(), smuggled)
  })

  it('proxies a WebSocket upgrade sent with Firefox\'s Connection: keep-alive, Upgrade', async (t) => {
    const upstreamServer = http.createServer()
    const wss = new WebSocketServer({ server: upstreamServer })
    const seen = []
    // The upstream's 101 nominates a field of its own, which must not reach the client.
    wss.on('headers', (headers) => {
      const at = headers.findIndex((line) => /^connection:/i.test(line))
      headers[at] = 'Connection: Upgrade, X-Upstream-Hop'
      headers.push('X-Upstream-Hop: 1', 'Keep-Alive: timeout=9')
    })
    wss.on('connection', (socket, req) => {
      seen.push(req.rawHeaders)
      socket.send('hello')
    })
    const upstreamPort = await listen(upstreamServer)
    const proxy = httpProxy.createProxyServer({ target: `http://127.0.0.1:${upstreamPort}`, ws: true, xfwd: true })
    proxy.on('error', () => {})
    attach(proxy)
    const front = http.createServer((req, res) => proxy.web(req, res))
    front.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head))
    const port = await listen(front)
    const client = await connect(port)
    t.after(async () => {
      client.destroy()
      for (const socket of wss.clients) socket.terminate()
      wss.close()
      await closeServer(front)
      await closeServer(upstreamServer)
    })
    client.send(rawRequest('GET /socket HTTP/1.1', [
      ['Host', 'front.test'],
      ['Connection', 'keep-alive, Upgrade, X-Sneaky'],
      ['X-Sneaky', '1'],
      ['Keep-Alive', '300'],
      ['Upgrade', 'websocket'],
      ['Sec-WebSocket-Version', '13'],
      ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ]))
    const response = await client.response()
    assert.equal(response.status, 101)
    assert.deepEqual(values(response.headers, 'upgrade'), ['websocket'])
    assert.deepEqual(values(response.headers, 'connection'), ['upgrade'])
    assert.deepEqual(values(response.headers, 'x-upstream-hop'), [])
    assert.deepEqual(values(response.headers, 'keep-alive'), [])
    // A server text frame: FIN + opcode 1, unmasked length 5, "hello".
    const frame = await withTimeout(client.reader.bytes(7), WAIT_MS, 'websocket frame')
    assert.deepEqual([...frame.subarray(0, 2)], [0x81, 5])
    assert.equal(frame.subarray(2).toString(), 'hello')
    const upstreamHeaders = seen[0]
    const lines = []
    for (let i = 0; i < upstreamHeaders.length; i += 2) lines.push([upstreamHeaders[i], upstreamHeaders[i + 1]])
    assert.deepEqual(values(lines, 'connection'), ['upgrade'])
    assert.deepEqual(values(lines, 'x-sneaky'), [])
    assert.deepEqual(values(lines, 'keep-alive'), [])
  })

  it('refuses a strict-mode WebSocket handshake with 400 before contacting the upstream', async (t) => {
    const { port, upstream, errors } = await proxyFixture(t, { core: { strict: true }, proxyOptions: { ws: true } })
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /socket HTTP/1.1', [...WS_HANDSHAKE, ['Connection', 'Upgrade, X-Forwarded-For']]))
    const response = await client.response()
    assert.equal(response.status, 400)
    assert.match(response.body.toString(), /ERR_HOP_BY_HOP_PROTECTED/)
    assert.equal(upstream.connections, 0)
    assert.deepEqual(errors, [])
  })

  it('drops both sides when the upstream 101 names an invalid protocol', async (t) => {
    const { port, upstream } = await proxyFixture(t, {
      proxyOptions: { ws: true },
      respond: () => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: w\u00e9bsocket\r\nConnection: Upgrade\r\n\r\n',
    })
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /socket HTTP/1.1', [...WS_HANDSHAKE, ['Connection', 'Upgrade']]))
    assert.equal(await client.closesWithin(2000), true)
    assert.equal(client.reader.buffer.length, 0)
    assert.equal(upstream.requests.length, 1)
  })

  it('answers 400 in strict mode before anything reaches the upstream', async (t) => {
    const { port, upstream, errors } = await proxyFixture(t, { core: { strict: true } })
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Connection', 'Host']]))
    assert.equal(response.status, 400)
    assert.match(response.body.toString(), /ERR_HOP_BY_HOP_PROTECTED/)
    assert.equal(upstream.connections, 0)
    assert.deepEqual(errors, [])
  })

  it('answers 502 when a strict filter refuses the upstream response', async (t) => {
    const { port } = await proxyFixture(t, {
      core: { strict: true },
      respond: () => rawResponse({ headers: [['Connection', 'Content-Length']], body: 'x' }),
    })
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.equal(response.status, 502)
  })
})

describe('attach() and the error listener', () => {
  it('closes an HTTP/1.0 keep-alive client after the error listener answers', async (t) => {
    const unused = await startRecordingUpstream()
    await unused.close() // a port where nothing listens
    const proxy = httpProxy.createProxyServer({ target: unused.url })
    attach(proxy)
    proxy.on('error', (error, req, res) => res.writeHead(502, { 'Content-Length': '0' }).end())
    const front = http.createServer((req, res) => proxy.web(req, res))
    const port = await listen(front)
    t.after(() => closeServer(front))
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.0', [['Host', 'a'], ['Connection', 'keep-alive']]))
    assert.equal((await client.response()).status, 502)
    assert.equal(await client.closesWithin(1000), true)
  })

  it("answers 502 when the 'error' listener only logs: an upstream that refuses, and one that outlasts proxyTimeout", async (t) => {
    const unused = await startRecordingUpstream()
    await unused.close() // a port where nothing listens
    const silent = await startRecordingUpstream(() => new Promise(() => {})) // reads, never answers
    t.after(() => silent.close())
    for (const [target, proxyTimeout] of [[unused.url, undefined], [silent.url, 200]]) {
      const proxy = httpProxy.createProxyServer({ target, proxyTimeout })
      attach(proxy)
      const logged = []
      proxy.on('error', (error) => logged.push(error.code))
      const front = http.createServer((req, res) => proxy.web(req, res))
      const port = await listen(front)
      t.after(() => closeServer(front))
      const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
      assert.equal(response.status, 502, target)
      assert.equal(logged.length, 1)
    }
  })

  it("answers 502 at once, and the process lives, when the program has no 'error' listener", async () => {
    const outcome = await runChild(unansweredErrorScript(true))
    assert.equal(outcome.code, 0, outcome.stderr)
    assert.equal(outcome.stdout.trim(), 'status 502')
  })

  it("leaves the answer to a retry from an 'error' listener added before attach(), however long the backup takes", async (t) => {
    const backup = await startRecordingUpstream(() => new Promise((resolve) => setTimeout(resolve, 1300, rawResponse({ body: 'from backup' }))))
    const unused = await startRecordingUpstream()
    await unused.close()
    t.after(() => backup.close())
    const proxy = httpProxy.createProxyServer({ target: unused.url })
    // http-proxy-middleware adds its on.error this way, before its plugins.
    proxy.on('error', (error, req, res) => proxy.web(req, res, { target: backup.url }))
    attach(proxy)
    const front = http.createServer((req, res) => proxy.web(req, res))
    const port = await listen(front)
    t.after(() => closeServer(front))
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'from backup')
  })

  it('leaves an error of no request to http-proxy: proxy.web() without a target throws to its caller', async (t) => {
    const proxy = attach(httpProxy.createProxyServer({}))
    const app = express()
    app.use((req, res) => proxy.web(req, res, { target: undefined }))
    const front = http.createServer(app)
    const port = await listen(front)
    t.after(() => closeServer(front))
    // Express catches the throw and answers 500, as without the package.
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.equal(response.status, 500)
  })

  it('answers a refused request itself and never calls the error listener', async (t) => {
    const { port, upstream, errors } = await proxyFixture(t, { core: { strict: true } })
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Connection', 'Content-Length']]))
    assert.equal(response.status, 400)
    assert.deepEqual(errors, [])
    assert.deepEqual(upstream.requests, [])
  })
})

describe('http-proxy-middleware 3 in Express 5', () => {
  async function hpmFixture(t, middlewareOptions, respond = () => LEAKY_RESPONSE) {
    const upstream = await startRecordingUpstream(respond)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const app = express()
    app.use('/api', createProxyMiddleware({ target: upstream.url, xfwd: true, agent, logger: null, ...middlewareOptions }))
    const server = http.createServer(app)
    const port = await listen(server)
    t.after(async () => {
      agent.destroy()
      await closeServer(server)
      await upstream.close()
    })
    return { port, upstream }
  }

  it("keeps hpm's pathRewrite and router, and what an on.proxyReq listener sets and removes", async (t) => {
    const other = await startRecordingUpstream()
    t.after(() => other.close())
    const { port, upstream } = await hpmFixture(t, {
      plugins: [plugin()],
      pathRewrite: { '^/': '/v1/' },
      router: { 'other.example': other.url },
      on: {
        proxyReq: (proxyReq) => {
          proxyReq.setHeader('X-Added', 'by-listener')
          proxyReq.removeHeader('x-remove-me')
        },
      },
    })
    for (const host of ['other.example', 'front.test']) {
      const response = await exchange(port, rawRequest('GET /api/x?q=1 HTTP/1.1', [['Host', host], ['Connection', 'X-Nom'], ['X-Nom', 'n'], ['X-Remove-Me', '1']]))
      assert.equal(response.status, 200, host)
    }
    for (const request of [other.requests[0], upstream.requests[0]]) {
      assert.equal(request.target, '/v1/x?q=1')
      assert.deepEqual(values(request.headers, 'x-added'), ['by-listener'])
      assert.deepEqual(values(request.headers, 'x-remove-me'), [])
      assert.deepEqual(values(request.headers, 'x-nom'), [])
    }
    assert.deepEqual(values(other.requests[0].headers, 'host'), ['other.example'])
  })

  it('works with plugins: [plugin()]', async (t) => {
    const { port, upstream } = await hpmFixture(t, { plugins: [plugin()] })
    const response = await exchange(port, CRAFTED.replace('/crafted', '/api/crafted'))
    assert.equal(response.status, 200)
    const [request] = upstream.requests
    for (const name of REMOVED_FROM_REQUEST) assert.ok(!names(request.headers).includes(name), name)
    assert.deepEqual(values(request.headers, 'te'), ['trailers'])
    assert.equal(upstreamConnectionValue(request), 'te')
    assert.deepEqual(values(response.headers, 'x-upstream-secret'), [])
    assert.deepEqual(values(response.headers, 'connection'), ['keep-alive'])
    assert.deepEqual(values(response.headers, 'keep-alive'), ['timeout=5'])
    assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1; Path=/', 'b=2; Path=/'])
    assert.ok(response.head.includes('\r\nX-CamelCase-Header: Value\r\n'))
  })

  it('closes an HTTP/1.0 keep-alive client and survives an upstream Connection: close', async (t) => {
    const { port } = await hpmFixture(t, { plugins: [plugin()] }, () => ({
      raw: rawResponse({ headers: [['Connection', 'close']], body: 'x' }),
      close: true,
    }))
    const old = await connect(port)
    t.after(() => old.destroy())
    old.send(rawRequest('GET /api/ HTTP/1.0', [['Host', 'a'], ['Connection', 'keep-alive']]))
    assert.equal((await old.response()).status, 200)
    assert.equal(await old.closesWithin(1000), true)
    const modern = await connect(port)
    t.after(() => modern.destroy())
    modern.send(rawRequest('GET /api/1 HTTP/1.1', [['Host', 'a']]))
    await modern.response()
    modern.send(rawRequest('GET /api/2 HTTP/1.1', [['Host', 'a']]))
    assert.equal((await modern.response()).status, 200)
  })

  it('answers 400 via plugins: [plugin({ strict: true })]', async (t) => {
    const { port, upstream } = await hpmFixture(t, { plugins: [plugin({ strict: true })] })
    const bad = await exchange(port, rawRequest('GET /api/ HTTP/1.1', [['Host', 'a'], ['Connection', 'X-Forwarded-For']]))
    assert.equal(bad.status, 400)
    assert.deepEqual(upstream.requests, [])
    const good = await exchange(port, rawRequest('GET /api/ HTTP/1.1', [['Host', 'a'], ['Connection', 'X-A'], ['X-A', '1']]))
    assert.equal(good.status, 200)
    assert.deepEqual(values(upstream.requests[0].headers, 'x-a'), [])
    assert.ok(good.head.includes('\r\nX-CamelCase-Header: Value\r\n'))
  })
})

function chunkedRequest(method, body) {
  return `${method} /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`
}

/** A child process that proxies one request with a Trailer header and reports the status. */
/** A proxy with no 'error' listener in front of a port where nothing listens; prints the status. */
function unansweredErrorScript(withPackage) {
  return `
    const http = require('node:http')
    const net = require('node:net')
    const httpProxy = require('http-proxy')
    const unused = net.createServer().listen(0, '127.0.0.1', () => {
      const target = 'http://127.0.0.1:' + unused.address().port
      unused.close(() => {
        const proxy = httpProxy.createProxyServer({ target })
        if (${withPackage}) require(${JSON.stringify(path.join(__dirname, '..'))}).attach(proxy)
        const front = http.createServer((req, res) => proxy.web(req, res))
        front.listen(0, '127.0.0.1', () => {
          http.get({ port: front.address().port, host: '127.0.0.1', agent: false }, (res) => {
            process.stdout.write('status ' + res.statusCode, () => process.exit(0))
          })
        })
      })
    })`
}

function trailerScript(withPackage) {
  return `
    const http = require('node:http')
    const net = require('node:net')
    const httpProxy = require('http-proxy')
    const upstream = net.createServer((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n')))
    upstream.listen(0, '127.0.0.1', () => {
      const proxy = httpProxy.createProxyServer({ target: 'http://127.0.0.1:' + upstream.address().port })
      proxy.on('error', () => {})
      if (${withPackage}) require(${JSON.stringify(path.join(__dirname, '..'))}).attach(proxy)
      const front = http.createServer((req, res) => proxy.web(req, res))
      front.listen(0, '127.0.0.1', () => {
        // A raw client: Node's own http.get would refuse to send this header block.
        const client = net.connect(front.address().port, '127.0.0.1', () => {
          client.write('GET / HTTP/1.1\\r\\nHost: a\\r\\nTrailer: X-Checksum\\r\\nConnection: close\\r\\n\\r\\n')
        })
        client.once('data', (chunk) => {
          console.log('status ' + chunk.toString('latin1').split(' ')[1])
          client.destroy()
          front.close()
          upstream.close()
        })
      })
    })`
}

describe("attach() with http-proxy's forward option (a copy of each request to a second server)", () => {
  /** A target and a forward upstream, and http-proxy with both in front, behind `parsers`. */
  async function forwardFixture(t, parsers = [], { withTarget = true } = {}) {
    const target = await startRecordingUpstream()
    const copy = await startRecordingUpstream()
    const proxy = httpProxy.createProxyServer({ target: withTarget ? target.url : undefined, forward: copy.url })
    proxy.on('error', (error, req, res) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Length': '0' })
      res.end()
    })
    attach(proxy)
    const app = express()
    for (const parser of parsers) app.use(parser)
    app.use((req, res) => proxy.web(req, res))
    const front = http.createServer(app)
    const port = await listen(front)
    t.after(async () => {
      await closeServer(front)
      await target.close()
      await copy.close()
    })
    return { port, target, copy }
  }

  it("answers with the target's response when only the copy's server is down, whatever the 'error' listeners do", async (t) => {
    // The target answers after attach()'s wait for unanswered errors; the copy's port is closed.
    const target = await startRecordingUpstream(() => new Promise((resolve) => setTimeout(resolve, 1300, rawResponse({ body: 'from target' }))))
    const unused = await startRecordingUpstream()
    await unused.close()
    t.after(() => target.close())
    for (const listener of ['logs', 'none']) {
      const proxy = httpProxy.createProxyServer({ target: target.url, forward: unused.url })
      attach(proxy)
      const logged = []
      if (listener === 'logs') proxy.on('error', (error) => logged.push(error.code))
      const front = http.createServer((req, res) => proxy.web(req, res))
      const port = await listen(front)
      t.after(() => closeServer(front))
      const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
      assert.equal(response.status, 200, listener)
      assert.equal(response.body.toString(), 'from target', listener)
      if (listener === 'logs') assert.deepEqual(logged, ['ECONNREFUSED'])
    }
  })

  it('filters the head both servers get, and the body and trailers reach the target', async (t) => {
    const { port, target, copy } = await forwardFixture(t)
    const body = 'chunked body'
    const request = 'POST /both HTTP/1.1\r\nHost: a\r\nConnection: X-Secret\r\nX-Secret: s\r\nTransfer-Encoding: chunked\r\n\r\n' +
      `${body.length.toString(16)}\r\n${body}\r\n0\r\nX-Checksum: abc\r\n\r\n`
    const response = await exchange(port, request)
    assert.equal(response.status, 200)
    await target.received(1)
    await copy.received(1)
    for (const [server, name] of [[target, 'target'], [copy, 'forward']]) {
      const [received] = server.requests
      assert.deepEqual(values(received.headers, 'x-secret'), [], `${name} got the nominated header`)
      assert.deepEqual(values(received.headers, 'x-forwarded-for'), ['127.0.0.1'], name)
      assert.equal(received.body.toString(), body, name)
      assert.deepEqual(received.trailers, ['X-Checksum: abc'], name)
    }
  })

  it('sends a body a body parser already read to the target and to the forward server', async (t) => {
    const { port, target, copy } = await forwardFixture(t, [express.json()])
    const json = '{"a":1}'
    const response = await withTimeout(
      exchange(port, rawRequest('POST /json HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/json'], ['Content-Length', String(json.length)]]) + json),
      WAIT_MS,
      'the client got no answer',
    )
    assert.equal(response.status, 200)
    await target.received(1)
    await copy.received(1)
    assert.equal(target.requests[0].body.toString(), json)
    assert.equal(copy.requests[0].body.toString(), json)
  })
  it('with forward alone, the forward server gets the filtered head and the parsed body', async (t) => {
    const { port, target, copy } = await forwardFixture(t, [express.json()], { withTarget: false })
    const json = '{"b":2}'
    const response = await exchange(port, rawRequest('POST /copy HTTP/1.1', [
      ['Host', 'a'], ['Connection', 'X-Secret'], ['X-Secret', 's'], ['Content-Type', 'application/json'], ['Content-Length', String(json.length)],
    ]) + json)
    assert.equal(response.status, 200)
    await copy.received(1)
    assert.deepEqual(values(copy.requests[0].headers, 'x-secret'), [])
    assert.equal(copy.requests[0].body.toString(), json)
    assert.equal(target.requests.length, 0)
  })
})

// http-proxy's selfHandleResponse: the program's 'proxyRes' listener writes the response, with
// http-proxy's README example (writeHead from proxyRes.headers, then a pipe) or
// http-proxy-middleware's responseInterceptor (copies proxyRes.headers, then a Content-Length body).
describe('attach() and plugin() with selfHandleResponse', () => {
  // A chunked upstream answer that announces a trailer and has its own hop-by-hop fields.
  const CHUNKED_WITH_TRAILER = [
    'HTTP/1.1 200 OK',
    'Connection: keep-alive, X-Upstream-Secret',
    'X-Upstream-Secret: internal',
    'Keep-Alive: timeout=99',
    'Transfer-Encoding: chunked',
    'Trailer: X-Sum',
    'Set-Cookie: a=1',
    '',
    '5\r\nhello\r\n0\r\nX-Sum: 9\r\n\r\n',
  ].join('\r\n')

  const TRAILERS_REQUEST = rawRequest('GET /api/x HTTP/1.1', [['Host', 'a'], ['TE', 'trailers']])

  function assertNoUpstreamHopByHop(response) {
    assert.deepEqual(values(response.headers, 'x-upstream-secret'), [])
    assert.deepEqual(values(response.headers, 'connection'), ['keep-alive'])
    assert.deepEqual(values(response.headers, 'keep-alive'), ['timeout=5'])
  }

  /**
   * http-proxy with selfHandleResponse and attach() in front of the chunked upstream, the
   * program's `onProxyRes` writing the response; a client connection sending TRAILERS_REQUEST
   * twice, each response handed to `check`.
   */
  async function selfHandled(t, onProxyRes, check) {
    const upstream = await startRecordingUpstream(() => CHUNKED_WITH_TRAILER)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const proxy = httpProxy.createProxyServer({ target: upstream.url, selfHandleResponse: true, agent })
    attach(proxy)
    proxy.on('proxyRes', onProxyRes)
    const front = http.createServer((req, res) => proxy.web(req, res))
    const port = await listen(front)
    t.after(async () => {
      agent.destroy()
      await closeServer(front)
      await upstream.close()
    })
    const client = await connect(port)
    t.after(() => client.destroy())
    for (let i = 0; i < 2; i++) {
      client.send(TRAILERS_REQUEST)
      check(await client.response())
    }
    return upstream
  }

  it("filters what http-proxy's own example copies with writeHead and pipes, trailers included", async (t) => {
    const onProxyRes = (proxyRes, req, res) => {
      res.writeHead(proxyRes.statusCode, proxyRes.headers)
      proxyRes.pipe(res)
    }
    const upstream = await selfHandled(t, onProxyRes, (response) => {
      assert.equal(response.status, 200)
      assertNoUpstreamHopByHop(response)
      assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1'])
      assert.equal(response.body.toString(), 'hello')
      assert.deepEqual(response.trailers, ['X-Sum: 9'])
    })
    assert.equal(upstream.connections, 1)
  })

  it('filters the answer before a writer added ahead of attach(): http-proxy-middleware adds on.proxyRes before its plugins', async (t) => {
    const writer = (proxyRes, req, res) => {
      res.writeHead(proxyRes.statusCode, proxyRes.headers)
      proxyRes.pipe(res)
    }
    const upstream = await startRecordingUpstream(() => CHUNKED_WITH_TRAILER)
    t.after(() => upstream.close())
    const viaHpm = express().use(createProxyMiddleware({ target: upstream.url, selfHandleResponse: true, logger: null, on: { proxyRes: writer }, plugins: [plugin()] }))
    const proxy = httpProxy.createProxyServer({ target: upstream.url, selfHandleResponse: true })
    proxy.on('proxyRes', writer)
    attach(proxy)
    for (const app of [viaHpm, (req, res) => proxy.web(req, res)]) {
      const front = http.createServer(app)
      const port = await listen(front)
      t.after(() => closeServer(front))
      const response = await exchange(port, TRAILERS_REQUEST)
      assert.equal(response.status, 200)
      assertNoUpstreamHopByHop(response)
      assert.equal(response.body.toString(), 'hello')
      assert.deepEqual(response.trailers, ['X-Sum: 9'])
    }
  })

  it('leaves the answer to a listener that drops the upstream answer (proxyRes.destroy()) and writes its own a moment later', async (t) => {
    const uncaught = []
    const onUncaught = (error) => uncaught.push(error)
    process.on('uncaughtException', onUncaught)
    t.after(() => process.off('uncaughtException', onUncaught))
    // An answer still coming (a 503 the listener does not want to pass on, say).
    const upstream = await startRecordingUpstream(() => (socket) => {
      socket.write('HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nbusy.\r\n')
      return new Promise(() => {})
    })
    t.after(() => upstream.close())
    const proxy = httpProxy.createProxyServer({ target: upstream.url, selfHandleResponse: true })
    attach(proxy)
    proxy.on('proxyRes', (proxyRes, req, res) => {
      proxyRes.destroy()
      setTimeout(() => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('custom page'), 100)
    })
    const front = http.createServer((req, res) => proxy.web(req, res))
    const port = await listen(front)
    t.after(() => closeServer(front))
    const response = await exchange(port, TRAILERS_REQUEST)
    assert.equal(response.status, 500)
    assert.equal(response.body.toString(), 'custom page')
    assert.deepEqual(uncaught, [])
  })

  it("keeps the process alive under http-proxy-middleware's responseInterceptor when the upstream announces a trailer", async () => {
    // Node throws ERR_HTTP_TRAILER_INVALID on a Trailer field of a Content-Length response, in
    // the interceptor's 'end' listener, where nothing catches it: run where a crash is seen.
    const outcome = await runChild(`
      const http = require('node:http')
      const net = require('node:net')
      const express = require('express')
      const { createProxyMiddleware, responseInterceptor } = require('http-proxy-middleware')
      const { plugin } = require(${JSON.stringify(path.join(__dirname, '..'))})
      const upstream = net.createServer((s) => s.on('data', () => s.write(${JSON.stringify(CHUNKED_WITH_TRAILER)})))
      upstream.listen(0, '127.0.0.1', () => {
        const app = express()
        app.use('/api', createProxyMiddleware({
          target: 'http://127.0.0.1:' + upstream.address().port,
          selfHandleResponse: true,
          logger: null,
          agent: new http.Agent({ keepAlive: true }),
          plugins: [plugin()],
          on: { proxyRes: responseInterceptor(async (buffer) => buffer.toString('utf8').toUpperCase()) },
        }))
        const front = http.createServer(app)
        front.listen(0, '127.0.0.1', async () => {
          const answers = []
          const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
          for (let i = 0; i < 2; i++) {
            answers.push(await new Promise((resolve, reject) => {
              http.get({ port: front.address().port, host: '127.0.0.1', path: '/api/x', agent, headers: { TE: 'trailers' } }, (res) => {
                let body = ''
                res.setEncoding('latin1')
                res.on('data', (chunk) => (body += chunk))
                res.on('end', () => resolve({ status: res.statusCode, headers: res.rawHeaders, body, trailers: res.rawTrailers }))
              }).on('error', reject)
            }))
          }
          // Every keep-alive socket would hold the servers open: the answers are all that is needed.
          process.stdout.write(JSON.stringify(answers), () => process.exit(0))
        })
      })`)
    assert.equal(outcome.code, 0, outcome.stderr)
    const answers = JSON.parse(outcome.stdout)
    assert.equal(answers.length, 2)
    for (const answer of answers) {
      assert.equal(answer.status, 200)
      assert.equal(answer.body, 'HELLO')
      const lower = answer.headers.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase())
      for (const name of ['trailer', 'x-upstream-secret', 'transfer-encoding']) assert.ok(!lower.includes(name), name)
      assert.deepEqual(answer.headers.filter((_, i) => i % 2 === 1 && lower[i >> 1] === 'content-length'), ['5'])
    }
  })

  it('leaves a response the listener writes from scratch as the listener wrote it', async (t) => {
    const onProxyRes = (proxyRes, req, res) => {
      const chunks = []
      proxyRes.on('data', (chunk) => chunks.push(chunk))
      proxyRes.on('end', () => res.end(`seen ${Buffer.concat(chunks)}`))
    }
    await selfHandled(t, onProxyRes, (response) => {
      assert.equal(response.status, 200)
      assert.equal(response.body.toString(), 'seen hello')
      assert.deepEqual(names(response.headers).sort(), ['connection', 'content-length', 'date', 'keep-alive'])
    })
  })
})
