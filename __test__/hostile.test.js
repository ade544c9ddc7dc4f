'use strict'
// Hostile clients and odd upstreams, through all four shipped paths: the http-proxy handlers
// (attach), http-proxy-middleware with plugin(), the README's Express recipe (middleware
// + relay) and `npm start`; and the framework wirings (Vite's dev proxy + attach,
// @fastify/http-proxy + fastifyProxyOptions). Raw sockets on both sides, 127.0.0.1 only. Runs on
// Node 20 too, whose server cuts long request heads where 22 and later answer 431 themselves.
//
// Bounds: every answer within WAIT_MS (5 s); a refused connection closes within CLOSE_MS; the
// slow-loris head is cut by the server's headersTimeout (1 s here) within SLOW_LORIS_MS.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const net = require('node:net')
const { PassThrough } = require('node:stream')
const httpProxy = require('http-proxy')
const { attach, plugin, relay, filterHeaders, filterRequest, filterResponse } = require('..')
const { PATHS, FRAMEWORK_PATHS, SERVER_OPTIONS, proxyErrorListener, serve } = require('./helpers/paths.js')
const {
  WAIT_MS,
  withTimeout,
  listen,
  closeServer,
  values,
  rawRequest,
  rawResponse,
  startRecordingUpstream,
  connect,
  webSocketHandshake,
} = require('./helpers/wire.js')

const NODE_MAJOR = Number(process.versions.node.split('.')[0])
const CLOSE_MS = 2000
const SLOW_LORIS_MS = 4000
// What Node's parser keeps of a head by default: maxHeadersCount 1000 lines.
const NODE_MAX_HEADERS_COUNT = 1000

/** Filler lines `F0: v` ... for a head of `count` lines in all. */
function filler(count, from = 0) {
  return Array.from({ length: count }, (_, i) => [`F${from + i}`, 'v'])
}


// The shipped paths and the framework wirings (Vite's dev proxy, @fastify/http-proxy).
const ALL_PATHS = { ...PATHS, ...FRAMEWORK_PATHS }

// What a wiring cannot meet without a change in a file this suite's owner does not own: path ->
// start of the test's title -> reason. Each still runs, reported as todo.
const TODO = {
  '@fastify/http-proxy + fastifyProxyOptions': {
    // undici reads every response line (no 1,000-line cut like Node's client), so the filter sees
    // the whole head: 200, X-Secret removed, the late Set-Cookie kept. Right, but not this row.
    'X-Secret first, 1,500 filler lines': 'undici keeps every response line: 200 with X-Secret removed, not 502',
    'boundary: 999 response lines': 'undici keeps every response line: 1,001 lines are filtered whole (200), not 502',
    '101 to a request that did not ask': 'reply-from answers undici\'s error on a 101 with 500, not 502 (no hang)',
    '101 without Upgrade': 'reply-from answers undici\'s error on a 101 with 500, not 502 (no hang)',
    // Fastify answers the failed body stream reply-from handed it: its own 500, with the fields
    // reply-from had already set on the reply (the upstream's Set-Cookie among them).
    'a chunk size the upstream\'s client cannot parse, before any body': 'Fastify answers a failed reply stream with 500 and the fields set before it',
    'framing in the trailer section, before any body': 'Fastify answers a failed reply stream with 500 and the fields set before it',
    'a client that leaves before the upstream answers': 'reply-from keeps its undici request until the upstream answers (then drops it)',
    'a clean close after the head': 'Fastify answers a failed reply stream with 500 and the fields set before it',
  },
}

// What does not apply to a wiring: path -> start of the test's title -> reason. Not run.
const SKIP = {
  '@fastify/http-proxy + fastifyProxyOptions': {
    'a 101 to a protocol the client did not offer': '@fastify/http-proxy answers the client\'s handshake itself (a ws server) and opens its own to the upstream',
    'a 101 to the offered protocol in another case': '@fastify/http-proxy answers the client\'s handshake itself (a ws server) and opens its own to the upstream',
  },
}

function todoFor(path, title) {
  const startOf = (reasons) => Object.keys(reasons ?? {}).find((start) => title.startsWith(start))
  const skip = startOf(SKIP[path])
  if (skip !== undefined) return { skip: SKIP[path][skip] }
  const todo = startOf(TODO[path])
  return todo === undefined ? {} : { todo: TODO[path][todo] }
}

/** Runs `body(t, { port, upstream })` once per path, each with a fresh recording upstream. */
function eachPath(title, body, respond) {
  for (const [path, start] of Object.entries(ALL_PATHS)) {
    it(`${path}: ${title}`, todoFor(path, title), async (t) => {
      const upstream = await startRecordingUpstream(respond)
      t.after(() => upstream.close())
      const port = await start(t, upstream.url)
      await body(t, { port, upstream, path })
    })
  }
}

/** Send raw bytes on a new connection; the client is closed after the test. */
async function open(t, port, bytes) {
  const client = await connect(port)
  t.after(() => client.destroy())
  if (bytes !== undefined) client.send(bytes)
  return client
}

/** Give a request that should never arrive upstream the time to do so, then check it did not. */
async function assertNothingForwarded(upstream, pattern = /./) {
  await new Promise((resolve) => setTimeout(resolve, 200))
  const forwarded = upstream.requests.filter((request) => pattern.test(request.raw.toString('latin1')))
  assert.deepEqual(forwarded.map((request) => request.startLine), [])
}

const SMUGGLED = 'GET /SMUGGLED HTTP/1.1\r\nHost: internal\r\n\r\n'
const CHUNKED_SMUGGLE = `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`

describe('request heads longer than Node keeps', () => {
  eachPath('1,500 filler lines, then Transfer-Encoding: chunked smuggling a second request: 431, nothing upstream', async (t, { port, upstream }) => {
    const head = rawRequest('GET / HTTP/1.1', [['Host', 'proxy.test'], ...filler(1500), ['Transfer-Encoding', 'chunked']])
    const client = await open(t, port, head + CHUNKED_SMUGGLE)
    const response = await client.response()
    assert.equal(response.status, 431)
    assert.equal(await client.closesWithin(CLOSE_MS), true)
    await assertNothingForwarded(upstream)
  })

  eachPath('Connection: X-Secret past the limit: 431, the nominated field never forwarded', async (t, { port, upstream }) => {
    const head = rawRequest('DELETE /d HTTP/1.1', [['Host', 'proxy.test'], ['X-Secret', 's3cr3t'], ...filler(1500), ['Connection', 'X-Secret']])
    const client = await open(t, port, head)
    assert.equal((await client.response()).status, 431)
    await assertNothingForwarded(upstream, /X-Secret/i)
  })

  eachPath(`boundary: ${NODE_MAX_HEADERS_COUNT - 1} lines are forwarded whole, ${NODE_MAX_HEADERS_COUNT + 1} are refused with 431`, async (t, { port, upstream }) => {
    // Host, the fillers and X-Last: one line under the limit.
    const whole = await open(t, port, rawRequest('GET /whole HTTP/1.1', [['Host', 'proxy.test'], ...filler(NODE_MAX_HEADERS_COUNT - 3), ['X-Last', 'here']]))
    assert.equal((await whole.response()).status, 200)
    const forwarded = await upstream.received(1)
    assert.equal(values(forwarded.headers, 'x-last')[0], 'here')
    assert.equal(forwarded.headers.filter(([name]) => /^F\d+$/i.test(name)).length, NODE_MAX_HEADERS_COUNT - 3)

    const over = await open(t, port, rawRequest('GET /over HTTP/1.1', [['Host', 'proxy.test'], ...filler(NODE_MAX_HEADERS_COUNT)]))
    assert.equal((await over.response()).status, 431)
    await assertNothingForwarded(upstream, /^GET \/over/)
  })

  if (NODE_MAJOR >= 22) {
    it(`Node ${NODE_MAJOR} answers 431 itself above maxHeadersCount, before any handler runs`, async (t) => {
      let handled = 0
      const server = http.createServer(() => handled++)
      server.maxHeadersCount = 100
      const port = await serve(t, server)
      const fits = await open(t, port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['Connection', 'close'], ...filler(98)]))
      assert.equal(await fits.closesWithin(CLOSE_MS), false)
      assert.equal(handled, 1)
      const over = await open(t, port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ...filler(100)]))
      assert.equal((await over.response()).status, 431)
      assert.equal(handled, 1)
    })
  } else {
    it(`Node ${NODE_MAJOR} cuts a long request head and still honours the framing past the cut`, async (t) => {
      const seen = []
      const server = http.createServer((req, res) => {
        let body = ''
        req.on('data', (chunk) => (body += chunk))
        req.on('end', () => {
          seen.push({ rawHeaders: req.rawHeaders.length, body })
          res.end()
        })
      })
      const port = await serve(t, server)
      const head = rawRequest('GET / HTTP/1.1', [['Host', 'a'], ...filler(1500), ['Transfer-Encoding', 'chunked']])
      await (await open(t, port, head + CHUNKED_SMUGGLE)).response()
      // rawHeaders has no Transfer-Encoding, yet the parser read the chunked body: the reason for
      // the 431 above and for relay()'s refusal of undeclared bodies below.
      assert.equal(seen[0].rawHeaders, 2046)
      assert.equal(seen[0].body, SMUGGLED)
    })
  }
})

describe('the limit follows Node\'s settings', () => {
  /** A server that answers with what filterRequest made of the head. */
  async function judging(t, maxHeadersCount) {
    const server = http.createServer((req, res) => {
      try {
        res.end(`kept ${filterRequest(req).headers.length}`)
      } catch (error) {
        res.writeHead(error.statusCode).end(error.code)
      }
    })
    if (maxHeadersCount !== undefined) server.maxHeadersCount = maxHeadersCount
    return serve(t, server)
  }

  it('server.maxHeadersCount 50: 49 lines pass, 50 are refused with 431', async (t) => {
    const port = await judging(t, 50)
    const under = await open(t, port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ...filler(48)]))
    assert.equal((await under.response()).body.toString(), 'kept 98')
    const at = await open(t, port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ...filler(49)]))
    const refused = await at.response()
    assert.equal(refused.status, 431)
    assert.equal(refused.body.toString(), 'ERR_HOP_BY_HOP_HEAD_TRUNCATED')
  })

  it('server.maxHeadersCount 0 means no limit, in Node and here: 1,500 lines pass whole', async (t) => {
    const port = await judging(t, 0)
    const client = await open(t, port, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ...filler(1499)]))
    assert.equal((await client.response()).body.toString(), 'kept 3000')
  })

  it('a client request\'s maxHeadersCount 50: a 49-line response passes, a 60-line one is refused with 502', async (t) => {
    const upstream = await startRecordingUpstream((request) => rawResponse({ headers: filler(request.target === '/under' ? 48 : 59) }))
    t.after(() => upstream.close())
    for (const [path, expected] of [['/under', 98], ['/over', 502]]) {
      const outcome = await withTimeout(new Promise((resolve, reject) => {
        const request = http.get(`${upstream.url}${path}`, (res) => {
          res.resume()
          try {
            resolve(filterResponse(res).headers.length)
          } catch (error) {
            resolve(error.statusCode)
          }
        })
        request.maxHeadersCount = 50
        request.on('error', reject)
      }), WAIT_MS, path)
      assert.equal(outcome, expected)
    }
  })
})

describe('a body the head does not declare (second line of defence)', () => {
  it('relay() never writes it upstream, even behind a forwarder that did not check the head', async (t) => {
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    const agent = new http.Agent({ keepAlive: true })
    t.after(() => agent.destroy())
    // A forwarder that filtered the plain array (no head-length check) and relays.
    const server = http.createServer(SERVER_OPTIONS, (req, res) => {
      const headers = filterHeaders(req.rawHeaders).headers
      relay(req, res, http.request({ host: '127.0.0.1', port: upstream.port, method: req.method, path: req.url, headers, agent }))
    })
    const port = await serve(t, server)
    const head = rawRequest('GET / HTTP/1.1', [['Host', 'proxy.test'], ...filler(1500), ['Transfer-Encoding', 'chunked']])
    const client = await open(t, port, head + CHUNKED_SMUGGLE)
    // Node 22+ answers 431 itself; on Node 20 relay() refuses the body with 400. Either way the
    // client connection ends.
    assert.equal((await client.response()).status, NODE_MAJOR >= 22 ? 431 : 400)
    assert.equal(await client.closesWithin(CLOSE_MS), true)
    await assertNothingForwarded(upstream, /SMUGGLED/)
  })
})

describe('response heads longer than Node keeps', () => {
  const cut = () => rawResponse({
    headers: [['X-Secret', 's3cr3t'], ...filler(1500), ['Connection', 'X-Secret'], ['Set-Cookie', 'late=1']],
    body: 'leaky',
  })
  eachPath('X-Secret first, 1,500 filler lines, then Connection: X-Secret: 502, nothing of it reaches the client', async (t, { port }) => {
    const client = await open(t, port, rawRequest('GET / HTTP/1.1', [['Host', 'proxy.test']]))
    const response = await client.response()
    assert.equal(response.status, 502)
    assert.deepEqual(values(response.headers, 'x-secret'), [])
    assert.doesNotMatch(response.body.toString(), /leaky/)
  }, cut)

  // rawResponse adds Content-Length: `lines - 1` fillers make `lines` in all.
  const sized = (lines) => (request) => rawResponse({ headers: filler(request.target === '/whole' ? lines - 2 : lines), body: 'sized' })
  eachPath(`boundary: ${NODE_MAX_HEADERS_COUNT - 1} response lines are forwarded whole, ${NODE_MAX_HEADERS_COUNT + 1} answered 502`, async (t, { port }) => {
    const whole = await open(t, port, rawRequest('GET /whole HTTP/1.1', [['Host', 'proxy.test']]))
    const response = await whole.response()
    assert.equal(response.status, 200)
    assert.equal(response.headers.filter(([name]) => /^F\d+$/i.test(name)).length, NODE_MAX_HEADERS_COUNT - 2)
    assert.equal(response.body.toString(), 'sized')
    const over = await open(t, port, rawRequest('GET /over HTTP/1.1', [['Host', 'proxy.test']]))
    assert.equal((await over.response()).status, 502)
  }, sized(NODE_MAX_HEADERS_COUNT))
})

describe('nominations of long names', () => {
  // Found by review: a Connection option longer than every fixed hop-by-hop name made the
  // message helpers throw a TypeError on the first such request.
  eachPath('Connection: X-Forwarded-Client-Cert, twice: both answered, the nominated field never forwarded', async (t, { port, upstream }) => {
    for (const path of ['/first', '/second']) {
      const head = rawRequest(`GET ${path} HTTP/1.1`, [['Host', 'proxy.test'], ['Connection', 'X-Forwarded-Client-Cert'], ['X-Forwarded-Client-Cert', 'By=spiffe://x'], ['Access-Control-Request-Headers', 'x-a']])
      const client = await open(t, port, head)
      assert.equal((await client.response()).status, 200)
    }
    await upstream.received(2)
    for (const request of upstream.requests) {
      assert.deepEqual(values(request.headers, 'x-forwarded-client-cert'), [])
    }
    assert.deepEqual(upstream.requests.map((request) => values(request.headers, 'access-control-request-headers')[0]), ['x-a', 'x-a'])
  })
})

describe('odd upstreams', () => {
  const switching = () => 'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n'
  eachPath('101 to a request that did not ask to upgrade: 502 (RFC 9110 §15.2.2), no hang', async (t, { port }) => {
    const client = await open(t, port, rawRequest('GET /plain HTTP/1.1', [['Host', 'proxy.test']]))
    assert.equal((await client.response()).status, 502)
  }, switching)
  // Node's client hands a 101 without Upgrade over as a response, which no 'upgrade' guard sees.
  eachPath('101 without Upgrade to a plain request: 502 (RFC 9110 §15.2.2), no hang', async (t, { port }) => {
    const client = await open(t, port, rawRequest('GET /plain HTTP/1.1', [['Host', 'proxy.test']]))
    assert.equal((await client.response()).status, 502)
  }, () => 'HTTP/1.1 101 Switching Protocols\r\n\r\n')
  // A body Node's client cannot parse fails the upstream request after the head came. The
  // README's 'error' listener answers 502 and ends the response, and http-proxy's pipe would then
  // write the body parsed so far into it: an uncaught ERR_STREAM_WRITE_AFTER_END.
  eachPath('a chunk size the upstream\'s client cannot parse, after a 200 head: 502 or a cut connection, nothing thrown', async (t, { port }) => {
    const client = await open(t, port, rawRequest('GET /bad-chunk HTTP/1.1', [['Host', 'proxy.test']]))
    const answer = await client.response().then((response) => response.status, () => 'cut')
    assert.ok(answer === 502 || answer === 'cut', `answered ${answer}`)
    // The write after the end is reported a tick after the answer: time for it to throw.
    await new Promise((resolve) => setTimeout(resolve, 100))
  }, () => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\nZZ\r\n')
  // The upstream's head came, then its message failed before any byte of its body was sent on:
  // the client is still owed one whole answer, and it is the proxy's 502, not the failed 200 with
  // the upstream's status text and cookies.
  for (const [shape, answer] of [
    ['a chunk size the upstream\'s client cannot parse', 'ZZ\r\n'],
    ['framing in the trailer section', '0\r\nContent-Length: 5\r\n\r\n'],
  ]) {
    eachPath(`${shape}, before any body: 502 Bad Gateway without the upstream's fields`, async (t, { port }) => {
      const client = await open(t, port, rawRequest('GET /failed HTTP/1.1', [['Host', 'proxy.test']]))
      const response = await client.response()
      assert.equal(response.startLine, 'HTTP/1.1 502 Bad Gateway')
      assert.deepEqual(values(response.headers, 'set-cookie'), [])
      assert.deepEqual(values(response.headers, 'x-upstream'), [])
      assert.deepEqual(values(response.headers, 'trailer'), [])
    }, () => `HTTP/1.1 200 OK\r\nSet-Cookie: session=upstream\r\nX-Upstream: yes\r\nTrailer: X-Checksum\r\nTransfer-Encoding: chunked\r\n\r\n${answer}`)

    // The 502 waits behind the answer to a request pipelined before it; it must not be cut then.
    eachPath(`${shape}, before any body, pipelined behind a slower answer: that answer, then the 502`, async (t, { port }) => {
      const client = await open(t, port, rawRequest('GET /slow HTTP/1.1', [['Host', 'proxy.test']]) + rawRequest('GET /failed HTTP/1.1', [['Host', 'proxy.test']]))
      const first = await client.response()
      assert.equal(first.status, 200)
      assert.equal(first.body.toString(), 'slow')
      assert.equal((await client.response()).startLine, 'HTTP/1.1 502 Bad Gateway')
    }, (request) => (request.target === '/slow'
      ? new Promise((resolve) => setTimeout(resolve, 300)).then(() => rawResponse({ body: 'slow' }))
      : `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${answer}`))
  }

  // Part of the body went out, then the upstream failed: what the client got must not look whole.
  // The README's 'error' listener ends the response, which would close its chunked body. The
  // upstream fails only once the client has the part.
  let partSeen = null
  for (const [shape, fail] of [
    ['a chunk size the upstream\'s client cannot parse', (socket) => socket.write('ZZ\r\n')],
    ['a reset', (socket) => socket.resetAndDestroy()],
  ]) {
    eachPath(`${shape}, after part of the body went out: the client gets the part, then a cut`, async (t, { port }) => {
      let seen
      partSeen = new Promise((resolve) => (seen = resolve))
      const client = await open(t, port, rawRequest('GET /part HTTP/1.1', [['Host', 'proxy.test']]))
      await withTimeout(client.reader.until('{"a'), WAIT_MS, 'the part')
      seen()
      assert.equal(await client.closesWithin(CLOSE_MS), true)
      // No last chunk after the part: nothing that ends the body as if it were whole.
      assert.doesNotMatch(client.reader.buffer.toString('latin1'), /(^|\r\n)0\r\n/)
    }, () => async (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{"a\r\n')
      await withTimeout(partSeen, WAIT_MS, 'the part at the client').catch(() => {})
      fail(socket)
    })
  }

  // Node's client reads a complete answer, then fails on the bytes after it before any of the
  // answer went out: the proxy's 502, clean, or the answer itself, whole; never a mix of the two.
  for (const [kind, answer] of [
    ['a 304', 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nSet-Cookie: session=upstream\r\n\r\n'],
    ['a 200 with Content-Length', 'HTTP/1.1 200 OK\r\nSet-Cookie: session=upstream\r\nContent-Length: 2\r\n\r\nhi'],
  ]) {
    eachPath(`${kind} followed by bytes that are no HTTP: a clean answer`, async (t, { port }) => {
      const client = await open(t, port, rawRequest('GET /then-garbage HTTP/1.1', [['Host', 'proxy.test']]))
      const response = await client.response()
      if (response.status === 502) {
        assert.equal(response.startLine, 'HTTP/1.1 502 Bad Gateway')
        assert.deepEqual(values(response.headers, 'set-cookie'), [])
        assert.deepEqual(values(response.headers, 'etag'), [])
      } else {
        assert.deepEqual(values(response.headers, 'set-cookie'), ['session=upstream'])
      }
      // Whatever came, it came whole: nothing after it but a close or the next answer.
      client.send(rawRequest('GET /next HTTP/1.1', [['Host', 'proxy.test']]))
      await client.response().then((next) => assert.ok(next.status >= 200, next.startLine), () => {})
    }, (request) => (request.target === '/next' ? rawResponse({ body: 'next' }) : { raw: `${answer}\x00\x01garbage\r\n\r\n`, close: true }))
  }

  // Node's client reports no error for a clean close after the head: nobody else answers.
  for (const [framing, head] of [
    ['Content-Length', 'Content-Length: 10\r\n'],
    ['chunked', 'Transfer-Encoding: chunked\r\n'],
  ]) {
    eachPath(`a clean close after the head (${framing}), before any body: 502 Bad Gateway`, async (t, { port }) => {
      const client = await open(t, port, rawRequest('GET /closed HTTP/1.1', [['Host', 'proxy.test']]))
      const response = await client.response()
      assert.equal(response.startLine, 'HTTP/1.1 502 Bad Gateway')
      assert.deepEqual(values(response.headers, 'set-cookie'), [])
    }, () => ({ raw: `HTTP/1.1 200 OK\r\nSet-Cookie: session=upstream\r\n${head}\r\n`, close: true }))
  }
})

describe('http-proxy \'error\' listeners other than the README\'s', () => {
  const BAD_CHUNK = () => 'HTTP/1.1 200 OK\r\nSet-Cookie: session=upstream\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n'
  async function attached(t, respond, listen) {
    const upstream = await startRecordingUpstream(respond)
    t.after(() => upstream.close())
    const proxy = httpProxy.createProxyServer({ target: upstream.url })
    attach(proxy)
    listen(proxy)
    return serve(t, http.createServer(SERVER_OPTIONS, (req, res) => proxy.web(req, res)))
  }

  it('one that only logs: the client still gets a 502, never a wait', async (t) => {
    const logged = []
    const port = await attached(t, BAD_CHUNK, (proxy) => proxy.on('error', (error) => logged.push(error.code)))
    const client = await open(t, port, rawRequest('GET /failed HTTP/1.1', [['Host', 'proxy.test']]))
    const response = await client.response()
    assert.equal(response.startLine, 'HTTP/1.1 502 Bad Gateway')
    assert.deepEqual(values(response.headers, 'set-cookie'), [])
    assert.equal(logged.length, 1)
  })

  it('one that answers after a moment: its answer', async (t) => {
    const port = await attached(t, BAD_CHUNK, (proxy) => proxy.on('error', (error, req, res) => {
      setTimeout(() => res.writeHead(503, { 'Content-Length': '5' }).end('retry'), 50)
    }))
    const client = await open(t, port, rawRequest('GET /failed HTTP/1.1', [['Host', 'proxy.test']]))
    const response = await client.response()
    assert.equal(response.startLine, 'HTTP/1.1 503 Service Unavailable')
    assert.equal(response.body.toString(), 'retry')
  })

  it('one that answers after the wait (a slow lookup): the 502 stands, and its late answer ends nothing', async (t) => {
    const uncaught = []
    const onUncaught = (error) => uncaught.push(error)
    process.on('uncaughtException', onUncaught)
    t.after(() => process.off('uncaughtException', onUncaught))
    let answered
    const late = new Promise((resolve) => (answered = resolve))
    const port = await attached(t, BAD_CHUNK, (proxy) => proxy.on('error', (error, req, res) => {
      setTimeout(() => {
        // No headersSent check, as many listeners are written: Express's res.status().send() alike.
        res.writeHead(503, { 'Content-Type': 'text/plain' })
        // Its callback still comes: a listener may wait for it.
        res.end('maintenance', answered)
      }, 1300)
    }))
    const client = await open(t, port, rawRequest('GET /failed HTTP/1.1', [['Host', 'proxy.test']]))
    const response = await client.response()
    assert.equal(response.startLine, 'HTTP/1.1 502 Bad Gateway')
    await withTimeout(late, 3000, 'the late listener')
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(uncaught, [])
  })

  it('one that tries another target: its answer, however long the other takes', async (t) => {
    const backup = await startRecordingUpstream(() => new Promise((resolve) => setTimeout(resolve, 1300, rawResponse({ body: 'from backup' }))))
    t.after(() => backup.close())
    const port = await attached(t, BAD_CHUNK, (proxy) => proxy.on('error', (error, req, res) => proxy.web(req, res, { target: backup.url })))
    const client = await open(t, port, rawRequest('GET /failed HTTP/1.1', [['Host', 'proxy.test']]))
    const response = await client.response()
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'from backup')
  })

  it('one that only ends the response: a 502, not the upstream\'s 200', async (t) => {
    const port = await attached(t, BAD_CHUNK, (proxy) => proxy.on('error', (error, req, res) => res.end('proxy error')))
    const client = await open(t, port, rawRequest('GET /failed HTTP/1.1', [['Host', 'proxy.test']]))
    const response = await client.response()
    assert.equal(response.status, 502)
    assert.equal(response.body.toString(), 'proxy error')
  })

  it('with http-proxy\'s buffer option, a client that leaves before the upstream answers abandons the upstream request', async (t) => {
    const upstream = await startSocketUpstream(t, () => {})
    const proxy = httpProxy.createProxyServer({ target: upstream.url })
    attach(proxy)
    proxy.on('error', proxyErrorListener)
    const port = await serve(t, http.createServer(SERVER_OPTIONS, (req, res) => proxy.web(req, res, { buffer: req.pipe(new PassThrough()) })))
    const client = await open(t, port, rawRequest('GET /buffered HTTP/1.1', [['Host', 'proxy.test']]))
    await until(() => upstream.connections.some((c) => c.data.includes('GET /buffered')), WAIT_MS, 'request upstream')
    client.destroy()
    await until(() => upstream.connections.every((c) => c.closed), CLOSE_MS, 'upstream connection closed')
  })

  it('an upstream reset mid-body is reported as an \'error\' (the upstream\'s), not as the client\'s \'econnreset\'', async (t) => {
    const events = []
    const port = await attached(t, () => async (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{"a\r\n')
      await new Promise((resolve) => setTimeout(resolve, 100))
      socket.resetAndDestroy()
    }, (proxy) => {
      proxy.on('error', (error, req, res) => {
        events.push('error')
        res.end()
      })
      proxy.on('econnreset', () => events.push('econnreset'))
    })
    const client = await open(t, port, rawRequest('GET /reset HTTP/1.1', [['Host', 'proxy.test']]))
    assert.equal(await client.closesWithin(CLOSE_MS), true)
    assert.doesNotMatch(client.reader.buffer.toString('latin1'), /(^|\r\n)0\r\n/)
    assert.deepEqual(events, ['error'])
  })
})

describe('http-proxy with followRedirects: true', () => {
  // follow-redirects hands http-proxy a RedirectableRequest and re-emits 'socket' for every hop,
  // whose request it has already ended: the listeners must filter the first hop and every redirect
  // without ever throwing from the event.
  const redirecting = (request) => (request.target === '/landing'
    ? rawResponse({ body: 'landed' })
    : rawResponse({ status: request.method === 'POST' ? 307 : 302, reason: 'Found', headers: [['Location', '/landing']] }))

  for (const mode of ['attach', 'plugin']) {
    for (const method of ['GET', 'POST']) {
      it(`${mode}: a ${method} that is redirected is filtered on both hops and answered`, async (t) => {
        const upstream = await startRecordingUpstream(redirecting)
        t.after(() => upstream.close())
        const proxy = httpProxy.createProxyServer({ target: upstream.url, followRedirects: true })
        if (mode === 'attach') attach(proxy)
        else plugin()(proxy, {}) // as http-proxy-middleware calls it
        proxy.on('error', proxyErrorListener)
        const port = await serve(t, http.createServer(SERVER_OPTIONS, (req, res) => proxy.web(req, res)))
        const body = method === 'POST' ? 'a=1' : ''
        // follow-redirects resolves Location against the forwarded Host.
        const client = await open(t, port, rawRequest(`${method} /start HTTP/1.1`, [
          ['Host', `127.0.0.1:${upstream.port}`],
          ['Connection', 'keep-alive, X-Secret'],
          ['X-Secret', 's3cr3t'],
          ['Keep-Alive', 'timeout=5'],
          ...(body ? [['Content-Length', String(body.length)]] : []),
        ], body))
        const response = await client.response()
        assert.equal(response.status, 200)
        assert.equal(response.body.toString(), 'landed')
        assert.deepEqual(upstream.requests.map((request) => request.target), ['/start', '/landing'])
        for (const request of upstream.requests) {
          assert.deepEqual(values(request.headers, 'x-secret'), [], request.target)
          assert.deepEqual(values(request.headers, 'keep-alive'), [], request.target)
          assert.equal(values(request.headers, 'connection').length, 1, request.target)
        }
        if (method === 'POST') assert.equal(upstream.requests[1].body.toString(), body)
      })
    }
  }
})

describe('pipelining and framing', () => {
  // Node's parser keeps reading after an HTTP/1.0 keep-alive request, which a proxy answers with
  // close (RFC 9112 §9.3), and emits the request behind it.
  eachPath('HTTP/1.0 keep-alive: a request pipelined behind it is not forwarded', async (t, { port, upstream }) => {
    const first = 'GET /first HTTP/1.0\r\nHost: proxy.test\r\nConnection: keep-alive\r\n\r\n'
    const second = 'POST /second HTTP/1.0\r\nHost: proxy.test\r\nContent-Length: 2\r\n\r\nhi'
    const client = await open(t, port, first + second)
    assert.equal((await client.response()).status, 200)
    assert.equal(await client.closesWithin(CLOSE_MS), true)
    await assertNothingForwarded(upstream, /^POST \/second/)
    assert.deepEqual(upstream.requests.map((request) => request.target), ['/first'])
  })

  // The order that counts is the order requests arrived in, not the order a handler filters them.
  /**
   * `first` and `second` pipelined on one connection to a node:http proxy that forwards with
   * `forward()`, /first only after 150 ms: the second request is filtered first.
   */
  async function slowFirstOfTwo(t, first, second) {
    const { forward } = require('..')
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    const server = http.createServer((req, res) => {
      if (req.url === '/first') setTimeout(() => forward(req, res, upstream.url), 150)
      else forward(req, res, upstream.url)
    })
    const port = await listen(server)
    t.after(() => closeServer(server))
    return { upstream, client: await open(t, port, first + second) }
  }

  it('HTTP/1.0 keep-alive answered slowly: the request pipelined behind it, filtered first, is still not forwarded', async (t) => {
    const { upstream, client } = await slowFirstOfTwo(t,
      'GET /first HTTP/1.0\r\nHost: proxy.test\r\nConnection: keep-alive\r\n\r\n',
      'POST /second HTTP/1.0\r\nHost: proxy.test\r\nContent-Length: 2\r\n\r\nhi')
    assert.equal((await client.response()).status, 200)
    assert.equal(await client.closesWithin(CLOSE_MS), true)
    await assertNothingForwarded(upstream, /^POST \/second/)
    assert.deepEqual(upstream.requests.map((request) => request.target), ['/first'])
  })

  /**
   * `requests` pipelined to a node:http server that answers each at once, filtering it first
   * (the one to `late` only after 150 ms), and closes the connection after an answer the
   * filter does not keep alive, as a proxy does. Resolves to the outcome of each filter call by
   * URL (keepAlive, or the error's code) once the connection has closed.
   */
  async function filterOutcomes(t, requests, late) {
    const outcomes = {}
    const server = http.createServer((req, res) => {
      const filter = () => {
        try {
          outcomes[req.url] = filterRequest(req).keepAlive
          res.shouldKeepAlive = outcomes[req.url]
        } catch (error) {
          outcomes[req.url] = error.code
        }
        res.setHeader('Content-Length', '2')
        res.end('ok')
      }
      if (req.url === late) setTimeout(filter, 150)
      else filter()
    })
    const port = await listen(server)
    t.after(() => closeServer(server))
    const client = await open(t, port, requests.join(''))
    assert.equal(await client.closesWithin(CLOSE_MS), true)
    await new Promise((resolve) => setTimeout(resolve, 300))
    return outcomes
  }

  it('HTTP/1.0 keep-alive answered at once: filterRequest refuses the request pipelined behind it, filtered after that answer', async (t) => {
    // The second request's turn never comes: the connection closes after the first answer.
    const outcomes = await filterOutcomes(t, [
      'GET /first HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n',
      'POST /second HTTP/1.0\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi',
    ], '/second')
    assert.deepEqual(outcomes, { '/first': false, '/second': 'ERR_HOP_BY_HOP_AFTER_CLOSE' })
  })

  it('a closing request filtered after its own answer (a logger on finish, say) is not refused', async (t) => {
    const outcomes = []
    const server = http.createServer((req, res) => {
      res.on('finish', () => setImmediate(() => {
        try {
          outcomes.push(filterRequest(req).keepAlive)
        } catch (error) {
          outcomes.push(error.code)
        }
      }))
      res.end('ok')
    })
    const port = await listen(server)
    t.after(() => closeServer(server))
    const client = await open(t, port, 'GET /only HTTP/1.0\r\nHost: a\r\n\r\n')
    assert.equal((await client.response()).status, 200)
    assert.equal(await client.closesWithin(CLOSE_MS), true)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(outcomes, [false])
  })

  it('a socket that takes no new property: the closing request is still remembered, and the socket left as it was', () => {
    const socket = Object.preventExtensions({ _httpMessage: null, writableEnded: false })
    const request = (version) => {
      const message = new http.IncomingMessage(socket)
      message.httpVersion = version
      message.rawHeaders = ['Host', 'a']
      return message
    }
    const first = request('1.0')
    // Node's ServerResponse marks the answer after which it ends the connection with _last.
    socket._httpMessage = { req: first, _last: true }
    assert.equal(filterRequest(first).keepAlive, false)
    // The first answer is done and the server ended the connection; the request behind it is
    // filtered after it.
    socket._httpMessage = null
    socket.writableEnded = true
    assert.throws(() => filterRequest(request('1.1')), { code: 'ERR_HOP_BY_HOP_AFTER_CLOSE' })
    assert.deepEqual(Reflect.ownKeys(socket), ['_httpMessage', 'writableEnded'])
  })

  // A request that is not pipelined is never refused, whoever ends the connection after it.
  for (const [ending, requestLine, serverCloses, firstAfterItsAnswer] of [
    ['nobody', 'GET /2 HTTP/1.1\r\nHost: a\r\n\r\n', false, false],
    ['the client (Connection: close)', 'GET /2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', false, false],
    ['the server (Connection: close)', 'GET /2 HTTP/1.1\r\nHost: a\r\n\r\n', true, false],
    ['the client (HTTP/1.0), the first filtered after its answer too', 'GET /2 HTTP/1.0\r\nHost: a\r\n\r\n', false, true],
    ['the server (Connection: close), the first filtered after its answer too', 'GET /2 HTTP/1.1\r\nHost: a\r\n\r\n', true, true],
  ]) {
    it(`on a connection a server kept open after an HTTP/1.0 keep-alive request, the next request filtered after its own answer is not refused (ended by ${ending})`, async (t) => {
      const outcomes = []
      const server = http.createServer((req, res) => {
        if (req.url === '/1') {
          if (firstAfterItsAnswer) res.on('finish', () => filterRequest(req))
          else filterRequest(req)
        } else {
          if (serverCloses) res.setHeader('Connection', 'close')
          res.on('finish', () => setImmediate(() => {
            try {
              outcomes.push(filterRequest(req).keepAlive)
            } catch (error) {
              outcomes.push(error.code)
            }
          }))
        }
        // With a length Node keeps an HTTP/1.0 keep-alive connection open, against the filter.
        if (req.url === '/1') res.setHeader('Connection', 'keep-alive')
        res.writeHead(200, { 'Content-Length': '2' }).end('ok')
      })
      const port = await listen(server)
      t.after(() => closeServer(server))
      const client = await open(t, port)
      client.send('GET /1 HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n')
      assert.equal((await client.response()).status, 200)
      client.send(requestLine)
      assert.equal((await client.response()).status, 200)
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(outcomes.length, 1)
      assert.equal(typeof outcomes[0], 'boolean', String(outcomes[0]))
    })
  }

  it('three pipelined requests, the second HTTP/1.0 keep-alive: the third, filtered after the connection closed, is refused', async (t) => {
    // The closing second request is filtered while the first is being answered.
    const outcomes = await filterOutcomes(t, [
      'GET /0 HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET /1 HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n',
      'GET /2 HTTP/1.1\r\nHost: a\r\n\r\n',
    ], '/2')
    assert.deepEqual(outcomes, { '/0': true, '/1': false, '/2': 'ERR_HOP_BY_HOP_AFTER_CLOSE' })
  })

  it('a keep-alive request filtered after the Connection: close request pipelined behind it: both forwarded and answered', async (t) => {
    const { upstream, client } = await slowFirstOfTwo(t,
      'POST /first HTTP/1.1\r\nHost: proxy.test\r\nContent-Length: 2\r\n\r\nhi',
      'GET /second HTTP/1.1\r\nHost: proxy.test\r\nConnection: close\r\n\r\n')
    assert.equal((await client.response()).status, 200)
    assert.equal((await client.response()).status, 200)
    assert.deepEqual(upstream.requests.map((request) => request.target).sort(), ['/first', '/second'])
  })

  it('HTTP/1.0 keep-alive requests one after another, on a server that keeps the connection open: each is answered', async (t) => {
    const server = http.createServer((req, res) => {
      try {
        filterRequest(req)
        // With a length Node keeps an HTTP/1.0 keep-alive connection open, as this test needs.
        res.writeHead(200, { 'Content-Length': '2', Connection: 'keep-alive' }).end('ok')
      } catch (error) {
        res.writeHead(error.statusCode ?? 500).end(error.code)
      }
    })
    const port = await listen(server)
    t.after(() => closeServer(server))
    const client = await open(t, port)
    for (const path of ['/1', '/2']) {
      client.send(`GET ${path} HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n`)
      const response = await client.response()
      assert.equal(response.status, 200, `${path}: ${response.body}`)
    }
  })

  // Here Node's parser itself refuses the bytes after `close` (400, which may overtake the first
  // answer); what matters is that the second request goes nowhere.
  eachPath('HTTP/1.1 Connection: close: a pipelined request behind it is not forwarded', async (t, { port, upstream }) => {
    const first = 'GET /first HTTP/1.1\r\nHost: proxy.test\r\nConnection: close\r\n\r\n'
    const second = 'DELETE /second HTTP/1.1\r\nHost: proxy.test\r\n\r\n'
    const client = await open(t, port, first + second)
    assert.equal(await client.closesWithin(CLOSE_MS), true)
    await assertNothingForwarded(upstream, /^DELETE \/second/)
  })

  eachPath('a body longer than its Content-Length: the extra bytes never reach the upstream request', async (t, { port, upstream }) => {
    const client = await open(t, port, 'POST /five HTTP/1.1\r\nHost: proxy.test\r\nContent-Length: 5\r\n\r\nhelloXXXX /x YYYY\r\n\r\n')
    // Node's parser answers the extra bytes with 400 and closes the client connection, which may
    // abandon the upstream request (relay) or not (http-proxy): either is fine, but whatever was
    // forwarded carries exactly the declared body and nothing else follows it.
    assert.equal(await client.closesWithin(CLOSE_MS), true)
    await assertNothingForwarded(upstream, /XXXX|YYYY/)
    assert.ok(upstream.requests.length <= 1)
    for (const request of upstream.requests) assert.equal(request.body.toString(), 'hello')
  })
})

/**
 * A TCP upstream that records each connection's bytes and when it closed; `answer(socket)`, if
 * given, runs on a connection's first bytes.
 */
async function startSocketUpstream(t, answer) {
  const connections = []
  const server = net.createServer((socket) => {
    const connection = { data: '', closed: false }
    connections.push(connection)
    if (answer !== undefined) socket.once('data', () => answer(socket))
    socket.on('data', (chunk) => (connection.data += chunk.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => (connection.closed = true))
  })
  const port = await listen(server)
  t.after(() => closeServer(server))
  return { url: `http://127.0.0.1:${port}`, connections }
}

async function until(condition, ms, label) {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${label}: not within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('upgrade handshakes that cannot go upstream as one', () => {
  // Node emits 'upgrade' for these too, and hands over what follows the head unread.
  const switching = () => 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'
  const HANDSHAKE = [['Host', 'front.test'], ['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==']]
  // RFC 9110 §7.8: Upgrade means nothing in HTTP/1.0, and no 1xx may answer an HTTP/1.0 client.
  eachPath('an HTTP/1.0 handshake: 400, nothing forwarded', async (t, { port, upstream }) => {
    const client = await open(t, port, rawRequest('GET /ws HTTP/1.0', HANDSHAKE))
    assert.equal((await client.response()).status, 400)
    await assertNothingForwarded(upstream)
  }, switching)
  // The content would reach the upstream after the switch (or never, and the upstream would wait
  // for it): it goes in the old protocol first, which Node's upgrade path does not read.
  for (const [framing, body] of [[['Content-Length', '5'], 'hello'], [['Transfer-Encoding', 'chunked'], '5\r\nhello\r\n0\r\n\r\n']]) {
    eachPath(`a handshake with content (${framing.join(': ')}): 400, nothing forwarded`, async (t, { port, upstream }) => {
      const client = await open(t, port, rawRequest('GET /ws HTTP/1.1', [...HANDSHAKE, framing], body))
      assert.equal((await client.response()).status, 400)
      await assertNothingForwarded(upstream)
    }, switching)
  }
  eachPath('Content-Length: 0 on a handshake is no content: switched', async (t, { port }) => {
    const client = await open(t, port, rawRequest('GET /ws HTTP/1.1', [...HANDSHAKE, ['Content-Length', '0']]))
    assert.equal((await client.response()).status, 101)
  }, switching)
  // RFC 9110 §7.8: a server switches only to a protocol the client offered.
  eachPath('a 101 to a protocol the client did not offer: 502 or a cut connection, never the switch', async (t, { port }) => {
    const client = await open(t, port, webSocketHandshake('/ws'))
    const answer = await client.response().then((response) => response.status, () => 'cut')
    assert.ok(answer === 502 || answer === 'cut', `answered ${answer}`)
  }, () => 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n')
  eachPath('a 101 to the offered protocol in another case and with a version: switched', async (t, { port }) => {
    const client = await open(t, port, webSocketHandshake('/ws'))
    assert.equal((await client.response()).status, 101)
  }, () => 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: WebSocket/13\r\n\r\n')
})

describe('clients that stall or leave', () => {
  for (const [path, start] of Object.entries(ALL_PATHS)) {
    it(`${path}: a client that aborts mid-body: the upstream request is abandoned within ${CLOSE_MS} ms`, todoFor(path, 'a client that aborts'), async (t) => {
      const upstream = await startSocketUpstream(t)
      const port = await start(t, upstream.url)
      const client = await open(t, port, 'POST /abort HTTP/1.1\r\nHost: proxy.test\r\nContent-Length: 100\r\n\r\n0123456789')
      await until(() => upstream.connections.some((c) => c.data.includes('0123456789')), WAIT_MS, 'partial body upstream')
      client.destroy()
      await until(() => upstream.connections.every((c) => c.closed), CLOSE_MS, 'upstream connection closed')
    })

    // A stream that never ends (events, a long poll) would hold the upstream connection for good.
    // `seen`: what the client reads before it leaves; with nothing to read (Node's HTTP/1 server
    // sends a head with the first byte of body), time for the upstream's head to reach the proxy.
    for (const [when, answer, seen] of [
      ['before the upstream answers', () => {}, null],
      ['after the head, before any body', (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n'), null],
      ['mid-body', (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nevent\n\r\n'), 'event\n'],
    ]) {
      it(`${path}: a client that leaves ${when}: the upstream connection is closed within ${CLOSE_MS} ms`, todoFor(path, `a client that leaves ${when}`), async (t) => {
        const upstream = await startSocketUpstream(t, answer)
        const port = await start(t, upstream.url)
        const client = await open(t, port, rawRequest('GET /events HTTP/1.1', [['Host', 'proxy.test']]))
        await until(() => upstream.connections.some((c) => c.data.includes('GET /events')), WAIT_MS, 'request upstream')
        if (seen === null) await new Promise((resolve) => setTimeout(resolve, 100))
        else await withTimeout(client.reader.until(seen), WAIT_MS, 'the body so far')
        client.destroy()
        await until(() => upstream.connections.every((c) => c.closed), CLOSE_MS, 'upstream connection closed')
      })
    }

    it(`${path}: a request whose socket Node destroys at once (bytes it refuses behind it) never reaches the upstream without X-Forwarded-For`, async (t) => {
      const upstream = await startRecordingUpstream()
      t.after(() => upstream.close())
      const port = await start(t, upstream.url)
      // Node hands over the first request, then answers the rest 400 and destroys the socket:
      // a wiring that forwards after an await finds no peer address left to name.
      for (const tail of ['GET /after-close HTTP/1.1\r\n\r\n', '\x00garbage\r\n\r\n']) {
        const connection = tail.startsWith('GET') ? 'close' : 'keep-alive'
        const client = await open(t, port, `GET /gone HTTP/1.1\r\nHost: proxy.test\r\nConnection: ${connection}\r\n\r\n${tail}`)
        assert.equal(await client.closesWithin(WAIT_MS), true)
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
      for (const request of upstream.requests) assert.equal(values(request.headers, 'x-forwarded-for').length, 1, request.raw.toString('latin1'))
    })

    it(`${path}: a slow-loris head is cut by headersTimeout within ${SLOW_LORIS_MS} ms and never forwarded`, todoFor(path, 'a slow-loris head'), async (t) => {
      const upstream = await startSocketUpstream(t)
      const port = await start(t, upstream.url)
      const client = await open(t, port, 'GET /slow HTTP/1.1\r\nHost: proxy.test\r\n')
      const started = Date.now()
      const drip = setInterval(() => client.socket.writable && client.send(`X-Drip-${Date.now() - started}: 1\r\n`), 100)
      t.after(() => clearInterval(drip))
      assert.equal(await client.closesWithin(SLOW_LORIS_MS), true)
      clearInterval(drip)
      assert.equal(upstream.connections.filter((c) => c.data.length > 0).length, 0)
    })
  }
})

describe('a head at exactly Node\'s size limit', () => {
  // The largest X-Pad value a plain Node server accepts (maxHeaderSize, 16 KiB by default), found
  // by bisection, so the test follows the Node line it runs on.
  const padded = (size) => rawRequest('GET /pad HTTP/1.1', [['Host', 'proxy.test'], ['X-Pad', 'p'.repeat(size)]])
  async function largestAccepted(t) {
    const server = http.createServer((req, res) => res.end())
    const port = await serve(t, server)
    const accepts = async (size) => {
      const client = await open(t, port, padded(size))
      return (await client.response()).status === 200
    }
    let low = 1
    let high = 20000
    while (high - low > 1) {
      const middle = (low + high) >>> 1
      if (await accepts(middle)) low = middle
      else high = middle
    }
    return low
  }

  eachPath('is forwarded whole; one byte more is refused with 431 and not forwarded', async (t, { port, upstream }) => {
    const size = await largestAccepted(t)
    const whole = await open(t, port, padded(size))
    assert.equal((await whole.response()).status, 200)
    assert.equal(values((await upstream.received(1)).headers, 'x-pad')[0].length, size)
    const over = await open(t, port, padded(size + 1))
    assert.equal((await over.response()).status, 431)
    await assertNothingForwarded(upstream, new RegExp(`X-Pad: p{${size + 1}}`, 'i'))
    assert.equal(upstream.requests.length, 1)
  })
})
