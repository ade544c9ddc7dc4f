'use strict'
// Options for @fastify/http-proxy, spread into the plugin's own when it is registered: `{ upstream,
// websocket: true, ...fastifyProxyOptions(options) }`. The plugin proxies plain requests through
// @fastify/reply-from (replyOptions takes the hooks) and WebSockets with ws: it answers the
// client's handshake with its own ws server and opens a new connection upstream, whose handshake
// carries only what wsClientOptions.rewriteRequestHeaders returns.

const { createHooks, REPLY_FROM_OPTIONS } = require('./reply-from.js')
const { closeAfterResponse, refuse, refusalStatus } = require('../proxy/respond.js')

const FASTIFY_PROXY_OPTIONS = REPLY_FROM_OPTIONS

/**
 * `{ replyOptions, wsClientOptions, preHandler }` for @fastify/http-proxy, with `options` (the
 * filter's strict, protect, strip, and the forwarding options trust, forwarded, via, host)
 * checked here.
 *
 * - preHandler filters every request on the proxy's routes before the handler runs, WebSocket
 *   handshakes included (the handler hands those to ws, which answers 101 at once). A refused
 *   request is answered as every other wiring answers it (400, or 431 for a head Node may have
 *   cut; text/plain, `Connection: close`) and nothing is sent upstream; so is a handshake that
 *   is not an HTTP/1.1 upgrade (an HTTP/1.0 one, say), which Node emits too. A request after which
 *   the connection must close (HTTP/1.0 keep-alive, RFC 9112 §9.3) closes it.
 * - replyOptions are replyFromHooks()'s, using the preHandler's result.
 * - wsClientOptions.rewriteRequestHeaders gives ws's upstream handshake the client's end-to-end
 *   fields with this proxy's X-Forwarded-* and Via; Host, Connection, Upgrade and
 *   Sec-WebSocket-* stay ws's own.
 */
function fastifyProxyOptions(options) {
  const hooks = createHooks(options, 'fastifyProxyOptions()')

  async function preHandler(request, reply) {
    let result
    try {
      result = hooks.check(request)
      // Node's flag for a head it emitted as 'upgrade', which ws would answer with 101 at once.
      if (request.raw.upgrade === true) hooks.checkUpgrade(request)
    } catch (error) {
      const statusCode = refusalStatus(error, 0)
      if (statusCode === 0) throw error
      // The answer goes straight to Node's response: Fastify would send the error as JSON.
      reply.hijack()
      refuse(reply.raw, statusCode, error)
      return
    }
    if (!result.keepAlive) closeAfterResponse(reply.raw)
  }

  function rewriteRequestHeaders(headers, request) {
    const fields = {}
    for (const [name, value] of Object.entries(request.headers)) {
      if (name !== 'host' && !name.startsWith('sec-websocket-')) fields[name] = value
    }
    return hooks.rewriteRequestHeaders(request, { ...fields, ...headers })
  }

  return {
    replyOptions: { rewriteRequestHeaders: hooks.rewriteRequestHeaders, rewriteHeaders: hooks.rewriteHeaders },
    // headers: ws writes Host, Connection, Upgrade and Sec-WebSocket-* itself.
    wsClientOptions: { headers: {}, rewriteRequestHeaders },
    preHandler,
  }
}

module.exports = { fastifyProxyOptions, FASTIFY_PROXY_OPTIONS }
