'use strict'
// The shipped paths, each as a proxy in front of a target, for tests that drive them all:
// http-proxy with attach(), http-proxy-middleware with plugin(), Express middleware() + relay(),
// node:http filterRequest() + forwardHeaders() + relay(), and `npm start`; and the framework
// wirings: Vite's dev proxy with attach() and @fastify/http-proxy with fastifyProxyOptions(), each
// as its example sets it up. Every server listens on 127.0.0.1 (or the host asked for) and handles
// WebSocket upgrades too.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const http = require('node:http')
const Fastify = require('fastify')
const express = require('express')
const httpProxy = require('http-proxy')
const { createProxyMiddleware } = require('http-proxy-middleware')
const { attach, plugin, middleware, relay, relayUpgrade, filterRequest, forwardHeaders, fastifyProxyOptions } = require('../..')
const { refuseSocket } = require('../../lib/proxy/respond.js')
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

/**
 * Vite's dev server with examples/vite.config.mjs's proxy entry, for every path ('/') and with the
 * keep-alive agent the http-proxy wiring has (without one http-proxy-3 sends Connection: close).
 * Vite makes its http.Server itself: SERVER_OPTIONS are set on it before it listens.
 * allowedHosts: true because the rows send Host: front.test, which Vite 6+ answers 403.
 */
async function viteWiring(t, target, options, host = '127.0.0.1') {
  const { createServer } = await import('vite')
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hop-by-hop-vite-'))
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>vite</title>\n')
  const server = await createServer({
    configFile: false,
    root,
    logLevel: 'silent',
    server: { port: 0, host, allowedHosts: true, proxy: { '/': { target, ws: true, agent: keepAliveAgent(t), configure: (proxy) => attach(proxy, options) } } },
  })
  t.after(async () => {
    await server.close()
    fs.rmSync(root, { recursive: true, force: true })
  })
  // Node reads both when the server starts listening.
  Object.assign(server.httpServer, SERVER_OPTIONS)
  await server.listen()
  return server.httpServer.address().port
}

/**
 * @fastify/http-proxy as examples/fastify-http-proxy.js registers it, with `options` for
 * fastifyProxyOptions(); Node's keepAliveTimeout (5 s) as the other wirings have it, not
 * Fastify's 72 s.
 */
async function fastifyHttpProxyWiring(t, target, options, host = '127.0.0.1') {
  const app = Fastify({ http: SERVER_OPTIONS, keepAliveTimeout: 5000 })
  app.register(require('@fastify/http-proxy'), { upstream: target, websocket: true, ...fastifyProxyOptions(options) })
  t.after(() => app.close())
  await app.listen({ host, port: 0 })
  return app.server.address().port
}

/**
 * Why Vite cannot run here, or undefined. Vite bundles with rolldown, a native addon of its own
 * installed for the CPU `npm install` ran on: the arm64 suite under qemu reuses the x64
 * node_modules, where rolldown has no arm64 binding.
 */
function viteUnavailable() {
  const libc = process.platform === 'linux' ? (process.report?.getReport?.().header?.glibcVersionRuntime ? '-gnu' : '-musl') : ''
  const binding = `@rolldown/binding-${process.platform}-${process.arch}${libc}`
  return fs.existsSync(path.join(__dirname, '..', '..', 'node_modules', binding)) ? undefined : `${binding} is not installed (node_modules was installed for another CPU)`
}
const VITE_UNAVAILABLE = viteUnavailable()

/** Framework wirings, each as its example sets it up (for the tables of paths.test.js, hostile.test.js). */
const FRAMEWORK_PATHS = {
  ...(VITE_UNAVAILABLE === undefined ? { 'Vite server.proxy + attach': viteWiring } : {}),
  '@fastify/http-proxy + fastifyProxyOptions': fastifyHttpProxyWiring,
}

/** The four wirings the README shows and the framework ones, for the table every request kind goes through. */
const WIRINGS = {
  'http-proxy + attach': PATHS['http-proxy + attach'],
  'http-proxy-middleware + plugin': PATHS['http-proxy-middleware + plugin'],
  'Express middleware + relay': PATHS['Express middleware + relay (README recipe)'],
  async 'node:http filterRequest + forwardHeaders + relay'(t, target, options, host) {
    const server = http.createServer(SERVER_OPTIONS, nodeHttpHandler(target, options, keepAliveAgent(t)))
    server.on('upgrade', upgradeHandler(target, options))
    return serve(t, server, host)
  },
  ...FRAMEWORK_PATHS,
}

module.exports = { PATHS, WIRINGS, FRAMEWORK_PATHS, VITE_UNAVAILABLE, SERVER_OPTIONS, proxyErrorListener, serve }
