'use strict'
// RFC 9112 §9.6: after a request with `close` (or an HTTP/1.0 request a proxy answers with
// close, §9.3), a server MUST NOT process further requests on that connection. Node's server
// still emits the ones an HTTP/1.0 keep-alive client pipelined behind one, so filterRequest
// refuses them for every wiring, the hand-written ones included. Requests are judged by the
// order they arrived in, which Node's queue of answers keeps, not by the order they are
// filtered in: a handler may filter a later request first (after a body parser, say).

// On the socket, the last request filtered on it after whose answer the connection closes. A
// property of the socket, not a WeakMap entry: an HTTP/1.0 client opens a connection per
// request, and a new WeakMap key per connection cost more than the rest of filterRequest. A
// socket that takes no new property (a frozen stand-in) is kept in the WeakMap instead.
const CLOSING_REQUEST = Symbol('hop-by-hop closing request')
const closingRequests = new WeakMap()

function markClosing(socket, req) {
  if (Object.isExtensible(socket)) socket[CLOSING_REQUEST] = req
  else closingRequests.set(socket, req)
}

function closingRequest(socket) {
  return socket[CLOSING_REQUEST] ?? closingRequests.get(socket)
}

/**
 * Whether `req`, a request of Node's server that the filter keeps alive or not (`keepAlive`),
 * waits behind a request after whose answer its connection closes. `closesAfter(request,
 * options)` says that of a request that arrived before it.
 */
function followsClosingRequest(req, keepAlive, closesAfter, options) {
  const socket = req.socket
  if (socket === null || typeof socket !== 'object') return false
  // The request being answered on the connection (Node's ServerResponse#req): the first that
  // arrived of those not yet answered, since Node answers them in order.
  const answering = socket._httpMessage?.req
  if (answering === req) {
    // Only the request being answered is marked: a closing one filtered after that answer,
    // pipelined behind it, must not take its place.
    if (!keepAlive) markClosing(socket, req)
    return false
  }
  if (answering !== undefined) return closesAfter(answering, options)
  // Nothing is being answered. When the server ended the connection after a closing request's
  // answer, this request's turn will never come; when it kept the connection open (against the
  // filter's keepAlive: false), this request was answered on it already, and is filtered after.
  const closing = closingRequest(socket)
  return closing !== undefined && closing !== req && socket.writableEnded === true
}

module.exports = { followsClosingRequest }
