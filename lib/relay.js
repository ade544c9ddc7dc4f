'use strict'
// relay() and relayUpgrade(): the upstream half of a forwarding proxy written with node:http or
// Express, after the request headers were filtered (middleware or filterRequest).

const { filterResponse, HopByHopError } = require('./filter.js')
const { Forwarding } = require('./forwarding.js')
const { declaresBody, onUndeclaredBody } = require('./guards.js')
const { refuse, refuseSocket, writeHead } = require('./respond.js')
const { acceptsTrailers, announcedTrailers, mayHaveTrailers, passTrailers } = require('./trailers.js')

/** RFC 9110 §15.2.2: a server sends 101 only in answer to a request that asked to upgrade. */
function unexpectedUpgradeError() {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_UNEXPECTED_UPGRADE',
    'the upstream answered 101 Switching Protocols to a request that did not ask to upgrade',
    502,
  )
}

function responseOptions(req, options) {
  return options === undefined ? { requestMethod: req.method } : { ...options, requestMethod: req.method }
}

const DEFAULT_FORWARDING = new Forwarding()
// Options objects are usually made once per app: compile each once.
const compiledForwarding = new WeakMap()

function forwardingFor(options) {
  if (options === undefined) return DEFAULT_FORWARDING
  let forwarding = compiledForwarding.get(options)
  if (forwarding === undefined) {
    forwarding = new Forwarding(options)
    compiledForwarding.set(options, forwarding)
  }
  return forwarding
}

/**
 * Sends the client's body to `upstreamRequest` and the upstream's filtered answer to `res`.
 * Every failure becomes an answer (400, 502) or a cut connection; nothing throws out of the
 * listeners it installs.
 */
function relay(req, res, upstreamRequest, options) {
  const forwarding = forwardingFor(options)
  let failed = false
  function fail(statusCode, error) {
    if (failed) return
    failed = true
    upstreamRequest.destroy()
    refuse(res, statusCode, error)
  }

  upstreamRequest.on('error', (error) => fail(502, error))
  // Node's client emits no 'response' and no 'error' for a 101 nobody listens for, only 'close'.
  upstreamRequest.on('upgrade', (upstream, socket) => {
    socket.destroy()
    fail(502, unexpectedUpgradeError())
  })
  upstreamRequest.on('response', (upstream) => {
    if (failed) {
      upstream.destroy()
      return
    }
    let filtered
    const trailers = acceptsTrailers(req) && mayHaveTrailers(upstream.statusCode, req.method, upstream.rawHeaders)
    try {
      filtered = filterResponse(upstream, responseOptions(req, options))
      const headers = forwarding.response(upstream, filtered.headers)
      const trailer = trailers ? announcedTrailers(upstream.rawHeaders) : undefined
      writeHead(res, upstream.statusCode, trailer === undefined ? headers : headers.concat('Trailer', trailer))
    } catch (error) {
      upstream.destroy()
      fail(error instanceof HopByHopError ? error.statusCode : 502, error)
      return
    }
    // An upstream body cut short must reach the client cut short, not as a complete message.
    upstream.once('close', () => {
      if (!upstream.complete) res.destroy()
    })
    upstream.pipe(res, { end: false })
    upstream.once('end', () => {
      if (trailers) passTrailers(res, upstream.rawTrailers, upstream.rawHeaders)
      res.end()
    })
  })
  // The client left before its answer was complete: nobody waits for the upstream any more.
  res.once('close', () => {
    if (!res.writableFinished) upstreamRequest.destroy()
  })

  if (declaresBody(req)) {
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
  return upstreamRequest
}

function headLines(statusCode, statusMessage, headers) {
  let head = `HTTP/1.1 ${statusCode} ${statusMessage}\r\n`
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`
  return `${head}\r\n`
}

/**
 * The same for an `upgrade` event (WebSocket and other protocol switches): `upstreamRequest`
 * carries `filterRequest(req, { upgrade: true }).headers`. A 101 from the upstream is filtered
 * and the two sockets are joined; any other answer is passed on and the connection closed.
 */
function relayUpgrade(req, socket, head, upstreamRequest, options) {
  const forwarding = forwardingFor(options)
  let failed = false
  function fail(statusCode, error) {
    if (failed) return
    failed = true
    upstreamRequest.destroy()
    refuseSocket(socket, statusCode, error)
  }
  socket.on('error', () => upstreamRequest.destroy())
  upstreamRequest.on('error', (error) => fail(502, error))
  upstreamRequest.on('response', (upstream) => {
    let filtered
    try {
      filtered = filterResponse(upstream, responseOptions(req, options))
    } catch (error) {
      upstream.destroy()
      fail(error instanceof HopByHopError ? error.statusCode : 502, error)
      return
    }
    const headers = forwarding.response(upstream, filtered.headers).concat('Connection', 'close')
    socket.write(headLines(upstream.statusCode, upstream.statusMessage, headers))
    upstream.pipe(socket)
  })
  upstreamRequest.on('upgrade', (upstream, upstreamSocket, upstreamHead) => {
    let filtered
    try {
      filtered = filterResponse(upstream, { ...responseOptions(req, options), upgrade: true })
    } catch (error) {
      upstreamSocket.destroy()
      fail(error instanceof HopByHopError ? error.statusCode : 502, error)
      return
    }
    upstreamSocket.on('error', () => socket.destroy())
    socket.on('close', () => upstreamSocket.destroy())
    upstreamSocket.on('close', () => socket.destroy())
    socket.write(headLines(101, 'Switching Protocols', forwarding.response(upstream, filtered.headers)))
    if (upstreamHead.length > 0) socket.write(upstreamHead)
    if (head.length > 0) upstreamSocket.write(head)
    upstreamSocket.pipe(socket).pipe(upstreamSocket)
  })
  upstreamRequest.end()
  return upstreamRequest
}

module.exports = { relay, relayUpgrade, unexpectedUpgradeError }
