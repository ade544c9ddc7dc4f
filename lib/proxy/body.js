'use strict'
// Request bodies that a body parser (express.json(), urlencoded(), text(), raw(), or any other)
// has already read. Such a request stream has ended: piping it sends nothing, so the upstream
// waits for the Content-Length it was promised and the client waits for the upstream. The
// parsed body is sent again when it can be rebuilt byte for byte in meaning; otherwise the
// proxy answers at once with an error that says what to change.

const querystring = require('node:querystring')
const errors = require('../errors.js')
const { isName } = require('./names.js')

/**
 * Whether a request head declares a body: only Content-Length or Transfer-Encoding do
 * (RFC 9112 §6.3 (6)); HTTP/2 frames bodies itself.
 */
function declaresBody(req) {
  if (req.httpVersionMajor >= 2) return true
  const rawHeaders = req.rawHeaders
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]
    if (name.length === 14 && name.toLowerCase() === 'content-length') return true
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return true
  }
  return false
}

/** RFC 9112 §6.3 (1): a response to HEAD, and a 1xx, 204 or 304 one, has no body. */
function responseHasBody(statusCode, method) {
  return method !== 'HEAD' && statusCode >= 200 && statusCode !== 204 && statusCode !== 304
}

/**
 * Whether something read the request body before the proxy could pipe it: the stream has ended
 * although it declared a body. (A request without a body is ended by nobody's read.)
 */
function bodyConsumed(req) {
  return req.readableEnded === true && req.httpVersionMajor < 2 && declaresBody(req)
}

function mediaType(req) {
  const value = req.headers['content-type']
  if (typeof value !== 'string') return { type: '', charset: undefined }
  const [type, ...parameters] = value.split(';')
  let charset
  for (const parameter of parameters) {
    const [key, raw] = parameter.split('=')
    if (key.trim().toLowerCase() === 'charset' && raw !== undefined) charset = raw.trim().replace(/^"|"$/g, '').toLowerCase()
  }
  return { type: type.trim().toLowerCase(), charset }
}

function isJson(type) {
  return type === 'application/json' || type.endsWith('+json')
}

/** A urlencoded body parsed flat (strings and arrays of strings) survives querystring round trips. */
function isFlatForm(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false
  for (const value of Object.values(body)) {
    if (typeof value === 'string') continue
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) continue
    return false
  }
  return true
}

/**
 * The bytes to send upstream for a request whose body a parser has read: Buffer (raw()), string
 * (text(), in its declared charset), JSON for a JSON media type, a flat form for
 * application/x-www-form-urlencoded. Throws ERR_HOP_BY_HOP_BODY_CONSUMED (500) otherwise.
 */
function replayedBody(req) {
  // A declared empty body stays empty, whatever a parser made of it (express.json() makes {}).
  if (sentEmpty(req.rawHeaders)) return Buffer.alloc(0)
  const body = req.body
  if (Buffer.isBuffer(body)) return body
  const { type, charset } = mediaType(req)
  if (typeof body === 'string') return encoded(body, charset)
  if (body === undefined) throw errors.bodyConsumed('left no req.body to send')
  // express.json() also reads UTF-16 and UTF-32: the text goes back in the declared charset.
  if (isJson(type)) return encoded(JSON.stringify(body), charset)
  if (type === 'application/x-www-form-urlencoded' && isFlatForm(body)) return formBody(body, charset)
  throw errors.bodyConsumed(`its parsed form (${type || 'no Content-Type'}) cannot be turned back into the bytes that were sent`)
}

/** The client's framing lines (RFC 9112 §6.1), read once from rawHeaders. */
function clientFraming(rawHeaders) {
  let length
  let chunked = false
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]
    if (length === undefined && isName(name, 'content-length')) length = rawHeaders[i + 1]
    else if (isName(name, 'transfer-encoding')) chunked = true
  }
  return { length, chunked }
}

/**
 * Whether the client framed its body as `Content-Length: 0`, read from rawHeaders: req.headers
 * may have been rewritten since (http-proxy's deleteLength pass sets content-length 0 on a
 * chunked DELETE or OPTIONS).
 */
function sentEmpty(rawHeaders) {
  const { length, chunked } = clientFraming(rawHeaders)
  return !chunked && length?.trim() === '0'
}

// Charset labels that Node's Buffer knows under another name (iso-8859-1 is what express.text()
// and express.urlencoded() decode byte for byte).
const BUFFER_ENCODINGS = new Map([['iso-8859-1', 'latin1']])

/** Node's name of `charset` (UTF-8 when none is declared); throws when Node cannot encode it. */
function bufferEncoding(charset) {
  if (charset === undefined) return 'utf8'
  const encoding = BUFFER_ENCODINGS.get(charset) ?? charset
  if (!Buffer.isEncoding(encoding)) throw errors.bodyConsumed(`its charset ${charset} cannot be encoded again`)
  return encoding
}

/** `text` in `charset` (UTF-8 when none is declared); throws when Node cannot encode it. */
function encoded(text, charset) {
  return Buffer.from(text, bufferEncoding(charset))
}

/**
 * A flat form in `charset`: its names and values percent-encoded as the bytes of that charset,
 * as a browser sends a form in the page's charset (querystring.stringify encodes UTF-8 only).
 */
function formBody(form, charset) {
  const encoding = bufferEncoding(charset)
  if (encoding === 'utf8' || encoding === 'utf-8') return Buffer.from(querystring.stringify(form), 'utf8')
  const escape = (text) => percentEncoded(Buffer.from(text, encoding))
  return Buffer.from(querystring.stringify(form, '&', '=', { encodeURIComponent: escape }), 'latin1')
}

// The bytes querystring.escape leaves as they are: A-Z a-z 0-9 - . _ ~ ! ' ( ) *.
const UNESCAPED = /[A-Za-z0-9\-._~!'()*]/

function percentEncoded(bytes) {
  let out = ''
  for (const byte of bytes) {
    const character = String.fromCharCode(byte)
    out += byte < 0x80 && UNESCAPED.test(character) ? character : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/**
 * A flat header list with its framing replaced by `Content-Length: length`: the replayed body is
 * no longer the one a client's Transfer-Encoding or Content-Length described (RFC 9112 §6.1).
 */
function withContentLength(headers, length) {
  const out = []
  for (let i = 0; i < headers.length; i += 2) {
    const lower = headers[i].toLowerCase()
    if (lower === 'content-length' || lower === 'transfer-encoding') continue
    out.push(headers[i], headers[i + 1])
  }
  out.push('Content-Length', String(length))
  return out
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

// req -> the bytes middleware() or forward() announced upstream for a body a parser had read,
// which relay() sends.
const replays = new WeakMap()

/**
 * Finishes the headers of a request whose body a parser has already read: returns the headers
 * that announce the body replayedBody() rebuilds, and keeps that body for relay()
 * (announcedReplay). Throws the HopByHopError (500) of a body that cannot be rebuilt.
 */
function headersForConsumedBody(req, headers) {
  const body = replayedBody(req)
  replays.set(req, body)
  return replayHeaders(headers, body.length)
}

/** The body headersForConsumedBody() announced for `req`, or undefined. */
function announcedReplay(req) {
  return replays.get(req)
}

module.exports = { declaresBody, responseHasBody, bodyConsumed, clientFraming, replayedBody, withContentLength, replayHeaders, headersForConsumedBody, announcedReplay }
