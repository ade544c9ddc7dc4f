'use strict'
// What a forwarding proxy must refuse although every header it can see is fine. Shared by the
// Express middleware, relay() and the http-proxy handlers.

const { HopByHopError } = require('./filter.js')

/**
 * Whether a request head declares a body: only Content-Length or Transfer-Encoding do
 * (RFC 9112 §6.3 (6)); HTTP/2 frames bodies itself.
 */
function declaresBody(req) {
  if (req.httpVersionMajor >= 2) return true
  const rawHeaders = req.rawHeaders
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]
    if (name.length === 14 && name.toLowerCase() === 'content-length') return true
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return true
  }
  return false
}

/**
 * Body bytes for a request whose head, as handed to us, declares no body mean that Node's parser
 * honoured framing that is not in rawHeaders (a head Node cut). Forwarding them unframed would
 * let the upstream read them as a second request.
 */
function undeclaredBodyError() {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_UNDECLARED_BODY',
    'the request carries a body but its head, as Node handed it over, declares none (no Content-Length or Transfer-Encoding): refusing to forward it unframed',
    400,
  )
}

/**
 * Calls `refuse` before any body byte of a request that declares none reaches another listener,
 * such as a pipe into the upstream request: the listener runs first, and `refuse` must destroy
 * the destination so that the pipe's write of the same chunk goes nowhere.
 */
function onUndeclaredBody(req, refuse) {
  if (declaresBody(req)) return
  const onData = () => {
    req.removeListener('data', onData)
    refuse(undeclaredBodyError())
  }
  // prependListener, unlike on('data'), neither resumes the stream nor runs after a pipe.
  req.prependListener('data', onData)
  req.once('end', () => req.removeListener('data', onData))
}

// socket -> the request after whose response the connection closes.
const closingRequests = new WeakMap()

/**
 * RFC 9112 §9.6: after a request with `close` (or an HTTP/1.0 request a proxy answers with
 * close, §9.3), a server MUST NOT process further requests on that connection; Node still emits
 * the ones a client pipelined behind it. Returns whether `req` is such a request.
 */
function followsClosingRequest(req, keepAlive) {
  const socket = req.socket
  if (socket === null || socket === undefined) return false
  const closing = closingRequests.get(socket)
  if (closing !== undefined && closing !== req) return true
  if (!keepAlive) closingRequests.set(socket, req)
  return false
}

function afterCloseError() {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_AFTER_CLOSE',
    'the request was pipelined behind one after which the connection closes (RFC 9112 §9.6): not forwarded',
    400,
  )
}

module.exports = { declaresBody, onUndeclaredBody, undeclaredBodyError, followsClosingRequest, afterCloseError }
