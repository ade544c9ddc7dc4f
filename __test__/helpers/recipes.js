'use strict'
// The README's forwarding recipes for Express and node:http, verbatim apart from the target, shared
// by the tests that drive them. Keep the README and these in sync.

const http = require('node:http')
const express = require('express')
const { middleware, filterRequest, relay, HopByHopError } = require('../..')

/** Express: a forwarding app for `target` ({ host, port }). */
function forwardingApp(target, agent) {
  const app = express()
  app.use(middleware())
  app.use((req, res) => {
    const headers = req.forward.headers
    // Framing is per hop (RFC 9112 §6.1): Node decoded a chunked body, so chunk it again.
    if (req.headers['transfer-encoding'] !== undefined) headers.push('Transfer-Encoding', 'chunked')
    // An HTTP/1.0 client may send no Host; HTTP/1.1 requires one, and http.request adds none
    // to an array of headers.
    if (req.headers.host === undefined) headers.push('Host', `${target.host}:${target.port}`)
    // Add your own fields after filtering, so that no client nomination can remove them.
    headers.push('X-Forwarded-For', req.socket.remoteAddress, 'Via', '1.1 example-proxy')
    relay(req, res, http.request({ ...target, method: req.method, path: req.originalUrl, headers, agent }))
  })
  return app
}

/** node:http: a forwarding server for `target` ({ host, port }). */
function nodeHttpProxy(target, agent) {
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
    relay(req, res, http.request({ ...target, method: req.method, path: req.url, headers, agent }))
  })
}

module.exports = { forwardingApp, nodeHttpProxy }
