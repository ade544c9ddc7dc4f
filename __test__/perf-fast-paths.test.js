'use strict'
// Behaviour of the per-request fast paths of the integrations (never their speed, which
// `npm run bench:proxy` measures): names compared in place instead of lower-cased, the state
// attach() keeps on a request, relay()'s response filters compiled once per kind of method,
// writeHead() without a map, and FORCE_FETCH_PATH only where a fetch path exists.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { execFile } = require('node:child_process')
const path = require('node:path')
const { PassThrough } = require('node:stream')
const httpProxy = require('http-proxy')
const { attach, relay, middleware, writeHead, forward } = require('..')
const { isName, equalsIgnoringCase, findLine } = require('../lib/proxy/names.js')
const { Forwarding } = require('../lib/proxy/forwarding.js')
const { mayHaveTrailers } = require('../lib/proxy/trailers.js')
const { listen, closeServer, values, rawRequest, rawResponse, startRecordingUpstream, connect, exchange } = require('./helpers/wire.js')

async function attachedProxy(t, upstream, options) {
  const proxy = attach(httpProxy.createProxyServer({ target: upstream.url }), options)
  proxy.on('error', (error, req, res) => res.destroy())
  const seen = []
  const server = http.createServer((req, res) => {
    seen.push(req)
    proxy.web(req, res)
  })
  const port = await listen(server)
  t.after(() => closeServer(server))
  return { port, seen }
}

describe('names compared in place', () => {
  it('isName and equalsIgnoringCase fold ASCII letters only', () => {
    assert.equal(isName('Content-Length', 'content-length'), true)
    assert.equal(isName('CONTENT-LENGTH', 'content-length'), true)
    assert.equal(isName('Content-Lengtx', 'content-length'), false)
    assert.equal(isName('content-length ', 'content-length'), false)
    // '@' and '`' differ by 0x20 like a letter's cases, but are no letters.
    assert.equal(equalsIgnoringCase('X@', 'x`'), false)
    assert.equal(equalsIgnoringCase('X[', 'x{'), false)
    assert.equal(equalsIgnoringCase('Sec-Fetch-Site', 'Sec-Fetch-Mode'), false)
    assert.equal(equalsIgnoringCase('sec-fetch-site', 'SEC-FETCH-SITE'), true)
    assert.equal(findLine(['A', '1', 'Via', '2', 'via', '3'], 'via'), 2)
    assert.equal(findLine(['A', '1'], 'via'), -1)
  })

  it('Forwarding picks its names by length and text: look-alikes of the same length pass on', () => {
    const forwarding = new Forwarding({})
    const req = { socket: { remoteAddress: '10.0.0.9', localAddress: '127.0.0.1', localPort: 80 }, httpVersion: '1.1', httpVersionMajor: 1, rawHeaders: [] }
    const out = forwarding.request(req, [
      'hOsT', 'front.test',
      'sec-ch-ua', '"x"', // 9, like Forwarded and X-Real-IP
      'X-REAL-IP', '6.6.6.6',
      'sec-ch-ua-mobile', '?0', // 16, like X-Forwarded-Host and X-Forwarded-Port
      'x-forwarded-PORT', '1',
      'Accept', '*/*', // 6, like Cookie
      'Te', 'trailers',
    ])
    const lines = []
    for (let i = 0; i < out.length; i += 2) lines.push([out[i], out[i + 1]])
    assert.deepEqual(values(lines, 'host'), ['front.test'])
    assert.deepEqual(values(lines, 'sec-ch-ua'), ['"x"'])
    assert.deepEqual(values(lines, 'sec-ch-ua-mobile'), ['?0'])
    assert.deepEqual(values(lines, 'accept'), ['*/*'])
    // An untrusted peer's forwarding fields are dropped whatever their case.
    assert.deepEqual(values(lines, 'x-real-ip'), [])
    assert.deepEqual(values(lines, 'x-forwarded-port'), [])
    assert.deepEqual(values(lines, 'x-forwarded-for'), ['10.0.0.9'])
    // TE in any case still names te in Connection (RFC 9110 §10.1.4).
    assert.deepEqual(values(lines, 'connection'), ['te'])
  })
})

describe('attach(): per-request state', () => {
  it('leaves no own property a program can see on the request, and its own headers object', async (t) => {
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    const { port, seen } = await attachedProxy(t, upstream)
    const client = await connect(port)
    t.after(() => client.destroy())
    for (let i = 0; i < 3; i++) {
      client.send(rawRequest(`GET /r${i} HTTP/1.1`, [['Host', 'front.test'], ['Connection', 'keep-alive, X-Drop'], ['X-Drop', 'x'], ['X-Keep', String(i)]]))
      const response = await client.response()
      assert.equal(response.status, 200)
    }
    await upstream.received(3)
    for (const [i, req] of seen.entries()) {
      assert.deepEqual(Object.keys(req).filter((key) => key === 'pipe' || key === 'headers'), [])
      // The catch of the stream pass's pipe stays, hidden, and passes later pipes on.
      assert.equal(Object.getOwnPropertyDescriptor(req, 'pipe')?.enumerable ?? false, false)
      assert.equal(req.pipe(new PassThrough()) instanceof PassThrough, true)
      // The client's headers, not the filtered ones lent to http-proxy.
      assert.equal(req.headers['x-drop'], 'x')
      assert.equal(req.headers['x-keep'], String(i))
      assert.deepEqual(values(upstream.requests[i].headers, 'x-drop'), [])
      assert.deepEqual(values(upstream.requests[i].headers, 'x-keep'), [String(i)])
    }
  })

  it('adds no property to the client request when the call has options of its own: http-proxy-middleware in Express, proxy.web(req, res, options)', async (t) => {
    const express = require('express')
    const { createProxyMiddleware } = require('http-proxy-middleware')
    const { plugin } = require('..')
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    const keys = (req) => Reflect.ownKeys(req).map(String).sort()
    const stacks = {}
    const serve = async (name, handler) => {
      const seen = []
      stacks[name] = seen
      const server = http.createServer((req, res) => {
        res.on('finish', () => seen.push(keys(req)))
        handler(req, res)
      })
      t.after(() => closeServer(server))
      return listen(server)
    }
    const hpm = (plugins) => {
      const app = express()
      app.use(createProxyMiddleware({ target: upstream.url, plugins }))
      return app
    }
    const stock = httpProxy.createProxyServer({ target: upstream.url })
    const attached = attach(httpProxy.createProxyServer({ target: upstream.url }))
    const ports = {
      hpm: await serve('hpm', hpm([])),
      'hpm + plugin': await serve('hpm + plugin', hpm([plugin()])),
      'http-proxy': await serve('http-proxy', (req, res) => stock.web(req, res, { xfwd: false })),
      'http-proxy + attach': await serve('http-proxy + attach', (req, res) => attached.web(req, res, { xfwd: false })),
    }
    for (const [name, port] of Object.entries(ports)) {
      const client = await connect(port)
      for (const method of ['GET', 'POST']) {
        client.send(rawRequest(`${method} /x HTTP/1.1`, [['Host', 'front.test'], ['Connection', 'keep-alive, X-Drop'], ['X-Drop', 'x'], ['Content-Length', '2']], 'ab'))
        assert.equal((await client.response()).status, 200, name)
      }
      client.destroy()
    }
    await upstream.received(8)
    for (const request of upstream.requests) assert.deepEqual(values(request.headers, 'x-drop'), request.headers.some(([name]) => name.toLowerCase() === 'via') ? [] : ['x'])
    assert.equal(stacks['hpm + plugin'].length, 2)
    assert.deepEqual(stacks['hpm + plugin'], stacks.hpm)
    assert.deepEqual(stacks['http-proxy + attach'], stacks['http-proxy'])
  })

  it('keeps the client request a fast-mode object: through http-proxy, and through http-proxy-middleware in Express', async () => {
    // An own property added to the request and deleted again (the stream pass's pipe catch, as it
    // was) turns it into a dictionary-mode object, slower for every later reader of it.
    const script = `
      const http = require('node:http')
      const httpProxy = require('http-proxy')
      const express = require('express')
      const { createProxyMiddleware } = require('http-proxy-middleware')
      const { attach, plugin } = require(${JSON.stringify(path.join(__dirname, '..'))})
      const fast = { attach: [], plugin: [] }
      const record = (kind) => (req, res, next) => { res.on('finish', () => fast[kind].push(%HasFastProperties(req))); next() }
      const upstream = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')) })
      const agent = new http.Agent({ keepAlive: true })
      const send = (url, method, headers, body) => new Promise((resolve, reject) => {
        const request = http.request(url, { method, headers, agent }, (res) => { res.resume(); res.on('end', resolve) })
        request.on('error', reject)
        request.end(body)
      })
      upstream.listen(0, '127.0.0.1', async () => {
        const target = 'http://127.0.0.1:' + upstream.address().port
        const proxy = attach(httpProxy.createProxyServer({ target }))
        const front = http.createServer((req, res) => record('attach')(req, res, () => proxy.web(req, res)))
        const app = express()
        app.use(record('plugin'))
        app.use(createProxyMiddleware({ target, plugins: [plugin()] }))
        const servers = [front, http.createServer(app)]
        for (const server of servers) await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
        for (const server of servers) {
          const url = 'http://127.0.0.1:' + server.address().port + '/x'
          for (let i = 0; i < 3; i++) {
            await send(url, 'GET', {})
            await send(url, 'POST', { Connection: 'keep-alive, X-Drop', 'X-Drop': 'x' }, 'body ' + i)
          }
        }
        console.log(JSON.stringify(fast))
        agent.destroy()
        for (const server of [...servers, upstream]) server.close()
        proxy.close()
        process.exit(0)
      })`
    const stdout = await new Promise((resolve, reject) => {
      execFile(process.execPath, ['--allow-natives-syntax', '-e', script], { cwd: path.join(__dirname, '..'), timeout: 20000 }, (error, out) => (error ? reject(error) : resolve(out)))
    })
    const six = [true, true, true, true, true, true]
    assert.deepEqual(JSON.parse(stdout), { attach: six, plugin: six })
  })

  it('repeated names in any case go upstream under the first spelling, in order; same-length names stay apart', async (t) => {
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    const { port } = await attachedProxy(t, upstream)
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [
      ['Host', 'front.test'],
      ['X-Dup', 'a'],
      ['Sec-Fetch-Site', 'same-origin'],
      ['x-dup', 'b'],
      ['Sec-Fetch-Mode', 'navigate'],
      ['X-DUP', 'c'],
    ]))
    assert.equal(response.status, 200)
    const request = await upstream.received(1)
    assert.deepEqual(request.headers.filter(([name]) => name.toLowerCase() === 'x-dup'), [['X-Dup', 'a'], ['X-Dup', 'b'], ['X-Dup', 'c']])
    assert.deepEqual(values(request.headers, 'sec-fetch-site'), ['same-origin'])
    assert.deepEqual(values(request.headers, 'sec-fetch-mode'), ['navigate'])
  })

  it('drops exactly the upstream fields the filter dropped, one walk over the kept lines', async (t) => {
    const upstream = await startRecordingUpstream(() => rawResponse({
      headers: [['Connection', 'X-Hop'], ['X-Hop', 'h'], ['Keep-Alive', 'timeout=5'], ['X-Hop', 'h2'], ['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'], ['Via', '1.1 origin']],
      body: 'ok',
    }))
    t.after(() => upstream.close())
    const { port } = await attachedProxy(t, upstream)
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'front.test']]))
    assert.equal(response.status, 200)
    assert.deepEqual(values(response.headers, 'x-hop'), [])
    assert.deepEqual(values(response.headers, 'keep-alive').length <= 1, true) // Node's own, if any
    assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1', 'b=2'])
    assert.deepEqual(response.headers.filter(([name]) => name.toLowerCase() === 'via'), [['Via', '1.1 origin, 1.1 hop-by-hop']])
    assert.equal(response.body.toString(), 'ok')
  })

  const UPSTREAM_LINES = [
    ['Connection', 'X-Hop'], ['X-Hop', 'h'], ['Keep-Alive', 'timeout=5'], ['Content-Type', 'text/plain'],
    ['content-type', 'text/html'], ['X-Multi', 'a'], ['x-multi', 'b'], ['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'],
  ]

  it('a later proxyRes listener sees the object Node builds from the kept lines, Connection pinned', async (t) => {
    const upstream = await startRecordingUpstream(() => rawResponse({ headers: UPSTREAM_LINES, body: 'ok' }))
    t.after(() => upstream.close())
    const proxy = attach(httpProxy.createProxyServer({ target: upstream.url }))
    proxy.on('error', (error, req, res) => res.destroy())
    const seen = []
    proxy.on('proxyRes', (proxyRes) => {
      seen.push({ keys: Object.keys(proxyRes.headers), connection: proxyRes.headers.connection, headers: { ...proxyRes.headers } })
      proxyRes.headers['x-late'] = 'l' // a later listener's change still reaches the client
    })
    const server = http.createServer((req, res) => proxy.web(req, res))
    const port = await listen(server)
    t.after(() => closeServer(server))
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'front.test']]))
    assert.equal(response.status, 200)
    // Node's rules for repeated lines: Content-Type keeps the first, others join, Set-Cookie is a list.
    assert.deepEqual(seen[0].headers, {
      'content-type': 'text/plain', 'x-multi': 'a, b', 'set-cookie': ['a=1', 'b=2'], 'content-length': '2', Via: '1.1 hop-by-hop',
    })
    assert.equal(seen[0].keys.includes('connection'), false)
    assert.equal(seen[0].connection, 'keep-alive')
    assert.deepEqual(values(response.headers, 'x-hop'), [])
    assert.deepEqual(values(response.headers, 'x-late'), ['l'])
    assert.deepEqual(values(response.headers, 'content-type'), ['text/plain'])
    assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1', 'b=2'])
    assert.deepEqual(values(response.headers, 'connection'), ['keep-alive'])
  })

  it('a change an earlier proxyRes listener made to proxyRes.headers survives the filter', async (t) => {
    const upstream = await startRecordingUpstream(() => rawResponse({ headers: UPSTREAM_LINES, body: 'ok' }))
    t.after(() => upstream.close())
    const proxy = httpProxy.createProxyServer({ target: upstream.url })
    proxy.on('proxyRes', (proxyRes) => {
      proxyRes.headers['x-early'] = 'e'
    })
    attach(proxy)
    proxy.on('error', (error, req, res) => res.destroy())
    const server = http.createServer((req, res) => proxy.web(req, res))
    const port = await listen(server)
    t.after(() => closeServer(server))
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'front.test']]))
    assert.equal(response.status, 200)
    assert.deepEqual(values(response.headers, 'x-early'), ['e'])
    assert.deepEqual(values(response.headers, 'x-hop'), [])
    assert.deepEqual(values(response.headers, 'keep-alive').length <= 1, true) // Node's own, if any
    assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1', 'b=2'])
    assert.deepEqual(response.headers.filter(([name]) => name.toLowerCase() === 'via'), [['Via', '1.1 hop-by-hop']])
  })

  it('FORCE_FETCH_PATH does not refuse requests on http-proxy 1.x, which has no fetch path', async (t) => {
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    const { port } = await attachedProxy(t, upstream)
    const saved = process.env.FORCE_FETCH_PATH
    process.env.FORCE_FETCH_PATH = 'true'
    t.after(() => {
      if (saved === undefined) delete process.env.FORCE_FETCH_PATH
      else process.env.FORCE_FETCH_PATH = saved
    })
    const response = await exchange(port, rawRequest('GET / HTTP/1.1', [['Host', 'front.test'], ['Connection', 'X-Drop'], ['X-Drop', 'x']]))
    assert.equal(response.status, 200)
    const request = await upstream.received(1)
    assert.deepEqual(values(request.headers, 'x-drop'), [])
  })
})

describe('relay(): response filters compiled once per kind of method', () => {
  async function relayProxy(t, upstream) {
    const server = http.createServer((req, res) => {
      middleware()(req, res, () => {
        const upstreamRequest = http.request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers: req.forward.headers })
        relay(req, res, upstreamRequest)
      })
    })
    const port = await listen(server)
    t.after(() => closeServer(server))
    return port
  }

  it('HEAD, GET and a method the filter does not know, one after the other on one connection', async (t) => {
    const upstream = await startRecordingUpstream((request) => rawResponse({
      headers: [['Content-Length', '5'], ['Connection', 'X-Hop'], ['X-Hop', 'h'], ['X-Method', request.method]],
      body: request.method === 'HEAD' ? '' : 'hello',
    }))
    t.after(() => upstream.close())
    const port = await relayProxy(t, upstream)
    const client = await connect(port)
    t.after(() => client.destroy())
    for (const method of ['HEAD', 'GET', 'PURGE', 'HEAD']) {
      client.send(rawRequest(`${method} / HTTP/1.1`, [['Host', 'front.test']]))
      const response = await client.response(method)
      assert.equal(response.status, 200, method)
      assert.deepEqual(values(response.headers, 'x-method'), [method])
      assert.deepEqual(values(response.headers, 'x-hop'), [])
      // The answer to HEAD keeps the length of the body it does not carry (RFC 9110 §9.3.2).
      assert.deepEqual(values(response.headers, 'content-length'), ['5'])
      assert.equal(response.body.toString(), method === 'HEAD' ? '' : 'hello')
    }
  })
})

describe('mayHaveTrailers(): the last transfer coding, without splitting every value', () => {
  const cases = [
    [['Transfer-Encoding', 'chunked'], true],
    [['Transfer-Encoding', 'gzip, chunked'], true],
    [['Transfer-Encoding', 'chunked, gzip'], false],
    [['Transfer-Encoding', 'chunked, , '], true],
    [['Transfer-Encoding', 'gzip', 'transfer-encoding', ' , '], false],
    [['Transfer-Encoding', 'chunked', 'transfer-encoding', ' , '], true],
    [['transfer-encoding', 'CHUNKED'], true],
    [['Transfer-Encoding', 'chun\u212aed'], false], // KELVIN SIGN lower-cases to k, but is no ASCII letter
    [['X-Transfer-Encoding', 'chunked'], false],
    [['Transfer-Encoding', ''], false],
    [[], false],
  ]
  for (const [rawHeaders, expected] of cases) {
    it(`${JSON.stringify(rawHeaders)} -> ${expected}`, () => {
      assert.equal(mayHaveTrailers(200, 'GET', rawHeaders), expected)
    })
  }
  it('no trailers after HEAD, 1xx, 204 and 304, whatever the coding', () => {
    for (const [status, method] of [[200, 'HEAD'], [101, 'GET'], [204, 'GET'], [304, 'GET']]) {
      assert.equal(mayHaveTrailers(status, method, ['Transfer-Encoding', 'chunked']), false)
    }
  })
})

describe('writeHead() without a map', () => {
  function recordingResponse() {
    const set = []
    const headers = new Map()
    return {
      set,
      headers,
      setHeader(name, value) {
        set.push([name, value])
        headers.set(name.toLowerCase(), value)
      },
      writeHead(status) {
        this.status = status
      },
    }
  }

  it('sets each name once, with its lines in order under its first spelling', () => {
    const res = recordingResponse()
    writeHead(res, 200, ['Set-Cookie', 'a=1', 'Sec-Fetch-Site', 's', 'set-cookie', 'b=2', 'Sec-Fetch-Mode', 'm', 'SET-COOKIE', 'c=3', 'X-One', '1'])
    assert.deepEqual(res.set, [
      ['Set-Cookie', ['a=1', 'b=2', 'c=3']],
      ['Sec-Fetch-Site', 's'],
      ['Sec-Fetch-Mode', 'm'],
      ['X-One', '1'],
    ])
    assert.equal(res.status, 200)
  })

  it('leaves the caller\'s list as it was', () => {
    const list = Object.freeze(['A', '1', 'a', '2'])
    const res = recordingResponse()
    writeHead(res, 204, list)
    assert.deepEqual(res.set, [['A', ['1', '2']]])
  })
})

describe('forward(): inline options compiled once by their content', () => {
  it('each inline object gets its own choices and agent, and a wrong one is still refused every time', async (t) => {
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    const agents = [new http.Agent({ keepAlive: true }), new http.Agent({ keepAlive: true })]
    t.after(() => agents.forEach((agent) => agent.destroy()))
    const used = [0, 0]
    agents.forEach((agent, i) => agent.on('free', () => used[i]++))
    let n = 0
    const server = http.createServer((req, res) => {
      const i = n++ % 3
      if (i === 2) forward(req, res, upstream.url, { agent: agents[0], vai: 'typo' })
      else forward(req, res, upstream.url, { via: `proxy-${i}`, agent: agents[i], forwarded: i === 0 ? 'x-forwarded' : false })
    })
    const port = await listen(server)
    t.after(() => closeServer(server))
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3; i++) {
        const response = await exchange(port, rawRequest(`GET /${round}/${i} HTTP/1.1`, [['Host', 'front.test']]))
        if (i === 2) {
          assert.equal(response.status, 500)
          continue
        }
        assert.equal(response.status, 200)
        assert.deepEqual(values(response.headers, 'via'), [`1.1 proxy-${i}`])
      }
    }
    await upstream.received(4)
    const sent = upstream.requests.map((request) => [values(request.headers, 'via')[0], values(request.headers, 'x-forwarded-for').length])
    assert.deepEqual(sent, [['1.1 proxy-0', 1], ['1.1 proxy-1', 0], ['1.1 proxy-0', 1], ['1.1 proxy-1', 0]])
    assert.ok(used[0] >= 2 && used[1] >= 2, `each agent carried its requests (${used})`)
  })
})
