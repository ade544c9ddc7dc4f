'use strict'
// The examples behind `npm start` and `npm run demo`, run as child processes with bounded waits.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const { withTimeout, values, rawRequest, rawResponse, startRecordingUpstream, connect } = require('./helpers/wire.js')
const { run, startDemo } = require('./helpers/examples.js')
const http = require('node:http')
const { WebSocket, WebSocketServer } = require('ws')
const { listen, closeServer } = require('./helpers/wire.js')

const BOUND_MS = 10000

describe('npm start (examples/demo-proxy.js)', () => {
  it('forwards to the echo upstream, logs what it removed, and stops on SIGTERM', async (t) => {
    const demo = await startDemo(t)
    const client = await connect(demo.port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /demo HTTP/1.1', [
      ['Host', 'demo.test'],
      ['Connection', 'keep-alive, X-Secret'],
      ['X-Secret', 's3cr3t'],
      ['Keep-Alive', 'timeout=5'],
      ['X-Visible', 'yes'],
    ]))
    const response = await client.response()
    assert.equal(response.status, 200)
    const echoed = response.body.toString()
    assert.match(echoed, /^GET \/demo HTTP\/1\.1$/m)
    assert.match(echoed, /^X-Visible: yes$/m)
    assert.match(echoed, /^X-Forwarded-Host: demo\.test$/m)
    assert.doesNotMatch(echoed, /X-Secret|Keep-Alive: timeout=5/)
    // The echo upstream's own hop-by-hop fields do not reach the client.
    assert.deepEqual(values(response.headers, 'x-echo-internal'), [])
    assert.deepEqual(values(response.headers, 'keep-alive'), ['timeout=5'])
    const log = await demo.line(/^GET \/demo /)
    assert.match(log, /removed from request: Connection, X-Secret, Keep-Alive/)
    assert.match(log, /removed from response: Connection, X-Echo-Internal, Keep-Alive/)
    assert.match(log, /client connection: keep-alive/)
    demo.child.kill('SIGTERM')
    assert.deepEqual(await withTimeout(demo.exited, BOUND_MS, 'exit'), { code: 0, signal: null })
  })

  it('sends the origin form of an absolute-form target upstream, and answers 400 to a target of neither form', async (t) => {
    const demo = await startDemo(t)
    const client = await connect(demo.port)
    t.after(() => client.destroy())
    client.send(rawRequest(`GET http://demo.test/a/../b?x=1 HTTP/1.1`, [['Host', 'demo.test']]))
    const response = await client.response()
    assert.equal(response.status, 200)
    assert.match(response.body.toString(), /^GET \/a\/\.\.\/b\?x=1 HTTP\/1\.1$/m)
    client.send(rawRequest('GET ftp://demo.test/x HTTP/1.1', [['Host', 'demo.test']]))
    assert.equal((await client.response()).status, 400)
  })

  it('closes an HTTP/1.0 keep-alive client, logs the decision, and stops on SIGINT', async (t) => {
    const demo = await startDemo(t)
    const client = await connect(demo.port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /old HTTP/1.0', [['Host', 'demo.test'], ['Connection', 'keep-alive']]))
    assert.equal((await client.response()).status, 200)
    assert.equal(await client.closesWithin(1000), true)
    assert.match(await demo.line(/^GET \/old /), /client connection: close/)
    demo.child.kill('SIGINT')
    assert.deepEqual(await withTimeout(demo.exited, BOUND_MS, 'exit'), { code: 0, signal: null })
  })

  it('forwards to TARGET when set', async (t) => {
    const upstream = await startRecordingUpstream(() => rawResponse({ body: 'from target' }))
    t.after(() => upstream.close())
    const demo = await startDemo(t, { TARGET: upstream.url })
    const client = await connect(demo.port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /t HTTP/1.1', [['Host', 'demo.test'], ['Connection', 'X-Secret'], ['X-Secret', 's']]))
    const response = await client.response()
    assert.equal(response.body.toString(), 'from target')
    const [request] = upstream.requests
    assert.deepEqual(values(request.headers, 'host'), [`127.0.0.1:${upstream.port}`])
    assert.deepEqual(values(request.headers, 'x-secret'), [])
    assert.deepEqual(values(request.headers, 'via'), ['1.1 hop-by-hop-demo'])
    demo.child.kill('SIGTERM')
    assert.equal((await withTimeout(demo.exited, BOUND_MS, 'exit')).code, 0)
  })
})

describe('npm start: what the proxy adds and drops', () => {
  it('names te in Connection when it forwards TE: trailers (RFC 9110 §10.1.4)', async (t) => {
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    const demo = await startDemo(t, { TARGET: upstream.url })
    const client = await connect(demo.port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /te HTTP/1.1', [['Host', 'demo.test'], ['TE', 'trailers, gzip;q=0.5'], ['Connection', 'TE']]))
    assert.equal((await client.response()).status, 200)
    const [request] = upstream.requests
    assert.deepEqual(values(request.headers, 'te'), ['trailers'])
    assert.deepEqual(values(request.headers, 'connection'), ['te'])
  })

  it("drops the client's own forwarding headers and sends only its own", async (t) => {
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    const demo = await startDemo(t, { TARGET: upstream.url })
    const client = await connect(demo.port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /xff HTTP/1.1', [
      ['Host', 'demo.test'],
      ['X-Forwarded-For', '203.0.113.9'],
      ['Forwarded', 'for=203.0.113.9'],
      ['X-Real-IP', '203.0.113.9'],
      ['X-Forwarded-Proto', 'https'],
    ]))
    assert.equal((await client.response()).status, 200)
    const [request] = upstream.requests
    assert.deepEqual(values(request.headers, 'x-forwarded-for'), ['127.0.0.1'])
    assert.deepEqual(values(request.headers, 'x-forwarded-proto'), ['http'])
    assert.deepEqual(values(request.headers, 'forwarded'), [])
    assert.deepEqual(values(request.headers, 'x-real-ip'), [])
  })

  it('proxies a WebSocket upgrade end to end with the ws client and server', async (t) => {
    const upstreamServer = http.createServer((req, res) => res.end('not a websocket'))
    const wss = new WebSocketServer({ server: upstreamServer })
    const seen = []
    wss.on('connection', (socket, req) => {
      seen.push(req.rawHeaders)
      socket.on('message', (data) => socket.send(`echo ${data}`))
    })
    const upstreamPort = await listen(upstreamServer)
    t.after(() => {
      wss.close()
      return closeServer(upstreamServer)
    })
    const demo = await startDemo(t, { TARGET: `http://127.0.0.1:${upstreamPort}` })
    // ws writes its own Connection and Upgrade; Keep-Alive and Proxy-Connection are hop-by-hop.
    const socket = new WebSocket(`ws://127.0.0.1:${demo.port}/chat`, { headers: { 'Keep-Alive': 'timeout=5', 'Proxy-Connection': 'keep-alive' } })
    t.after(() => socket.terminate())
    await withTimeout(new Promise((resolve, reject) => {
      socket.once('open', resolve)
      socket.once('error', reject)
    }), BOUND_MS, 'open')
    socket.send('hello')
    const [reply] = await withTimeout(new Promise((resolve) => socket.once('message', (...args) => resolve(args))), BOUND_MS, 'message')
    assert.equal(reply.toString(), 'echo hello')
    const upstreamSaw = values(seen[0].flatMap((item, i) => (i % 2 === 0 ? [[item, seen[0][i + 1]]] : [])), 'connection')
    assert.deepEqual(upstreamSaw, ['upgrade'])
    const names = seen[0].filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase())
    assert.ok(!names.includes('keep-alive') && !names.includes('proxy-connection'), names.join())
    assert.ok(names.includes('sec-websocket-key') && names.includes('upgrade'))
    assert.match(await demo.line(/^GET \/chat /), /upgrade websocket/)
  })

  it('passes on the answer of an upstream that refuses the upgrade, then closes', async (t) => {
    const upstream = await startRecordingUpstream(() => rawResponse({ status: 404, reason: 'Not Found', body: 'no ws here' }))
    t.after(() => upstream.close())
    const demo = await startDemo(t, { TARGET: upstream.url })
    const client = await connect(demo.port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /ws HTTP/1.1', [
      ['Host', 'demo.test'],
      ['Connection', 'Upgrade'],
      ['Upgrade', 'websocket'],
      ['Sec-WebSocket-Version', '13'],
      ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ]))
    const response = await client.response()
    assert.equal(response.status, 404)
    assert.equal(response.body.toString(), 'no ws here')
    assert.equal(await client.closesWithin(2000), true)
  })
})

describe('npm start: refused upgrades', () => {
  it('answers 400 on the socket to a latin1 Upgrade, logs it, and keeps serving', async (t) => {
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    const demo = await startDemo(t, { TARGET: upstream.url })
    const client = await connect(demo.port)
    t.after(() => client.destroy())
    client.socket.write(Buffer.from('GET /ws HTTP/1.1\r\nHost: demo.test\r\nConnection: Upgrade\r\nUpgrade: w\u00e9bsocket\r\n\r\n', 'latin1'))
    const response = await client.response()
    assert.equal(response.status, 400)
    assert.equal(await client.closesWithin(2000), true)
    assert.match(await demo.line(/^GET \/ws /), /upgrade refused/)
    assert.equal(upstream.requests.length, 0)
    const again = await connect(demo.port)
    t.after(() => again.destroy())
    again.send(rawRequest('GET /after HTTP/1.1', [['Host', 'demo.test']]))
    assert.equal((await again.response()).status, 200)
  })
})

describe('npm run demo (examples/before-after.js)', () => {
  it('prints the before/after table and exits by itself', async (t) => {
    const demo = run(t, 'before-after.js')
    const { code } = await withTimeout(demo.exited, BOUND_MS * 2, 'demo exit')
    assert.equal(code, 0, demo.stderr())
    const rows = Object.fromEntries(demo.lines.filter((l) => l.startsWith('| ')).map((l) => {
      const cells = l.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, '').trim())
      return [cells[0], cells.slice(1)]
    }))
    assert.deepEqual(rows.case, ['naive forwarder', 'with hop-by-hop'])
    const [naive, filtered] = rows['client nominates X-Secret']
    assert.match(naive, /X-Secret: token/)
    assert.match(filtered, /X-Secret: -/)
    assert.match(rows['client sends Trailer (#1647)'][0], /ERR_HTTP_TRAILER_INVALID/)
    assert.match(rows['client sends Trailer (#1647)'][1], /status 200/)
    assert.match(rows['HTTP/1.0 client asks keep-alive'][1], /closed/)
    assert.match(rows['upstream sends Connection: close'][1], /kept open/)
  })
})
