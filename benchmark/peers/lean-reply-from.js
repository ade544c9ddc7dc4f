'use strict'

// The leanest reply-from-style filter we could write: @fastify/reply-from's rules (see
// reply-from.js) applied to `rawHeaders` directly, the way a careful proxy author would port
// them: one walk over the array, each name lower-cased and looked up in a Set, no headers object,
// no map, no flattening afterwards.
//
// Rules, exactly reply-from's and no more:
//   * drops connection, upgrade, http2-settings, transfer-encoding, proxy-connection, keep-alive
//     and host (reply-from sets its own Host for the upstream);
//   * keeps te only when its value is exactly 'trailers';
//   * drops every name that a Connection line lists (split on ',', trimmed, lower-cased; no
//     quote handling), on any line, before or after the Connection line.
// Not implemented, unlike this package: name validation, Trailer, Proxy-Authenticate and
// Proxy-Authorization, protection of Host/X-Forwarded-* from nominations, TE lists that contain
// trailers, Content-Length with Transfer-Encoding, HTTP/2 pseudo-headers, keep-alive decisions.
//
// Output: the kept lines as the caller's own strings, in order (names keep their case).

// The names reply-from always drops, lower-case: the same set as the object-based port.
const { ALWAYS_DROPPED } = require('./reply-from.js')

/**
 * Adds the names a Connection value lists to `nominated` (created on first need) and returns it.
 * Names that are dropped anyway are not added, so the usual `keep-alive` costs no second walk.
 */
function addNominations(value, nominated) {
  const lower = value.toLowerCase()
  let start = 0
  while (start <= lower.length) {
    let end = lower.indexOf(',', start)
    if (end === -1) end = lower.length
    const token = lower.slice(start, end).trim()
    if (token.length !== 0 && !ALWAYS_DROPPED.has(token)) {
      if (nominated === null) nominated = new Set()
      nominated.add(token)
    }
    start = end + 1
  }
  return nominated
}

/** rawHeaders in, the forwarded lines out (a new flat array). */
function filterRaw(raw) {
  const length = raw.length
  const headers = []
  let nominated = null
  for (let i = 0; i < length; i += 2) {
    const name = raw[i]
    const lower = name.toLowerCase()
    if (ALWAYS_DROPPED.has(lower)) {
      if (lower === 'connection') nominated = addNominations(raw[i + 1], nominated)
      continue
    }
    const value = raw[i + 1]
    if (lower === 'te' && value !== 'trailers') continue
    headers.push(name, value)
  }
  if (nominated === null) return headers
  // A nomination may name a line that came before the Connection line: filter what was kept.
  const kept = []
  for (let i = 0; i < headers.length; i += 2) {
    if (!nominated.has(headers[i].toLowerCase())) kept.push(headers[i], headers[i + 1])
  }
  return kept
}

module.exports = { filterRaw, ALWAYS_DROPPED }
