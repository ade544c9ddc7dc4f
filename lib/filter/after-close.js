'use strict'
// RFC 9112 §9.6: after a request with `close` (or an HTTP/1.0 request a proxy answers with
// close, §9.3), a server MUST NOT process further requests on that connection. Node's server
// still emits the ones a client pipelined behind it, so filterRequest refuses them for every
// wiring, the hand-written ones included.

// socket -> the request after whose response the connection closes.
const closingRequests = new WeakMap()

/**
 * Whether `req` was pipelined behind a request after which its connection closes; a request
 * that is not kept alive (`keepAlive` false) becomes that request for its socket.
 */
function followsClosingRequest(req, keepAlive) {
  const socket = req.socket
  if (socket === null || socket === undefined) return false
  const closing = closingRequests.get(socket)
  if (closing !== undefined && closing !== req) return true
  if (!keepAlive) closingRequests.set(socket, req)
  return false
}

module.exports = { followsClosingRequest }
