'use strict'
// undici as the upstream client. undici refuses Keep-Alive, Transfer-Encoding, Upgrade and Expect
// outright and forwards the names Connection nominates: filter first.

const http = require('node:http')
const { pipeline } = require('node:stream')
const undici = require('undici')
const { createFilter, createForwarding, filterHeaders, requestPath, writeHead } = require('hop-by-hop')

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000'
const port = process.env.PORT ?? 8080
const origin = new URL(upstream).origin
const dispatcher = new undici.Agent()
// Node's server has already answered the Expect: 100-continue. TE goes too: its sender must name
// it in Connection (RFC 9110 §10.1.4), which undici will not carry, and no trailers are passed here.
const filter = createFilter({ strip: ['Expect', 'TE'] })
// undici frames the body and owns Connection itself.
const forwarding = createForwarding({ framing: false })

const server = http.createServer(async (req, res) => {
  let forward
  let headers
  let path
  try {
    forward = filter.request(req)
    // Host, X-Forwarded-*, Via: after filtering, so that no client can nominate them away.
    headers = forwarding.request(req, forward.headers)
    // The path and query, never the host: the upstream is fixed. `//host/x` is a path (RFC 9112
    // §3.2.1); `GET http://host/x` gives `/x`, and forwarding refused it above if Host disagrees.
    path = requestPath(req.url, req.method)
  } catch (error) {
    // A HopByHopError's statusCode: 400, or 431 for a head Node may have cut.
    res.writeHead(error.statusCode ?? 500, { Connection: 'close' }).end()
    return
  }
  // undici cannot send the asterisk-form of a server-wide OPTIONS (RFC 9112 §3.2.4).
  if (path === '*') {
    res.writeHead(501, { Connection: 'close' }).end()
    return
  }
  if (!forward.keepAlive) res.setHeader('Connection', 'close')
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
  try {
    // The dispatcher takes the path as it is; undici.request(url) would resolve its dot segments.
    const answer = await dispatcher.request({
      origin,
      path,
      method: req.method,
      headers,
      body: hasBody ? req : null,
      responseHeaders: 'raw', // a flat list with the upstream's case and duplicates
    })
    const filtered = filterHeaders(answer.headers, { direction: 'response', statusCode: answer.statusCode, requestMethod: req.method })
    // This proxy's Via on the answer too (RFC 9110 §7.6.3).
    writeHead(res, answer.statusCode, forwarding.response(answer, filtered.headers))
    // An upstream body cut short cuts the client's response too; a client that leaves releases
    // the upstream response.
    pipeline(answer.body, res, (error) => error && res.destroy())
  } catch {
    if (res.headersSent) res.destroy()
    else res.writeHead(502, { Connection: 'close' }).end()
  }
})

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
