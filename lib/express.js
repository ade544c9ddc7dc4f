'use strict'
// Express (and plain node:http) middleware for forwarding proxies written by hand.

const { createFilter } = require('./filter.js')
const { Forwarding } = require('./forwarding.js')
const { followsClosingRequest, afterCloseError } = require('./guards.js')
const { closeAfterResponse, refuse, refusalStatus, writeHead } = require('./respond.js')
const { bodyConsumed, replayedBody, withContentLength } = require('./body.js')
const { FORWARDING_OPTIONS, checkOptions } = require('./options.js')
const { rememberReplay } = require('./relay.js')

/** The filter options a forwarding proxy chooses; the rest are read from each message. */
const REQUEST_FILTER_OPTIONS = Object.freeze(['strict', 'protect', 'strip'])
const MIDDLEWARE_OPTIONS = Object.freeze([...REQUEST_FILTER_OPTIONS, ...FORWARDING_OPTIONS])

function pick(options, names) {
  const picked = {}
  for (const name of names) if (options?.[name] !== undefined) picked[name] = options[name]
  return picked
}

/**
 * The request headers for a body that a parser read and that is sent again: its length, and no
 * longer the client's chunking, trailers or content coding (body parsers decode gzip/deflate,
 * so the bytes sent are the decoded ones).
 */
function replayHeaders(headers, length) {
  const kept = []
  for (let i = 0; i < headers.length; i += 2) {
    const lower = headers[i].toLowerCase()
    if (lower === 'trailer' || lower === 'content-encoding') continue
    kept.push(headers[i], headers[i + 1])
  }
  return withContentLength(kept, length)
}

/**
 * Finishes the headers of a request whose body a parser has already read: returns the headers
 * that announce the body replayedBody() rebuilds, and hands that body to relay(). Throws the
 * HopByHopError (500) of a body that cannot be rebuilt.
 */
function headersForConsumedBody(req, headers) {
  const body = replayedBody(req)
  rememberReplay(req, body)
  return replayHeaders(headers, body.length)
}

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
  const filter = createFilter(pick(options, REQUEST_FILTER_OPTIONS))
  const forwarding = new Forwarding(pick(options, FORWARDING_OPTIONS))
  return function hopByHop(req, res, next) {
    let forward
    try {
      forward = filter.request(req)
      if (followsClosingRequest(req, forward.keepAlive)) throw afterCloseError()
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

module.exports = { middleware, writeHead, replayHeaders, headersForConsumedBody, REQUEST_FILTER_OPTIONS, MIDDLEWARE_OPTIONS, pick }
