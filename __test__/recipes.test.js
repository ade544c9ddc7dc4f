'use strict'
// Every recipe the README shows is a file in examples/; each runs here on the wire exactly as the
// file is (startExample spawns it with PORT=0 and UPSTREAM), driven by curl, ws, undici, Node's
// http2 client and raw sockets, against raw recording upstreams.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const http2 = require('node:http2')
const net = require('node:net')
const { execFile } = require('node:child_process')
const undici = require('undici')
const { forward } = require('..')
const { WebSocket, WebSocketServer } = require('ws')
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
  webSocketHandshake,
} = require('./helpers/wire.js')
const { startExample } = require('./helpers/examples.js')

const CURL = '/usr/bin/curl'

/** Runs curl with a bounded wait; resolves { stdout, stderr } whatever its exit code. */
function curl(args) {
  return new Promise((resolve) => {
    execFile(CURL, ['--max-time', '5', '-sS', ...args], { timeout: WAIT_MS + 1000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error?.code ?? 0, stdout, stderr })
    })
  })
}

/** A node:http upstream that answers with the request it saw (start line, header lines, body). */
async function startEcho(t) {
  const server = http.createServer((req, res) => {
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`]
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      res.writeHead(200, ['Content-Type', 'text/plain', 'Connection', 'keep-alive, X-Internal', 'X-Internal', 'secret', 'Keep-Alive', 'timeout=99'])
      res.end(`${lines.join('\n')}\n\n${Buffer.concat(chunks)}`)
    })
  })
  const port = await listen(server)
  t.after(() => closeServer(server))
  return { port, url: `http://127.0.0.1:${port}` }
}

async function recordingUpstream(t, respond) {
  const upstream = await startRecordingUpstream(respond)
  t.after(() => upstream.close())
  return upstream
}

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

/** Both directions filtered; the client and upstream connections stay usable. */
async function assertCleanBothWays(port, upstream, connection) {
  const client = await connect(port)
  try {
    client.send(CRAFTED)
    assert.equal((await client.response()).status, 100) // Node answers the Expect itself
    const response = await client.response()
    const [request] = upstream.requests
    for (const name of ['x-secret', 'keep-alive', 'proxy-connection', 'trailer']) {
      assert.ok(!names(request.headers).includes(name), `${name} reached the upstream`)
    }
    // TE only with its connection option (RFC 9110 §10.1.4).
    assert.deepEqual(values(request.headers, 'te'), connection.includes('te') ? ['trailers'] : [])
    assert.deepEqual(values(request.headers, 'connection'), connection)
    assert.deepEqual(values(request.headers, 'x-kept'), ['k'])
    assert.deepEqual(values(request.headers, 'x-forwarded-for'), ['127.0.0.1'])
    assert.deepEqual(values(request.headers, 'via'), ['1.1 hop-by-hop'])
    assert.deepEqual(values(response.headers, 'via'), ['1.1 hop-by-hop'])
    assert.deepEqual(values(response.headers, 'x-internal'), [])
    assert.deepEqual(values(response.headers, 'keep-alive'), ['timeout=5'])
    assert.deepEqual(values(response.headers, 'connection'), ['keep-alive'])
    assert.deepEqual(values(response.headers, 'set-cookie'), ['a=1', 'b=2'])
    assert.ok(response.head.includes('\r\nX-Mixed-Case: v\r\n'), response.head)
    assert.equal(response.body.toString(), 'payload')
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

/** The client's response is cut when the upstream promises 100 bytes, sends 10 and resets. */
async function assertCutBodyStaysCut(port) {
  const client = await connect(port)
  try {
    client.send(rawRequest('GET /cut HTTP/1.1', [['Host', 'a']]))
    await assert.rejects(client.response(), /connection ended \d+ bytes early|ended before/)
  } finally {
    client.destroy()
  }
}

// The head promises 100 bytes, 10 arrive, then the upstream closes the connection.
const CUT_SHORT = () => ({ raw: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789', close: true })

/** An upstream that hands each connection's socket to `answer` once a request head arrived. */
async function rawUpstream(t, answer) {
  const server = net.createServer((socket) => {
    socket.on('error', () => {})
    let head = ''
    socket.on('data', (chunk) => {
      if (head.includes('\r\n\r\n')) return
      head += chunk.toString('latin1')
      if (head.includes('\r\n\r\n')) answer(socket)
    })
  })
  const port = await listen(server)
  t.after(() => closeServer(server))
  return { url: `http://127.0.0.1:${port}` }
}

/** A raw-socket WebSocket handshake head. */
function handshake(upgrade = 'websocket', extra = []) {
  return webSocketHandshake('/ws', { upgrade, extra })
}

/** A ws upstream whose 101 carries hop-by-hop fields of its own; records each handshake. */
async function startWsUpstream(t) {
  const server = http.createServer((req, res) => res.end('not a websocket'))
  const wss = new WebSocketServer({ server })
  wss.on('headers', (headers) => headers.push('Connection: Upgrade, X-Upstream-Internal', 'X-Upstream-Internal: secret', 'Keep-Alive: timeout=1'))
  const seen = []
  wss.on('connection', (socket, req) => {
    seen.push(req.rawHeaders)
    socket.on('message', (data) => socket.send(`echo ${data}`))
    socket.send('hello from upstream')
  })
  const port = await listen(server)
  t.after(() => {
    for (const client of wss.clients) client.terminate()
    wss.close()
    return closeServer(server)
  })
  return { port, url: `http://127.0.0.1:${port}`, seen }
}

function pairs(flat) {
  const lines = []
  for (let i = 0; i < flat.length; i += 2) lines.push([flat[i], flat[i + 1]])
  return lines
}

function openWebSocket(t, url, options) {
  const socket = new WebSocket(url, options)
  t.after(() => socket.terminate())
  const messages = []
  const waiters = []
  socket.on('message', (data) => {
    messages.push(data.toString())
    for (const wake of waiters.splice(0)) wake()
  })
  let upgradeHeaders
  socket.once('upgrade', (response) => (upgradeHeaders = response.rawHeaders))
  const opened = withTimeout(new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  }), WAIT_MS, 'websocket open')
  async function message(index) {
    while (messages.length <= index) await new Promise((resolve) => waiters.push(resolve))
    return messages[index]
  }
  return { socket, opened, message: (index) => withTimeout(message(index), WAIT_MS, 'websocket message'), upgradeHeaders: () => upgradeHeaders }
}

/**
 * RFC 9112 §9.3, §9.6: the example closes after answering an HTTP/1.0 keep-alive request and
 * forwards nothing a client pipelined behind it.
 */
async function assertNothingForwardedAfterClose(t, example) {
  const upstream = await recordingUpstream(t)
  const proxy = await startExample(t, example, { UPSTREAM: upstream.url })
  const client = await connect(proxy.port)
  t.after(() => client.destroy())
  client.send(rawRequest('GET /first HTTP/1.0', [['Host', 'a'], ['Connection', 'keep-alive']]) +
    rawRequest('POST /second HTTP/1.1', [['Host', 'a'], ['Content-Length', '1']], 'x'))
  assert.equal((await client.response()).status, 200)
  assert.equal(await client.closesWithin(2000), true)
  assert.deepEqual(upstream.requests.map((r) => r.target), ['/first'])
}

/**
 * An absolute-form target whose Host names another host is answered 400 and forwarded nowhere,
 * and the example still answers the next request (a throw outside its try ended the process).
 */
async function assertHostMismatchRefused(t, example) {
  const upstream = await recordingUpstream(t)
  const proxy = await startExample(t, example, { UPSTREAM: upstream.url })
  const refused = await exchange(proxy.port, rawRequest('GET http://a.test/x HTTP/1.1', [['Host', 'b.test']]))
  assert.equal(refused.status, 400)
  assert.equal(upstream.connections, 0)
  const next = await exchange(proxy.port, rawRequest('GET /after HTTP/1.1', [['Host', 'a.test']]))
  assert.equal(next.status, 200)
  assert.deepEqual(upstream.requests.map((r) => r.target), ['/after'])
  assert.equal(proxy.child.exitCode, null)
}

/**
 * RFC 9112 §3.2.1: the upstream, an origin server, gets the origin form of an absolute-form target
 * (§3.2.2), its dot segments and query as sent and its fragment cut (§3.2 has none). A target
 * that is neither form (`ftp://...`, which Node's parser takes) and `GET *` (§3.2.4: OPTIONS only)
 * are answered 400 and nothing goes upstream. `OPTIONS *`, and an OPTIONS of `http://host`, go on
 * as `OPTIONS *`, or get `asterisk`, the recipe's own answer.
 */
async function assertOriginFormSent(t, example, asterisk) {
  const upstream = await recordingUpstream(t)
  const proxy = await startExample(t, example, { UPSTREAM: upstream.url })
  const authority = `127.0.0.1:${proxy.port}`
  for (const startLine of [`GET ftp://${authority}/x HTTP/1.1`, 'GET * HTTP/1.1']) {
    const refused = await exchange(proxy.port, rawRequest(startLine, [['Host', authority]]))
    assert.equal(refused.status, 400, startLine)
  }
  assert.equal(upstream.connections, 0)
  for (const target of [`http://${authority}/a/../b?x=1`, `HTTP://${authority}?q`, '/c/../d', '/e?f=1#g?h=2']) {
    assert.equal((await exchange(proxy.port, rawRequest(`GET ${target} HTTP/1.1`, [['Host', authority]]))).status, 200, target)
  }
  for (const target of ['*', `http://${authority}`]) {
    const options = await exchange(proxy.port, rawRequest(`OPTIONS ${target} HTTP/1.1`, [['Host', authority]]))
    assert.equal(options.status, asterisk ?? 200, target)
  }
  const expected = ['GET /a/../b?x=1 HTTP/1.1', 'GET /?q HTTP/1.1', 'GET /c/../d HTTP/1.1', 'GET /e?f=1 HTTP/1.1']
  if (asterisk === undefined) expected.push('OPTIONS * HTTP/1.1', 'OPTIONS * HTTP/1.1')
  assert.deepEqual(upstream.requests.map((r) => r.startLine), expected)
  assert.equal(proxy.child.exitCode, null)
}

/** A client that sends `request`, reads the response head and `bytes` of its body, then leaves. */
async function leaveMidDownload(port, request, bytes = 1000) {
  const client = await connect(port)
  try {
    client.send(request)
    const head = await withTimeout(client.reader.until('\r\n\r\n'), WAIT_MS, 'response head')
    assert.match(head.toString('latin1'), /^HTTP\/1\.1 200 /)
    await withTimeout(client.reader.bytes(bytes), WAIT_MS, 'response body')
  } finally {
    client.destroy()
  }
}

describe('quick start (examples/quick-start.js): forward() and forwardUpgrade()', () => {
  it('curl shows the difference: the nominated X-Secret never reaches the upstream, the upstream X-Internal never reaches the client', async (t) => {
    const echo = await startEcho(t)
    const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: echo.url })
    const args = ['-v', '-H', 'Connection: X-Secret', '-H', 'X-Secret: 1']
    // The control: straight to the upstream, it sees X-Secret and answers with X-Internal.
    const direct = await curl([...args, `${echo.url}/`])
    assert.match(direct.stdout, /^X-Secret: 1$/m)
    assert.match(direct.stderr, /< X-Internal: secret/)
    const proxied = await curl([...args, `http://127.0.0.1:${proxy.port}/`])
    assert.doesNotMatch(proxied.stdout, /X-Secret/)
    assert.match(proxied.stdout, /^X-Forwarded-For: 127\.0\.0\.1$/m)
    assert.match(proxied.stdout, /^Via: 1\.1 hop-by-hop$/m)
    assert.doesNotMatch(proxied.stderr, /X-Internal|timeout=99/)
    assert.match(proxied.stderr, /< Via: 1\.1 hop-by-hop/)
  })

  it('filters both directions of a crafted request and keeps both connections usable', async (t) => {
    const upstream = await recordingUpstream(t, LEAKY)
    const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: upstream.url })
    await assertCleanBothWays(proxy.port, upstream, ['te'])
  })

  it('forwards a body curl sends with Expect: 100-continue, and a chunked one re-framed', async (t) => {
    const echo = await startEcho(t)
    const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: echo.url })
    const body = 'x'.repeat(4096)
    // curl 7.88 adds Expect itself only past 1 MiB: ask for it.
    const expect = await curl(['-v', '-H', 'Expect: 100-continue', '--data-binary', body, `http://127.0.0.1:${proxy.port}/upload`])
    assert.match(expect.stderr, /> Expect: 100-continue/)
    assert.match(expect.stderr, /< HTTP\/1\.1 100 Continue/)
    assert.match(expect.stdout, /^Content-Length: 4096$/m)
    assert.ok(expect.stdout.endsWith(`\n\n${body}`))
    const chunked = await curl(['-H', 'Transfer-Encoding: chunked', '--data-binary', 'abc', `http://127.0.0.1:${proxy.port}/chunked`])
    assert.match(chunked.stdout, /^Transfer-Encoding: chunked$/m)
    assert.ok(chunked.stdout.endsWith('\n\nabc'))
  })

  it('passes a redirect on as it is, and curl -L follows it through the proxy', async (t) => {
    const upstream = await recordingUpstream(t, (request) => (request.target === '/old'
      ? rawResponse({ status: 302, reason: 'Found', headers: [['Location', '/new'], ['Connection', 'X-Internal'], ['X-Internal', 's']] })
      : rawResponse({ body: 'moved here' })))
    const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: upstream.url })
    const followed = await curl(['-L', '-D', '-', '-H', 'Connection: X-Secret', '-H', 'X-Secret: 1', `http://127.0.0.1:${proxy.port}/old`])
    assert.match(followed.stdout, /^HTTP\/1\.1 302 Found\r$/m)
    assert.match(followed.stdout, /^Location: \/new\r$/m)
    assert.doesNotMatch(followed.stdout, /X-Internal/)
    assert.ok(followed.stdout.endsWith('moved here'))
    assert.deepEqual(upstream.requests.map((r) => r.target), ['/old', '/new'])
    for (const request of upstream.requests) assert.deepEqual(values(request.headers, 'x-secret'), [])
  })

  it('does not forward a request pipelined behind an HTTP/1.0 keep-alive one (RFC 9112 §9.3, §9.6)', async (t) => {
    await assertNothingForwardedAfterClose(t, 'quick-start.js')
  })

  it('answers 502 for a response body in a transfer coding other than chunked (Node leaves gzip coded), and passes one that has no body (RFC 9112 §6.1, §6.3)', async (t) => {
    const gzipped = (request) => (request.target === '/head' || request.method === 'HEAD'
      ? { raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', close: false }
      : { raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nxxxxx\r\n0\r\n\r\n', close: false })
    const upstream = await recordingUpstream(t, gzipped)
    const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: upstream.url })
    const response = await exchange(proxy.port, rawRequest('GET /gzip HTTP/1.1', [['Host', 'a']]))
    assert.equal(response.status, 502)
    assert.match(response.body.toString(), /ERR_HOP_BY_HOP_TRANSFER_CODING/)
    const client = await connect(proxy.port)
    t.after(() => client.destroy())
    client.send(rawRequest('HEAD /head HTTP/1.1', [['Host', 'a']]))
    assert.equal((await client.response('HEAD')).status, 200)
  })

  it('answers 502 at once when the upstream resets, and cuts a body the upstream cuts short', async (t) => {
    const reset = await recordingUpstream(t, () => ({ raw: '', close: true }))
    const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: reset.url })
    const response = await exchange(proxy.port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.equal(response.status, 502)
    const cut = await recordingUpstream(t, CUT_SHORT)
    const cutting = await startExample(t, 'quick-start.js', { UPSTREAM: cut.url })
    await assertCutBodyStaysCut(cutting.port)
  })

  it('proxies a WebSocket with the ws client: messages both ways, the handshake filtered both ways', async (t) => {
    const upstream = await startWsUpstream(t)
    const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: upstream.url })
    // ws writes its own Connection and Upgrade; Keep-Alive and Proxy-Connection are hop-by-hop.
    const ws = openWebSocket(t, `ws://127.0.0.1:${proxy.port}/chat`, { headers: { 'Keep-Alive': 'timeout=5', 'Proxy-Connection': 'keep-alive', 'X-Kept': 'k' } })
    await ws.opened
    assert.equal(await ws.message(0), 'hello from upstream')
    ws.socket.send('ping')
    assert.equal(await ws.message(1), 'echo ping')
    const seen = pairs(upstream.seen[0])
    assert.deepEqual(values(seen, 'connection'), ['upgrade'])
    assert.deepEqual(values(seen, 'upgrade'), ['websocket'])
    assert.deepEqual(values(seen, 'x-kept'), ['k'])
    assert.deepEqual(values(seen, 'via'), ['1.1 hop-by-hop'])
    assert.deepEqual(values(seen, 'x-forwarded-for'), ['127.0.0.1'])
    assert.ok(!names(seen).includes('keep-alive') && !names(seen).includes('proxy-connection'))
    // The upstream's 101 reaches the client without what it nominated or its Keep-Alive.
    const answered = pairs(ws.upgradeHeaders())
    assert.deepEqual(values(answered, 'x-upstream-internal'), [])
    assert.deepEqual(values(answered, 'keep-alive'), [])
    assert.deepEqual(values(answered, 'via'), ['1.1 hop-by-hop'])
    assert.equal(values(answered, 'sec-websocket-accept').length, 1)
  })

  for (const [status, reason] of [[200, 'OK'], [404, 'Not Found']]) {
    it(`passes on an upstream ${status} instead of 101, then closes the connection`, async (t) => {
      const upstream = await recordingUpstream(t, () => rawResponse({ status, reason, headers: [['Connection', 'X-Internal'], ['X-Internal', 's']], body: 'no ws here' }))
      const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: upstream.url })
      const client = await connect(proxy.port)
      t.after(() => client.destroy())
      client.send(handshake())
      const response = await client.response()
      assert.equal(response.status, status)
      assert.equal(response.body.toString(), 'no ws here')
      assert.deepEqual(values(response.headers, 'x-internal'), [])
      assert.equal(await client.closesWithin(2000), true)
    })
  }

  it('answers 400 on the socket to Upgrade: w\\xe9bsocket and keeps serving (the README prose crashed)', async (t) => {
    const upstream = await recordingUpstream(t)
    const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: upstream.url })
    const client = await connect(proxy.port)
    t.after(() => client.destroy())
    client.socket.write(Buffer.from(handshake('w\u00e9bsocket'), 'latin1'))
    const response = await client.response()
    assert.equal(response.status, 400)
    assert.match(response.body.toString(), /ERR_HOP_BY_HOP_INVALID_UPGRADE/)
    assert.equal(await client.closesWithin(2000), true)
    assert.equal(upstream.requests.length, 0)
    // Still alive.
    assert.equal((await exchange(proxy.port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))).status, 200)
    assert.equal(proxy.child.exitCode, null)
  })

  it('joins the request target to the target URL: path prefix, query, absolute-form, asterisk-form, fragment', async (t) => {
    const upstream = await recordingUpstream(t)
    const server = http.createServer((req, res) => forward(req, res, `${upstream.url}/base/?k=v`))
    const port = await listen(server)
    t.after(() => closeServer(server))
    assert.equal((await exchange(port, rawRequest('GET /x?y=1 HTTP/1.1', [['Host', 'a']]))).status, 200)
    // RFC 9112 §3.2.2: the absolute-form target's authority goes on; a Host naming another host
    // is refused, since the proxy in front may have judged the request by it.
    assert.equal((await exchange(port, rawRequest('GET http://front.test/abs HTTP/1.1', [['Host', 'Front.Test:80']]))).status, 200)
    // Its path goes on as sent: a router in front judged `/public/../admin`, not `/admin`.
    assert.equal((await exchange(port, rawRequest('GET http://front.test/public/../admin HTTP/1.1', [['Host', 'front.test']]))).status, 200)
    assert.equal((await exchange(port, rawRequest('GET http://front.test?q HTTP/1.1', [['Host', 'front.test']]))).status, 200)
    // A fragment is no part of a request target (RFC 9112 §3.2): sent on, it hid the target's query.
    assert.equal((await exchange(port, rawRequest('GET /frag#f?z=1 HTTP/1.1', [['Host', 'a']]))).status, 200)
    // An OPTIONS of the bare URI asks about the server as a whole (RFC 9112 §3.2.4); under a path,
    // about that path.
    assert.equal((await exchange(port, rawRequest('OPTIONS http://front.test HTTP/1.1', [['Host', 'front.test']]))).status, 200)
    const mismatch = await exchange(port, rawRequest('GET http://admin.internal/secret HTTP/1.1', [['Host', 'front.test']]))
    assert.equal(mismatch.status, 400)
    assert.match(mismatch.body.toString(), /ERR_HOP_BY_HOP_HOST_MISMATCH/)
    // OPTIONS * asks about the server as a whole: it cannot be put under a path.
    const asterisk = await exchange(port, rawRequest('OPTIONS * HTTP/1.1', [['Host', 'a']]))
    assert.equal(asterisk.status, 400)
    assert.match(asterisk.body.toString(), /ERR_HOP_BY_HOP_REQUEST_TARGET/)
    // Nor may any method but OPTIONS carry the asterisk-form (RFC 9112 §3.2.4).
    const getAsterisk = await exchange(port, rawRequest('GET * HTTP/1.1', [['Host', 'a']]))
    assert.equal(getAsterisk.status, 400)
    assert.match(getAsterisk.body.toString(), /ERR_HOP_BY_HOP_REQUEST_TARGET/)
    // RFC 9110 §4.2.1: an http URI without a host is invalid; Node's parser takes it.
    const hostless = await exchange(port, rawRequest('GET http:///x HTTP/1.1', [['Host', 'a']]))
    assert.equal(hostless.status, 400)
    assert.match(hostless.body.toString(), /ERR_HOP_BY_HOP_REQUEST_TARGET/)
    assert.deepEqual(upstream.requests.map((r) => r.target), ['/base/x?k=v&y=1', '/base/abs?k=v', '/base/public/../admin?k=v', '/base/?k=v&q', '/base/frag?k=v', '/base/?k=v'])
    assert.deepEqual(values(upstream.requests[1].headers, 'host'), ['front.test'])
  })

  it('answers 400 to an HTTP/1.0 upgrade, which Node emits as one but cannot switch protocols (RFC 9110 §7.8)', async (t) => {
    const upstream = await recordingUpstream(t)
    const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: upstream.url })
    const response = await exchange(proxy.port, 'GET /ws HTTP/1.0\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n')
    assert.equal(response.status, 400)
    assert.match(response.body.toString(), /ERR_HOP_BY_HOP_NOT_AN_UPGRADE/)
    assert.equal(upstream.requests.length, 0)
  })

  for (const ending of ['FIN', 'reset']) {
    it(`an upstream that refuses an upgrade and cuts its answer short (${ending}): the client is cut, never left waiting, and gets nothing after that answer`, async (t) => {
      const upstream = await rawUpstream(t, (socket) => {
        socket.write('HTTP/1.1 403 Forbidden\r\nContent-Length: 100\r\n\r\nshort')
        setTimeout(() => (ending === 'FIN' ? socket.end() : socket.resetAndDestroy()), 50)
      })
      const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: upstream.url })
      const client = await connect(proxy.port)
      t.after(() => client.destroy())
      client.send(handshake())
      assert.equal(await client.closesWithin(2000), true, 'the client still waits for 95 bytes')
      const received = client.reader.buffer.toString('latin1')
      assert.match(received, /^HTTP\/1\.1 403 Forbidden\r\n/)
      assert.equal(received.indexOf('HTTP/1.1', 1), -1, received)
    })
  }

  it('passes the bytes of an upgrade answer head as the upstream sent them (latin1), for a 101 and for a refusal', async (t) => {
    for (const status of ['101 Switching Protocols', '403 Forbidd\u00e9n']) {
      const upgrade = status.startsWith('101') ? 'Connection: Upgrade\r\nUpgrade: websocket\r\n' : 'Content-Length: 0\r\n'
      const upstream = await rawUpstream(t, (socket) => {
        socket.write(Buffer.from(`HTTP/1.1 ${status}\r\n${upgrade}X-Name: Zo\u00eb\r\n\r\n`, 'latin1'))
        setTimeout(() => socket.end(), 50)
      })
      const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: upstream.url })
      const client = await connect(proxy.port)
      t.after(() => client.destroy())
      client.send(handshake())
      assert.equal(await client.closesWithin(2000), true)
      const received = client.reader.buffer.toString('latin1')
      assert.ok(received.startsWith(`HTTP/1.1 ${status}\r\n`), received)
      assert.ok(received.includes('\r\nX-Name: Zo\u00eb\r\n'), received)
    }
  })

  it('answers 502 on the socket when the upstream of an upgrade cannot be reached', async (t) => {
    const gone = await startRecordingUpstream()
    await gone.close()
    const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: gone.url })
    const client = await connect(proxy.port)
    t.after(() => client.destroy())
    client.send(handshake())
    assert.equal((await client.response()).status, 502)
    assert.equal(await client.closesWithin(2000), true)
  })

  it('the old README prose for relayUpgrade (filterRequest in the upgrade listener) crashes on the same bytes', async () => {
    // The anchor for the test above: a HopByHopError thrown from the server's 'upgrade' listener.
    const outcome = await runChild(`
      const http = require('node:http')
      const net = require('node:net')
      const { filterRequest, forwardHeaders, relayUpgrade } = require('.')
      const server = http.createServer().on('upgrade', (req, socket, head) => {
        const forward = filterRequest(req, { upgrade: true })
        relayUpgrade(req, socket, head, http.request({ port: 9, headers: forwardHeaders(req, forward.headers) }))
      })
      server.listen(0, '127.0.0.1', () => {
        const client = net.connect(server.address().port, '127.0.0.1')
        client.on('error', () => {})
        client.write(Buffer.from(${JSON.stringify(handshake('w\u00e9bsocket'))}, 'latin1'))
      })`)
    assert.notEqual(outcome.code, 0)
    assert.match(outcome.stderr, /ERR_HOP_BY_HOP_INVALID_UPGRADE/)
  })
})

describe('Express (examples/express.js): middleware() and relay() behind express.json()', () => {
  it('forwards a JSON POST with Content-Length and chunked, announced with the length of what is sent', async (t) => {
    const upstream = await recordingUpstream(t)
    const proxy = await startExample(t, 'express.js', { UPSTREAM: upstream.url })
    const json = '{ "a": 1, "b": [true, null] }'
    const lengthed = await exchange(proxy.port, rawRequest('POST /j HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/json'], ['Content-Length', String(json.length)]], json))
    assert.equal(lengthed.status, 200)
    const chunked = await exchange(proxy.port, rawRequest('POST /c HTTP/1.1', [['Host', 'a'], ['Content-Type', 'application/json'], ['Transfer-Encoding', 'chunked']], `${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`))
    assert.equal(chunked.status, 200)
    for (const request of upstream.requests) {
      assert.deepEqual(JSON.parse(request.body), { a: 1, b: [true, null] })
      assert.deepEqual(values(request.headers, 'content-length'), [String(request.body.length)])
      assert.deepEqual(values(request.headers, 'transfer-encoding'), [])
    }
  })

  it('forwards a JSON body curl sends with Expect: 100-continue', async (t) => {
    const echo = await startEcho(t)
    const proxy = await startExample(t, 'express.js', { UPSTREAM: echo.url })
    const json = JSON.stringify({ text: 'y'.repeat(3000) })
    // express.json() reads the body only after Node answered 100 Continue.
    const result = await curl(['-v', '-H', 'Expect: 100-continue', '-H', 'Content-Type: application/json', '--data-binary', json, `http://127.0.0.1:${proxy.port}/big`])
    assert.match(result.stderr, /< HTTP\/1\.1 100 Continue/)
    assert.match(result.stderr, /< HTTP\/1\.1 200 OK/)
    assert.ok(result.stdout.endsWith(`\n\n${json}`))
  })

  it('proxies a WebSocket through the server\'s upgrade event: messages both ways, the handshake filtered', async (t) => {
    const upstream = await startWsUpstream(t)
    const proxy = await startExample(t, 'express.js', { UPSTREAM: upstream.url })
    const ws = openWebSocket(t, `ws://127.0.0.1:${proxy.port}/chat`, { headers: { 'Keep-Alive': 'timeout=5', 'X-Kept': 'k' } })
    await ws.opened
    assert.equal(await ws.message(0), 'hello from upstream')
    ws.socket.send('ping')
    assert.equal(await ws.message(1), 'echo ping')
    const seen = pairs(upstream.seen[0])
    assert.deepEqual(values(seen, 'x-kept'), ['k'])
    assert.deepEqual(values(seen, 'via'), ['1.1 hop-by-hop'])
    assert.ok(!names(seen).includes('keep-alive'))
    assert.deepEqual(values(pairs(ws.upgradeHeaders()), 'x-upstream-internal'), [])
  })

  it('sends the origin form of an absolute-form target upstream, dot segments kept, and answers 400 for a target of neither form (RFC 9112 §3.2.1)', async (t) => {
    await assertOriginFormSent(t, 'express.js')
  })

  it('filters both directions and cuts a body the upstream cuts short', async (t) => {
    const upstream = await recordingUpstream(t, LEAKY)
    const proxy = await startExample(t, 'express.js', { UPSTREAM: upstream.url })
    await assertCleanBothWays(proxy.port, upstream, ['te'])
    const cut = await recordingUpstream(t, CUT_SHORT)
    const cutting = await startExample(t, 'express.js', { UPSTREAM: cut.url })
    await assertCutBodyStaysCut(cutting.port)
  })
})

describe('node:http (examples/node-http.js): filterRequest, forwardHeaders, relay', () => {
  it('filters both directions and keeps both connections usable', async (t) => {
    const upstream = await recordingUpstream(t, LEAKY)
    const proxy = await startExample(t, 'node-http.js', { UPSTREAM: upstream.url })
    // forwardHeaders names te, as the sender of TE must (RFC 9110 §10.1.4).
    await assertCleanBothWays(proxy.port, upstream, ['te'])
    assert.equal(upstream.connections, 1)
  })

  it('closes an HTTP/1.0 keep-alive client, re-frames chunked bodies, supplies a missing Host', async (t) => {
    const upstream = await recordingUpstream(t)
    const proxy = await startExample(t, 'node-http.js', { UPSTREAM: upstream.url })
    await assertClosesHttp10KeepAlive(proxy.port)
    const inner = 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n'
    await exchange(proxy.port, `OPTIONS /o HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${inner.length.toString(16)}\r\n${inner}\r\n0\r\n\r\n`)
    assert.equal((await exchange(proxy.port, 'GET /h HTTP/1.0\r\n\r\n')).status, 200)
    assert.deepEqual(upstream.requests.map((r) => r.target), ['/', '/o', '/h'])
    assert.equal(upstream.requests[1].body.toString(), inner)
    assert.deepEqual(values(upstream.requests[2].headers, 'host'), [`127.0.0.1:${proxy.port}`])
  })

  it('answers 400 for a request the filter refuses, and cuts a body the upstream cuts short', async (t) => {
    const upstream = await recordingUpstream(t, CUT_SHORT)
    const proxy = await startExample(t, 'node-http.js', { UPSTREAM: upstream.url })
    const response = await exchange(proxy.port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: \u00e9\r\n\r\n')
    assert.equal(response.status, 400)
    assert.equal(upstream.connections, 0)
    await assertCutBodyStaysCut(proxy.port)
  })

  it('does not forward a request pipelined behind an HTTP/1.0 keep-alive one (RFC 9112 §9.3, §9.6)', async (t) => {
    await assertNothingForwardedAfterClose(t, 'node-http.js')
  })

  it('answers 400 for an absolute-form target whose Host names another host, forwards nothing and keeps running', async (t) => {
    await assertHostMismatchRefused(t, 'node-http.js')
  })

  it('sends the origin form of an absolute-form target upstream, dot segments kept, and answers 400 for a target of neither form (RFC 9112 §3.2.1)', async (t) => {
    await assertOriginFormSent(t, 'node-http.js')
  })
})

describe('undici (examples/undici.js)', () => {
  it('undici alone refuses Keep-Alive and forwards a nominated header (the anchors)', async (t) => {
    const upstream = await recordingUpstream(t)
    const dispatcher = new undici.Agent()
    t.after(() => dispatcher.close())
    await assert.rejects(undici.request(upstream.url, { headers: ['Keep-Alive', 'timeout=5'], dispatcher }), /invalid keep-alive header/)
    const response = await undici.request(upstream.url, { headers: ['Connection', 'keep-alive, X-Secret', 'X-Secret', 's'], dispatcher })
    await response.body.text()
    assert.deepEqual(values(upstream.requests[0].headers, 'x-secret'), ['s'])
  })

  it('filters both directions and keeps both connections usable', async (t) => {
    const upstream = await recordingUpstream(t, LEAKY)
    const proxy = await startExample(t, 'undici.js', { UPSTREAM: upstream.url })
    await assertCleanBothWays(proxy.port, upstream, ['keep-alive'])
    assert.equal(upstream.connections, 1)
  })

  it('closes an HTTP/1.0 keep-alive client, forwards a chunked body, cuts a body cut short', async (t) => {
    const upstream = await recordingUpstream(t, (request) => (request.target === '/cut' ? CUT_SHORT() : rawResponse({ body: 'ok' })))
    const proxy = await startExample(t, 'undici.js', { UPSTREAM: upstream.url })
    await assertClosesHttp10KeepAlive(proxy.port)
    const response = await exchange(proxy.port, 'POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n')
    assert.equal(response.status, 200)
    assert.equal(upstream.requests[1].body.toString(), 'abc')
    // undici chose the framing (Content-Length or chunked); exactly one is present.
    const framing = [...values(upstream.requests[1].headers, 'content-length'), ...values(upstream.requests[1].headers, 'transfer-encoding')]
    assert.equal(framing.length, 1)
    await assertCutBodyStaysCut(proxy.port)
  })

  it('does not forward a request pipelined behind an HTTP/1.0 keep-alive one (RFC 9112 §9.3, §9.6)', async (t) => {
    await assertNothingForwardedAfterClose(t, 'undici.js')
  })

  it('answers 400 for an absolute-form target whose Host names another host, forwards nothing and keeps running', async (t) => {
    await assertHostMismatchRefused(t, 'undici.js')
  })

  // undici sends no asterisk-form: `OPTIONS *` is answered 501, not forwarded.
  it('sends the origin form of an absolute-form target upstream, dot segments kept, and answers 400 for a target of neither form (RFC 9112 §3.2.1)', async (t) => {
    await assertOriginFormSent(t, 'undici.js', 501)
  })

  it('takes only the path of a //host or absolute-form target: no request reaches another server', async (t) => {
    const upstream = await recordingUpstream(t)
    const other = await recordingUpstream(t, () => rawResponse({ body: 'internal' }))
    const proxy = await startExample(t, 'undici.js', { UPSTREAM: upstream.url })
    const authority = `127.0.0.1:${other.port}`
    // RFC 9112 §3.2.1: `//host/path` is an origin-form path, not an authority.
    const slashes = await exchange(proxy.port, rawRequest(`GET //${authority}/admin HTTP/1.1`, [['Host', 'proxy.test']]))
    assert.equal(slashes.status, 200)
    assert.equal(slashes.body.toString(), 'ok')
    // §3.2.2: an absolute-form target whose Host agrees gives its path; the upstream stays fixed.
    const absolute = await exchange(proxy.port, rawRequest(`GET http://${authority}/admin2 HTTP/1.1`, [['Host', authority]]))
    assert.equal(absolute.status, 200)
    assert.equal(absolute.body.toString(), 'ok')
    // Dot segments go on as sent, in both forms: a router in front judged the path as it came.
    for (const target of ['/public/../admin', '/public/%2e%2e/admin', `http://${authority}/public/../admin`]) {
      assert.equal((await exchange(proxy.port, rawRequest(`GET ${target} HTTP/1.1`, [['Host', authority]]))).status, 200)
    }
    assert.equal(other.connections, 0)
    assert.deepEqual(upstream.requests.map((r) => r.target), [`//${authority}/admin`, '/admin2', '/public/../admin', '/public/%2e%2e/admin', '/public/../admin'])
  })

  // RFC 9110 §10.1.4: a sender of TE also sends `te` in Connection, which undici refuses to carry;
  // and the recipe passes no trailers, which `TE: trailers` would ask the upstream for.
  it('sends no TE upstream, even for a client that asks for trailers', async (t) => {
    const upstream = await recordingUpstream(t)
    const proxy = await startExample(t, 'undici.js', { UPSTREAM: upstream.url })
    const response = await exchange(proxy.port, rawRequest('GET /te HTTP/1.1', [['Host', 'a'], ['TE', 'trailers'], ['Connection', 'TE']]))
    assert.equal(response.status, 200)
    assert.deepEqual(values(upstream.requests[0].headers, 'te'), [])
  })

  it('a client that leaves mid-download closes the upstream exchange', async (t) => {
    let closed
    const upstreamClosed = new Promise((resolve) => (closed = resolve))
    const server = http.createServer((req, res) => {
      // A body that never finishes on its own: 1000 bytes every 20 ms.
      res.writeHead(200, { 'Content-Type': 'text/plain' })
      const timer = setInterval(() => res.write('x'.repeat(1000)), 20)
      res.once('close', () => {
        clearInterval(timer)
        closed({ finished: res.writableFinished })
      })
    })
    const port = await listen(server)
    t.after(() => closeServer(server))
    const proxy = await startExample(t, 'undici.js', { UPSTREAM: `http://127.0.0.1:${port}` })
    await leaveMidDownload(proxy.port, rawRequest('GET /stream HTTP/1.1', [['Host', 'a']]))
    const outcome = await withTimeout(upstreamClosed, 2000, 'upstream response close')
    assert.equal(outcome.finished, false)
  })
})

describe('HTTP/2 (examples/http2-upstream.js, examples/http2-front.js)', () => {
  async function http2Upstream(t) {
    const received = []
    const server = http2.createServer()
    server.on('stream', (stream, headers, flags, rawHeaders) => {
      received.push(rawHeaders)
      stream.respond({ ':status': 200, 'set-cookie': ['a=1', 'b=2'], 'x-h2': 'yes' })
      stream.end('from h2')
    })
    const port = await listen(server)
    t.after(() => closeServer(server))
    return { url: `http://127.0.0.1:${port}`, received }
  }

  it('a naive HTTP/1.1 -> HTTP/2 forward throws ERR_HTTP2_INVALID_CONNECTION_HEADERS (the anchor)', async (t) => {
    const upstream = await http2Upstream(t)
    const session = http2.connect(upstream.url)
    t.after(() => session.close())
    assert.throws(() => session.request({ ':path': '/', connection: 'keep-alive', 'keep-alive': 'timeout=5' }), { code: 'ERR_HTTP2_INVALID_CONNECTION_HEADERS' })
  })

  it('HTTP/1.1 front end -> HTTP/2 upstream: the :path of an absolute-form target is its origin form, `*` for a server-wide OPTIONS, and a target of neither form is a 400', async (t) => {
    const upstream = await http2Upstream(t)
    const proxy = await startExample(t, 'http2-upstream.js', { UPSTREAM: upstream.url })
    const authority = `127.0.0.1:${proxy.port}`
    assert.equal((await exchange(proxy.port, rawRequest(`GET ftp://${authority}/x HTTP/1.1`, [['Host', authority]]))).status, 400)
    assert.equal(upstream.received.length, 0)
    for (const [method, target] of [['GET', `http://${authority}/a/../b?x=1`], ['GET', `HTTP://${authority}?q`], ['OPTIONS', '*']]) {
      assert.equal((await exchange(proxy.port, rawRequest(`${method} ${target} HTTP/1.1`, [['Host', authority]]))).status, 200, target)
    }
    assert.deepEqual(upstream.received.map((raw) => values(pairs(raw), ':path')[0]), ['/a/../b?x=1', '/?q', '*'])
  })

  it('HTTP/1.1 front end -> HTTP/2 upstream', async (t) => {
    const upstream = await http2Upstream(t)
    const proxy = await startExample(t, 'http2-upstream.js', { UPSTREAM: upstream.url })
    const response = await exchange(proxy.port, rawRequest('GET /h2 HTTP/1.1', [
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
    const lines = pairs(upstream.received[0])
    assert.deepEqual(values(lines, ':authority'), ['front.test'])
    assert.deepEqual(values(lines, 'te'), ['trailers'])
    assert.deepEqual(values(lines, 'x-kept'), ['k'])
    for (const name of ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'x-secret', 'host']) {
      assert.ok(!names(lines).includes(name), name)
    }
    // The proxy's own fields, after filtering: Via names the upstream's HTTP/2 on the way back.
    assert.deepEqual(values(lines, 'x-forwarded-for'), ['127.0.0.1'])
    assert.deepEqual(values(lines, 'via'), ['1.1 hop-by-hop'])
    assert.deepEqual(values(response.headers, 'via'), ['2 hop-by-hop'])
  })

  it('HTTP/1.1 front end forwards a GET and a DELETE body, Content-Length and chunked, to the HTTP/2 upstream', async (t) => {
    const received = []
    const server = http2.createServer()
    server.on('stream', (stream, headers) => {
      const chunks = []
      stream.on('error', () => {})
      stream.on('data', (chunk) => chunks.push(chunk))
      stream.on('end', () => {
        received.push([headers[':method'], headers[':path'], Buffer.concat(chunks).toString()])
        stream.respond({ ':status': 200 })
        stream.end('ok')
      })
    })
    const port = await listen(server)
    t.after(() => closeServer(server))
    const proxy = await startExample(t, 'http2-upstream.js', { UPSTREAM: `http://127.0.0.1:${port}` })
    const json = '{"a":1}'
    const expected = []
    const statuses = []
    for (const method of ['GET', 'DELETE']) {
      for (const [framing, body] of [['Content-Length', json], ['Transfer-Encoding', `7\r\n${json}\r\n0\r\n\r\n`]]) {
        const path = `/${method.toLowerCase()}-${framing.toLowerCase()}`
        const value = framing === 'Content-Length' ? String(json.length) : 'chunked'
        const response = await exchange(proxy.port, rawRequest(`${method} ${path} HTTP/1.1`, [['Host', 'a'], ['Content-Type', 'application/json'], [framing, value]], body))
        statuses.push([path, response.status, response.body.toString()])
        expected.push([method, path, json])
      }
    }
    assert.deepEqual(statuses, expected.map(([, path]) => [path, 200, 'ok']))
    assert.deepEqual(received, expected)
  })

  /**
   * An HTTP/2 upstream that resolves `closed(path)` with how each stream closed; `/stream` answers
   * with a body that never finishes on its own (1000 bytes every 20 ms), others read the body.
   */
  async function trackingHttp2Upstream(t) {
    const streams = new Map()
    const waiters = new Map()
    const server = http2.createServer()
    server.on('stream', (stream, headers) => {
      const path = headers[':path']
      stream.on('error', () => {})
      streams.set(path, new Promise((resolve) => stream.once('close', () => resolve({ rstCode: stream.rstCode, ended: stream.readableEnded }))))
      waiters.get(path)?.()
      if (path === '/stream') {
        stream.respond({ ':status': 200 })
        const timer = setInterval(() => stream.write('x'.repeat(1000)), 20)
        stream.once('close', () => clearInterval(timer))
      } else {
        stream.resume()
      }
    })
    const port = await listen(server)
    t.after(() => closeServer(server))
    const arrived = (path) => withTimeout(new Promise((resolve) => (streams.has(path) ? resolve() : waiters.set(path, resolve))), WAIT_MS, `upstream stream ${path}`)
    // Bounded: a stream the proxy leaves open never closes.
    const closed = (path) => withTimeout(streams.get(path), 2000, `upstream ${path} stream close`)
    return { url: `http://127.0.0.1:${port}`, arrived, closed }
  }

  it('HTTP/1.1 front end: a client that leaves mid-upload resets its HTTP/2 upstream stream, never ends it', async (t) => {
    const upstream = await trackingHttp2Upstream(t)
    const proxy = await startExample(t, 'http2-upstream.js', { UPSTREAM: upstream.url })
    // Part of a body announced by length, and of a chunked one, then the client leaves: an
    // END_STREAM before the reset would hand the upstream a cut chunked body as a whole one.
    for (const [path, framing, sent] of [['/length', ['Content-Length', '100000'], 'partial'], ['/chunked', ['Transfer-Encoding', 'chunked'], '7\r\npartial\r\n']]) {
      const client = await connect(proxy.port)
      t.after(() => client.destroy())
      client.send(rawRequest(`POST ${path} HTTP/1.1`, [['Host', 'a'], framing], sent))
      await upstream.arrived(path)
      client.destroy()
      const upload = await upstream.closed(path)
      assert.equal(upload.ended, false, path)
      assert.notEqual(upload.rstCode, http2.constants.NGHTTP2_NO_ERROR, path)
    }
  })

  it('HTTP/1.1 front end: a client that leaves mid-download cancels its HTTP/2 upstream stream', async (t) => {
    const upstream = await trackingHttp2Upstream(t)
    const proxy = await startExample(t, 'http2-upstream.js', { UPSTREAM: upstream.url })
    await leaveMidDownload(proxy.port, rawRequest('GET /stream HTTP/1.1', [['Host', 'a']]))
    const download = await upstream.closed('/stream')
    assert.equal(download.rstCode, http2.constants.NGHTTP2_CANCEL)
  })

  it('HTTP/1.1 front end: an absolute-form target gives the HTTP/2 upstream its path as sent', async (t) => {
    const upstream = await http2Upstream(t)
    const proxy = await startExample(t, 'http2-upstream.js', { UPSTREAM: upstream.url })
    for (const target of ['http://a.test/x?q=1', 'http://a.test/public/../admin', '/public/%2e%2e/admin']) {
      assert.equal((await exchange(proxy.port, rawRequest(`GET ${target} HTTP/1.1`, [['Host', 'a.test']]))).status, 200, target)
    }
    assert.deepEqual(upstream.received.map((raw) => values(pairs(raw), ':path')[0]), ['/x?q=1', '/public/../admin', '/public/%2e%2e/admin'])
  })

  it('HTTP/1.1 front end answers 502 when the HTTP/2 upstream is gone', async (t) => {
    const upstream = await http2Upstream(t)
    const proxy = await startExample(t, 'http2-upstream.js', { UPSTREAM: upstream.url.replace(/:\d+$/, ':9') })
    const response = await exchange(proxy.port, rawRequest('GET / HTTP/1.1', [['Host', 'a']]))
    assert.equal(response.status, 502)
  })

  it('h2c front end -> HTTP/1.1 upstream with forward()', async (t) => {
    const upstream = await recordingUpstream(t, () => rawResponse({
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
    const proxy = await startExample(t, 'http2-front.js', { UPSTREAM: upstream.url })
    const session = http2.connect(`http://127.0.0.1:${proxy.port}`)
    t.after(() => session.close())
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
    assert.equal(headers.via, '1.1 hop-by-hop')
    const [request] = upstream.requests
    assert.equal(request.startLine, 'GET /from-h2?q=1 HTTP/1.1')
    assert.deepEqual(values(request.headers, 'host'), [`127.0.0.1:${proxy.port}`])
    assert.deepEqual(values(request.headers, 'cookie'), ['a=1; b=2'])
    assert.deepEqual(values(request.headers, 'te'), ['trailers'])
    assert.deepEqual(values(request.headers, 'via'), ['2 hop-by-hop'])
    assert.ok(!request.head.includes(':method') && !request.head.includes(':path'))
    // A GET with a body (allowed in HTTP/2) reaches the HTTP/1.1 upstream framed.
    const withBody = session.request({ ':method': 'GET', ':path': '/get-with-body' }, { endStream: false })
    withBody.end('GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n')
    withBody.resume()
    await withTimeout(new Promise((resolve) => withBody.once('close', resolve)), WAIT_MS, 'h2 stream')
    await upstream.received(2)
    assert.deepEqual(values(upstream.requests[1].headers, 'transfer-encoding'), ['chunked'])
    assert.equal(upstream.requests[1].body.toString(), 'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n')
  })

  // An HTTP/2 response's head goes out when it is written (Node's HTTP/1 server waits for the first
  // byte of body): a stream of events whose first comes late is open to the client at once.
  it('HTTP/2 front end: the head reaches the client before the upstream sends any body', async (t) => {
    let headSeen
    const seen = new Promise((resolve) => (headSeen = resolve))
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' })
      res.flushHeaders()
      // The body only once the client has the head, or after WAIT_MS when it never comes.
      withTimeout(seen, WAIT_MS, 'the head at the client').then(() => res.end('data: 1\n\n'), () => res.end('data: late\n\n'))
    })
    const port = await listen(server)
    t.after(() => closeServer(server))
    const proxy = await startExample(t, 'http2-front.js', { UPSTREAM: `http://127.0.0.1:${port}` })
    const session = http2.connect(`http://127.0.0.1:${proxy.port}`)
    t.after(() => session.close())
    const stream = session.request({ ':path': '/events' })
    stream.once('response', headSeen)
    stream.setEncoding('utf8')
    let body = ''
    stream.on('data', (chunk) => (body += chunk))
    await withTimeout(new Promise((resolve) => stream.once('end', resolve)), 2 * WAIT_MS, 'h2 stream end')
    assert.equal(body, 'data: 1\n\n')
  })
})

describe('@fastify/reply-from (examples/reply-from.js): replyFromHooks()', () => {
  it('filters both directions with curl against the echo upstream', async (t) => {
    const echo = await startEcho(t)
    const proxy = await startExample(t, 'reply-from.js', { UPSTREAM: echo.url })
    const result = await curl(['-v', '-H', 'Connection: X-Secret', '-H', 'X-Secret: 1', '-H', 'Keep-Alive: timeout=5', '-H', 'X-Forwarded-For: 203.0.113.9', `http://127.0.0.1:${proxy.port}/rf`])
    assert.match(result.stderr, /< HTTP\/1\.1 200 OK/)
    assert.doesNotMatch(result.stdout, /x-secret|keep-alive: timeout=5|203\.0\.113\.9/i)
    assert.match(result.stdout, /^x-forwarded-for: 127\.0\.0\.1$/m)
    assert.match(result.stdout, /^via: 1\.1 hop-by-hop$/m)
    assert.doesNotMatch(result.stderr, /x-internal|timeout=99/i)
  })
})
