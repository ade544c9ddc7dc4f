'use strict'
// `npm start`: an Express forwarding proxy built with hop-by-hop, on 127.0.0.1:$PORT (default
// 8080). It forwards to an embedded echo upstream that answers with the request headers it
// received, or to $TARGET (an http:// URL) when set. One log line per request says what was
// removed in each direction and whether the client connection stays open. WebSocket (and other)
// upgrades are proxied too.

const http = require('node:http')
const express = require('express')
const { middleware, filterResponse, requestPath, relay, forwardUpgrade } = require('hop-by-hop')

const PORT = process.env.PORT === undefined ? 8080 : Number(process.env.PORT)
// A client that sends its head slowly (slow loris) is answered 408 and closed after this long.
const HEADERS_TIMEOUT_MS = process.env.HEADERS_TIMEOUT_MS === undefined ? 10000 : Number(process.env.HEADERS_TIMEOUT_MS)

/** The echo upstream. Its answer also carries hop-by-hop fields, which the proxy must drop. */
function startEcho() {
  const server = http.createServer((req, res) => {
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`]
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
    req.resume()
    req.on('end', () => {
      res.writeHead(200, [
        'Content-Type', 'text/plain; charset=utf-8',
        'Connection', 'keep-alive, X-Echo-Internal',
        'X-Echo-Internal', 'only for the proxy',
        'Keep-Alive', 'timeout=60',
      ])
      res.end(`${lines.join('\n')}\n`)
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

function forwarder(target, agent, options) {
  return (req, res) => {
    let path
    try {
      path = requestPath(req.originalUrl, req.method) // the origin form (RFC 9112 §3.2.1)
    } catch (error) {
      res.writeHead(error.statusCode, { Connection: 'close' }).end()
      return
    }
    const request = { host: target.hostname, port: target.port || 80, method: req.method, path, headers: req.forward.headers, agent }
    const upstreamRequest = relay(req, res, http.request(request), options)
    // For the log line only: relay() filters the response itself.
    upstreamRequest.once('response', (upstream) => {
      try {
        res.locals.responseRemoved = filterResponse(upstream, { requestMethod: req.method }).diagnostics.removed
      } catch (error) {
        res.locals.responseRemoved = [`refused: ${error.code}`]
      }
    })
  }
}

/** WebSocket and other upgrades: forwardUpgrade() answers a refused handshake on the socket. */
function upgrader(target, options) {
  return (req, socket, head) => {
    const forwarded = forwardUpgrade(req, socket, head, target, options) !== undefined
    console.log(`${req.method} ${req.url} HTTP/${req.httpVersion} -> ${forwarded ? `upgrade ${req.headers.upgrade}` : 'upgrade refused'}`)
  }
}

function list(names) {
  return names === undefined || names.length === 0 ? '-' : names.join(', ')
}

/** One line per request, written when the response is done. */
function logLine(req, res) {
  res.once('close', () => {
    const forward = req.forward
    const request = forward === undefined ? 'refused' : list(forward.diagnostics.removed)
    const client = res.getHeader('connection') === 'close' || !res.shouldKeepAlive ? 'close' : 'keep-alive'
    console.log(`${req.method} ${req.originalUrl} HTTP/${req.httpVersion} -> ${res.statusCode} | removed from request: ${request} | removed from response: ${list(res.locals.responseRemoved)} | client connection: ${client}`)
  })
}

async function main() {
  const echo = process.env.TARGET === undefined ? await startEcho() : null
  const target = new URL(process.env.TARGET ?? `http://127.0.0.1:${echo.address().port}`)
  if (target.protocol !== 'http:') throw new Error(`TARGET must be an http:// URL; received ${target.href}`)
  const agent = new http.Agent({ keepAlive: true })
  // The target's Host (the client's goes in X-Forwarded-Host), and Via with the demo's pseudonym.
  // Clients' own Forwarded/X-Forwarded-* are not trusted (the default): they are replaced.
  const options = { host: target.host, via: 'hop-by-hop-demo' }

  const app = express()
  app.use((req, res, next) => {
    logLine(req, res)
    next()
  })
  app.use(middleware(options))
  app.use(forwarder(target, agent, options))

  const server = http.createServer({ headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: Math.min(1000, HEADERS_TIMEOUT_MS / 4) }, app)
  server.on('upgrade', upgrader(target, options))
  server.listen(PORT, '127.0.0.1', () => {
    const { port } = server.address()
    console.log(`hop-by-hop demo proxy listening on http://127.0.0.1:${port} -> ${echo ? `echo upstream ${target.host}` : target.href}`)
    console.log(`try: curl -i http://127.0.0.1:${port}/ -H 'Connection: keep-alive, X-Secret' -H 'X-Secret: s3cr3t' -H 'Keep-Alive: timeout=5'`)
  })

  function shutdown(signal) {
    console.log(`${signal}: shutting down`)
    server.close()
    server.closeAllConnections()
    echo?.close()
    agent.destroy()
    // Everything above is closed; this only bounds a stuck socket.
    setTimeout(() => process.exit(0), 2000).unref()
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

main().catch((error) => {
  console.error(error.message)
  process.exitCode = 1
})
