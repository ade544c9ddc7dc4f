'use strict'
// http-proxy (1.18) and http-proxy-middleware integration.
//
// http-proxy copies every request header to the upstream (common.setupOutgoing) and every
// upstream response header back to the client (web-outgoing writeHeaders). A proxy must instead
// drop the connection-specific fields of each hop and send its own (RFC 9110 §7.6.1). The
// handlers below edit http-proxy's outgoing request and its copy of the upstream headers so that
// what reaches the wire is right even though http-proxy's own passes run after them.

const { createFilter } = require('./filter.js')
const { Forwarding, FORWARDING_HEADERS } = require('./forwarding.js')
const { onUndeclaredBody, followsClosingRequest, afterCloseError } = require('./guards.js')
const { unexpectedUpgradeError } = require('./relay.js')
const { refuse, refuseSocket } = require('./respond.js')
const { acceptsTrailers, announcedTrailers, mayHaveTrailers, passTrailers } = require('./trailers.js')

// The fields this proxy writes itself (lib/forwarding.js). They replace whatever http-proxy's
// `xfwd` pass wrote, which appends to a client's values and so believes any client.
const OWN_FIELDS = new Set([...FORWARDING_HEADERS, 'via'])

/** Lowercased name -> values, in order, of a flat header list. */
function linesByName(flat) {
  const lines = new Map()
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i].toLowerCase()
    const values = lines.get(name)
    if (values === undefined) lines.set(name, [flat[i + 1]])
    else values.push(flat[i + 1])
  }
  return lines
}

/** The proxy's own fields of a finished list: lowercased name -> { name, values }. */
function ownLines(finished) {
  const lines = new Map()
  for (let i = 0; i < finished.length; i += 2) {
    const lower = finished[i].toLowerCase()
    if (!OWN_FIELDS.has(lower)) continue
    const line = lines.get(lower)
    if (line === undefined) lines.set(lower, { name: finished[i], values: [finished[i + 1]] })
    else line.values.push(finished[i + 1])
  }
  return lines
}

function sameValues(a, b) {
  return a.length === b.length && a.every((value, i) => value === b[i])
}

/**
 * With http-proxy's `followRedirects` option, proxyReq is a follow-redirects RedirectableRequest:
 * a Writable that creates one ClientRequest per hop (`_currentRequest`) from `_options.headers`,
 * re-emits each one's 'socket' event (so http-proxy emits proxyReq again for every redirect, whose
 * request follow-redirects has already ended) and forwards getHeader to it, but has no
 * headersSent or shouldKeepAlive of its own, does not forward 'upgrade', and before
 * follow-redirects 1.15.3 has only Writable's destroy, which leaves the ClientRequest running.
 */
function isRedirectable(proxyReq) {
  return proxyReq._currentRequest != null && typeof proxyReq._options?.headers === 'object'
}

/** The ClientRequest whose header block is being built. */
function currentRequest(proxyReq) {
  return isRedirectable(proxyReq) ? proxyReq._currentRequest : proxyReq
}

/**
 * Header storage that http-proxy copies to the upstream: either the outgoing ClientRequest or,
 * for requests whose header block Node renders before proxyReq could fire, req.headers itself.
 * For a RedirectableRequest: its current ClientRequest and the headers follow-redirects copies
 * into every redirect's request. http-proxy's copy there has lowercase names, so each spelling of
 * a name is dropped before the new value goes in (else a redirect would carry both).
 */
function outgoingRequestHeaders(proxyReq) {
  const request = currentRequest(proxyReq)
  const template = isRedirectable(proxyReq) ? proxyReq._options.headers : undefined
  const forget = (name) => {
    if (template === undefined) return
    const lower = name.toLowerCase()
    for (const key of Object.keys(template)) if (key.toLowerCase() === lower) delete template[key]
  }
  const set = (name, value) => {
    request.setHeader(name, value) // first: an invalid value throws before the template changes
    forget(name)
    if (template !== undefined) template[name] = value
  }
  return {
    get: (name) => request.getHeader(name),
    set,
    // removeHeader('transfer-encoding') would make Node send the body unframed and
    // removeHeader('connection') would make it omit its own Connection header; framing and
    // Connection are therefore always replaced (see applyOwnFraming and ownConnection).
    remove: (name) => {
      request.removeHeader(name)
      forget(name)
    },
    // The proxy's own connection option for the upstream hop (RFC 9112 §9.3), the value Node
    // would write itself: keep-alive only with an agent that reuses sockets.
    ownConnection: (te) => set('Connection', connectionValue(request.shouldKeepAlive ? 'keep-alive' : 'close', te)),
  }
}

function incomingRequestHeaders(headers) {
  return {
    get: (name) => headers[name],
    set: (name, value) => {
      headers[name.toLowerCase()] = value
    },
    remove: (name) => {
      delete headers[name]
    },
    // Without a Connection value setupOutgoing writes `close` (no agent) or lets Node choose.
    // Without a Connection field Node writes its own; with TE it must also name `te`.
    ownConnection: (te) => {
      if (te) headers.connection = 'te'
      else delete headers.connection
    },
  }
}

/**
 * Message framing belongs to each hop (RFC 9112 §6.1), so Content-Length and Transfer-Encoding
 * are set for the body the proxy sends, whatever the filter did with the client's lines (with
 * `protect: []` a client may nominate Content-Length). A Content-Length stays as http-proxy
 * copied it. Node has already decoded a chunked body, so that one needs the proxy's own
 * `Transfer-Encoding: chunked`: Node only chunks POST-like methods by default, sends a GET,
 * DELETE or OPTIONS body unframed, and http-proxy's deleteLength pass adds `Content-Length: 0`
 * to a chunked DELETE; either way the body would be read as the next request.
 */
function applyOwnFraming(store, clientLines) {
  if (!clientLines.has('transfer-encoding')) return
  store.remove('content-length')
  store.set('Transfer-Encoding', 'chunked')
}

/** RFC 9110 §10.1.4: a sender of TE must also send the `te` connection option. */
function connectionValue(option, te) {
  return te ? `${option}, te` : option
}

/**
 * Make the headers http-proxy will send upstream match the filter's end-to-end output plus the
 * proxy's own fields of `finished` (Forwarding's list). Host stays as http-proxy set it (the
 * client's, or the target's with changeOrigin) unless the `host` option names one.
 */
function applyRequestFilter(store, req, result, finished, setsHost) {
  const clientLines = linesByName(req.rawHeaders)
  const keptLines = linesByName(result.headers)
  for (const [name, clientValues] of clientLines) {
    if (name === 'connection' || name === 'transfer-encoding' || name === 'content-length' || name === 'host' || name === 'trailer' || OWN_FIELDS.has(name)) continue
    const kept = keptLines.get(name)
    if (kept === undefined) store.remove(name)
    // TE is cut down to `trailers` (RFC 9110 §10.1.4); other kept names are left as http-proxy
    // set them.
    else if (!sameValues(kept, clientValues)) store.set(name, kept.length === 1 ? kept[0] : kept)
  }
  const own = ownLines(finished)
  for (const name of OWN_FIELDS) {
    const line = own.get(name)
    if (line === undefined) store.remove(name)
    else store.set(line.name, line.values.length === 1 ? line.values[0] : line.values)
  }
  if (setsHost) store.set('Host', finished[1])
  // Announced again only for a chunked body, the only one that can carry the trailers passed on
  // (Node refuses Trailer otherwise: http-proxy's #1647).
  const trailer = linesByName(finished).get('trailer')
  if (trailer === undefined || !clientLines.has('transfer-encoding')) store.remove('trailer')
  else store.set('Trailer', trailer[0])
  const connection = keptLines.get('connection')
  if (connection === undefined) store.ownConnection(keptLines.has('te'))
  else store.set('Connection', connection[0])
  applyOwnFraming(store, clientLines)
}

/** Remove the upstream fields the filter dropped from http-proxy's copy (proxyRes.headers). */
function dropResponseFields(headers, rawHeaders, result) {
  const kept = linesByName(result.headers)
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase()
    if (!kept.has(name)) delete headers[name]
  }
}

/**
 * http-proxy's setConnection pass runs after the proxyRes event and writes the client's own
 * Connection value into the response (or `keep-alive` when the upstream sent none); a Connection
 * header set on a ServerResponse overrides Node's keep-alive decision. A non-enumerable accessor
 * makes setConnection see a value, ignores its assignment, and keeps writeHeaders (which copies
 * Object.keys) from sending it, so Node writes the proxy's own Connection/Keep-Alive.
 */
function pinConnection(headers, keepAlive) {
  Object.defineProperty(headers, 'connection', {
    configurable: true,
    enumerable: false,
    get: () => (keepAlive ? 'keep-alive' : 'close'),
    set: () => {},
  })
}

/**
 * Close the client connection after this response when the filter says so, e.g. for an
 * HTTP/1.0 client that asked for keep-alive (RFC 9112 §9.3: a proxy must not keep a persistent
 * connection with an HTTP/1.0 client). Node's own reasons to close still apply otherwise.
 */
function applyClientKeepAlive(res, keepAlive) {
  if (!keepAlive) res.shouldKeepAlive = false
}

function isResponse(res) {
  return typeof res?.writeHead === 'function'
}

/** The answer for a refused request: the HopByHopError's own (400, 431), 500 for anything else. */
function requestStatus(error) {
  return error.statusCode ?? 500
}

/**
 * Fail the upstream request from a listener: answer the client here (http-proxy's own 'error'
 * listeners, like http-proxy-middleware's, then find the response sent), and abort the upstream
 * request with the error, which http-proxy hands to its 'error' listeners. Throwing instead
 * would be an uncaught exception.
 */
function failUpstream(proxyReq, res, statusCode, error) {
  try {
    if (isResponse(res)) refuse(res, statusCode, error)
  } catch {
    res.destroy() // the answer could not be written: a cut connection is the answer left
  } finally {
    destroyUpstream(proxyReq, error)
  }
}

/**
 * Abort the upstream request with `error` for http-proxy's 'error' listeners. A
 * RedirectableRequest's current ClientRequest is destroyed first, quietly: follow-redirects would
 * forward its 'socket hang up' as a second error, and before 1.15.3 its destroy would not reach it.
 */
function destroyUpstream(proxyReq, error) {
  const request = currentRequest(proxyReq)
  if (request !== proxyReq && !request.destroyed) {
    request.removeAllListeners('error')
    request.on('error', () => {})
    request.destroy()
  }
  proxyReq.destroy(error)
}

/**
 * All handlers for one set of core options. `gate`/`gateWs` are http-proxy web-incoming and
 * ws-incoming passes (installed by attach) that run before http-proxy creates the upstream
 * request; the listeners also work alone, e.g. as http-proxy-middleware `on` handlers.
 */
function buildHandlers(options = {}) {
  // http-proxy's web path cannot tunnel an upgrade (its ClientRequest has no 'upgrade' listener,
  // so Node would drop a 101); WebSocket handshakes take the ws path, filtered with upgrade: true.
  const filter = createFilter({ ...options, upgrade: false })
  const upgradeFilter = createFilter({ ...options, upgrade: true })
  const forwarding = new Forwarding(options)

  function applyFiltered(store, req, result) {
    applyRequestFilter(store, req, result, forwarding.request(req, result.headers), options.host !== undefined)
  }

  /** RFC 9110 §7.6.3: a proxy appends its own Via to a response too. */
  function appendVia(proxyRes) {
    const own = forwarding.response(proxyRes, [])
    if (own.length === 0) return
    const headers = proxyRes.headers
    headers.via = headers.via === undefined ? own[1] : `${headers.via}, ${own[1]}`
  }
  // One filter result per client request, shared by the gate and the listeners.
  const results = new WeakMap()

  function filterOnce(req, compiled) {
    let result = results.get(req)
    if (result === undefined) {
      result = compiled.request(req)
      results.set(req, result)
    }
    return result
  }

  // onProxyRes may be used without onProxyReq, so the client's request can still be refused here;
  // a refused request never keeps its connection.
  function clientKeepAlive(req) {
    try {
      return filterOnce(req, filter).keepAlive
    } catch {
      return false
    }
  }

  function gate(req, res) {
    let result
    try {
      result = filterOnce(req, filter)
    } catch (error) {
      refuse(res, requestStatus(error), error)
      return true // halts http-proxy's passes: nothing is sent upstream
    }
    if (followsClosingRequest(req, result.keepAlive)) {
      refuse(res, 400, afterCloseError())
      return true
    }
    // For requests with Expect, ClientRequest renders the header block in its constructor and
    // http-proxy's stream pass then skips the proxyReq event, so filter what setupOutgoing copies.
    if (req.headers.expect !== undefined) applyFiltered(incomingRequestHeaders(req.headers), req, result)
    return false
  }

  function gateWs(req, socket) {
    try {
      filterOnce(req, upgradeFilter)
    } catch (error) {
      refuseSocket(socket, requestStatus(error), error)
      return true
    }
    return false
  }

  // RedirectableRequests whose redirect template (_options.headers) is already filtered.
  const filteredRedirectables = new WeakSet()

  function onProxyReq(proxyReq, req, res) {
    // Anything thrown here would be an uncaught exception: this runs in an event listener (with
    // followRedirects, in the 'socket' event of a ClientRequest, whose flush it would also skip).
    try {
      filterProxyReq(proxyReq, req, res)
    } catch (error) {
      failUpstream(proxyReq, res, requestStatus(error), error)
    }
  }

  function filterProxyReq(proxyReq, req, res) {
    // A redirect: follow-redirects built this hop's request from the template the first hop
    // filtered, and has already ended it. Filtering again is impossible and not idempotent.
    if (!filteredRedirectables.has(proxyReq) && !filterFirstHop(proxyReq, req, res)) return
    // Node's client emits no 'response' and no 'error' for a 101 nobody listens for: without
    // this listener the client would wait for an answer until its own timeout. On the
    // ClientRequest of every hop, since follow-redirects does not forward 'upgrade'.
    currentRequest(proxyReq).on('upgrade', (proxyRes, socket) => {
      socket.destroy()
      failUpstream(proxyReq, res, 502, unexpectedUpgradeError())
    })
  }

  /** Returns false when the request was failed instead. */
  function filterFirstHop(proxyReq, req, res) {
    let result
    try {
      result = filterOnce(req, filter)
    } catch (error) {
      failUpstream(proxyReq, res, requestStatus(error), error)
      return false
    }
    if (followsClosingRequest(req, result.keepAlive)) {
      failUpstream(proxyReq, res, 400, afterCloseError())
      return false
    }
    if (currentRequest(proxyReq).headersSent) {
      // Too late to change a header (something wrote the body first): setHeader would throw
      // ERR_HTTP_HEADERS_SENT. Forwarding unfiltered is not an option either, so the request
      // fails through http-proxy's 'error' event.
      destroyUpstream(proxyReq, new Error('hop-by-hop: the upstream request headers were sent before they could be filtered'))
      return false
    }
    applyFiltered(outgoingRequestHeaders(proxyReq), req, result)
    if (isRedirectable(proxyReq)) filteredRedirectables.add(proxyReq)
    // Decided here too, not only in onProxyRes, for answers written by the 'error' listener.
    if (isResponse(res)) applyClientKeepAlive(res, result.keepAlive)
    onUndeclaredBody(req, (error) => failUpstream(proxyReq, res, 400, error))
    // Request trailers go on, filtered, before http-proxy's pipe ends the upstream request.
    if (req.headers['transfer-encoding'] !== undefined) {
      req.prependListener('end', () => passTrailers(currentRequest(proxyReq), req.rawTrailers, req.rawHeaders))
    }
    return true
  }

  function onProxyRes(proxyRes, req, res) {
    // Never throw into http-proxy's event: a failure is a 502 and a dropped upstream response.
    try {
      filterProxyRes(proxyRes, req, res)
    } catch (error) {
      proxyRes.destroy()
      refuse(res, 502, error)
    }
  }

  function filterProxyRes(proxyRes, req, res) {
    let result
    try {
      result = filter.response(proxyRes)
    } catch (error) {
      // A refused upstream response (a head Node cut, or strict): answer 502 and drop the
      // upstream connection. http-proxy skips its passes once headers are sent.
      proxyRes.destroy()
      refuse(res, 502, error)
      return
    }
    dropResponseFields(proxyRes.headers, proxyRes.rawHeaders, result)
    appendVia(proxyRes)
    if (acceptsTrailers(req) && mayHaveTrailers(proxyRes.statusCode, req.method, proxyRes.rawHeaders)) {
      const trailer = announcedTrailers(proxyRes.rawHeaders)
      if (trailer !== undefined) proxyRes.headers.trailer = trailer
      // Before http-proxy's pipe, whose own 'end' listener ends the response.
      proxyRes.once('end', () => passTrailers(res, proxyRes.rawTrailers, proxyRes.rawHeaders))
    }
    const keepAlive = clientKeepAlive(req)
    pinConnection(proxyRes.headers, keepAlive)
    applyClientKeepAlive(res, keepAlive)
  }

  /** The 101 answer is written by http-proxy's ws stream pass from proxyRes.headers. */
  function onUpgradeResponse(proxyRes, proxySocket, socket) {
    let result
    try {
      result = filter.response(proxyRes)
    } catch {
      proxySocket.destroy()
      socket.destroy()
      return
    }
    dropResponseFields(proxyRes.headers, proxyRes.rawHeaders, result)
    appendVia(proxyRes)
    const connection = linesByName(result.headers).get('connection')
    if (connection !== undefined) proxyRes.headers.connection = connection[0]
  }

  function onProxyReqWs(proxyReq, req, socket) {
    // Never throw from the listener; http-proxy's ws path uses a plain ClientRequest.
    try {
      filterProxyReqWs(proxyReq, req, socket)
    } catch (error) {
      destroyUpstream(proxyReq, error)
    }
  }

  function filterProxyReqWs(proxyReq, req, socket) {
    let result
    try {
      result = filterOnce(req, upgradeFilter)
    } catch (error) {
      destroyUpstream(proxyReq, error)
      return
    }
    applyFiltered(outgoingRequestHeaders(proxyReq), req, result)
    // Registered before http-proxy's own 'upgrade' listener (added after this event), so the
    // headers are cleaned before it writes them to the client.
    proxyReq.once('upgrade', (proxyRes, proxySocket) => onUpgradeResponse(proxyRes, proxySocket, socket))
  }

  return { onProxyReq, onProxyRes, onProxyReqWs, gate, gateWs }
}

/**
 * Listeners for http-proxy's `proxyReq`, `proxyRes` and `proxyReqWs` events (and
 * http-proxy-middleware's `on` option) that filter with the given core options.
 */
function createProxyHandlers(options) {
  const { onProxyReq, onProxyRes, onProxyReqWs } = buildHandlers(options)
  return { onProxyReq, onProxyRes, onProxyReqWs }
}

/**
 * Install the handlers on an http-proxy server, plus passes that answer 400 for a rejected
 * request before anything is sent upstream. Also turns on http-proxy's preserveHeaderKeyCase
 * (unless set) so the client sees the upstream's header case. Returns the listeners.
 */
function attach(proxyServer, options) {
  const handlers = buildHandlers(options)
  proxyServer.before('web', 'stream', handlers.gate)
  proxyServer.before('ws', 'stream', handlers.gateWs)
  proxyServer.on('proxyReq', handlers.onProxyReq)
  proxyServer.on('proxyRes', handlers.onProxyRes)
  proxyServer.on('proxyReqWs', handlers.onProxyReqWs)
  proxyServer.options.preserveHeaderKeyCase ??= true
  const { onProxyReq, onProxyRes, onProxyReqWs } = handlers
  return { onProxyReq, onProxyRes, onProxyReqWs }
}

const defaults = createProxyHandlers()

module.exports = {
  onProxyReq: defaults.onProxyReq,
  onProxyRes: defaults.onProxyRes,
  createProxyHandlers,
  attach,
}
