'use strict'
// Wire-level test helpers: a raw TCP upstream that records the exact request bytes, raw-socket
// clients that send crafted requests, and a small HTTP/1.x message reader for both.
// Everything listens on 127.0.0.1 and every wait is bounded.

const { spawn } = require('node:child_process')
const path = require('node:path')
const net = require('node:net')
const assert = require('node:assert/strict')

const WAIT_MS = 5000

function withTimeout(promise, ms = WAIT_MS, label = 'operation') {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} timed out after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

// Every connection a listening server accepted, so that closeServer can end upgraded ones too
// (after an upgrade Node's HTTP server no longer tracks the socket, but close() waits for it).
const accepted = new WeakMap()

/** Listen on 127.0.0.1 on a free port; resolves the port. */
function listen(server, port = 0) {
  const sockets = new Set()
  accepted.set(server, sockets)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve(server.address().port)
    })
  })
}

/** Close a server and every connection it still holds. */
function closeServer(server) {
  if (!server.listening) return Promise.resolve()
  return new Promise((resolve) => {
    server.close(() => resolve())
    for (const socket of accepted.get(server) ?? []) socket.destroy()
  })
}

/** Buffers a socket's bytes and hands them out on demand. */
class Reader {
  constructor(socket) {
    this.buffer = Buffer.alloc(0)
    this.ended = false
    this.waiters = []
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk])
      this.wake()
    })
    const end = () => {
      this.ended = true
      this.wake()
    }
    socket.on('end', end)
    socket.on('close', end)
    socket.on('error', end)
  }

  wake() {
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }

  wait() {
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  async until(delimiter) {
    for (;;) {
      const at = this.buffer.indexOf(delimiter)
      if (at !== -1) return this.take(at + delimiter.length)
      if (this.ended) throw new Error(`connection ended before ${JSON.stringify(delimiter)}`)
      await this.wait()
    }
  }

  async bytes(count) {
    while (this.buffer.length < count) {
      if (this.ended) throw new Error(`connection ended ${count - this.buffer.length} bytes early`)
      await this.wait()
    }
    return this.take(count)
  }

  async rest() {
    while (!this.ended) await this.wait()
    return this.take(this.buffer.length)
  }

  take(count) {
    const out = this.buffer.subarray(0, count)
    this.buffer = this.buffer.subarray(count)
    return out
  }
}

/** Split a header block into its start line and [name, value] lines, exactly as sent. */
function parseHead(head) {
  const lines = head.replace(/\r\n\r\n$/, '').split('\r\n')
  const startLine = lines.shift()
  const headers = lines.map((line) => {
    const colon = line.indexOf(':')
    return [line.slice(0, colon), line.slice(colon + 1).trim()]
  })
  return { startLine, headers }
}

function values(headers, name) {
  const wanted = name.toLowerCase()
  return headers.filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v)
}

function names(headers) {
  return headers.map(([n]) => n.toLowerCase())
}

function isChunked(headers) {
  const codings = values(headers, 'transfer-encoding').join(',').split(',')
  return codings.at(-1).trim().toLowerCase() === 'chunked'
}

async function readChunked(reader) {
  const raw = []
  const body = []
  for (;;) {
    const sizeLine = await reader.until('\r\n')
    raw.push(sizeLine)
    const size = Number.parseInt(sizeLine.toString('latin1'), 16)
    if (size === 0) break
    const data = await reader.bytes(size + 2)
    raw.push(data)
    body.push(data.subarray(0, size))
  }
  const trailers = []
  for (;;) {
    const line = await reader.until('\r\n')
    raw.push(line)
    if (line.length === 2) break
    trailers.push(line.toString('latin1').trim())
  }
  return { body: Buffer.concat(body), raw: Buffer.concat(raw), trailers }
}

function responseHasNoBody(status, requestMethod) {
  return requestMethod === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304
}

/**
 * Read one HTTP/1.x message. `kind` is 'request' or 'response'; `requestMethod` marks HEAD
 * responses. Returns the head as text, parsed lines, body, trailers and the exact bytes.
 */
async function readMessage(reader, kind, requestMethod) {
  const headBytes = await reader.until('\r\n\r\n')
  const head = headBytes.toString('latin1')
  const { startLine, headers } = parseHead(head)
  const message = { head, startLine, headers, body: Buffer.alloc(0), trailers: [], raw: headBytes }
  if (kind === 'request') {
    const [method, target, version] = startLine.split(' ')
    Object.assign(message, { method, target, version })
  } else {
    const [version, status] = startLine.split(' ')
    Object.assign(message, { version, status: Number(status) })
    if (responseHasNoBody(message.status, requestMethod)) return message
  }
  let bodyRaw = Buffer.alloc(0)
  if (values(headers, 'transfer-encoding').length > 0 && isChunked(headers)) {
    const chunked = await readChunked(reader)
    message.body = chunked.body
    message.trailers = chunked.trailers
    bodyRaw = chunked.raw
  } else if (values(headers, 'content-length').length > 0) {
    bodyRaw = await reader.bytes(Number(values(headers, 'content-length')[0]))
    message.body = bodyRaw
  } else if (kind === 'response') {
    bodyRaw = await reader.rest()
    message.body = bodyRaw
  }
  message.raw = Buffer.concat([headBytes, bodyRaw])
  return message
}

/** A response as raw bytes with a correct Content-Length. */
function rawResponse({ status = 200, reason = 'OK', headers = [], body = '', version = '1.1' } = {}) {
  const lines = headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')
  const length = values(headers, 'content-length').length > 0 || values(headers, 'transfer-encoding').length > 0
    ? ''
    : `Content-Length: ${Buffer.byteLength(body)}\r\n`
  return `HTTP/${version} ${status} ${reason}\r\n${lines}${length}\r\n${body}`
}

/**
 * A raw TCP HTTP/1.1 upstream. Every request is recorded with its exact bytes and the id of the
 * connection it came on. `respond(request)` returns the raw response text (default 200 "ok"),
 * or `{ raw, close: true }` to close the connection after writing it, or a function that writes
 * the answer on the socket itself (in parts, say) and may return a promise; or a promise of any.
 */
async function startRecordingUpstream(respond = () => rawResponse({ body: 'ok' })) {
  const requests = []
  const sockets = new Set()
  let connections = 0
  const server = net.createServer(async (socket) => {
    const connection = ++connections
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    const reader = new Reader(socket)
    for (;;) {
      let request
      try {
        request = await readMessage(reader, 'request')
      } catch {
        return
      }
      request.connection = connection
      requests.push(request)
      const answer = await respond(request)
      if (typeof answer === 'function') {
        await answer(socket)
        continue
      }
      const { raw, close } = typeof answer === 'string' ? { raw: answer, close: false } : answer
      if (socket.destroyed) return
      socket.write(raw)
      if (close) {
        socket.end()
        return
      }
    }
  })
  const port = await listen(server)
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    get connections() {
      return connections
    },
    /** Wait until `count` requests arrived. */
    async received(count = 1, ms = WAIT_MS) {
      const deadline = Date.now() + ms
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`upstream received ${requests.length} of ${count} requests`)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      return requests[count - 1]
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return closeServer(server)
    },
  }
}

/** A raw client connection for crafted requests. */
async function connect(port) {
  const socket = net.connect(port, '127.0.0.1')
  socket.on('error', () => {})
  await withTimeout(new Promise((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  }), WAIT_MS, 'connect')
  const reader = new Reader(socket)
  return {
    socket,
    reader,
    send(text) {
      socket.write(text)
    },
    /** Read one response; `method` of the request it answers marks HEAD responses. */
    response(method = 'GET') {
      return withTimeout(readMessage(reader, 'response', method), WAIT_MS, 'response')
    },
    /** Whether the peer ends or closes the connection within `ms`. */
    async closesWithin(ms = 1000) {
      let timer
      const timeout = new Promise((resolve) => {
        timer = setTimeout(resolve, ms, false)
      })
      const ended = new Promise((resolve) => {
        const check = () => (reader.ended ? resolve(true) : reader.waiters.push(check))
        check()
      })
      const result = await Promise.race([ended, timeout])
      clearTimeout(timer)
      return result
    },
    destroy() {
      socket.destroy()
    },
  }
}

/** Send one crafted request on a new connection and read the response. */
async function exchange(port, request) {
  const client = await connect(port)
  try {
    client.send(request)
    return await client.response()
  } finally {
    client.destroy()
  }
}

/** Build request text from a start line and [name, value] lines (exact case and order). */
function rawRequest(startLine, headers, body = '') {
  return `${startLine}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n${body}`
}


/** Runs `script` in a child node process (for crashes the test runner must survive), bounded. */
// A child loads the peers (Fastify, reply-from) before it can crash: under qemu-user on a busy
// host that alone took more than WAIT_MS.
const CHILD_MS = 15000

function runChild(script) {
  return withTimeout(new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const killer = setTimeout(() => child.kill('SIGKILL'), CHILD_MS)
    child.on('close', (code) => {
      clearTimeout(killer)
      resolve({ code, stdout, stderr })
    })
  }), CHILD_MS + 1000, 'child process')
}

/** The head of a raw-socket WebSocket handshake to `path`, with `upgrade` as its protocol and `extra` lines. */
function webSocketHandshake(path, { upgrade = 'websocket', extra = [] } = {}) {
  return rawRequest(`GET ${path} HTTP/1.1`, [
    ['Host', 'front.test'],
    ['Connection', 'Upgrade'],
    ['Upgrade', upgrade],
    ['Sec-WebSocket-Version', '13'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ...extra,
  ])
}

/**
 * RFC 9112 §9.3: an HTTP/1.0 client asking for keep-alive through the proxy on `port` gets 200
 * with `Connection: close` and a closed connection. Then an HTTP/1.1 client sends a request;
 * its connection and response are returned for the caller's own checks.
 */
async function assertHttp10KeepAliveCloses(t, port, host) {
  const old = await connect(port)
  t.after(() => old.destroy())
  old.send(rawRequest('GET /old HTTP/1.0', [['Host', host], ['Connection', 'keep-alive']]))
  const response = await old.response()
  assert.equal(response.status, 200)
  assert.deepEqual(values(response.headers, 'connection'), ['close'])
  assert.equal(await old.closesWithin(2000), true)
  const current = await connect(port)
  t.after(() => current.destroy())
  current.send(rawRequest('GET /new HTTP/1.1', [['Host', host]]))
  return { current, response: await current.response() }
}

module.exports = {
  WAIT_MS,
  withTimeout,
  runChild,
  CHILD_MS,
  listen,
  closeServer,
  values,
  names,
  rawResponse,
  rawRequest,
  webSocketHandshake,
  assertHttp10KeepAliveCloses,
  startRecordingUpstream,
  connect,
  exchange,
}
