'use strict'

// A re-implementation (written for this benchmark, not copied) of the header stripping that
// @fastify/reply-from applies before forwarding (its `stripHttp1ConnectionHeaders` and
// `getConnectionHeaders` helpers, as of v12):
//
//   * it works on a Node-style headers OBJECT (lower-case keys, duplicates already merged);
//   * it drops a fixed set: connection, upgrade, http2-settings, transfer-encoding,
//     proxy-connection, keep-alive and host (reply-from sets its own Host for the upstream);
//   * it keeps `te` only when the merged value is exactly 'trailers';
//   * it drops every name listed in `Connection`, split on ',' (no quote handling), lower-cased
//     and trimmed, looked up with Array#includes.
//
// It does not validate names, does not protect Host/X-Forwarded-* from nominations, does not
// know Trailer, Proxy-Authenticate or Proxy-Authorization, and decides nothing about keep-alive.
//
// Adaptation for a rawHeaders benchmark: a reply-from user works on `req.headers`, which Node
// builds lazily from `req.rawHeaders` on first access (lower-casing names and merging
// duplicates), and the stripped object is serialised again by http.request/undici by walking
// its keys. `filterRaw` therefore does the same three steps — build the object the way Node's
// IncomingMessage does, strip, flatten back to name/value pairs — so its input and output
// match this package's (a flat rawHeaders array in, a flat array out).

/** Names that reply-from always drops. */
const ALWAYS_DROPPED = new Set([
  'connection',
  'upgrade',
  'http2-settings',
  'transfer-encoding',
  'proxy-connection',
  'keep-alive',
  'host',
])

// Node's IncomingMessage keeps the first value of these and discards later duplicates
// (lib/_http_incoming.js, matchKnownFields); set-cookie becomes an array; cookie joins with
// '; '; every other duplicate joins with ', '.
const FIRST_WINS = new Set([
  'content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization',
  'proxy-authorization', 'if-modified-since', 'if-unmodified-since', 'from', 'location',
  'max-forwards', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires',
])

/** Adds one raw line to a headers object with Node's duplicate rules. */
function addLine(headers, name, value) {
  const key = name.toLowerCase()
  const previous = headers[key]
  if (previous === undefined) {
    headers[key] = key === 'set-cookie' ? [value] : value
  } else if (key === 'set-cookie') {
    previous.push(value)
  } else if (key === 'cookie') {
    headers[key] = previous + '; ' + value
  } else if (!FIRST_WINS.has(key)) {
    headers[key] = previous + ', ' + value
  }
}

/** `req.headers` as Node builds it from `rawHeaders`. */
function headersObject(raw) {
  // A null-prototype object avoids '__proto__' surprises; Node uses the same trick.
  const headers = Object.create(null)
  for (let i = 0; i < raw.length; i += 2) addLine(headers, raw[i], raw[i + 1])
  return headers
}

/** reply-from's Connection parsing: lower-case, split on commas, trim, drop empties. */
function connectionNames(headers) {
  const value = headers.connection
  if (typeof value !== 'string') return []
  const lower = value.toLowerCase()
  const names = []
  let start = 0
  for (let end = 0; end <= lower.length; end++) {
    if (end === lower.length || lower.charCodeAt(end) === 44 /* , */) {
      const token = lower.slice(start, end).trim()
      if (token.length > 0) names.push(token)
      start = end + 1
    }
  }
  return names
}

/** reply-from's stripping of a headers object; returns a new object. */
function stripHeaders(headers) {
  const nominated = connectionNames(headers)
  const out = {}
  for (const original of Object.keys(headers)) {
    const name = original.toLowerCase()
    if (ALWAYS_DROPPED.has(name)) continue
    if (name === 'te') {
      // Node rejects any other TE value on HTTP/2, hence reply-from's exact comparison.
      if (headers.te === 'trailers') out[name] = headers[name]
      continue
    }
    if (!nominated.includes(name)) out[name] = headers[name]
  }
  return out
}

/** Serialises a headers object to a flat list, as http.request does when it writes it. */
function flatten(headers) {
  const flat = []
  for (const name of Object.keys(headers)) {
    const value = headers[name]
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) flat.push(name, value[i])
    } else {
      flat.push(name, value)
    }
  }
  return flat
}

/** rawHeaders in, flat array out: what a reply-from-style proxy does per message. */
function filterRaw(raw) {
  return flatten(stripHeaders(headersObject(raw)))
}

module.exports = { filterRaw, stripHeaders, headersObject, connectionNames, flatten, ALWAYS_DROPPED }
