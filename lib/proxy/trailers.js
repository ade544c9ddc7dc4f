'use strict'
// Trailer sections (RFC 9110 §6.5): passed on when the next hop can take them, filtered like a
// head, and announced in a `Trailer` field (RFC 9110 §6.6.2).

const { filterHeaders } = require('../filter/index.js')
const { TOKEN } = require('../errors.js')
const { isForwardingField, isName, findLine } = require('./names.js')
const { responseHasBody } = require('./body.js')

// RFC 9110 §6.5.1: fields that frame or route the message, modify the request, authenticate,
// control the response or say how to process the content must not be taken from a trailer
// section (the same list as Go's net/http).
const PROHIBITED_IN_TRAILERS = [
  'Authorization', 'Cache-Control', 'Connection', 'Content-Encoding', 'Content-Length', 'Content-Range',
  'Content-Type', 'Expect', 'Host', 'Keep-Alive', 'Max-Forwards', 'Pragma', 'Proxy-Authenticate',
  'Proxy-Authorization', 'Proxy-Connection', 'Range', 'Realm', 'TE', 'Trailer', 'Transfer-Encoding',
  'WWW-Authenticate',
]
const PROHIBITED = new Set(PROHIBITED_IN_TRAILERS.map((name) => name.toLowerCase()))
// Nor the forwarding fields (isForwardingField), in either direction: the proxy writes them in the
// head, where a client's count only when its address is trusted, and a recipient that merges a
// trailer section into the head would otherwise take an untrusted client's for the proxy's.

function elements(rawHeaders, lowerName) {
  const found = []
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!isName(rawHeaders[i], lowerName)) continue
    for (const element of rawHeaders[i + 1].split(',')) {
      const trimmed = element.trim()
      if (trimmed.length > 0) found.push(trimmed)
    }
  }
  return found
}

/** The connection options a head's `Connection` lines name, lowercased (RFC 9110 §7.6.1). */
function nominatedBy(rawHeaders) {
  return elements(rawHeaders, 'connection').filter((element) => TOKEN.test(element)).map((element) => element.toLowerCase())
}

/**
 * The trailer fields to pass on, given the head they end: hop-by-hop fields, those the head's
 * `Connection` nominated (a trailer can be nominated too), those RFC 9110 §6.5.1 keeps out of
 * trailers and the forwarding fields are dropped.
 */
function forwardableTrailers(rawTrailers, rawHeaders) {
  if (rawTrailers === undefined || rawTrailers.length === 0) return []
  const kept = filterHeaders(rawTrailers, { strip: PROHIBITED_IN_TRAILERS.concat(nominatedBy(rawHeaders)), protect: [] }).headers
  return withoutForwardingFields(kept)
}

/** A flat list without the forwarding fields, in any spelling. */
function withoutForwardingFields(lines) {
  const out = []
  for (let i = 0; i < lines.length; i += 2) if (!isForwardingField(lines[i])) out.push(lines[i], lines[i + 1])
  return out
}

/** The `Trailer` field to send on: the names the head announced that may still be passed on. */
function announcedTrailers(rawHeaders) {
  const nominated = new Set(nominatedBy(rawHeaders))
  const names = elements(rawHeaders, 'trailer').filter((name) => !PROHIBITED.has(name.toLowerCase()) && !isForwardingField(name) && !nominated.has(name.toLowerCase()))
  return names.length === 0 ? undefined : names.join(', ')
}

/**
 * Whether the client takes response trailers: an HTTP/2 client always (RFC 9113 §8.1), an
 * HTTP/1.1 client that offered `TE: trailers` (RFC 9110 §10.1.4), which also lets Node chunk.
 */
function acceptsTrailers(req) {
  if (req.httpVersionMajor >= 2) return true
  if (req.httpVersion !== '1.1' || findLine(req.rawHeaders, 'te') === -1) return false
  return elements(req.rawHeaders, 'te').some((element) => element.split(';')[0].trim().toLowerCase() === 'trailers')
}

/** Whether a response to `method` with these head lines can end in a trailer section. */
function mayHaveTrailers(statusCode, method, rawHeaders) {
  if (!responseHasBody(statusCode, method)) return false
  const coding = lastElement(rawHeaders, 'transfer-encoding')
  return coding !== undefined && isName(coding, 'chunked')
}

/** The last non-empty element of the `lowerName` lines (RFC 9110 §5.6.1), or undefined: no array. */
function lastElement(rawHeaders, lowerName) {
  for (let i = rawHeaders.length - 2; i >= 0; i -= 2) {
    if (!isName(rawHeaders[i], lowerName)) continue
    const value = rawHeaders[i + 1]
    let end = value.length
    while (end > 0) {
      const start = value.lastIndexOf(',', end - 1) + 1
      const element = value.slice(start, end).trim()
      if (element.length > 0) return element
      end = start - 1
    }
  }
  return undefined
}

/**
 * Calls addTrailers with the forwardable fields; Node writes them only on a chunked HTTP/1.1
 * message or an HTTP/2 stream. Never throws: trailers are extra, and a field Node refuses must
 * not cost the message (this runs in 'end' listeners).
 */
function passTrailers(target, rawTrailers, rawHeaders) {
  try {
    addTrailers(target, forwardableTrailers(rawTrailers, rawHeaders))
  } catch {
    // dropped: the body and its end still go on
  }
}

// Node's HTTP/1 takes [name, value] pairs (duplicates kept); its HTTP/2 compatibility API only an object.
function addTrailers(target, trailers) {
  if (trailers.length === 0) return
  if (target.stream !== undefined) {
    const fields = {}
    for (let i = 0; i < trailers.length; i += 2) {
      const name = trailers[i].toLowerCase()
      fields[name] = fields[name] === undefined ? trailers[i + 1] : [fields[name], trailers[i + 1]].flat()
    }
    target.addTrailers(fields)
    return
  }
  const pairs = []
  for (let i = 0; i < trailers.length; i += 2) pairs.push([trailers[i], trailers[i + 1]])
  target.addTrailers(pairs)
}

module.exports = { PROHIBITED_IN_TRAILERS, forwardableTrailers, announcedTrailers, acceptsTrailers, mayHaveTrailers, passTrailers }
