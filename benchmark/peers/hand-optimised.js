'use strict'

// The full hop-by-hop rules of this package (see /tmp/brief/spec.md and index.d.ts), written
// the way a performance-minded JS author would: no regular expressions, no per-call
// allocation except the output array and the strings a nomination forces us to lower-case,
// character codes compared in place, and cheap paths for messages that nominate nothing.
// It is the floor a pure-JS implementation can reach, and the benchmark holds the native
// package against it. Diagnostics are not computed (the package computes them lazily, too).

// ---------------------------------------------------------------------------------------------
// Character classes

/**
 * tchar (RFC 9110 §5.6.2) as a lookup table over every UTF-16 code unit, so the hot loop needs
 * no range check before the load (64 KiB, of which only the first line is ever touched).
 */
const TCHAR = new Uint8Array(65536)
for (let c = 0; c < 128; c++) {
  TCHAR[c] = /[0-9A-Za-z!#$%&'*+\-.^_`|~]/.test(String.fromCharCode(c)) ? 1 : 0
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

/**
 * Whether `s.slice(start, end)` is a token. Validation is the largest cost of a JS filter
 * (V8's charCodeAt costs a few ns per character), so the loop takes four characters per step
 * and tests them with one branch.
 */
function isTokenRange(s, start, end) {
  if (start >= end) return false
  let i = start
  for (; i + 3 < end; i += 4) {
    if ((TCHAR[s.charCodeAt(i)] & TCHAR[s.charCodeAt(i + 1)] & TCHAR[s.charCodeAt(i + 2)] & TCHAR[s.charCodeAt(i + 3)]) === 0) return false
  }
  for (; i < end; i++) {
    if (TCHAR[s.charCodeAt(i)] === 0) return false
  }
  return true
}

/**
 * Whether `s.slice(start, end)` equals the lower-case literal `lower`, ignoring ASCII case.
 * `c | 0x20` is enough because every literal here is made of letters, '-' and '2', and no
 * other character maps onto those.
 */
function equalsLowerRange(s, start, end, lower) {
  if (end - start !== lower.length) return false
  for (let i = 0; i < lower.length; i++) {
    if ((s.charCodeAt(start + i) | 0x20) !== lower.charCodeAt(i)) return false
  }
  return true
}

/** Exact case-insensitive comparison of a token `name` with a lower-case token `lower`. */
function equalsToken(name, lower) {
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
function classifyRange(s, start, end) {
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
      return first === 112 /* p */ && equalsLowerRange(s, start, end, 'proxy-connection') ? OTHER_HOP : END_TO_END
    case 17:
      return first === 116 /* t */ && equalsLowerRange(s, start, end, 'transfer-encoding') ? TRANSFER_ENCODING : END_TO_END
    case 18:
      return first === 112 /* p */ && equalsLowerRange(s, start, end, 'proxy-authenticate') ? OTHER_HOP : END_TO_END
    case 19:
      return first === 112 /* p */ && equalsLowerRange(s, start, end, 'proxy-authorization') ? OTHER_HOP : END_TO_END
    default:
      return END_TO_END
  }
}

/** Kinds a nomination cannot add anything to, because the fixed rules remove them already. */
function alwaysRemoved(kind) {
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

/** A TypeError/RangeError with a Node-style `code`, as the package throws. */
function codedError(ErrorClass, code, message) {
  const error = new ErrorClass(message)
  error.code = code
  return error
}

class HopByHopError extends Error {
  constructor(code, message) {
    super(message)
    this.name = 'HopByHopError'
    this.code = code
    this.statusCode = 400
  }
}

const VERSION_10 = 10
const VERSION_11 = 11
const VERSION_2 = 20

function parseVersion(version, where = 'options.httpVersion') {
  if (version !== undefined && typeof version !== 'string') {
    throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `${where} must be a string`)
  }
  switch (version) {
    case undefined:
    case '1.1': return VERSION_11
    case '1.0': return VERSION_10
    case '2.0':
    case '2': return VERSION_2
    default: throw codedError(RangeError, 'ERR_INVALID_ARG_VALUE', `${where} must be '1.0', '1.1', '2.0' or '2', got ${version}`)
  }
}

function lowerNameList(list, option) {
  if (!Array.isArray(list)) throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `options.${option} must be an array of header names`)
  const out = []
  for (let i = 0; i < list.length; i++) {
    const name = list[i]
    if (typeof name !== 'string') throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `options.${option}[${i}] must be a string`)
    if (!isTokenRange(name, 0, name.length)) {
      throw codedError(TypeError, 'ERR_INVALID_HTTP_TOKEN', `options.${option}[${i}] is not a header name`)
    }
    out.push(name.toLowerCase())
  }
  return out
}

const DEFAULT_PROTECT = DEFAULT_PROTECTED_HEADERS.map((name) => name.toLowerCase())
const NO_NAMES = []

function booleanOption(o, name, fallback) {
  const value = o[name]
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `options.${name} must be a boolean`)
  return value
}

/** Options reduced to what the filter reads. Cheap to construct: no validation here. */
class Settings {
  constructor(version, response, status, head, connect, proxy, upgrade, strict, strip, protect) {
    this.version = version
    this.response = response
    this.status = status // -1 when unknown
    this.head = head
    this.connect = connect
    this.proxy = proxy
    this.upgrade = upgrade
    this.strict = strict
    this.strip = strip
    this.protect = protect
    // Whether `protect` names a field the fixed rules remove anyway. Only then do options such
    // as keep-alive and upgrade need a protect lookup: a nominated protected name is still an
    // error in strict mode, even when the fixed rules remove that field regardless.
    this.protectsHopByHop = protect !== DEFAULT_PROTECT &&
      protect.some((name) => alwaysRemoved(classifyRange(name, 0, name.length)))
  }

  /** The same options for another message: version, direction and response facts replaced. */
  forMessage(version, response, status, head, connect) {
    return new Settings(version, response, status, head, connect, this.proxy, this.upgrade,
      this.strict, this.strip, this.protect)
  }
}

function parseStatus(status, where) {
  if (status === undefined || status === null) return -1
  if (typeof status !== 'number') throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `${where} must be a number`)
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw codedError(RangeError, 'ERR_OUT_OF_RANGE', `${where} must be an integer from 100 to 999`)
  }
  return status
}

function parseMethod(method, where) {
  if (method !== undefined && method !== null && typeof method !== 'string') {
    throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `${where} must be a string`)
  }
  return method
}

/** Validates an options object, in the package's order, and reduces it to Settings. */
function settingsFrom(options) {
  const o = options === undefined || options === null ? {} : options
  if (typeof o !== 'object') throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', 'options must be an object')
  const direction = o.direction === undefined ? 'request' : o.direction
  if (direction !== 'request' && direction !== 'response') {
    throw codedError(RangeError, 'ERR_INVALID_ARG_VALUE', `options.direction must be 'request' or 'response', got ${String(direction)}`)
  }
  const strip = o.strip === undefined ? NO_NAMES : lowerNameList(o.strip, 'strip')
  const protect = o.protect === undefined ? DEFAULT_PROTECT : lowerNameList(o.protect, 'protect')
  const proxy = booleanOption(o, 'proxy', true)
  const upgrade = booleanOption(o, 'upgrade', false)
  const strict = booleanOption(o, 'strict', false)
  const method = parseMethod(o.requestMethod, 'options.requestMethod')
  const version = parseVersion(o.httpVersion)
  const status = parseStatus(o.statusCode, 'options.statusCode')
  // Methods are case-sensitive (RFC 9110 §9.1).
  return new Settings(version, direction === 'response', status, method === 'HEAD',
    method === 'CONNECT', proxy, upgrade, strict, strip, protect)
}

const DEFAULT_SETTINGS = settingsFrom(undefined)
// filterRequest(req) without options: one ready Settings per version, so the call allocates none.
const REQUEST_DEFAULTS = new Map([VERSION_10, VERSION_11, VERSION_2].map((v) => [v, DEFAULT_SETTINGS.forMessage(v, false, -1, false, false)]))

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
  /** The Connection line last lower-cased, and its lower-case form. */
  lowerSource: null,
  lowerValue: null,
}

function resetConnection() {
  conn.close = false
  conn.keepAlive = false
  conn.upgrade = false
  if (conn.names.length !== 0) conn.names = []
  conn.lowerSource = null
  conn.lowerValue = null
}

/** Index just past the list element starting at `start`: the next comma outside quotes. */
function elementEnd(value, start) {
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

function isOws(c) {
  return c === SP || c === HTAB
}

/** Records one Connection element (already trimmed and non-empty). */
function addConnectionOption(value, start, end, settings) {
  if (!isTokenRange(value, start, end)) {
    if (settings.strict) {
      throw new HopByHopError('ERR_HOP_BY_HOP_INVALID_TOKEN', `Connection option ${JSON.stringify(value.slice(start, end))} is not a token`)
    }
    return
  }
  const length = end - start
  const kind = classifyRange(value, start, end)
  if (alwaysRemoved(kind)) {
    // keep-alive and upgrade (and any other fixed name) need no nomination: those lines go, or
    // stay by the upgrade rules, anyway. Recognised in place, without allocating.
    if (kind === KEEP_ALIVE) conn.keepAlive = true
    else if (kind === UPGRADE) conn.upgrade = true
    if (settings.protectsHopByHop) checkProtected(value.slice(start, end).toLowerCase(), settings)
    return
  }
  let name
  if (length === 5 && equalsLowerRange(value, start, end, 'close')) {
    conn.close = true
    name = 'close' // it also nominates a field called Close, like any other option
  } else {
    // Lower-case the whole line once, then slice: one allocation per option instead of two.
    // Only valid while indices line up: lower-casing some non-ASCII characters ('İ') lengthens
    // the string, and then each option is lower-cased on its own.
    if (conn.lowerSource !== value) {
      conn.lowerSource = value
      const lower = value.toLowerCase()
      conn.lowerValue = lower.length === value.length ? lower : null
    }
    name = conn.lowerValue !== null ? conn.lowerValue.slice(start, end) : value.slice(start, end).toLowerCase()
  }
  if (!checkProtected(name, settings)) conn.names.push(name)
}

/** Whether a nominated name is protected; in strict mode that is an error. */
function checkProtected(name, settings) {
  if (!settings.protect.includes(name)) return false
  if (settings.strict) {
    throw new HopByHopError('ERR_HOP_BY_HOP_PROTECTED', `Connection nominates protected header ${name}`)
  }
  return true
}

/** Parses one Connection field line into `conn`. */
function parseConnection(value, settings) {
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

/** End of the coding name in an element: before any `;parameters` and the OWS preceding them. */
function codingEnd(value, start, end) {
  let e = start
  while (e < end && value.charCodeAt(e) !== 59 /* ; */) e++
  while (e > start && isOws(value.charCodeAt(e - 1))) e--
  return e
}

/** Whether a TE field line lists the `trailers` option (parameters ignored, as in `trailers;q=1`). */
function hasTrailers(value) {
  const length = value.length
  let start = 0
  while (start <= length) {
    const end = elementEnd(value, start)
    let s = start
    let e = end
    while (s < e && isOws(value.charCodeAt(s))) s++
    while (e > s && isOws(value.charCodeAt(e - 1))) e--
    if (equalsLowerRange(value, s, codingEnd(value, s, e), 'trailers')) return true
    start = end + 1
  }
  return false
}

/**
 * Whether the final transfer coding so far is `chunked`: the last non-empty element of this
 * line decides, and a line without elements leaves `previous` standing (lines form one list).
 */
function lastCodingIsChunked(value, previous) {
  const length = value.length
  let start = 0
  let result = previous
  while (start <= length) {
    const end = elementEnd(value, start)
    let s = start
    let e = end
    while (s < e && isOws(value.charCodeAt(s))) s++
    while (e > s && isOws(value.charCodeAt(e - 1))) e--
    if (s < e) result = equalsLowerRange(value, s, codingEnd(value, s, e), 'chunked')
    start = end + 1
  }
  return result
}

/**
 * Upgrade protocols must be printable ASCII (SP and HTAB allowed between list members) and not
 * blank, so that they cannot smuggle control characters to the next hop.
 */
function isPrintable(value) {
  let blank = true
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === HTAB || c === SP) continue
    if (c < 0x20 || c > 0x7e) return false
    blank = false
  }
  return !blank
}

// ---------------------------------------------------------------------------------------------
// Name lists: a few names are compared in place, many go through a Set so that a Connection
// with 10,000 options stays linear.

const SET_THRESHOLD = 8

function nameMatcher(names) {
  return names.length > SET_THRESHOLD ? new Set(names) : null
}

function listed(name, names, set) {
  if (set !== null) return set.has(name.toLowerCase())
  for (let i = 0; i < names.length; i++) {
    if (equalsToken(name, names[i])) return true
  }
  return false
}

// ---------------------------------------------------------------------------------------------
// The filter

/** Facts of the current message gathered by `scanLines`, reset on every call. */
const scan = {
  seen: 0, // bit set of the kinds present
  trailersAt: -1, // the TE line that carries `trailers`, if any
  chunked: false, // the final transfer coding so far is chunked
  upgradeLines: 0,
  upgradeValid: true,
}

/**
 * First pass, line by line: the name's type and token checks, its kind, and the values of the
 * few fields with connection semantics. Line by line, so that of two faults the earlier one is
 * reported, as the package does.
 */
function scanLines(raw, count, settings) {
  if (kinds.length < count) kinds = new Uint8Array(Math.max(count, kinds.length * 2))
  resetConnection()
  let seen = 0
  let trailersAt = -1
  let chunked = false
  let upgradeLines = 0
  let upgradeValid = true
  const response = settings.response
  for (let i = 0; i < count; i++) {
    const name = raw[2 * i]
    if (typeof name !== 'string') throw notAString(2 * i)
    let kind
    if (isTokenRange(name, 0, name.length)) {
      kind = classifyRange(name, 0, name.length)
    } else if (settings.version === VERSION_2 && name.charCodeAt(0) === COLON && isTokenRange(name, 1, name.length)) {
      kind = PSEUDO // RFC 9113 §8.3: stream metadata, never a field to forward
    } else {
      throw codedError(TypeError, 'ERR_INVALID_HTTP_TOKEN', `rawHeaders[${2 * i}] is not a valid header name: ${JSON.stringify(name)}`)
    }
    kinds[i] = kind
    seen |= 1 << kind
    if (kind === END_TO_END) continue
    switch (kind) {
      case CONNECTION:
        parseConnection(valueAt(raw, 2 * i + 1), settings)
        break
      case TE:
        if (!response && trailersAt < 0 && hasTrailers(valueAt(raw, 2 * i + 1))) trailersAt = i
        break
      case TRANSFER_ENCODING:
        chunked = lastCodingIsChunked(valueAt(raw, 2 * i + 1), chunked)
        break
      case UPGRADE:
        upgradeLines++
        if (upgradeValid && !isPrintable(valueAt(raw, 2 * i + 1))) upgradeValid = false
        break
    }
  }
  scan.seen = seen
  scan.trailersAt = trailersAt
  scan.chunked = chunked
  scan.upgradeLines = upgradeLines
  scan.upgradeValid = upgradeValid
}

function notAString(index) {
  return codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `rawHeaders[${index}] must be a string`)
}

/** A value the rules must read. */
function valueAt(raw, index) {
  const value = raw[index]
  if (typeof value !== 'string') throw notAString(index)
  return value
}

function filterHeaders(raw, options) {
  return filterWith(raw, options === undefined ? DEFAULT_SETTINGS : settingsFrom(options))
}

function messageOf(message, name) {
  if (message === null || typeof message !== 'object') {
    throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', `${name} must be an IncomingMessage-like object`)
  }
  return message
}

/** Like the package's filterRequest: version from `req.httpVersion`, direction request. */
function filterRequest(req, options) {
  messageOf(req, 'req')
  const base = options === undefined ? DEFAULT_SETTINGS : settingsFrom(options)
  const version = req.httpVersion === undefined ? base.version : parseVersion(req.httpVersion, 'req.httpVersion')
  const settings = options === undefined
    ? REQUEST_DEFAULTS.get(version)
    : base.forMessage(version, false, base.status, base.head, base.connect)
  return filterWith(req.rawHeaders, settings)
}

/**
 * Like the package's filterResponse: version and status from the message, the request method
 * from `options.requestMethod` or else `res.req.method`.
 */
function filterResponse(res, options) {
  messageOf(res, 'res')
  const base = options === undefined ? DEFAULT_SETTINGS : settingsFrom(options)
  const status = res.statusCode === undefined ? base.status : parseStatus(res.statusCode, 'res.statusCode')
  let head = base.head
  let connect = base.connect
  if (options === undefined || options.requestMethod === undefined) {
    const method = parseMethod(res.req === undefined || res.req === null ? undefined : res.req.method, 'res.req.method')
    head = method === 'HEAD'
    connect = method === 'CONNECT'
  }
  const version = res.httpVersion === undefined ? base.version : parseVersion(res.httpVersion, 'res.httpVersion')
  return filterWith(res.rawHeaders, base.forMessage(version, true, status, head, connect))
}

function filterWith(raw, settings) {
  if (!Array.isArray(raw)) throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE', 'rawHeaders must be an array')
  const length = raw.length
  if ((length & 1) !== 0) throw codedError(RangeError, 'ERR_INVALID_ARG_VALUE', `rawHeaders must have an even length, got ${length}`)
  const count = length >>> 1
  scanLines(raw, count, settings)
  const { seen, trailersAt, chunked, upgradeLines, upgradeValid } = scan
  const response = settings.response
  const hasTransferEncoding = (seen & (1 << TRANSFER_ENCODING)) !== 0
  const hasLength = (seen & (1 << CONTENT_LENGTH)) !== 0
  // RFC 9112 §6.1: with both, Content-Length must go and the connection must close.
  const ambiguous = hasTransferEncoding && hasLength
  if (ambiguous && settings.strict) {
    throw new HopByHopError('ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH', 'Transfer-Encoding and Content-Length together')
  }

  // Upgrade (RFC 9110 §7.8): HTTP/1.1 only (HTTP/2 has none); a request needs the `upgrade`
  // option and an Upgrade field, a response status 101 and the field.
  const isUpgrade = upgradeLines !== 0 && settings.version === VERSION_11 &&
    (response ? settings.status === 101 : conn.upgrade)
  if (isUpgrade && !upgradeValid) {
    throw new HopByHopError('ERR_HOP_BY_HOP_INVALID_UPGRADE', 'Upgrade protocol is not printable ASCII')
  }
  // A stripped name is removed even where a rule would keep it (a forwarded Upgrade, TE: trailers).
  const keepUpgrade = isUpgrade && !settings.strip.includes('upgrade') && (response || settings.upgrade)
  const teLine = settings.strip.includes('te') ? -1 : trailersAt

  const keepAlive = decideKeepAlive(settings, hasTransferEncoding, hasLength, chunked)
  const headers = collect(raw, count, settings, teLine, keepUpgrade, ambiguous)
  if (keepUpgrade) headers.push('Connection', 'upgrade')
  const upgrade = isUpgrade ? upgradeProtocol(raw, count, upgradeLines) : null
  return { headers, keepAlive, upgrade }
}

/** The Upgrade lines, as one list (RFC 9110 §5.3): the very string when there is one line. */
function upgradeProtocol(raw, count, lines) {
  let protocol = null
  for (let i = 0; i < count; i++) {
    if (kinds[i] !== UPGRADE) continue
    if (lines === 1) return raw[2 * i + 1]
    protocol = protocol === null ? raw[2 * i + 1] : protocol + ', ' + raw[2 * i + 1]
  }
  return protocol
}

/** Whether the connection the message arrived on may carry another message (RFC 9112 §9.3). */
function decideKeepAlive(settings, hasTransferEncoding, hasLength, chunked) {
  if (conn.close) return false
  // HTTP/2 frames its messages itself and manages the connection without these fields.
  if (settings.version === VERSION_2) return true
  if (hasTransferEncoding) {
    // HTTP/1.0 has no Transfer-Encoding, and with Content-Length it is a smuggling vector.
    if (settings.version === VERSION_10 || hasLength) return false
    // RFC 9112 §6.3 (4): chunked not final means a request is an error and a response body
    // runs to close — unless §6.3 (1) says the response has no body at all.
    if (!chunked && !responseHasNoBody(settings)) return false
  }
  if (settings.response && settings.status !== -1 && !responseLengthKnown(settings, hasTransferEncoding, hasLength)) return false
  if (settings.version === VERSION_11) return true
  // RFC 9112 §9.3: a proxy must not keep a persistent connection with an HTTP/1.0 client.
  return conn.keepAlive && (!settings.proxy || settings.response)
}

/** RFC 9112 §6.3 (1): a response to HEAD, a 1xx, 204 or 304 ends with its header section. */
function responseHasNoBody(settings) {
  const status = settings.status
  return settings.response && status !== -1 &&
    (settings.head || (status >= 100 && status < 200) || status === 204 || status === 304)
}

/** RFC 9112 §6.3: whether the response ends without the server closing the connection. */
function responseLengthKnown(settings, hasTransferEncoding, hasLength) {
  const status = settings.status
  // A 2xx to CONNECT turns the connection into a tunnel: no further HTTP messages.
  if (settings.connect && status >= 200 && status < 300) return false
  // With Transfer-Encoding present, the caller returned already unless chunked is final or
  // there is no body.
  return responseHasNoBody(settings) || hasTransferEncoding || hasLength
}

/** Second pass: the end-to-end lines, in order, as the same strings. */
function collect(raw, count, settings, trailersAt, keepUpgrade, dropLength) {
  const nominated = conn.names
  const strip = settings.strip
  const checkNames = nominated.length !== 0 || strip.length !== 0
  const nominatedSet = checkNames ? nameMatcher(nominated) : null
  const stripSet = checkNames ? nameMatcher(strip) : null
  const headers = []
  for (let i = 0; i < count; i++) {
    const kind = kinds[i]
    const name = raw[2 * i]
    const value = raw[2 * i + 1]
    if (typeof value !== 'string') throw notAString(2 * i + 1)
    if (kind === END_TO_END || kind === CONTENT_LENGTH) {
      if (kind === CONTENT_LENGTH && dropLength) continue
      if (checkNames && (listed(name, nominated, nominatedSet) || listed(name, strip, stripSet))) continue
      headers.push(name, value)
    } else if (kind === TE) {
      if (i === trailersAt) headers.push(name, 'trailers')
    } else if (kind === UPGRADE) {
      if (keepUpgrade) headers.push(name, value)
    }
  }
  return headers
}

module.exports = { filterHeaders, filterRequest, filterResponse, HopByHopError, HOP_BY_HOP_HEADERS, DEFAULT_PROTECTED_HEADERS }
