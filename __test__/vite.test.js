'use strict'
// Vite's dev proxy (server.proxy with `configure: (proxy) => attach(proxy)`, as
// examples/vite.config.mjs has it) on the wire: a real Vite dev server started from that file,
// a raw recording upstream, raw sockets, curl and ws clients. Vite 8 bundles http-proxy-3, whose
// server attach() takes as it takes http-proxy's. Vite's own HMR WebSocket must still connect.

const { describe, it, before } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { WebSocket } = require('ws')
const { attach } = require('..')
const { values, rawRequest, connect } = require('./helpers/wire.js')
const { SPOOFED, leaky, recordingUpstream, assertClean, assertCleanAnswer, curl, webSocketUpstream, shortBodyUpstream, opened, nextMessage } = require('./helpers/fixtures.js')

const CONFIG = path.join(__dirname, '..', 'examples', 'vite.config.mjs')

const { VITE_UNAVAILABLE } = require('./helpers/paths.js')

let vite
before(async () => {
  if (VITE_UNAVAILABLE === undefined) vite = await import('vite')
})

/** A web root with an index.html, as Vite wants one. */
function webRoot() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hop-by-hop-vite-'))
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>vite</title>\n')
  return root
}

/**
 * Closes `server`, then removes its web root: Vite's dependency optimizer writes `.vite/` there
 * until the server is closed, so a root removed first is left behind with it.
 */
function closeAfter(t, server, root) {
  t.after(async () => {
    await server.close()
    fs.rmSync(root, { recursive: true, force: true })
  })
}

/**
 * A Vite dev server started from examples/vite.config.mjs, the config's UPSTREAM set to
 * `upstream` while Vite loads it; resolves its port.
 */
async function startVite(t, upstream) {
  const saved = process.env.UPSTREAM
  process.env.UPSTREAM = upstream
  const root = webRoot()
  let server
  try {
    server = await vite.createServer({ configFile: CONFIG, root, logLevel: 'silent', server: { port: 0, host: '127.0.0.1' } })
  } catch (error) {
    fs.rmSync(root, { recursive: true, force: true })
    throw error
  } finally {
    if (saved === undefined) delete process.env.UPSTREAM
    else process.env.UPSTREAM = saved
  }
  closeAfter(t, server, root)
  await server.listen()
  return server.httpServer.address().port
}

describe('Vite 8 dev proxy with examples/vite.config.mjs (configure: (proxy) => attach(proxy))', { skip: VITE_UNAVAILABLE }, () => {
  it('a GET to /api: nominated fields dropped both ways, X-Forwarded-For and Via replaced', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
    const port = await startVite(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /api/plain HTTP/1.1', [['Host', `127.0.0.1:${port}`], ...SPOOFED]))
    const response = await client.response()
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'ok')
    assertCleanAnswer(response)
    assert.equal(upstream.requests[0].target, '/api/plain')
    assertClean(upstream.requests[0])
  })

  it('a path outside /api is Vite\'s own and never reaches the upstream', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
    const port = await startVite(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET / HTTP/1.1', [['Host', `127.0.0.1:${port}`]]))
    const response = await client.response()
    assert.equal(response.status, 200)
    assert.match(response.body.toString(), /<title>vite<\/title>/)
    assert.equal(upstream.requests.length, 0)
  })

  it('Expect: 100-continue from a raw socket that waits for the 100', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
    const port = await startVite(t, upstream.url)
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('POST /api/expect HTTP/1.1', [['Host', `127.0.0.1:${port}`], ['Expect', '100-continue'], ['Content-Length', '5'], ...SPOOFED]))
    assert.equal((await client.response()).status, 100)
    client.send('hello')
    const response = await client.response()
    assert.equal(response.status, 200)
    assertCleanAnswer(response)
    assertClean(upstream.requests[0])
    assert.equal(upstream.requests[0].body.toString(), 'hello')
  })

  it('a 2 KB POST curl sends with Expect: 100-continue, then a chunked one: each body sent once, filtered', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
    const port = await startVite(t, upstream.url)
    const body = 'x'.repeat(2048)
    const headers = SPOOFED.flatMap(([name, value]) => ['-H', `${name}: ${value}`])
    const { trace } = await curl(['-H', 'Content-Type: text/plain', '-H', 'Expect: 100-continue', ...headers, '--data-binary', body, `http://127.0.0.1:${port}/api/expect`])
    assert.match(trace, /< HTTP\/1\.1 100 Continue/)
    assert.match(trace, /< HTTP\/1\.1 200 OK/)
    assert.match(trace, /< Via: 1\.1 hop-by-hop/i)
    assert.doesNotMatch(trace, /< X-Upstream-Hop/i)
    assertClean(upstream.requests[0])
    assert.equal(upstream.requests[0].body.toString(), body)

    const chunked = await curl(['-H', 'Transfer-Encoding: chunked', ...headers, '--data-binary', body, `http://127.0.0.1:${port}/api/chunked`])
    assert.match(chunked.trace, /< HTTP\/1\.1 200 OK/)
    const request = await upstream.received(2)
    assertClean(request)
    assert.deepEqual(values(request.headers, 'transfer-encoding'), ['chunked'])
    assert.equal(request.body.toString(), body)
    assert.equal(upstream.requests.length, 2)
  })

  it('an upstream that cuts its body short (Content-Length: 100, reset after 10 bytes): the client connection is cut, not left waiting', async (t) => {
    const port = await startVite(t, await shortBodyUpstream(t))
    const client = await connect(port)
    t.after(() => client.destroy())
    client.send(rawRequest('GET /api/cut HTTP/1.1', [['Host', `127.0.0.1:${port}`]]))
    assert.equal(await client.closesWithin(2000), true, 'the client still waits for 90 bytes')
  })

  it('a WebSocket through /api (ws): the handshake filtered both ways, messages both ways', async (t) => {
    const upstream = await webSocketUpstream(t)
    const port = await startVite(t, upstream.url)
    const client = new WebSocket(`ws://127.0.0.1:${port}/api/socket`, { headers: { 'Keep-Alive': '300', 'Proxy-Authorization': 'Basic dTpw', 'X-Forwarded-For': '6.6.6.6', 'X-Kept': 'yes' } })
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
    assert.deepEqual(values(lines, 'x-kept'), ['yes'])
  })

  it('Vite\'s own HMR WebSocket still connects next to the proxied one', async (t) => {
    const upstream = await recordingUpstream(t, leaky)
    const port = await startVite(t, upstream.url)
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, 'vite-hmr')
    t.after(() => client.terminate())
    const message = nextMessage(client)
    await opened(client)
    assert.equal(JSON.parse(await message).type, 'connected')
    assert.equal(upstream.requests.length, 0)
  })
})

/**
 * A Vite dev server with one inline proxy entry for /api (`entry` merged over a target); resolves
 * the http-proxy-3 server Vite hands to `configure` and the port.
 */
async function inlineVite(t, entry, configure = () => {}) {
  let proxy
  const root = webRoot()
  const server = await vite.createServer({
    configFile: false,
    root,
    logLevel: 'silent',
    server: {
      port: 0,
      host: '127.0.0.1',
      proxy: { '/api': { target: 'http://127.0.0.1:1', ...entry, configure: (p) => configure((proxy = p)) } },
    },
  })
  closeAfter(t, server, root)
  await server.listen()
  return { proxy, port: server.httpServer.address().port }
}

describe('http-proxy-3\'s fetch path (options.fetch, options.fetchOptions)', { skip: VITE_UNAVAILABLE }, () => {
  // http-proxy-3 sends a request with fetch() instead of http.request() when the server (or the
  // call) has `fetch` or `fetchOptions`, or FORCE_FETCH_PATH=true: no proxyReq event, a fetch
  // Response as proxyRes. attach() must not look attached on a path it does not filter.
  for (const extra of [{ fetch: globalThis.fetch }, { fetchOptions: {} }]) {
    const name = Object.keys(extra)[0]
    it(`attach() refuses a server with options.${name}, naming it`, async (t) => {
      const { proxy } = await inlineVite(t, extra)
      assert.equal(typeof proxy.before, 'function')
      assert.throws(() => attach(proxy), { code: 'ERR_INVALID_ARG_VALUE', message: new RegExp(name) })
    })
  }

  /** One request with FORCE_FETCH_PATH=true, which sends every call through fetch(). */
  async function forcedFetchRequest(t) {
    const upstream = await recordingUpstream(t, leaky)
    const { port } = await inlineVite(t, { target: upstream.url }, (proxy) => attach(proxy))
    const client = await connect(port)
    t.after(() => client.destroy())
    const saved = process.env.FORCE_FETCH_PATH
    process.env.FORCE_FETCH_PATH = 'true'
    try {
      client.send(rawRequest('POST /api/fetch HTTP/1.1', [['Host', `127.0.0.1:${port}`], ['Content-Length', '5'], ...SPOOFED], 'hello'))
      const response = await client.response()
      await new Promise((resolve) => setTimeout(resolve, 100))
      return { response, upstream }
    } finally {
      if (saved === undefined) delete process.env.FORCE_FETCH_PATH
      else process.env.FORCE_FETCH_PATH = saved
    }
  }

  it('FORCE_FETCH_PATH=true on an attached server: nothing passes unfiltered (filtered upstream, or refused)', async (t) => {
    const { response, upstream } = await forcedFetchRequest(t)
    for (const request of upstream.requests) assertClean(request)
    if (response.status === 200) assertCleanAnswer(response)
    else assert.equal(response.status, 502)
  })

  it('FORCE_FETCH_PATH=true on an attached server: 502 before anything is sent upstream', async (t) => {
    const { response, upstream } = await forcedFetchRequest(t)
    assert.equal(response.status, 502)
    assert.equal(upstream.requests.length, 0)
  })
})
