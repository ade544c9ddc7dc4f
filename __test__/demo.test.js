'use strict'
// The examples behind `npm start` and `npm run demo`, run as child processes with bounded waits.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const { withTimeout, values, rawRequest, rawResponse, startRecordingUpstream, connect } = require('./helpers/wire.js')
const { run, startDemo } = require('./helpers/examples.js')

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
