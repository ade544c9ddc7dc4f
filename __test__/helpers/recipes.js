'use strict'
// The README's forwarding recipes for Express and node:http, verbatim apart from the target, shared
// by the tests that drive them. Keep the README and these in sync.

const http = require('node:http')
const http2 = require('node:http2')
const express = require('express')
const { middleware, filterRequest, forwardHeaders, relay, HopByHopError } = require('../..')

/** Express: a forwarding app for `target` ({ host, port }). */
function forwardingApp(target, agent) {
  const app = express()
  // Filters, then adds Host, X-Forwarded-For/-Host/-Proto (trusting no client's), Via, framing.
  app.use(middleware())
  app.use((req, res) => {
    const upstreamRequest = http.request({ ...target, method: req.method, path: req.originalUrl, headers: req.forward.headers, agent })
    relay(req, res, upstreamRequest)
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
    const headers = forwardHeaders(req, forward.headers)
    relay(req, res, http.request({ ...target, method: req.method, path: req.url, headers, agent }))
  })
}

/** h2c (cleartext HTTP/2) front end, HTTP/1.1 upstream `target` ({ host, port }). */
function http2ToHttp1Proxy(target, agent) {
  return http2.createServer((req, res) => {
    let forward
    try {
      forward = filterRequest(req) // pseudo-header fields never reach the output
    } catch (error) {
      res.writeHead(error instanceof HopByHopError ? error.statusCode : 500).end()
      return
    }
    // Host from :authority, one Cookie line, a chunked body of unknown length (RFC 9113 §8.3.1, §8.2.3).
    const headers = forwardHeaders(req, forward.headers)
    relay(req, res, http.request({ ...target, method: req.method, path: req.url, headers, agent }))
  })
}

module.exports = { forwardingApp, nodeHttpProxy, http2ToHttp1Proxy }
