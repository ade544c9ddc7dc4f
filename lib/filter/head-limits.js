'use strict'
// Node's HTTP/1 parser keeps at most `maxHeadersCount << 1` elements of a head (default 1000
// lines; 0 or less: no limit) and silently drops the rest, framing and Connection included: the
// server on Node 20 (22 and later answer 431 themselves), the client on every line. Node 20 cuts
// in batches of 31 lines and Node 22+'s client at exactly the limit, so a cut head can be exactly
// limit long: a head that reaches the limit is refused as one that may be cut.

const N = require('../native/abi.js')
const { headTruncated } = require('../errors.js')

const NODE_DEFAULT_MAX_HEADERS_COUNT = 1000

function nodeHeadLimit(maxHeadersCount) {
  const elements = (typeof maxHeadersCount === 'number' ? maxHeadersCount : NODE_DEFAULT_MAX_HEADERS_COUNT) << 1
  return elements > 0 ? elements : Infinity
}

/**
 * The limit the connection's parser applies, while it is attached: exact even when the socket
 * reached the HTTP server through `server.emit('connection')`, where `socket.server` is another.
 */
function parserHeadLimit(socket) {
  const pairs = socket?.parser?.maxHeaderPairs
  if (typeof pairs !== 'number') return undefined
  return pairs > 0 ? pairs : Infinity
}

/** RFC 9110 §15.5.20: a request head Node may have cut is refused with 431. */
function assertWholeRequestHead(req, flags) {
  if ((flags & N.VERSION_HTTP2) !== 0 || !Array.isArray(req.rawHeaders)) return
  const limit = parserHeadLimit(req.socket) ?? nodeHeadLimit(req.socket?.server?.maxHeadersCount)
  if (req.rawHeaders.length >= limit) throw headTruncated('req', req.rawHeaders.length, limit, 431)
}

/** RFC 9110 §15.6.3: an upstream response head Node may have cut is answered with 502. */
function assertWholeResponseHead(res, flags) {
  if ((flags & N.VERSION_HTTP2) !== 0 || !Array.isArray(res.rawHeaders)) return
  const limit = parserHeadLimit(res.socket) ?? nodeHeadLimit(res.req?.maxHeadersCount)
  if (res.rawHeaders.length >= limit) throw headTruncated('res', res.rawHeaders.length, limit, 502)
}

module.exports = { assertWholeRequestHead, assertWholeResponseHead }
