'use strict'
// What a forwarding proxy must refuse although every header it can see is fine. Shared by the
// Express middleware, relay(), forward() and the http-proxy handlers.

const { undeclaredBody } = require('../errors.js')
const { declaresBody } = require('./body.js')

/**
 * Calls `refuse` before any body byte of a request that declares none reaches another listener,
 * such as a pipe into the upstream request: the listener runs first, and `refuse` must destroy
 * the destination so that the pipe's write of the same chunk goes nowhere.
 */
function onUndeclaredBody(req, refuse) {
  if (declaresBody(req)) return
  const onData = () => {
    req.removeListener('data', onData)
    refuse(undeclaredBody())
  }
  // prependListener, unlike on('data'), neither resumes the stream nor runs after a pipe. Once
  // the request has ended no 'data' comes: the listener is left, not removed on 'end'.
  req.prependListener('data', onData)
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

module.exports = { onUndeclaredBody, followsClosingRequest }
