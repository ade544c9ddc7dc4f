'use strict'
// RFC 9112 §9.6: after a request with `close` (or an HTTP/1.0 request a proxy answers with
// close, §9.3), a server MUST NOT process further requests on that connection. Node's server
// still emits the ones an HTTP/1.0 keep-alive client pipelined behind one, so filterRequest
// refuses them for every wiring, the hand-written ones included. Requests are judged by the
// order they arrived in, which Node's queue of answers keeps, not by the order they are
// filtered in: a handler may filter a later request first (after a body parser, say).

// On the socket, the last closing request filtered on it that was not refused (and that can
// still matter to a later one), and its ServerResponse when it was filtered while being
// answered. A property of the socket, not a WeakMap entry: an HTTP/1.0 client opens a connection
// per request, and a new WeakMap key per connection cost more than the rest of filterRequest. A
// socket that takes no new property (a frozen stand-in) is kept in the WeakMap instead.
const CLOSING = Symbol('hop-by-hop closing request')
const closingRequests = new WeakMap()

class ClosingRequest {
  constructor(request, response) {
    this.request = request
    // null when it was filtered while another request was being answered, or after its answer.
    this.response = response
  }
}

function markClosing(socket, closing) {
  if (Object.isExtensible(socket)) socket[CLOSING] = closing
  else closingRequests.set(socket, closing)
}

function closingRequest(socket) {
  return socket[CLOSING] ?? closingRequests.get(socket)
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
  const response = socket._httpMessage
  const answering = response?.req
  if (answering === req) {
    if (!keepAlive) markClosing(socket, new ClosingRequest(req, response))
    // Every answer before this one is done and the connection outlived it: what was kept is
    // of no more use.
    else if (socket[CLOSING] !== undefined) socket[CLOSING] = undefined
    return false
  }
  if (answering !== undefined) {
    if (closesAfter(answering, options)) return true
    if (!keepAlive) markClosing(socket, new ClosingRequest(req, null))
    return false
  }
  if (closedBefore(socket, req)) return true
  // Nothing is being answered, so this request's answer is done (or will never come): it
  // matters to later requests only when the connection ended after it.
  if (!keepAlive && socket.writableEnded === true) markClosing(socket, new ClosingRequest(req, null))
  return false
}

/**
 * Nothing is being answered: whether the connection closed after the answer to the closing
 * request kept, another than `req`, so that `req`'s turn will never come. When the server kept
 * the connection open after that answer (against the filter's keepAlive: false), `req` was
 * answered on it already and is filtered after.
 */
function closedBefore(socket, req) {
  const closing = closingRequest(socket)
  if (closing === undefined || closing.request === req) return false
  // Node marks the answer after which it ends the connection (`_last`); an answer not seen, by
  // whether the server has ended it.
  return closing.response !== null ? closing.response._last === true : socket.writableEnded === true
}

module.exports = { followsClosingRequest }
