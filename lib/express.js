'use strict'
// Express (and plain node:http) middleware for forwarding proxies written by hand.

const { createFilter, HopByHopError } = require('./filter.js')
const { Forwarding } = require('./forwarding.js')
const { followsClosingRequest, afterCloseError } = require('./guards.js')
const { closeAfterResponse, refuse, writeHead } = require('./respond.js')

/**
 * Express middleware: `req.forward` is the filterRequest result (the keep-alive decision and
 * diagnostics) whose `headers` are the finished list to send upstream: the end-to-end fields plus
 * this proxy's Host, forwarding fields, Via, framing and `Connection: te` (see Forwarding). A
 * HopByHopError is answered with its statusCode (400, or 431 for a head Node may have cut) and the
 * chain stops; so is a request pipelined behind one after which the connection closes.
 */
function middleware(options) {
  // Options are validated here, when the app is built, not on the first request.
  const filter = createFilter(options)
  const forwarding = new Forwarding(options ?? {})
  return function hopByHop(req, res, next) {
    let forward
    try {
      forward = filter.request(req)
    } catch (error) {
      if (error instanceof HopByHopError) {
        refuse(res, error.statusCode, error)
        return
      }
      next(error)
      return
    }
    if (followsClosingRequest(req, forward.keepAlive)) {
      refuse(res, 400, afterCloseError())
      return
    }
    forward.headers = forwarding.request(req, forward.headers)
    req.forward = forward
    // Client `Connection: close`, or an HTTP/1.0 client asking for keep-alive, which a proxy must
    // not honour (RFC 9112 §9.3).
    if (!forward.keepAlive) closeAfterResponse(res)
    next()
  }
}

module.exports = { middleware, writeHead }
