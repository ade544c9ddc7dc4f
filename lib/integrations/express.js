'use strict'
// Express (and plain node:http) middleware for forwarding proxies written by hand.

const { createFilter } = require('../filter/index.js')
const { Forwarding } = require('../proxy/forwarding.js')
const { closeAfterResponse, refuse, refusalStatus } = require('../proxy/respond.js')
const { bodyConsumed, headersForConsumedBody } = require('../proxy/body.js')
const { PROXY_FILTER_OPTIONS, FORWARDING_OPTIONS, checkOptions, pick } = require('../options.js')

const MIDDLEWARE_OPTIONS = Object.freeze([...PROXY_FILTER_OPTIONS, ...FORWARDING_OPTIONS])

/**
 * Express middleware: `req.forward` is the filterRequest result (the keep-alive decision and
 * diagnostics) whose `headers` are the finished list to send upstream: the end-to-end fields plus
 * this proxy's Host, forwarding fields, Via, framing and `Connection: te` (see Forwarding). A
 * HopByHopError is answered with its statusCode (400, or 431 for a head Node may have cut) and the
 * chain stops; so is a request pipelined behind one after which the connection closes. Behind a
 * body parser, `headers` announce the parsed body that relay() sends again (500 when it cannot).
 */
function middleware(options) {
  // Options are validated here, when the app is built, not on the first request.
  checkOptions(options, MIDDLEWARE_OPTIONS, 'middleware()')
  const filter = createFilter(pick(options, PROXY_FILTER_OPTIONS))
  const forwarding = new Forwarding(pick(options, FORWARDING_OPTIONS))
  return function hopByHop(req, res, next) {
    let forward
    try {
      forward = filter.request(req)
      forward.headers = forwarding.request(req, forward.headers)
      if (bodyConsumed(req)) forward.headers = headersForConsumedBody(req, forward.headers)
    } catch (error) {
      const statusCode = refusalStatus(error, 0)
      if (statusCode === 0) next(error)
      else refuse(res, statusCode, error)
      return
    }
    req.forward = forward
    // Client `Connection: close`, or an HTTP/1.0 client asking for keep-alive, which a proxy must
    // not honour (RFC 9112 §9.3).
    if (!forward.keepAlive) closeAfterResponse(res)
    next()
  }
}

module.exports = { middleware, MIDDLEWARE_OPTIONS }
