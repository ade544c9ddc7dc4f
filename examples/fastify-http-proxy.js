'use strict'
// @fastify/http-proxy with hop-by-hop: it proxies through @fastify/reply-from, so
// `replyOptions: replyFromHooks()` filters both directions and writes this proxy's X-Forwarded-*
// and Via. For WebSockets it ends the client's socket and opens its own to the upstream with ws,
// which sends only what wsClientOptions.rewriteRequestHeaders returns.

const Fastify = require('fastify')
const { replyFromHooks } = require('hop-by-hop')

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000'
const port = process.env.PORT ?? 8080
const hooks = replyFromHooks() // or replyFromHooks({ trust: 'loopback', via: 'edge-1' })

/** The client's fields, filtered, for ws's own handshake (its Host and Sec-WebSocket-* stay ws's). */
function webSocketHeaders(headers, request) {
  const fields = Object.entries(request.headers).filter(([name]) => name !== 'host' && !name.startsWith('sec-websocket-'))
  return hooks.rewriteRequestHeaders(request, { ...Object.fromEntries(fields), ...headers })
}

const app = Fastify()
app.register(require('@fastify/http-proxy'), {
  upstream,
  replyOptions: hooks,
  websocket: true,
  wsClientOptions: { rewriteRequestHeaders: webSocketHeaders },
  // A handshake the filter refuses gets its 400/431 here, before ws answers 101.
  preHandler: async (request) => {
    if (request.headers.upgrade !== undefined) hooks.rewriteRequestHeaders(request, {})
  },
})

app.listen({ host: '127.0.0.1', port: Number(port) }).then(() => {
  console.log(`listening on http://127.0.0.1:${app.server.address().port}`)
})
