'use strict'
// `npm start`: an Express forwarding proxy built with hop-by-hop, on 127.0.0.1:$PORT (default
// 8080). It forwards to an embedded echo upstream that answers with the request headers it
// received, or to $TARGET (an http:// URL) when set. One log line per request says what was
// removed in each direction and whether the client connection stays open.

const http = require('node:http')
const express = require('express')
const { middleware, writeHead, filterResponse } = require('..')

const PORT = process.env.PORT === undefined ? 8080 : Number(process.env.PORT)

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

/** Replace the client's Host with the target's, keeping the client's in X-Forwarded-Host. */
function retarget(headers, host) {
  const out = ['Host', host]
  let clientHost
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i].toLowerCase() === 'host') clientHost ??= headers[i + 1]
    else out.push(headers[i], headers[i + 1])
  }
  if (clientHost !== undefined) out.push('X-Forwarded-Host', clientHost)
  return out
}

function forwarder(target, agent) {
  return (req, res) => {
    // Filter first (the middleware did), then add the proxy's own fields, so no Connection
    // nomination from the client can remove them.
    const headers = retarget(req.forward.headers, target.host)
    // Framing is per hop (RFC 9112 §6.1): Node decoded a chunked body, so chunk it again.
    if (req.headers['transfer-encoding'] !== undefined) headers.push('Transfer-Encoding', 'chunked')
    headers.push('X-Forwarded-For', req.socket.remoteAddress, 'X-Forwarded-Proto', 'http', 'Via', `1.1 hop-by-hop-demo`)
    const options = { host: target.hostname, port: target.port || 80, method: req.method, path: req.originalUrl, headers, agent }
    const upstreamRequest = http.request(options, (upstream) => {
      const response = filterResponse(upstream, { requestMethod: req.method })
      res.locals.responseRemoved = response.diagnostics.removed
      writeHead(res, upstream.statusCode, response.headers)
      upstream.pipe(res)
    })
    upstreamRequest.on('error', (error) => {
      if (res.headersSent) return res.destroy()
      res.status(502).type('text/plain').send(`upstream error: ${error.code ?? error.message}\n`)
    })
    req.pipe(upstreamRequest)
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

  const app = express()
  app.use((req, res, next) => {
    logLine(req, res)
    next()
  })
  app.use(middleware())
  app.use(forwarder(target, agent))

  const server = http.createServer(app)
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
