'use strict'
// The shipped paths, each as a proxy in front of a target, for tests that drive them all:
// http-proxy with attach(), http-proxy-middleware with plugin(), Express middleware() + relay(),
// node:http filterRequest() + forwardHeaders() + relay(), and `npm start`. Every server listens
// on 127.0.0.1 (or the host asked for) and handles WebSocket upgrades too.

const http = require('node:http')
const express = require('express')
const httpProxy = require('http-proxy')
const { createProxyMiddleware } = require('http-proxy-middleware')
const { attach, plugin, middleware, relay, relayUpgrade, filterRequest, forwardHeaders } = require('../..')
const { refuseSocket } = require('../../lib/respond.js')
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

function keepAliveAgent(t) {
  const agent = new http.Agent({ keepAlive: true })
  t.after(() => agent.destroy())
  return agent
}

/** filterRequest + forwardHeaders + relay, as examples/node-http.js does it. */
function nodeHttpHandler(target, options, agent) {
  const { hostname, port } = new URL(target)
  return (req, res) => {
    let forward
    try {
      forward = filterRequest(req, options)
    } catch (error) {
      res.writeHead(error.statusCode ?? 500, { Connection: 'close' }).end()
      return
    }
    if (!forward.keepAlive) res.setHeader('Connection', 'close')
    const headers = forwardHeaders(req, forward.headers, options)
    relay(req, res, http.request({ host: hostname, port, method: req.method, path: req.url, headers, agent }), options)
  }
}

/** The `upgrade` listener of the hand-written paths: filterRequest(upgrade) + relayUpgrade. */
function upgradeHandler(target, options) {
  const { hostname, port } = new URL(target)
  return (req, socket, head) => {
    let forward
    try {
      forward = filterRequest(req, { ...options, upgrade: true })
    } catch (error) {
      refuseSocket(socket, error.statusCode ?? 400, error)
      return
    }
    const headers = forwardHeaders(req, forward.headers, options)
    relayUpgrade(req, socket, head, http.request({ host: hostname, port, method: req.method, path: req.url, headers }), options)
  }
}

/**
 * Each path as a proxy in front of `target` (an http:// URL), with the package's `options` (not
 * for `npm start`, which has its own) and listening on `host`; resolves its port.
 */
const PATHS = {
  async 'http-proxy + attach'(t, target, options, host) {
    const proxy = httpProxy.createProxyServer({ target, xfwd: true, agent: keepAliveAgent(t) })
    attach(proxy, options)
    proxy.on('error', proxyErrorListener)
    const server = http.createServer(SERVER_OPTIONS, (req, res) => proxy.web(req, res))
    server.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head))
    return serve(t, server, host)
  },
  async 'http-proxy-middleware + plugin'(t, target, options, host) {
    const proxy = createProxyMiddleware({ target, xfwd: true, agent: keepAliveAgent(t), ws: true, logger: null, plugins: [plugin(options)] })
    const server = http.createServer(SERVER_OPTIONS, express().use(proxy))
    server.on('upgrade', proxy.upgrade)
    return serve(t, server, host)
  },
  async 'Express middleware + relay (README recipe)'(t, target, options, host) {
    const agent = keepAliveAgent(t)
    const { hostname, port } = new URL(target)
    const app = express().use(express.json(), middleware(options), (req, res) => {
      relay(req, res, http.request({ host: hostname, port, method: req.method, path: req.originalUrl, headers: req.forward.headers, agent }), options)
    })
    const server = http.createServer(SERVER_OPTIONS, app)
    server.on('upgrade', upgradeHandler(target, options))
    return serve(t, server, host)
  },
  async 'npm start'(t, target) {
    const demo = await startDemo(t, { TARGET: target, HEADERS_TIMEOUT_MS: String(SERVER_OPTIONS.headersTimeout) })
    return demo.port
  },
}

/** The four wirings the README shows, for the table every request kind goes through. */
const WIRINGS = {
  'http-proxy + attach': PATHS['http-proxy + attach'],
  'http-proxy-middleware + plugin': PATHS['http-proxy-middleware + plugin'],
  'Express middleware + relay': PATHS['Express middleware + relay (README recipe)'],
  async 'node:http filterRequest + forwardHeaders + relay'(t, target, options, host) {
    const server = http.createServer(SERVER_OPTIONS, nodeHttpHandler(target, options, keepAliveAgent(t)))
    server.on('upgrade', upgradeHandler(target, options))
    return serve(t, server, host)
  },
}

module.exports = { PATHS, WIRINGS, SERVER_OPTIONS, proxyErrorListener, serve }
