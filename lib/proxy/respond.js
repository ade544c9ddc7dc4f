'use strict'
// Writing the proxy's own answers: refusals, and upstream header lists that keep their duplicates.

const { STATUS_CODES, ServerResponse } = require('node:http')
const { invalidArgType, invalidArgValue, outOfRange } = require('../errors.js')
const { equalsIgnoringCase, nameBucket, SeenBuckets } = require('./names.js')
const { noHeadersSet } = require('./message-headers.js')

/**
 * Close the client connection after this response (RFC 9112 §9.6). Node writes
 * `Connection: close` itself when shouldKeepAlive is false; the explicit header also shows the
 * decision to later middleware (res.getHeader).
 */
function closeAfterResponse(res) {
  // HTTP/2 has no Connection field (RFC 9113 §8.2.2); a stream ends on its own.
  if (res.stream !== undefined) return
  res.shouldKeepAlive = false
  if (!res.headersSent) res.setHeader('Connection', 'close')
}

/**
 * Answer `statusCode` and close the connection, since the request may carry a body nobody will
 * read, which must not be read as the next request. Once the response has started, the only
 * honest answer left is a cut connection.
 */
function refuse(res, statusCode, error) {
  if (res.headersSent || res.destroyed) {
    res.destroy()
    return
  }
  const body = `${STATUS_CODES[statusCode]} (${error.code ?? 'ERR_HOP_BY_HOP_PROXY'})\n`
  closeAfterResponse(res)
  res.writeHead(statusCode, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

/** The same refusal written on a raw socket, for `upgrade` listeners that have no ServerResponse. */
function refuseSocket(socket, statusCode, error) {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const body = `${STATUS_CODES[statusCode]} (${error.code ?? 'ERR_HOP_BY_HOP_PROXY'})\n`
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}

/** A response head for a raw socket, to be written as latin1: the bytes Node's parser read. */
function headLines(statusCode, statusMessage, headers) {
  let head = `HTTP/1.1 ${statusCode} ${statusMessage}\r\n`
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`
  return `${head}\r\n`
}

function checkFlatHeaders(headers) {
  if (!Array.isArray(headers)) throw invalidArgType('headers', 'a flat array of header names and values', headers)
  if (headers.length % 2 !== 0) throw invalidArgValue('headers', headers, `must have an even length (name, value pairs); its length is ${headers.length}`)
  for (let i = 0; i < headers.length; i += 2) {
    if (typeof headers[i] !== 'string') throw invalidArgType(`headers[${i}]`, 'a header name string', headers[i])
  }
}

function checkWritable(res) {
  if (res === null || typeof res !== 'object' || typeof res.setHeader !== 'function' || typeof res.writeHead !== 'function') {
    throw invalidArgType('res', 'a ServerResponse (with setHeader and writeHead)', res)
  }
}

/** A status code Node can write (RFC 9110 §15: three digits). */
function checkStatusCode(statusCode) {
  if (!Number.isInteger(statusCode)) throw invalidArgType('statusCode', 'an integer', statusCode)
  if (statusCode < 100 || statusCode > 999) throw outOfRange('statusCode', '>= 100 && <= 999', statusCode)
}

/**
 * The answer to send for an error raised while handling a request: a HopByHopError's own
 * statusCode (400, 431, 500, 502), otherwise `fallback`.
 */
function refusalStatus(error, fallback) {
  const statusCode = error?.name === 'HopByHopError' ? error.statusCode : undefined
  return Number.isInteger(statusCode) && STATUS_CODES[statusCode] !== undefined ? statusCode : fallback
}

/**
 * Write a status and a flat header list (e.g. filterResponse(...).headers) onto a
 * ServerResponse. Once any header was set with setHeader (Express sets X-Powered-By), Node's
 * res.writeHead(status, flatArray) calls setHeader per line and keeps only the last line of each
 * name, losing e.g. all but one Set-Cookie. Here the lines of one name go to setHeader together
 * as an array, which Node writes as separate lines, in their order and with the case of the
 * first line. Headers set earlier stay unless the list has the same name. With none set, Node's
 * own writeHead renders the list as it is.
 */
function writeHead(res, statusCode, headers) {
  checkWritable(res)
  checkStatusCode(statusCode)
  checkFlatHeaders(headers)
  if (rendersListAsIs(res)) {
    res.writeHead(statusCode, headers)
    return res
  }
  setLines(res, headers)
  res.writeHead(statusCode)
  return res
}

/**
 * Whether `res` is Node's own ServerResponse, unwrapped (on-headers, say, reads an array as
 * [name, value] pairs), with no header set yet: then Node's writeHead renders a flat list itself,
 * every line in order and as spelt, without a setHeader (validation and a dictionary entry) per name.
 */
function rendersListAsIs(res) {
  return res.writeHead === NODE_WRITE_HEAD && noHeadersSet(res)
}

const NODE_WRITE_HEAD = ServerResponse.prototype.writeHead

/**
 * setHeader once per name: with the first line's spelling and, for a name of several lines, the
 * values of all of them in order. A name whose bucket no earlier line took is new without being
 * compared with each earlier one; only the lines that repeat a name are gathered.
 */
function setLines(res, headers) {
  seen.start()
  let repeating = null
  for (let i = 0; i < headers.length; i += 2) {
    if (seen.earlierLine(headers, i, nameBucket(headers[i])) !== -1) (repeating ??= []).push(i)
  }
  for (let i = 0; i < headers.length; i += 2) {
    if (repeating === null) {
      res.setHeader(headers[i], headers[i + 1])
    } else if (!repeating.includes(i)) {
      res.setHeader(headers[i], valuesOfName(headers, i, repeating))
    }
  }
}

const seen = new SeenBuckets()

/** The value of the line at `at`, or the values, in order, of it and the `repeating` lines of its name. */
function valuesOfName(headers, at, repeating) {
  let values
  for (const i of repeating) {
    if (i < at || !equalsIgnoringCase(headers[i], headers[at])) continue
    if (values === undefined) values = [headers[at + 1]]
    values.push(headers[i + 1])
  }
  return values ?? headers[at + 1]
}

module.exports = { closeAfterResponse, headLines, refuse, refuseSocket, refusalStatus, writeHead }
