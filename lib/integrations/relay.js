'use strict'
// relay() and relayUpgrade(): the upstream half of a forwarding proxy written with node:http or
// Express, after the request headers were filtered (middleware or filterRequest).

const { ServerResponse } = require('node:http')
const { createFilter, filterResponse } = require('../filter/index.js')
const { Forwarding } = require('../proxy/forwarding.js')
const { onUndeclaredBody, assertDecodedBody, assertNotSwitching, assertOfferedProtocol, assertUpgradeRequest } = require('../proxy/guards.js')
const { headLines, refuse, refuseSocket, refusalStatus, writeHead } = require('../proxy/respond.js')
const { announcedReplay, bodyConsumed, declaresBody, replayedBody } = require('../proxy/body.js')
const errors = require('../errors.js')
const { PROXY_FILTER_OPTIONS, FORWARDING_OPTIONS, checkOptions, pick, timeoutOption } = require('../options.js')
const { forwardInformational, forwardInformationalToSocket } = require('../proxy/informational.js')
const { acceptsTrailers, announcedTrailers, mayHaveTrailers, passTrailers } = require('../proxy/trailers.js')

/**
 * relay() takes the filter options a proxy chooses (the others are the message's own), the
 * forwarding options, and `timeout`.
 */
const RELAY_OPTIONS = Object.freeze([...PROXY_FILTER_OPTIONS, ...FORWARDING_OPTIONS, 'timeout'])

/** Options compiled once per options object (they are usually made once per app). */
class RelayOptions {
  constructor(options, where) {
    checkOptions(options, RELAY_OPTIONS, where)
    this.filter = pick(options, PROXY_FILTER_OPTIONS)
    this.forwarding = new Forwarding(options ?? {})
    this.timeout = timeoutOption(options)
    const ms = this.timeout
    // The 'timeout' listener of every upstream request relayed with these options (`this` is the
    // request): one function per options object, not a closure per request.
    this.abandonIdleUpstream = function abandonIdleUpstream() {
      this.destroy(errors.upstreamTimeout(ms))
    }
    // Its 'socket' listener: a socket still connecting gets the timer now (Node's own starts at
    // 'connect'); its 'timeout' reaches the request, whose socket it already is.
    this.timeConnecting = function timeConnecting(socket) {
      // A shorter timeout of the program's own request (http.request's `timeout`) stays.
      if (socket.connecting && !(socket.timeout > 0 && socket.timeout <= ms)) socket.setTimeout(ms)
    }
    // Compiled response filters by the method they answer and upgrade (see responseFilter). The
    // first is compiled now, so that an option of the wrong type or a bad strip/protect name
    // throws at the call rather than answering every response 502.
    this.responseFilters = new Map()
    this.methodFilter('GET', false)
    this.upgradeRequestFilter = undefined
  }

  /** filterRequest(req, { upgrade: true }) with these options; compiled on the first upgrade. */
  filterUpgradeRequest(req) {
    this.upgradeRequestFilter ??= createFilter({ ...this.filter, upgrade: true })
    return this.upgradeRequestFilter.request(req)
  }

  response(req) {
    return { ...this.filter, requestMethod: req.method }
  }

  /**
   * The response filter for the client's request method, compiled once: of the method the filter
   * only tells HEAD and CONNECT from the others (RFC 9110 §9.3.2, §9.3.6), so three filters (six
   * with upgrade) serve every method, however many a client invents.
   */
  responseFilter(req, upgrade) {
    const method = req.method
    if (typeof method !== 'string') return undefined // filterResponse reports it
    return this.methodFilter(method === 'HEAD' || method === 'CONNECT' ? method : 'GET', upgrade)
  }

  /** The response filter for `kind` ('GET', 'HEAD' or 'CONNECT'), compiled the first time. */
  methodFilter(kind, upgrade) {
    const key = upgrade ? `${kind} upgrade` : kind
    let filter = this.responseFilters.get(key)
    if (filter === undefined) {
      // The options compiled once already: another method or upgrade cannot make them fail.
      filter = createFilter({ ...this.filter, requestMethod: kind, upgrade })
      this.responseFilters.set(key, filter)
    }
    return filter
  }

  /**
   * filterResponse(upstream) with these options, for `req`'s method; throws for a body Node left
   * coded, and for a 101 that is not an upgrade (`upgrade`: the answer to an upgrade event).
   */
  filterResponse(req, upstream, upgrade = false) {
    const filter = this.responseFilter(req, upgrade)
    const result = filter !== undefined ? filter.response(upstream) : filterResponse(upstream, upgrade ? { ...this.response(req), upgrade: true } : this.response(req))
    if (!upgrade) assertNotSwitching(upstream)
    assertDecodedBody(upstream, req.method)
    return result
  }
}

const DEFAULT_OPTIONS = new RelayOptions(undefined, 'relay()')
const compiled = new WeakMap()

function relayOptions(options, where) {
  if (options === undefined) return DEFAULT_OPTIONS
  if (options instanceof RelayOptions) return options
  let found = compiled.get(options)
  if (found === undefined) {
    found = new RelayOptions(options, where)
    compiled.set(options, found)
  }
  return found
}

function checkRequest(req) {
  if (req === null || typeof req !== 'object' || !Array.isArray(req.rawHeaders) || typeof req.on !== 'function') {
    throw errors.invalidArgType('req', 'an IncomingMessage (a readable request with rawHeaders)', req)
  }
}

function checkUpstreamRequest(upstreamRequest) {
  if (upstreamRequest === null || typeof upstreamRequest !== 'object' || typeof upstreamRequest.on !== 'function' || typeof upstreamRequest.end !== 'function' || typeof upstreamRequest.destroy !== 'function') {
    throw errors.invalidArgType('upstreamRequest', 'a ClientRequest (from http.request or https.request)', upstreamRequest)
  }
}

function checkResponse(res) {
  if (res === null || typeof res !== 'object' || typeof res.writeHead !== 'function' || typeof res.setHeader !== 'function') {
    throw errors.invalidArgType('res', 'a ServerResponse', res)
  }
}

function checkSocket(socket) {
  if (socket === null || typeof socket !== 'object' || typeof socket.write !== 'function' || typeof socket.destroy !== 'function') {
    throw errors.invalidArgType('socket', 'a Duplex stream (the socket of an upgrade event)', socket)
  }
}

function checkHead(head) {
  if (!Buffer.isBuffer(head)) throw errors.invalidArgType('head', 'a Buffer (the head of an upgrade event)', head)
}

/**
 * The framing of a head Node has already rendered (the headers were given to http.request as a
 * flat array, or were flushed): read from the rendered text, the only place it still exists.
 */
function renderedFraming(upstreamRequest) {
  const head = upstreamRequest._header
  if (typeof head !== 'string' || head.length === 0) return undefined
  let contentLength
  let chunked = false
  let encoded = false
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon === -1) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (name === 'content-length') contentLength = contentLength === undefined ? value : `${contentLength},${value}`
    else if (name === 'transfer-encoding') chunked = value.toLowerCase().split(',').at(-1).trim() === 'chunked'
    else if (name === 'content-encoding') encoded ||= value.toLowerCase() !== 'identity'
  }
  return { contentLength, chunked, encoded }
}

/**
 * Makes the upstream request's framing announce `length` bytes, or says it cannot: a rendered
 * head stays as it is, and fits only if it is chunked or already announces exactly `length`.
 */
function frameForReplay(upstreamRequest, length) {
  const rendered = renderedFraming(upstreamRequest)
  if (rendered === undefined) {
    upstreamRequest.removeHeader('Transfer-Encoding')
    upstreamRequest.removeHeader('Trailer')
    // Body parsers decode gzip and deflate: the bytes sent again are the decoded ones.
    upstreamRequest.removeHeader('Content-Encoding')
    upstreamRequest.setHeader('Content-Length', length)
    return true
  }
  if (rendered.encoded) return false
  if (rendered.chunked) return rendered.contentLength === undefined
  return rendered.contentLength === String(length)
}

/**
 * A body parser read the request body before relay() could pipe it: the stream has ended and
 * piping it would send nothing, leaving the upstream waiting for the length it was promised.
 * The parsed body goes instead, or, when it cannot, the request is refused before a byte leaves.
 */
function sendReplayed(req, upstreamRequest, fail) {
  let body = announcedReplay(req)
  try {
    body ??= replayedBody(req)
  } catch (error) {
    fail(refusalStatus(error, 500), error)
    return
  }
  if (!frameForReplay(upstreamRequest, body.length)) {
    fail(500, errors.bodyConsumed(`the upstream request's head, already rendered, does not announce the ${body.length} bytes of the parsed body (run the body parser before middleware(), or pass headers as an object)`))
    return
  }
  upstreamRequest.end(body)
}

/** Sends the client's body on: piped, replayed after a body parser, or none at all. */
function sendBody(req, upstreamRequest, fail) {
  if (bodyConsumed(req)) {
    sendReplayed(req, upstreamRequest, fail)
  } else if (req.readableEnded) {
    // Nothing more will come ('end' has been emitted): waiting for it would hang.
    upstreamRequest.end()
  } else if (declaresBody(req)) {
    req.pipe(upstreamRequest, { end: false })
    req.once('end', () => {
      // Request trailers go on with the same filtering; Node writes them only when chunking.
      passTrailers(upstreamRequest, req.rawTrailers, req.rawHeaders)
      upstreamRequest.end()
    })
  } else {
    onUndeclaredBody(req, (error) => fail(400, error))
    // A request that declares no body has none to wait for: reading it makes a hidden one show
    // now, instead of after the answer, when Node would discard it unseen.
    req.resume()
    upstreamRequest.end()
  }
}

/**
 * The first failure of a relay, and only the first: the upstream request is dropped and the
 * client answered with `refuseClient(client, statusCode, error)`; later failures (the drop
 * itself emits one) find the answer given. It also counts the interim answers passed on.
 */
class Failure {
  // No closure in a field: V8 tracks a function-valued field as a constant of the object's hidden
  // class, and with a new closure per request in one, Node 24 filled its old generation about
  // once a second under load (5 full collections per 30,000 relayed requests instead of 1).
  constructor(upstreamRequest, client, refuseClient) {
    this.failed = false
    // Set once a head has been written on a raw client socket: no answer of the proxy's own can
    // follow it, only a cut.
    this.headWritten = false
    this.upstreamRequest = upstreamRequest
    this.client = client
    this.refuseClient = refuseClient
    this.interimSent = 0
  }

  fail(statusCode, error) {
    if (this.failed) return
    this.failed = true
    this.upstreamRequest.destroy()
    if (this.headWritten) this.client.destroy()
    else this.refuseClient(this.client, statusCode, error)
  }
}

/**
 * The filtered head of the upstream's answer, written with its first byte of body or its end.
 * Node's HTTP/1 server sends a head only with the first write anyway, so nothing goes out later
 * than it would; but an answer that fails before then (a chunk size or trailer section Node's
 * client refuses) is still the proxy's to give: a 502, not a head with nothing after it.
 */
class PendingHead {
  constructor(res, statusCode, headers, failure) {
    this.res = res
    this.statusCode = statusCode
    this.headers = headers
    this.failure = failure
    this.written = false
  }

  /** Whether the answer may go on: the head is written now or was, and nothing failed. */
  write() {
    const failure = this.failure
    if (failure.failed) return false
    if (this.written) return true
    try {
      writeHead(this.res, this.statusCode, this.headers)
      this.written = true
      return true
    } catch (error) {
      failure.fail(refusalStatus(error, 502), error)
      return false
    }
  }
}

/**
 * The upstream's body and trailers onto `res`, after `head`. Not Readable#pipe: its 'data'
 * listener would write a chunk after a head that failed, and after a refusal ended `res`.
 */
function relayAnswer(upstream, res, head, trailers, timeout) {
  // An upstream body cut short must reach the client cut short, not as a complete message; one
  // of which nothing went out is a 502, unless the exchange failed and was answered already.
  // 'close' comes once: on(), without once()'s wrapper.
  upstream.on('close', () => {
    if (upstream.complete) return
    if (head.written) res.destroy()
    else head.failure.fail(502, errors.upstreamIncomplete())
  })
  upstream.on('data', (chunk) => {
    if (!head.write()) return
    // Someone else ended the response (a timeout's answer, say): nothing more goes into it.
    if (res.writableEnded) upstream.destroy()
    else if (!res.write(chunk)) pauseUpstream(upstream, timeout)
  })
  res.on('drain', () => resumeUpstream(upstream, timeout))
  upstream.on('end', () => {
    if (!head.write()) return
    if (trailers) passTrailers(res, upstream.rawTrailers, upstream.rawHeaders)
    res.end()
  })
}

/**
 * The client reads more slowly than the upstream sends: the upstream waits, and while it does
 * its silence is the client's, not a timeout's (the socket's idle timer is off until 'drain').
 */
function pauseUpstream(upstream, timeout) {
  upstream.pause()
  if (timeout > 0) upstream.socket?.setTimeout(0)
}

function resumeUpstream(upstream, timeout) {
  // An answer received whole waits for nothing more; its socket may be the agent's again.
  if (timeout > 0 && !upstream.complete) upstream.socket?.setTimeout(timeout)
  upstream.resume()
}

/**
 * `timeout`: the upstream request is given up after that many ms without a byte from the upstream
 * (Node's socket idle timeout). Before the answer's head the client gets 504; during its body the
 * client's connection is cut. After a protocol switch the socket is the tunnel's, and the request
 * no longer hears its timeout.
 */
function timeUpstream(upstreamRequest, compiledOptions) {
  if (compiledOptions.timeout === 0) return
  upstreamRequest.setTimeout(compiledOptions.timeout, compiledOptions.abandonIdleUpstream)
  // Node times a request's socket from its connection on; the connecting is timed here too (an
  // upstream host that drops the SYNs would otherwise hold the client for the system's minutes).
  const socket = upstreamRequest.socket
  if (socket) compiledOptions.timeConnecting(socket)
  else upstreamRequest.once('socket', compiledOptions.timeConnecting)
}

/**
 * The answer to an upstream request's error: 504 when it outlasted a timeout (the `timeout`
 * option's, whose HopByHopError carries it, or the system's connect timeout), 502 for any other.
 */
function upstreamErrorStatus(error) {
  const code = error?.code
  return code === 'ERR_HOP_BY_HOP_UPSTREAM_TIMEOUT' || code === 'ETIMEDOUT' ? 504 : 502
}

/**
 * Sends the client's body to `upstreamRequest` and the upstream's filtered answer to `res`.
 * Every failure becomes an answer (400, 502) or a cut connection; nothing throws out of the
 * listeners it installs.
 */
function relay(req, res, upstreamRequest, options) {
  checkRequest(req)
  checkResponse(res)
  checkUpstreamRequest(upstreamRequest)
  const compiledOptions = relayOptions(options, 'relay()')
  const forwarding = compiledOptions.forwarding
  const failure = new Failure(upstreamRequest, res, refuse)
  const fail = (statusCode, error) => failure.fail(statusCode, error)

  upstreamRequest.on('error', (error) => fail(upstreamErrorStatus(error), error))
  timeUpstream(upstreamRequest, compiledOptions)
  // Node's client emits no 'response' and no 'error' for a 101 nobody listens for, only 'close'.
  upstreamRequest.on('upgrade', (upstream, socket) => {
    socket.destroy()
    fail(502, errors.unexpectedUpgrade())
  })
  upstreamRequest.on('information', (info) => forwardInformational(req, res, info, compiledOptions.responseFilter(req, false), forwarding, failure))
  upstreamRequest.on('response', (upstream) => {
    if (failure.failed) {
      upstream.destroy()
      return
    }
    const trailers = acceptsTrailers(req) && mayHaveTrailers(upstream.statusCode, req.method, upstream.rawHeaders)
    let headers
    try {
      const filtered = compiledOptions.filterResponse(req, upstream)
      // The filter's list is a new array, this function's own: the proxy's lines go onto it.
      headers = forwarding.appendResponseVia(upstream, filtered.headers)
      const trailer = trailers ? announcedTrailers(upstream.rawHeaders) : undefined
      if (trailer !== undefined) headers.push('Trailer', trailer)
    } catch (error) {
      upstream.destroy()
      fail(refusalStatus(error, 502), error)
      return
    }
    const head = new PendingHead(res, upstream.statusCode, headers, failure)
    // Node's HTTP/1 server sends a head with the first write in any case; HTTP/2's sends it at
    // once, and an event stream whose first event comes late is open to its client meanwhile.
    if (!(res instanceof ServerResponse) && !head.write()) return
    relayAnswer(upstream, res, head, trailers, compiledOptions.timeout)
  })
  // The client left before its answer was complete: nobody waits for the upstream any more.
  res.on('close', () => {
    if (!res.writableFinished) upstreamRequest.destroy()
  })

  sendBody(req, upstreamRequest, fail)
  return upstreamRequest
}

/**
 * The same for an `upgrade` event (WebSocket and other protocol switches): `upstreamRequest`
 * carries `filterRequest(req, { upgrade: true }).headers`. A 101 from the upstream is filtered
 * and the two sockets are joined; any other answer is passed on and the connection closed.
 */
function relayUpgrade(req, socket, head, upstreamRequest, options) {
  checkRequest(req)
  checkSocket(socket)
  checkHead(head)
  checkUpstreamRequest(upstreamRequest)
  const compiledOptions = relayOptions(options, 'relayUpgrade()')
  try {
    // A program may pass on a head that is no upgrade, or one with content (see the guard).
    assertUpgradeRequest(req, compiledOptions.filterUpgradeRequest(req))
  } catch (error) {
    upstreamRequest.on('error', () => {})
    upstreamRequest.destroy()
    socket.on('error', () => socket.destroy())
    refuseSocket(socket, refusalStatus(error, 400), error)
    return upstreamRequest
  }
  const forwarding = compiledOptions.forwarding
  const failure = new Failure(upstreamRequest, socket, refuseSocket)
  const fail = (statusCode, error) => failure.fail(statusCode, error)
  let joined = false
  socket.on('error', () => upstreamRequest.destroy())
  // The client left before the upstream answered: nobody waits for it any more.
  socket.once('close', () => {
    if (!joined) upstreamRequest.destroy()
  })
  upstreamRequest.on('error', (error) => fail(upstreamErrorStatus(error), error))
  timeUpstream(upstreamRequest, compiledOptions)
  upstreamRequest.on('information', (info) => {
    if (!failure.failed) forwardInformationalToSocket(req, socket, info, compiledOptions.responseFilter(req, false), forwarding, failure)
  })
  upstreamRequest.on('response', (upstream) => {
    let filtered
    try {
      filtered = compiledOptions.filterResponse(req, upstream)
    } catch (error) {
      upstream.destroy()
      fail(refusalStatus(error, 502), error)
      return
    }
    const headers = forwarding.response(upstream, filtered.headers).concat('Connection', 'close')
    failure.headWritten = true
    socket.write(headLines(upstream.statusCode, upstream.statusMessage, headers), 'latin1')
    // An answer the upstream cuts short is cut for the client too, never left waiting for the rest.
    upstream.on('close', () => {
      if (!upstream.complete) socket.destroy()
    })
    upstream.pipe(socket)
  })
  upstreamRequest.on('upgrade', (upstream, upstreamSocket, upstreamHead) => {
    let filtered
    try {
      filtered = compiledOptions.filterResponse(req, upstream, true)
      assertOfferedProtocol(req, upstream)
    } catch (error) {
      upstreamSocket.destroy()
      fail(refusalStatus(error, 502), error)
      return
    }
    joined = true
    failure.headWritten = true
    upstreamSocket.on('error', () => socket.destroy())
    socket.on('close', () => upstreamSocket.destroy())
    upstreamSocket.on('close', () => socket.destroy())
    socket.write(headLines(101, 'Switching Protocols', forwarding.response(upstream, filtered.headers)), 'latin1')
    if (upstreamHead.length > 0) socket.write(upstreamHead)
    if (head.length > 0) upstreamSocket.write(head)
    upstreamSocket.pipe(socket).pipe(upstreamSocket)
  })
  upstreamRequest.end()
  return upstreamRequest
}

module.exports = { relay, relayUpgrade, relayOptions, RELAY_OPTIONS, checkRequest, checkResponse, checkSocket, checkHead }
