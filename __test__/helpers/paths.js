'use strict'
// The four shipped paths, each as a proxy in front of a target, for tests that drive them all:
// http-proxy with attach(), http-proxy-middleware with the `on` listeners, the README's Express
// recipe (middleware + relay) and `npm start`. Every server listens on 127.0.0.1.

const http = require('node:http')
const express = require('express')
const httpProxy = require('http-proxy')
const { createProxyMiddleware } = require('http-proxy-middleware')
const { attach, createProxyHandlers, middleware, relay } = require('../..')
const { startDemo } = require('./examples.js')
const { listen, closeServer } = require('./wire.js')

// The proxies' own servers bound a slow head (Node's defaults are 60 s, checked every 30 s).
const SERVER_OPTIONS = { headersTimeout: 1000, connectionsCheckingInterval: 100 }

function serve(t, server, host = '127.0.0.1') {
  t.after(() => closeServer(server))
  if (host === '127.0.0.1') return listen(server)
  return new Promise((resolve) => server.listen(0, host, () => resolve(server.address().port)))
}

/** The README's http-proxy error listener. */
function proxyErrorListener(error, req, res) {
  if (typeof res.writeHead !== 'function') return res.destroy() // a WebSocket socket
  if (!res.headersSent) res.writeHead(error.statusCode ?? 502, { 'Content-Length': '0' })
  res.end()
}

/**
 * Each path as a proxy in front of `target` (an http:// URL), with the package's `options` (not
 * for `npm start`, which has its own) and listening on `host`; resolves its port.
 */
const PATHS = {
  async 'http-proxy + attach'(t, target, options, host) {
    const agent = new http.Agent({ keepAlive: true })
    const proxy = httpProxy.createProxyServer({ target, xfwd: true, agent })
    attach(proxy, options)
    proxy.on('error', proxyErrorListener)
    const server = http.createServer(SERVER_OPTIONS, (req, res) => proxy.web(req, res))
    server.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head))
    t.after(() => agent.destroy())
    return serve(t, server, host)
  },
  async 'http-proxy-middleware + on listeners'(t, target, options, host) {
    const agent = new http.Agent({ keepAlive: true })
    const { onProxyReq, onProxyRes } = createProxyHandlers(options)
    const app = express()
    app.use(createProxyMiddleware({ target, xfwd: true, agent, on: { proxyReq: onProxyReq, proxyRes: onProxyRes } }))
    t.after(() => agent.destroy())
    return serve(t, http.createServer(SERVER_OPTIONS, app), host)
  },
  async 'Express middleware + relay (README recipe)'(t, target, options, host) {
    const agent = new http.Agent({ keepAlive: true })
    const { hostname, port } = new URL(target)
    t.after(() => agent.destroy())
    // examples/express.js, with the options under test.
    const app = express().use(middleware(options), (req, res) => {
      relay(req, res, http.request({ host: hostname, port, method: req.method, path: req.originalUrl, headers: req.forward.headers, agent }), options)
    })
    return serve(t, http.createServer(SERVER_OPTIONS, app), host)
  },
  async 'npm start'(t, target) {
    const demo = await startDemo(t, { TARGET: target, HEADERS_TIMEOUT_MS: String(SERVER_OPTIONS.headersTimeout) })
    return demo.port
  },
}

module.exports = { PATHS, SERVER_OPTIONS, proxyErrorListener, serve }
