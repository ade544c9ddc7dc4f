'use strict'

// The full hop-by-hop rules of this package (see /tmp/brief/spec.md and index.d.ts), written
// the way a performance-minded JS author would: no regular expressions, no per-call
// allocation except the output array and the strings a nomination forces us to lower-case,
// character codes compared in place, and cheap paths for messages that nominate nothing.
// It is the floor a pure-JS implementation can reach, and the benchmark holds the native
// package against it. Diagnostics are not computed (the package computes them lazily, too).

// ---------------------------------------------------------------------------------------------
// Character classes

/** tchar (RFC 9110 §5.6.2) as a lookup table; one load per character. */
const TCHAR = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  TCHAR[c] = /[0-9A-Za-z!#$%&'*+\-.^_`|~]/.test(ch) ? 1 : 0
}

/** ASCII lower-casing table; comparing through it is exact for every token character. */
const LOWER = new Uint8Array(128)
for (let c = 0; c < 128; c++) LOWER[c] = c >= 65 && c <= 90 ? c + 32 : c

const SP = 32
const HTAB = 9
const COMMA = 44
const DQUOTE = 34
const BACKSLASH = 92
const COLON = 58

/** Whether `s.slice(start, end)` is a token. */
function isTokenRange (s, start, end) {
  if (start >= end) return false
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c > 127 || TCHAR[c] === 0) return false
  }
  return true
}

/**
 * Whether `s.slice(start, end)` equals the lower-case literal `lower`, ignoring ASCII case.
 * `c | 0x20` is enough because every literal here is made of letters, '-' and '2', and no
 * other character maps onto those.
 */
function equalsLowerRange (s, start, end, lower) {
  if (end - start !== lower.length) return false
  for (let i = 0; i < lower.length; i++) {
    if ((s.charCodeAt(start + i) | 0x20) !== lower.charCodeAt(i)) return false
  }
  return true
}

/** Exact case-insensitive comparison of a token `name` with a lower-case token `lower`. */
function equalsToken (name, lower) {
  const length = lower.length
  if (name.length !== length) return false
  for (let i = 0; i < length; i++) {
    if (LOWER[name.charCodeAt(i)] !== lower.charCodeAt(i)) return false
  }
  return true
}

// ---------------------------------------------------------------------------------------------
// Header classification

const END_TO_END = 0
const CONNECTION = 1
const KEEP_ALIVE = 2
const TE = 3
const TRANSFER_ENCODING = 4
const UPGRADE = 5
const CONTENT_LENGTH = 6
const OTHER_HOP = 7 // Proxy-Connection, Trailer, Proxy-Authenticate, Proxy-Authorization, HTTP2-Settings
const PSEUDO = 8

/**
 * Kind of the token `s.slice(start, end)`. The length switch means most names are rejected
 * after one comparison of integers, and at most two literals are compared.
 */
function classifyRange (s, start, end) {
  const first = s.charCodeAt(start) | 0x20
  switch (end - start) {
    case 2:
      return equalsLowerRange(s, start, end, 'te') ? TE : END_TO_END
    case 7:
      if (first === 116 /* t */) return equalsLowerRange(s, start, end, 'trailer') ? OTHER_HOP : END_TO_END
      if (first === 117 /* u */) return equalsLowerRange(s, start, end, 'upgrade') ? UPGRADE : END_TO_END
      return END_TO_END
    case 10:
      if (first === 99 /* c */) return equalsLowerRange(s, start, end, 'connection') ? CONNECTION : END_TO_END
      if (first === 107 /* k */) return equalsLowerRange(s, start, end, 'keep-alive') ? KEEP_ALIVE : END_TO_END
      return END_TO_END
    case 14:
      if (first === 99 /* c */) return equalsLowerRange(s, start, end, 'content-length') ? CONTENT_LENGTH : END_TO_END
      if (first === 104 /* h */) return equalsLowerRange(s, start, end, 'http2-settings') ? OTHER_HOP : END_TO_END
      return END_TO_END
    case 16:
      return equalsLowerRange(s, start, end, 'proxy-connection') ? OTHER_HOP : END_TO_END
    case 17:
      return equalsLowerRange(s, start, end, 'transfer-encoding') ? TRANSFER_ENCODING : END_TO_END
    case 18:
      return equalsLowerRange(s, start, end, 'proxy-authenticate') ? OTHER_HOP : END_TO_END
    case 19:
      return equalsLowerRange(s, start, end, 'proxy-authorization') ? OTHER_HOP : END_TO_END
    default:
      return END_TO_END
  }
}

/** Kinds a nomination cannot add anything to, because the fixed rules remove them already. */
function alwaysRemoved (kind) {
  return kind !== END_TO_END && kind !== CONTENT_LENGTH
}

// ---------------------------------------------------------------------------------------------
// Errors and options

const HOP_BY_HOP_HEADERS = Object.freeze([
  'Keep-Alive', 'Proxy-Connection', 'TE', 'Trailer', 'Transfer-Encoding', 'Upgrade',
  'Proxy-Authenticate', 'Proxy-Authorization', 'HTTP2-Settings',
])
const DEFAULT_PROTECTED_HEADERS = Object.freeze([
  'Host', 'Content-Length', 'Forwarded', 'X-Forwarded-For', 'X-Forwarded-Host',
  'X-Forwarded-Proto', 'X-Forwarded-Port', 'X-Real-IP',
])

class HopByHopError extends Error {
  constructor (code, message) {
    super(message)
    this.name = 'HopByHopError'
    this.code = code
    this.statusCode = 400
  }
}

const VERSION_10 = 10
const VERSION_11 = 11
const VERSION_2 = 20

function parseVersion (version) {
  switch (version) {
    case undefined:
    case '1.1': return VERSION_11
    case '1.0': return VERSION_10
    case '2.0':
    case '2': return VERSION_2
    default: throw new RangeError(`options.httpVersion must be '1.0', '1.1', '2.0' or '2', got ${String(version)}`)
  }
}

function lowerNameList (list, option) {
  if (!Array.isArray(list)) throw new TypeError(`options.${option} must be an array of header names`)
  const out = []
  for (let i = 0; i < list.length; i++) {
    const name = list[i]
    if (typeof name !== 'string' || !isTokenRange(name, 0, name.length)) {
      throw new TypeError(`options.${option}[${i}] must be a header name`)
    }
    out.push(name.toLowerCase())
  }
  return out
}

const DEFAULT_PROTECT = DEFAULT_PROTECTED_HEADERS.map((name) => name.toLowerCase())
const NO_NAMES = []

/** Options, validated and reduced to what the filter reads. */
class Settings {
  constructor (options) {
    const o = options === undefined || options === null ? {} : options
    if (typeof o !== 'object') throw new TypeError('options must be an object')
    this.version = parseVersion(o.httpVersion)
    const direction = o.direction === undefined ? 'request' : o.direction
    if (direction !== 'request' && direction !== 'response') {
      throw new RangeError(`options.direction must be 'request' or 'response', got ${String(direction)}`)
    }
    this.response = direction === 'response'
    this.proxy = o.proxy === undefined ? true : Boolean(o.proxy)
    const status = o.statusCode
    if (status !== undefined && (!Number.isInteger(status) || status < 100 || status > 999)) {
      throw new RangeError('options.statusCode must be an integer from 100 to 999')
    }
    this.status = status === undefined ? -1 : status
    const method = o.requestMethod
    if (method !== undefined && typeof method !== 'string') throw new TypeError('options.requestMethod must be a string')
    this.head = method !== undefined && method.toUpperCase() === 'HEAD'
    this.connect = method !== undefined && method.toUpperCase() === 'CONNECT'
    this.strip = o.strip === undefined ? NO_NAMES : lowerNameList(o.strip, 'strip')
    this.protect = o.protect === undefined ? DEFAULT_PROTECT : lowerNameList(o.protect, 'protect')
    this.upgrade = Boolean(o.upgrade)
    this.strict = Boolean(o.strict)
  }
}

const DEFAULT_SETTINGS = new Settings(undefined)

// ---------------------------------------------------------------------------------------------
// Per-call state. One module-level scratch object: the filter is synchronous and never
// re-entered, so reusing it avoids allocating a state object on every call.

/** Kinds of the current message's lines, grown on demand. */
let kinds = new Uint8Array(64)

/** What the Connection lines said. */
const conn = {
  close: false,
  keepAlive: false,
  upgrade: false,
  /** Nominated names that the fixed rules do not already remove, lower-cased. */
  names: [],
}

function resetConnection () {
  conn.close = false
  conn.keepAlive = false
  conn.upgrade = false
  if (conn.names.length !== 0) conn.names = []
}

/** Index just past the list element starting at `start`: the next comma outside quotes. */
function elementEnd (value, start) {
  const length = value.length
  let quoted = false
  for (let i = start; i < length; i++) {
    const c = value.charCodeAt(i)
    if (quoted) {
      if (c === BACKSLASH) i++ // quoted-pair: skip the escaped character
      else if (c === DQUOTE) quoted = false
    } else if (c === COMMA) {
      return i
    } else if (c === DQUOTE) {
      quoted = true
    }
  }
  return length
}

function isOws (c) {
  return c === SP || c === HTAB
}

/** Records one Connection element (already trimmed and non-empty). */
function addConnectionOption (value, start, end, settings) {
  if (!isTokenRange(value, start, end)) {
    if (settings.strict) {
      throw new HopByHopError('ERR_HOP_BY_HOP_INVALID_TOKEN', `Connection option ${JSON.stringify(value.slice(start, end))} is not a token`)
    }
    return
  }
  const length = end - start
  // The three options with meaning of their own are recognised without allocating.
  if (length === 5 && equalsLowerRange(value, start, end, 'close')) {
    conn.close = true
    conn.names.push('close')
    return
  }
  if (length === 10 && equalsLowerRange(value, start, end, 'keep-alive')) {
    conn.keepAlive = true
    return // Keep-Alive is removed anyway
  }
  if (length === 7 && equalsLowerRange(value, start, end, 'upgrade')) {
    conn.upgrade = true
    return // Upgrade is removed or deliberately kept by the upgrade rules
  }
  if (alwaysRemoved(classifyRange(value, start, end))) return
  const name = value.slice(start, end).toLowerCase()
  if (settings.protect.includes(name)) {
    if (settings.strict) {
      throw new HopByHopError('ERR_HOP_BY_HOP_PROTECTED', `Connection nominates protected header ${name}`)
    }
    return
  }
  conn.names.push(name)
}

/** Parses one Connection field line into `conn`. */
function parseConnection (value, settings) {
  const length = value.length
  let start = 0
  while (start <= length) {
    const end = elementEnd(value, start)
    let s = start
    let e = end
    while (s < e && isOws(value.charCodeAt(s))) s++
    while (e > s && isOws(value.charCodeAt(e - 1))) e--
    if (s < e) addConnectionOption(value, s, e, settings)
    start = end + 1
  }
}

/** Whether a TE field line lists the `trailers` option. */
function hasTrailers (value) {
  const length = value.length
  let start = 0
  while (start <= length) {
    const end = elementEnd(value, start)
    let s = start
    let e = end
    while (s < e && isOws(value.charCodeAt(s))) s++
    while (e > s && isOws(value.charCodeAt(e - 1))) e--
    if (equalsLowerRange(value, s, e, 'trailers')) return true
    start = end + 1
  }
  return false
}

/**
 * Whether the final transfer coding so far is `chunked`: the last non-empty element of this
 * line decides, and a line without elements leaves `previous` standing (lines form one list).
 */
function lastCodingIsChunked (value, previous) {
  const length = value.length
  let start = 0
  let result = previous
  while (start <= length) {
    const end = elementEnd(value, start)
    let s = start
    let e = end
    while (s < e && isOws(value.charCodeAt(s))) s++
    while (e > s && isOws(value.charCodeAt(e - 1))) e--
    if (s < e) result = equalsLowerRange(value, s, e, 'chunked')
    start = end + 1
  }
  return result
}

/** Upgrade protocols must be printable ASCII, so they cannot smuggle control characters. */
function isPrintable (value) {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) return false
  }
  return true
}

// ---------------------------------------------------------------------------------------------
// Name lists: a few names are compared in place, many go through a Set so that a Connection
// with 10,000 options stays linear.

const SET_THRESHOLD = 8

function nameMatcher (names) {
  return names.length > SET_THRESHOLD ? new Set(names) : null
}

function listed (name, names, set) {
  if (set !== null) return set.has(name.toLowerCase())
  for (let i = 0; i < names.length; i++) {
    if (equalsToken(name, names[i])) return true
  }
  return false
}

// ---------------------------------------------------------------------------------------------
// The filter

/** First pass: type and token checks, kinds of every line. Returns a bit set of kinds seen. */
function classifyAll (raw, count, settings) {
  if (kinds.length < count) kinds = new Uint8Array(Math.max(count, kinds.length * 2))
  let seen = 0
  for (let i = 0; i < count; i++) {
    const name = raw[2 * i]
    if (typeof name !== 'string') throw new TypeError(`rawHeaders[${2 * i}] must be a string`)
    if (typeof raw[2 * i + 1] !== 'string') throw new TypeError(`rawHeaders[${2 * i + 1}] must be a string`)
    let kind
    if (isTokenRange(name, 0, name.length)) {
      kind = classifyRange(name, 0, name.length)
    } else if (settings.version === VERSION_2 && name.charCodeAt(0) === COLON && isTokenRange(name, 1, name.length)) {
      kind = PSEUDO
    } else {
      throw new TypeError(`rawHeaders[${2 * i}] is not a valid header name: ${JSON.stringify(name)}`)
    }
    kinds[i] = kind
    seen |= 1 << kind
  }
  return seen
}

/** Whether a response has a length of its own, so the connection need not close (RFC 9112 §6.3). */
function selfDelimited (settings, hasLength, chunked) {
  const status = settings.status
  return hasLength || chunked || (status >= 100 && status < 200) || status === 204 ||
    status === 304 || settings.head || (settings.connect && status >= 200 && status < 300)
}

function filterHeaders (raw, options) {
  if (!Array.isArray(raw)) throw new TypeError('rawHeaders must be an array')
  const length = raw.length
  if ((length & 1) !== 0) throw new RangeError(`rawHeaders must have an even length, got ${length}`)
  const settings = options === undefined ? DEFAULT_SETTINGS : new Settings(options)
  const count = length >>> 1
  const seen = classifyAll(raw, count, settings)
  const response = settings.response

  // Connection, TE, Transfer-Encoding, Content-Length and Upgrade facts, only when present.
  resetConnection()
  let trailersAt = -1
  let chunked = false
  let upgradeValue = null
  if ((seen & ((1 << CONNECTION) | (1 << TE) | (1 << TRANSFER_ENCODING) | (1 << UPGRADE))) !== 0) {
    for (let i = 0; i < count; i++) {
      switch (kinds[i]) {
        case CONNECTION: parseConnection(raw[2 * i + 1], settings); break
        case TE: if (!response && trailersAt < 0 && hasTrailers(raw[2 * i + 1])) trailersAt = i; break
        case TRANSFER_ENCODING: chunked = lastCodingIsChunked(raw[2 * i + 1], chunked); break
        case UPGRADE: if (upgradeValue === null) upgradeValue = raw[2 * i + 1]; break
      }
    }
  }
  const hasTransferEncoding = (seen & (1 << TRANSFER_ENCODING)) !== 0
  const hasLength = (seen & (1 << CONTENT_LENGTH)) !== 0
  const ambiguous = hasTransferEncoding && hasLength
  if (ambiguous && settings.strict) {
    throw new HopByHopError('ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH', 'Transfer-Encoding and Content-Length together')
  }

  // Upgrade: a request needs HTTP/1.1+, the `upgrade` option and an Upgrade field; a 101
  // response only the field.
  let upgrade = null
  if (upgradeValue !== null &&
      (response ? settings.status === 101 : settings.version !== VERSION_10 && conn.upgrade)) {
    if (!isPrintable(upgradeValue)) {
      throw new HopByHopError('ERR_HOP_BY_HOP_INVALID_UPGRADE', 'Upgrade protocol is not printable ASCII')
    }
    upgrade = upgradeValue
  }
  const keepUpgrade = upgrade !== null && (response || settings.upgrade)

  const keepAlive = decideKeepAlive(settings, hasTransferEncoding, hasLength, chunked)
  const headers = collect(raw, count, settings, trailersAt, keepUpgrade, ambiguous)
  if (keepUpgrade) headers.push('Connection', 'upgrade')
  return { headers, keepAlive, upgrade }
}

function decideKeepAlive (settings, hasTransferEncoding, hasLength, chunked) {
  if (conn.close) return false
  if (hasTransferEncoding && (settings.version === VERSION_10 || hasLength)) return false
  if (settings.response && settings.status !== -1 && !selfDelimited(settings, hasLength, chunked)) return false
  if (settings.version !== VERSION_10) return true
  return conn.keepAlive && (!settings.proxy || settings.response)
}

/** Second pass: the end-to-end lines, in order, as the same strings. */
function collect (raw, count, settings, trailersAt, keepUpgrade, dropLength) {
  const nominated = conn.names
  const strip = settings.strip
  const checkNames = nominated.length !== 0 || strip.length !== 0
  const nominatedSet = checkNames ? nameMatcher(nominated) : null
  const stripSet = checkNames ? nameMatcher(strip) : null
  const headers = []
  for (let i = 0; i < count; i++) {
    const kind = kinds[i]
    const name = raw[2 * i]
    if (kind === END_TO_END || kind === CONTENT_LENGTH) {
      if (kind === CONTENT_LENGTH && dropLength) continue
      if (checkNames && (listed(name, nominated, nominatedSet) || listed(name, strip, stripSet))) continue
      headers.push(name, raw[2 * i + 1])
    } else if (kind === TE) {
      if (i === trailersAt) headers.push(name, 'trailers')
    } else if (kind === UPGRADE) {
      if (keepUpgrade) headers.push(name, raw[2 * i + 1])
    }
  }
  return headers
}

module.exports = { filterHeaders, HopByHopError, HOP_BY_HOP_HEADERS, DEFAULT_PROTECTED_HEADERS }
