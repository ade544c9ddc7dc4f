'use strict'
// `npm run demo`: sends crafted requests through a naive forwarder and through one built with
// hop-by-hop, side by side, and prints what the upstream and the client received. Then exits.

const http = require('node:http')
const net = require('node:net')
const { filterRequest, relay, HopByHopError } = require('..')

/** The upstream records each request's raw header lines and answers with hop-by-hop fields. */
function startUpstream() {
  const seen = []
  const server = http.createServer((req, res) => {
    seen.push(req.rawHeaders)
    req.resume()
    const closing = req.url === '/upstream-closes'
    res.writeHead(200, [
      'Content-Type', 'text/plain',
      'Connection', closing ? 'close' : 'keep-alive, X-Internal-Route',
      'X-Internal-Route', 'backend-7',
      'Keep-Alive', 'timeout=600',
      'Set-Cookie', 'a=1',
      'Set-Cookie', 'b=2',
      'Content-Length', '2',
    ])
    res.end('ok')
  })
  return { server, seen }
}

/** What most hand-written proxies do: copy req.headers and upstream.headers as they are. */
function naiveForwarder(target) {
  return http.createServer((req, res) => {
    const upstreamRequest = http.request({ ...target, method: req.method, path: req.url, headers: req.headers }, (upstream) => {
      res.writeHead(upstream.statusCode, upstream.headers)
      upstream.pipe(res)
    })
    upstreamRequest.on('error', () => res.destroy())
    try {
      // Renders the header block now. In a real proxy this happens later, inside a stream
      // callback, where the same throw is an uncaught exception that ends the process.
      upstreamRequest.flushHeaders()
    } catch (error) {
      res.writeHead(500).end()
      res.naiveError = error.code
      return
    }
    req.pipe(upstreamRequest)
  })
}

/** The node:http recipe from the README. */
function filteringForwarder(target) {
  return http.createServer((req, res) => {
    let forward
    try {
      forward = filterRequest(req)
    } catch (error) {
      // 400, or 431 for a head Node may have cut; anything else is a bug worth a 500.
      const status = error instanceof HopByHopError ? error.statusCode : 500
      res.writeHead(status, { Connection: 'close' }).end()
      return
    }
    if (!forward.keepAlive) res.setHeader('Connection', 'close')
    const headers = forward.headers
    // Framing is per hop (RFC 9112 §6.1): Node decoded a chunked body, so chunk it again.
    if (req.headers['transfer-encoding'] !== undefined) headers.push('Transfer-Encoding', 'chunked')
    // HTTP/1.1 requires Host; http.request adds none to an array of headers.
    if (req.headers.host === undefined) headers.push('Host', `${target.host}:${target.port}`)
    // Your own fields go in after filtering.
    headers.push('X-Forwarded-For', req.socket.remoteAddress)
    relay(req, res, http.request({ ...target, method: req.method, path: req.url, headers }))
  })
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)))
}

/**
 * Send raw request bytes; resolve the response head and whether the proxy closed the
 * connection within a short wait after the response.
 */
function send(port, text) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text))
    let data = ''
    let settled = false
    const finish = (closed) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      const head = data.split('\r\n\r\n')[0]
      resolve({ status: head.split(' ')[1] ?? '(none)', lines: head.split('\r\n').slice(1), closed })
    }
    const timer = setTimeout(() => finish(false), 1500)
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1')
      const length = /\r\ncontent-length: *(\d+)/i.exec(data)
      const end = data.indexOf('\r\n\r\n')
      if (end !== -1 && length && data.length >= end + 4 + Number(length[1])) {
        // Complete; give the proxy a moment to close the connection if it is going to.
        setTimeout(() => finish(socket.readyState !== 'open'), 150)
      }
    })
    socket.on('end', () => finish(true))
    socket.on('error', () => finish(true))
  })
}

function field(lines, name) {
  const wanted = `${name.toLowerCase()}:`
  const found = lines.filter((line) => line.toLowerCase().startsWith(wanted))
  return found.length === 0 ? '-' : found.map((line) => line.slice(wanted.length).trim()).join(' | ')
}

function upstreamField(rawHeaders, name) {
  const lines = []
  for (let i = 0; i < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`)
  return field(lines, name)
}

const CASES = [
  {
    name: 'client nominates X-Secret',
    request: 'GET / HTTP/1.1\r\nHost: demo\r\nConnection: keep-alive, X-Secret\r\nX-Secret: token\r\n\r\n',
    show: (r) => `upstream X-Secret: ${upstreamField(r.upstream, 'x-secret')}; Connection: ${upstreamField(r.upstream, 'connection')}`,
  },
  {
    name: 'Keep-Alive, Proxy-Connection, TE',
    request: 'GET / HTTP/1.1\r\nHost: demo\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers, gzip\r\n\r\n',
    show: (r) => `upstream Keep-Alive: ${upstreamField(r.upstream, 'keep-alive')}; TE: ${upstreamField(r.upstream, 'te')}`,
  },
  {
    name: 'client sends Trailer (#1647)',
    request: 'GET / HTTP/1.1\r\nHost: demo\r\nTrailer: X-Checksum\r\n\r\n',
    show: (r) => `status ${r.status}${r.error ? ` (${r.error})` : ''}`,
  },
  {
    name: 'upstream nominates X-Internal-Route',
    request: 'GET / HTTP/1.1\r\nHost: demo\r\n\r\n',
    show: (r) => `client X-Internal-Route: ${field(r.lines, 'x-internal-route')}; Keep-Alive: ${field(r.lines, 'keep-alive')}`,
  },
  {
    name: 'upstream header case',
    request: 'GET / HTTP/1.1\r\nHost: demo\r\n\r\n',
    show: (r) => `client sees ${r.lines.filter((line) => /^content-type:/i.test(line)).map((line) => line.split(':')[0]).join(', ')}; Set-Cookie: ${field(r.lines, 'set-cookie')}`,
  },
  {
    name: 'upstream sends Connection: close',
    request: 'GET /upstream-closes HTTP/1.1\r\nHost: demo\r\n\r\n',
    show: (r) => `client connection ${r.closed ? 'closed' : 'kept open'}`,
  },
  {
    name: 'HTTP/1.0 client asks keep-alive',
    request: 'GET / HTTP/1.0\r\nHost: demo\r\nConnection: keep-alive\r\n\r\n',
    show: (r) => `client connection ${r.closed ? 'closed' : 'kept open'} (a proxy must close it)`,
  },
  {
    name: 'client nominates X-Forwarded-For',
    request: 'GET / HTTP/1.1\r\nHost: demo\r\nConnection: X-Forwarded-For\r\n\r\n',
    show: (r) => `upstream Connection: ${upstreamField(r.upstream, 'connection')}`,
  },
]

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  const line = (row) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n')
}

async function main() {
  const upstream = startUpstream()
  const target = { host: '127.0.0.1', port: await listen(upstream.server) }
  const naive = naiveForwarder(target)
  const filtering = filteringForwarder(target)
  let naiveError
  naive.on('request', (req, res) => res.once('finish', () => (naiveError = res.naiveError)))
  const ports = { naive: await listen(naive), filtering: await listen(filtering) }

  const rows = [['case', 'naive forwarder', 'with hop-by-hop']]
  for (const testCase of CASES) {
    const cells = []
    for (const which of ['naive', 'filtering']) {
      upstream.seen.length = 0
      naiveError = undefined
      const response = await send(ports[which], testCase.request)
      cells.push(testCase.show({ ...response, upstream: upstream.seen[0] ?? [], error: which === 'naive' ? naiveError : undefined }))
    }
    rows.push([testCase.name, ...cells])
  }
  console.log('Crafted requests through a naive node:http forwarder and through the README recipe, same upstream:\n')
  console.log(table(rows))

  for (const server of [naive, filtering, upstream.server]) {
    server.closeAllConnections()
    server.close()
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
