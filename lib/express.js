'use strict'
// Express (and plain node:http) helpers for forwarding proxies written by hand.

const { createFilter, HopByHopError } = require('./filter.js')

/**
 * Close the client connection after this response when the filter says so (client
 * `Connection: close`, or an HTTP/1.0 client asking for keep-alive, which a proxy must not
 * honour: RFC 9112 §9.3). Node writes `Connection: close` itself when shouldKeepAlive is false;
 * the explicit header also shows the decision to later middleware (res.getHeader).
 */
function closeAfterResponse(res) {
  res.shouldKeepAlive = false
  res.setHeader('Connection', 'close')
}

function badRequest(res, error) {
  res.statusCode = 400
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  // The request may carry a body we will not read; closing avoids reading it as the next request.
  closeAfterResponse(res)
  res.end(`Bad Request (${error.code})\n`)
}

/**
 * Express middleware: `req.forward` is the filterRequest result (the headers to send upstream,
 * the keep-alive decision and diagnostics). A HopByHopError (strict mode, or an upgrade naming a
 * non-printable protocol) is answered with 400 and the chain stops.
 */
function middleware(options) {
  // Options are validated here, when the app is built, not on the first request.
  const filter = createFilter(options)
  return function hopByHop(req, res, next) {
    let forward
    try {
      forward = filter.request(req)
    } catch (error) {
      if (error instanceof HopByHopError) {
        badRequest(res, error)
        return
      }
      next(error)
      return
    }
    req.forward = forward
    if (!forward.keepAlive) closeAfterResponse(res)
    next()
  }
}

function codedError(ErrorClass, code, message) {
  const error = new ErrorClass(message)
  error.code = code
  return error
}

function checkFlatHeaders(headers) {
  if (!Array.isArray(headers)) {
    throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `headers must be a flat array of names and values; received ${typeof headers}`)
  }
  if (headers.length % 2 !== 0) {
    throw codedError(RangeError, 'ERR_INVALID_ARG_VALUE', `headers must have an even length (name, value pairs); received length ${headers.length}`)
  }
  for (let i = 0; i < headers.length; i += 2) {
    if (typeof headers[i] !== 'string') {
      throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `headers[${i}] must be a header name string; received ${typeof headers[i]}`)
    }
  }
}

/**
 * Write a status and a flat header list (e.g. filterResponse(...).headers) onto a
 * ServerResponse. Once any header was set with setHeader (Express sets X-Powered-By), Node's
 * res.writeHead(status, flatArray) calls setHeader per line and keeps only the last line of each
 * name, losing e.g. all but one Set-Cookie. Here the lines of one name go to setHeader together
 * as an array, which Node writes as separate lines, in their order and with the case of the
 * first line. Headers set earlier stay unless the list has the same name.
 */
function writeHead(res, statusCode, headers) {
  checkFlatHeaders(headers)
  const byName = new Map()
  for (let i = 0; i < headers.length; i += 2) {
    const key = headers[i].toLowerCase()
    const entry = byName.get(key)
    if (entry === undefined) byName.set(key, { name: headers[i], values: [headers[i + 1]] })
    else entry.values.push(headers[i + 1])
  }
  for (const { name, values } of byName.values()) {
    res.setHeader(name, values.length === 1 ? values[0] : values)
  }
  res.writeHead(statusCode)
  return res
}

module.exports = { middleware, writeHead }
