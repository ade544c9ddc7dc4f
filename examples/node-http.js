'use strict'
// node:http, step by step: what forward() does in one call, for a proxy that needs to look at
// or change the request between filtering and sending it.

const http = require('node:http')
const { filterRequest, forwardHeaders, requestPath, relay } = require('hop-by-hop')

const upstream = new URL(process.env.UPSTREAM ?? 'http://127.0.0.1:3000')
const port = process.env.PORT ?? 8080
const agent = new http.Agent({ keepAlive: true })

const server = http.createServer((req, res) => {
  let forward
  let headers
  let path
  try {
    forward = filterRequest(req)
    // After filtering, so that no client can nominate them away: Host, X-Forwarded-*, Via, framing.
    headers = forwardHeaders(req, forward.headers)
    // The origin form an origin server takes (RFC 9112 §3.2.1), also from `GET http://host/path`.
    path = requestPath(req.url, req.method)
  } catch (error) {
    // A HopByHopError's statusCode: 400, or 431 for a head Node may have cut.
    res.writeHead(error.statusCode ?? 500, { Connection: 'close' }).end()
    return
  }
  // A proxy closes an HTTP/1.0 keep-alive client and honours Connection: close (RFC 9112 §9.3).
  if (!forward.keepAlive) res.setHeader('Connection', 'close')
  relay(req, res, http.request(upstream, { method: req.method, path, headers, agent }))
})

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
