'use strict'
// An HTTP/1.1 front end for an HTTP/2 upstream. Node's http2 client throws for any
// connection-specific field (RFC 9113 §8.2.2): only a filtered list can go on.

const http = require('node:http')
const http2 = require('node:http2')
const { filterRequest, filterHeaders, createForwarding, requestPath, writeHead } = require('hop-by-hop')

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000'
const port = process.env.PORT ?? 8080
// HTTP/2 frames the body itself: no Transfer-Encoding or Connection goes on.
const forwarding = createForwarding({ framing: false })

let session
function upstreamSession() {
  if (session === undefined || session.closed || session.destroyed) {
    session = http2.connect(upstream)
    session.on('error', () => {}) // each stream reports its own failure
  }
  return session
}

/** The filtered request as an HTTP/2 header object; Host becomes :authority (RFC 9113 §8.3.1). */
function http2Headers(req, path, filtered) {
  const headers = { ':method': req.method, ':path': path }
  for (let i = 0; i < filtered.length; i += 2) {
    const name = filtered[i].toLowerCase()
    if (name === 'host') headers[':authority'] = filtered[i + 1]
    else headers[name] = name in headers ? [headers[name], filtered[i + 1]].flat() : filtered[i + 1]
  }
  return headers
}

const server = http.createServer((req, res) => {
  let stream
  try {
    const forward = filterRequest(req)
    if (!forward.keepAlive) res.setHeader('Connection', 'close')
    // The path and query, never the host: the upstream is fixed (RFC 9112 §3.2.1). `*` is the
    // :path of a server-wide OPTIONS (RFC 9113 §8.3.1).
    const path = requestPath(req.url, req.method)
    // Host, X-Forwarded-*, Via: after filtering, so that no client can nominate them away.
    const headers = http2Headers(req, path, forwarding.request(req, forward.headers))
    // Node's client ends a GET or DELETE stream at once unless told that a body follows.
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
    stream = upstreamSession().request(headers, { endStream: !hasBody })
  } catch (error) {
    res.writeHead(error.statusCode ?? 502, { Connection: 'close' }).end()
    return
  }
  let failed = false
  const fail = () => {
    if (failed) return
    failed = true
    if (res.headersSent) res.destroy()
    else res.writeHead(502, { Connection: 'close' }).end()
  }
  stream.on('response', (headers, flags, rawHeaders) => {
    const status = headers[':status']
    try {
      // httpVersion '2.0' drops the pseudo-header fields.
      const filtered = filterHeaders(rawHeaders, { httpVersion: '2.0', direction: 'response', statusCode: status, requestMethod: req.method })
      // This proxy's Via on the answer too, naming the upstream's protocol: 2.
      writeHead(res, status, forwarding.response({ httpVersion: '2.0' }, filtered.headers))
    } catch {
      stream.close()
      fail() // an answer that cannot be filtered is never passed on
      return
    }
    stream.pipe(res)
  })
  stream.on('error', fail)
  // A stream reset mid-body ends without 'end': cut the client's response too.
  stream.on('close', () => stream.readableEnded || fail())
  // A client that leaves resets the upstream stream, which would otherwise hold one of the
  // session's concurrent streams: CANCEL once the body is sent (RFC 9113 §8.7); mid-upload,
  // destroy(), which resets without first ending the body, so the upstream cannot take a cut
  // body for a whole one.
  res.on('close', () => {
    if (stream.readableEnded) return
    if (stream.writableEnded) stream.close(http2.constants.NGHTTP2_CANCEL)
    else stream.destroy(new Error('the client left'))
  })
  req.pipe(stream)
})

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
