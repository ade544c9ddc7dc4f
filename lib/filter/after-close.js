'use strict'
// RFC 9112 §9.6: after a request with `close` (or an HTTP/1.0 request a proxy answers with
// close, §9.3), a server MUST NOT process further requests on that connection. Node's server
// still emits the ones an HTTP/1.0 keep-alive client pipelined behind one, so filterRequest
// refuses them for every wiring, the hand-written ones included. Requests are judged by the
// order they arrived in, which Node's queue of answers keeps, not by the order they are
// filtered in: a handler may filter a later request first (after a body parser, say).

/**
 * Whether `req`, a request of Node's server, waits behind a request after whose answer its
 * connection closes. `closesAfter(request, options)` says that of a request that arrived before it.
 */
function followsClosingRequest(req, closesAfter, options) {
  const socket = req.socket
  if (socket === null || socket === undefined) return false
  // The request being answered on the connection (Node's ServerResponse#req): the first that
  // arrived of those not yet answered, since Node answers them in order.
  const answering = socket._httpMessage?.req
  if (answering === req) return false
  if (answering !== undefined) return closesAfter(answering, options)
  // Nothing is being answered. When the server has ended the connection (it does after the
  // answer to a request that closes it), this request's turn will never come. Nothing is kept
  // per request, so a closing request costs no more than another.
  return socket.writableEnded === true
}

module.exports = { followsClosingRequest }
