// Each recipe of examples/ and the README, as a TypeScript user writes it: it must compile under
// --strict with no cast to reach hop-by-hop's API (the Express recipe used to need
// `req as unknown as ForwardedRequest`). The examples themselves are plain JavaScript and run as
// they are; these copies keep their hop-by-hop calls.

import * as http from 'node:http'
import * as http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import express from 'express'
import Fastify from 'fastify'
import replyFrom from '@fastify/reply-from'
import fastifyHttpProxy from '@fastify/http-proxy'
import httpProxy from 'http-proxy'
import { createProxyMiddleware } from 'http-proxy-middleware'
import * as undici from 'undici'
import WebSocket, { WebSocketServer } from 'ws'
import {
  attach,
  createFilter,
  filterHeaders,
  filterRequest,
  forward,
  forwardHeaders,
  forwardUpgrade,
  HopByHopError,
  middleware,
  plugin,
  relay,
  replyFromHooks,
  fastifyProxyOptions,
  requestPath,
  writeHead,
} from 'hop-by-hop'

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000'
const port = Number(process.env.PORT ?? 8080)

function listening(server: { address(): AddressInfo | string | null }): void {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`)
}

// examples/quick-start.js: forward() and forwardUpgrade() on node:http.
export function quickStart(): http.Server {
  const server = http
    .createServer((req, res) => forward(req, res, upstream))
    .on('upgrade', (req, socket, head) => forwardUpgrade(req, socket, head, upstream, { trust: 'loopback' }))
  return server.listen(port, '127.0.0.1', () => listening(server))
}

// examples/http2-front.js: an h2c front end for an HTTP/1.1 upstream.
export function http2Front(): http2.Http2Server {
  const server = http2.createServer((req, res) => forward(req, res, upstream, { agent: new http.Agent({ keepAlive: true }) }))
  return server.listen(port, '127.0.0.1', () => listening(server))
}

// README / examples/express.js: middleware() then relay(); req.forward with no cast.
export function expressRecipe(): http.Server {
  const target = new URL(upstream)
  const agent = new http.Agent({ keepAlive: true })
  const app = express()
  app.use(express.json())
  app.use(middleware({ trust: 'loopback', forwarded: 'both', host: target.host }))
  app.use((req, res) => {
    let path
    try {
      path = requestPath(req.originalUrl, req.method)
    } catch (error) {
      return res.writeHead(error instanceof HopByHopError ? error.statusCode : 500, { Connection: 'close' }).end()
    }
    relay(req, res, http.request(target, { method: req.method, path, headers: req.forward.headers, agent }))
  })
  // A route handler sees the decision and the diagnostics too.
  app.get('/debug', (req, res) => {
    res.json({ keepAlive: req.forward.keepAlive, removed: req.forward.diagnostics.removed })
  })
  const server = app.listen(port, '127.0.0.1', () => listening(server))
  return server
}

// examples/node-http.js: filterRequest, forwardHeaders and relay by hand; a refusal's statusCode.
export function nodeHttp(): http.Server {
  const target = new URL(upstream)
  const agent = new http.Agent({ keepAlive: true })
  const server = http.createServer((req, res) => {
    let result
    let path
    try {
      result = filterRequest(req)
      // IncomingMessage's url is optional in its type; a server's request always has one.
      path = requestPath(req.url ?? '', req.method)
    } catch (error) {
      const statusCode = error instanceof HopByHopError ? error.statusCode : 500
      res.writeHead(statusCode, { Connection: 'close' }).end()
      return
    }
    if (!result.keepAlive) res.setHeader('Connection', 'close')
    const headers = forwardHeaders(req, result.headers)
    relay(req, res, http.request(target, { method: req.method, path, headers, agent }))
  })
  return server.listen(port, '127.0.0.1', () => listening(server))
}

// examples/undici.js: undici as the upstream client (framing: false, flat raw headers back).
export function undiciRecipe(): http.Server {
  const dispatcher = new undici.Agent()
  const filter = createFilter({ strip: ['Expect'] })
  const server = http.createServer(async (req, res) => {
    let result
    try {
      result = filter.request(req)
    } catch (error) {
      res.writeHead(error instanceof HopByHopError ? error.statusCode : 500, { Connection: 'close' }).end()
      return
    }
    const headers = forwardHeaders(req, result.headers, { framing: false })
    const answer = await undici.request(new URL(req.url ?? '/', upstream), {
      method: req.method as undici.Dispatcher.HttpMethod,
      headers,
      body: req,
      dispatcher,
    })
    // undici's types describe `responseHeaders: 'raw'` as the header object; flatten it here.
    const raw = Object.entries(answer.headers).flatMap(([name, value]) => [value ?? ''].flat().flatMap((line) => [name, line]))
    const filtered = filterHeaders(raw, { direction: 'response', statusCode: answer.statusCode, requestMethod: req.method })
    writeHead(res, answer.statusCode, filtered.headers)
    answer.body.pipe(res)
  })
  return server.listen(port, '127.0.0.1', () => listening(server))
}

// examples/http2-upstream.js: an HTTP/2 upstream's response head, filtered as HTTP/2.
export function http2Upstream(res: http.ServerResponse, stream: http2.ClientHttp2Stream, method: string): void {
  stream.on('response', (headers, _flags, rawHeaders) => {
    const status = Number(headers[':status'])
    const filtered = filterHeaders(rawHeaders, { httpVersion: '2.0', direction: 'response', statusCode: status, requestMethod: method })
    writeHead(res, status, filtered.headers)
    stream.pipe(res)
  })
}

// README / examples/reply-from.js: Fastify with @fastify/reply-from.
export async function replyFromRecipe(): Promise<void> {
  const hooks = replyFromHooks({ trust: 'loopback', via: 'edge-1' })
  const app = Fastify()
  await app.register(replyFrom, { base: upstream })
  app.all('/*', (request, reply) => reply.from(request.url, hooks))
  app.all('/spread/*', (request, reply) => reply.from(request.url, { ...hooks, retriesCount: 0 }))
  await app.listen({ host: '127.0.0.1', port })
  listening(app.server)
}

// README / examples/fastify-http-proxy.js: @fastify/http-proxy with fastifyProxyOptions() spread
// into its options, as its own types check them.
export async function fastifyHttpProxyRecipe(): Promise<void> {
  const app = Fastify()
  await app.register(fastifyHttpProxy, { upstream, websocket: true, ...fastifyProxyOptions({ trust: 'loopback', via: 'edge-1' }) })
  await app.listen({ host: '127.0.0.1', port })
  listening(app.server)
}

// README / examples/http-proxy.js: attach() to an http-proxy server, WebSockets included.
export function httpProxyRecipe(): http.Server {
  const proxy = attach(httpProxy.createProxyServer({ target: upstream, ws: true }), { strict: true, trust: 'loopback' })
  proxy.on('error', (_error, _req, res) => {
    if (res instanceof http.ServerResponse && !res.headersSent) res.writeHead(502, { Connection: 'close' }).end()
  })
  const server = http
    .createServer((req, res) => proxy.web(req, res))
    .on('upgrade', (req, socket, head) => proxy.ws(req, socket, head))
  return server.listen(port, '127.0.0.1', () => listening(server))
}

// README / examples/http-proxy-middleware.js: one plugin, WebSockets with ws: true.
export function httpProxyMiddlewareRecipe(): http.Server {
  const proxy = createProxyMiddleware({ target: upstream, ws: true, plugins: [plugin({ via: 'edge-1' })] })
  const app = express()
  app.use(proxy)
  const server = app.listen(port, '127.0.0.1', () => listening(server))
  server.on('upgrade', proxy.upgrade)
  return server
}

// A WebSocket client through any of the above (the tests drive them with ws).
export function wsClient(): WebSocket {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`)
  socket.on('open', () => socket.send('ping'))
  return socket
}

// A WebSocket upstream behind forwardUpgrade.
export function wsUpstream(): WebSocketServer {
  return new WebSocketServer({ port: 0 }).on('connection', (socket) => socket.on('message', (data) => socket.send(data)))
}

// examples/filter-headers.js: the filter alone.
export function filterAlone(): void {
  const result = filterHeaders(['Host', 'a.example', 'Connection', 'keep-alive, X-Trace', 'X-Trace', '1', 'TE', 'trailers', 'Accept', '*/*'])
  console.log(result.headers, result.keepAlive, result.diagnostics.removed, JSON.stringify(result))
}
