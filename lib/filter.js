'use strict'
// The JavaScript half of the filter: validates options, crosses into Rust once per message, and
// builds the output array from the caller's own strings. The rules live in src/.

const { IncomingMessage } = require('node:http')
const { inspect } = require('node:util')
const N = require('./native.js')
const { HopByHopError, invalidArgType, invalidArgValue, outOfRange, invalidHeaderName } = require('./errors.js')
const { FILTER_OPTIONS, checkOptions, booleanOption } = require('./options.js')
const { native } = N

/** Fixed hop-by-hop names (src/names.rs HOP_BY_HOP_HEADERS). */
const HOP_BY_HOP_HEADERS = Object.freeze([
  'Keep-Alive',
  'Proxy-Connection',
  'TE',
  'Trailer',
  'Transfer-Encoding',
  'Upgrade',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'HTTP2-Settings',
])

/** Default protect list (src/names.rs DEFAULT_PROTECTED_HEADERS). */
const DEFAULT_PROTECTED_HEADERS = Object.freeze([
  'Host',
  'Content-Length',
  'Forwarded',
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Forwarded-Proto',
  'X-Forwarded-Port',
  'X-Real-IP',
])

// Spreading is the cheapest way across the boundary, but every spread argument takes stack:
// beyond this many elements, or when the stack is too short for them, the array entry point
// reads the elements one by one instead.
const MAX_SPREAD_ELEMENTS = 65536

// Node's HTTP/1 parser keeps at most `maxHeadersCount << 1` elements of a head (default 1000
// lines; 0 or less: no limit) and silently drops the rest, framing and Connection included: the
// server on Node 20 (22 and later answer 431 themselves), the client on every line. Node 20 cuts
// in batches of 31 lines and Node 22+'s client at exactly the limit, so a cut head can be exactly
// limit long: a head that reaches the limit is refused as one that may be cut.
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

function truncatedHead(where, length, limit, statusCode) {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_HEAD_TRUNCATED',
    `${where}.rawHeaders has ${length} elements, at or over the ${limit} (maxHeadersCount ${limit >>> 1}) that Node's parser keeps of a head: lines past the limit may have been dropped, framing included`,
    statusCode,
  )
}

/** RFC 9110 §15.5.20: a request head Node may have cut is refused with 431. */
function assertWholeRequestHead(req, flags) {
  if ((flags & N.VERSION_HTTP2) !== 0 || !Array.isArray(req.rawHeaders)) return
  const limit = parserHeadLimit(req.socket) ?? nodeHeadLimit(req.socket?.server?.maxHeadersCount)
  if (req.rawHeaders.length >= limit) throw truncatedHead('req', req.rawHeaders.length, limit, 431)
}

/** RFC 9110 §15.6.3: an upstream response head Node may have cut is answered with 502. */
function assertWholeResponseHead(res, flags) {
  if ((flags & N.VERSION_HTTP2) !== 0 || !Array.isArray(res.rawHeaders)) return
  const limit = parserHeadLimit(res.socket) ?? nodeHeadLimit(res.req?.maxHeadersCount)
  if (res.rawHeaders.length >= limit) throw truncatedHead('res', res.rawHeaders.length, limit, 502)
}

let scratch = useScratch(new Uint8Array(256))

function useScratch(buffer) {
  if (native.setScratch(buffer) !== buffer.length) throw new Error('hop-by-hop: internal error (cannot register the scratch buffer)')
  return buffer
}

function ensureScratch(headerCount) {
  if (headerCount > scratch.length) scratch = useScratch(new Uint8Array(Math.max(headerCount, scratch.length * 2)))
}

function versionBits(httpVersion, where) {
  switch (httpVersion) {
    case undefined:
    case '1.1':
      return N.VERSION_HTTP11
    case '1.0':
      return N.VERSION_HTTP10
    case '2.0':
    case '2':
      return N.VERSION_HTTP2
  }
  if (typeof httpVersion !== 'string') throw invalidArgType(where, "of type string (such as '1.1')", httpVersion)
  throw invalidArgValue(where, httpVersion, "must be '1.0', '1.1', '2.0' or '2'")
}

function statusBits(statusCode, where) {
  if (statusCode === undefined || statusCode === null) return 0
  if (typeof statusCode !== 'number') throw invalidArgType(where, 'of type number', statusCode)
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 999) throw outOfRange(where, 'an integer from 100 to 999', statusCode)
  return statusCode << N.STATUS_SHIFT
}

function methodBits(method, where) {
  if (method === undefined || method === null) return 0
  if (typeof method !== 'string') throw invalidArgType(where, 'of type string', method)
  // Methods are case-sensitive (RFC 9110 §9.1).
  if (method === 'HEAD') return N.METHOD_HEAD
  if (method === 'CONNECT') return N.METHOD_CONNECT
  return 0
}

function listOption(options, name) {
  const value = options[name]
  if (value === undefined) return undefined
  if (!Array.isArray(value)) throw invalidArgType(`options.${name}`, 'an array of header names', value)
  return value.slice()
}

/**
 * Options turned into the flag word and name lists once. `version` and `status` are kept apart
 * because filterRequest/filterResponse take them from the message. `where` names the public
 * function in the message of an unknown option: a misspelt `strict` or `protect` would otherwise
 * silently weaken the filter.
 */
class Compiled {
  constructor(options, where) {
    if (options === undefined) options = {}
    else checkOptions(options, FILTER_OPTIONS, where)
    const direction = options.direction === undefined ? 'request' : options.direction
    if (direction !== 'request' && direction !== 'response') throw invalidArgValue('options.direction', direction, "must be 'request' or 'response'")
    this.strip = listOption(options, 'strip')
    this.protect = listOption(options, 'protect')
    this.lists = this.strip !== undefined || this.protect !== undefined
    this.flags =
      (direction === 'response' ? N.RESPONSE : 0) |
      (booleanOption(options, 'proxy', true) ? N.PROXY : 0) |
      (booleanOption(options, 'upgrade', false) ? N.UPGRADE : 0) |
      (booleanOption(options, 'strict', false) ? N.STRICT : 0) |
      (this.lists ? N.LISTS : 0) |
      methodBits(options.requestMethod, 'options.requestMethod')
    this.version = versionBits(options.httpVersion, 'options.httpVersion')
    this.status = statusBits(options.statusCode, 'options.statusCode')
    this.requestMethod = options.requestMethod
  }
}

const EMPTY = Object.freeze([])
const DEFAULTS = new Compiled(undefined)

function callNative(lines, flags, compiled) {
  if (lines.length <= MAX_SPREAD_ELEMENTS) {
    try {
      return compiled.lists
        ? native.filter(flags, compiled.strip, compiled.protect, ...lines)
        : native.filter(flags, ...lines)
    } catch (error) {
      // V8 reports a spread that does not fit on the stack as a RangeError; the native code
      // itself never throws one.
      if (!(error instanceof RangeError)) throw error
    }
  }
  return compiled.lists
    ? native.filterArray(flags, compiled.strip, compiled.protect, lines)
    : native.filterArray(flags, lines)
}

/** `where` names the array in errors: "rawHeaders", "req.rawHeaders" or "res.rawHeaders". */
function run(rawHeaders, flags, compiled, where) {
  if (!Array.isArray(rawHeaders)) throw invalidArgType(where, 'an instance of Array', rawHeaders)
  if ((rawHeaders.length & 1) !== 0) {
    throw invalidArgValue(where, rawHeaders, `must hold name, value pairs (an even length; this one has length ${rawHeaders.length})`)
  }
  // One read of every element: Rust validates the very strings the output is built from, even
  // when the array has getters that answer differently on each read. The copy also stays as the
  // snapshot that lazy diagnostics read.
  return runLines(rawHeaders.slice(), flags, compiled, where)
}

/** Filters `lines`, the caller's array already copied, with Rust reading every name. */
function runLines(lines, flags, compiled, where) {
  ensureScratch(lines.length >>> 1)
  const verdict = callNative(lines, flags, compiled)
  if (verdict < 0) throw errorFor(verdict, lines, compiled, (flags & N.RESPONSE) !== 0 ? 502 : 400, where)
  const upgrade = (verdict & N.IS_UPGRADE) !== 0 ? upgradeProtocol(lines) : null
  const unchanged = (verdict & N.UNCHANGED) !== 0
  return new FilterResult(keptLines(lines, verdict, where), (verdict & N.KEEP_ALIVE) !== 0, upgrade, unchanged ? null : lines, flags, compiled)
}

// Names that Node's HTTP/1 parser hands over are tokens: llhttp refuses any other byte in a field
// name (RFC 9110 §5.1), with or without insecureHTTPParser, so an http.IncomingMessage needs no
// per-byte name check. A line matters to the rules only when its name is one of GATED_NAMES or a
// Connection line nominates it (RFC 9110 §7.6.1); the rest are end-to-end and kept. So Rust gets
// only the lines that pass a gate on (name length, first letter) or have the length of a
// nominated name, and JavaScript keeps the others without reading their characters. Every other
// case (another object, strip/protect lists, HTTP/2 with its pseudo-headers, any error) takes the
// path above, where Rust reads and checks every name.

/**
 * The names whose lines must reach Rust when nothing else is nominated: Connection,
 * Content-Length (framing with Transfer-Encoding, RFC 9112 §6.1), Close (which `Connection:
 * close` nominates, RFC 9110 §7.6.1), and the fixed hop-by-hop names of src/names.rs.
 */
const GATED_NAMES = ['Connection', 'Content-Length', 'Close', ...HOP_BY_HOP_HEADERS]
const GATE_MAX_LENGTH = Math.max(...GATED_NAMES.map((name) => name.length))

/**
 * GATE[(length << 5) | (first code unit & 31)] is 1 for the gated names. `& 31` maps a letter's
 * capital and small forms alike; another character may land on a letter's slot, which only
 * passes a line that did not need to be passed.
 */
const GATE = new Uint8Array((GATE_MAX_LENGTH + 1) << 5)
for (const name of GATED_NAMES) GATE[(name.length << 5) | (name.charCodeAt(0) & 31)] = 1

/** Element index in `lines` of each line handed to Rust, in order. */
let gatedAt = new Int32Array(64)

/** filterRequest/filterResponse of a message from Node's parser. */
function runTrusted(message, flags, compiled, where) {
  const rawHeaders = message.rawHeaders
  if (!Array.isArray(rawHeaders) || (rawHeaders.length & 1) !== 0 || compiled.lists || (flags & N.VERSION_HTTP2) !== 0) {
    return run(rawHeaders, flags, compiled, where)
  }
  const lines = rawHeaders.slice()
  const length = lines.length
  if (gatedAt.length < length >>> 1) gatedAt = new Int32Array(length >>> 1)
  let count = 0
  for (let index = 0; index < length; index += 2) {
    const name = lines[index]
    // A message built by hand may hold anything: the full path reports it.
    if (typeof name !== 'string' || typeof lines[index + 1] !== 'string') return runLines(lines, flags, compiled, where)
    const size = name.length
    if (size <= GATE_MAX_LENGTH && GATE[(size << 5) | (name.charCodeAt(0) & 31)] === 1) gatedAt[count++] = index
  }
  // A message of a shape seen before gets Rust's answer from the table (see below).
  const shape = shapeCodes(lines, count, null)
  if (shape !== -1) {
    const known = knownShape(knownShapes, flags, shape)
    if (known !== undefined) return gatedResult(lines, count, known.verdict, known.actions, flags, compiled)
  }
  return runGated(lines, count, shape, flags, compiled, where)
}

/** The rest of runTrusted: messages with nominations, and shapes not in the table. */
function runGated(lines, count, shape, flags, compiled, where) {
  let table = knownShapes
  let nominating = null
  let nominations = 0
  if (shape === -1) {
    // Connection lines with options other than keep-alive and close may nominate ungated lines.
    let value = ''
    for (let line = 0; line < count; line++) {
      const index = gatedAt[line]
      if (lines[index].length === 10 && isConnection(lines[index]) && !isPlainConnection(lines[index + 1])) {
        nominations++
        value = lines[index + 1]
      }
    }
    if (nominations === 1) {
      // Gate again with the lengths of its options, known from its table entry.
      nominating = connectionEntry(value)
      count = gateWithLengths(lines, nominating.low, nominating.high)
      shape = shapeCodes(lines, count, nominating)
      table = nominating.shapes
      if (shape !== -1) {
        const known = knownShape(table, flags, shape)
        if (known !== undefined) return gatedResult(lines, count, known.verdict, known.actions, flags, compiled)
      }
    }
  }
  optionLow = 0
  optionHigh = 0
  if (nominating !== null) {
    optionLow = nominating.low
    optionHigh = nominating.high
  } else if (nominations > 1) {
    // More such lines: gate again with the lengths of all their options, without the table.
    for (let line = 0; line < count; line++) {
      const index = gatedAt[line]
      if (lines[index].length === 10 && isConnection(lines[index]) && !isPlainConnection(lines[index + 1])) addOptionLengths(lines[index + 1])
    }
    count = gateWithLengths(lines, optionLow, optionHigh)
  }
  // Room for the actions and the 8-byte mask of nominated lengths after them.
  ensureScratch(count + 8)
  let verdict = callGated(lines, count, flags, compiled)
  if (verdict >= 0 && (verdict & N.NOMINATED) !== 0) {
    // Rust found nominations whose lengths the estimate missed: should not happen, but then once
    // more with every line of a nominated length, and the answer is not one to remember.
    const low = readUint32(count)
    const high = readUint32(count + 4)
    if ((low & ~optionLow) !== 0 || (high & ~optionHigh) !== 0) {
      count = gateWithLengths(lines, low | optionLow, high | optionHigh)
      ensureScratch(count + 8)
      verdict = callGated(lines, count, flags, compiled)
      shape = -1
    }
  }
  // Errors are reported by the full path, with the indexes of the caller's array.
  if (verdict < 0) return runLines(lines, flags, compiled, where)
  if (shape !== -1) rememberShape(table, flags, shape, verdict, count)
  return gatedResult(lines, count, verdict, scratch, flags, compiled)
}

function gatedResult(lines, count, verdict, actions, flags, compiled) {
  // An unchanged message had no line to drop, so its copy is the output (see FilterResult).
  if ((verdict & N.UNCHANGED) !== 0) return new FilterResult(lines, (verdict & N.KEEP_ALIVE) !== 0, null, null, flags, compiled)
  const headers = keptGatedLines(lines, count, verdict, actions)
  const upgrade = (verdict & N.IS_UPGRADE) !== 0 ? gatedUpgradeProtocol(lines, count, actions) : null
  return new FilterResult(headers, (verdict & N.KEEP_ALIVE) !== 0, upgrade, lines, flags, compiled)
}

// The table of known shapes. Rust's answer for the gated lines depends only on the flags, on
// each gated line's name up to ASCII case (RFC 9110 §5.1), and on the few values it reads
// (Connection, TE, Transfer-Encoding, Upgrade; never Content-Length, Keep-Alive or the other
// fixed names'). A gated line whose name and read value are one of the usual spellings below
// gets a kind code; a message whose gated lines all have one is a known shape, keyed by the
// flags and the codes in order, and Rust's first answer for it (verdict and line actions) serves
// every later message of that shape. Comparisons are whole-string equalities with constants.
//
// A Connection line that nominates more than keep-alive or close (RFC 9110 §7.6.1) makes the
// names of the lines of nominated lengths matter: such a message is a known shape within its
// Connection value, which keys a table of its own (the one place a string is hashed), where the
// lines of nominated lengths are coded by their exact names. Anything else (other spellings,
// other values, Upgrade, more than one such Connection line, more lines) is left to Rust.

const SHAPE_CONTENT_LENGTH = 1
const SHAPE_CONNECTION_KEEP_ALIVE = 2
const SHAPE_CONNECTION_CLOSE = 3
const SHAPE_KEEP_ALIVE = 4
const SHAPE_TRANSFER_ENCODING_CHUNKED = 5
const SHAPE_TE_TRAILERS = 6
const SHAPE_PROXY_CONNECTION = 7
const SHAPE_TRAILER = 8
const SHAPE_PROXY_AUTHORIZATION = 9
const SHAPE_PROXY_AUTHENTICATE = 10
const SHAPE_END_TO_END = 11
// The one Connection line whose value keys the table of its own.
const SHAPE_NOMINATING_CONNECTION = 12
// Codes 13 to 15: the exact names of lines of a nominated length, per Connection value.
const SHAPE_FIRST_NAME = 13
const SHAPE_NAMES = 3
const SHAPE_BITS = 4
// Four bits per gated line, and at most seven lines, keep the codes a small integer (V8 hashes
// those without allocating).
const SHAPE_MAX_LINES = 7
// Distinct shapes in real traffic number a few dozen; the bounds only stop a client that varies
// its lines on purpose from growing the tables: when one is full it starts over.
const SHAPE_TABLE_SIZE = 512
const CONNECTION_TABLE_SIZE = 64

/** flags -> (codes -> { verdict, actions }) */
let knownShapes = new Map()
// The commonest shapes, a request with at most one gated line (Content-Length, or Connection:
// keep-alive), are looked up by index instead: request flags have no status bits.
const SMALL_SHAPE_FLAGS = 1 << N.STATUS_SHIFT
const smallShapes = new Array(SMALL_SHAPE_FLAGS << SHAPE_BITS).fill(undefined)
/** Connection value -> { low, high, names, shapes }, the tables of nominating messages. */
let knownConnections = new Map()
let knownShapeCount = 0

/**
 * The codes of the gated lines in order, or -1 when a line has none. `nominating`: the table
 * entry of the message's one nominating Connection line, or null when it has none (then a
 * Connection line with options other than keep-alive and close has no code either).
 */
function shapeCodes(lines, count, nominating) {
  if (count > SHAPE_MAX_LINES) return -1
  let codes = 0
  for (let line = 0; line < count; line++) {
    const index = gatedAt[line]
    const name = lines[index]
    let code = shapeCode(name, lines[index + 1])
    if (code === 0) {
      code = nominating === null ? otherShapeCode(name) : nominatedShapeCode(name, lines[index + 1], nominating)
      if (code === 0) return -1
    }
    codes = (codes << SHAPE_BITS) | code
  }
  return codes
}

/** A gated line of a nominating message that is not a usual spelling: its code, or 0. */
function nominatedShapeCode(name, value, nominating) {
  if (name.length === 10 && isConnection(name)) return isPlainConnection(value) ? 0 : SHAPE_NOMINATING_CONNECTION
  const code = otherShapeCode(name)
  // A hop-by-hop name in another spelling may have its value read by Rust: never coded by name.
  if (code === 0 || !hasLength(nominating.low, nominating.high, name.length)) return code
  const known = nominating.names.get(name)
  if (known !== undefined) return known
  if (nominating.names.size === SHAPE_NAMES) return 0
  const nameCode = SHAPE_FIRST_NAME + nominating.names.size
  nominating.names.set(name, nameCode)
  return nameCode
}

/** The table entry of a nominating Connection value; a new entry estimates its option lengths. */
function connectionEntry(value) {
  let entry = knownConnections.get(value)
  if (entry === undefined) {
    if (knownConnections.size === CONNECTION_TABLE_SIZE) forgetShapes()
    optionLow = 0
    optionHigh = 0
    addOptionLengths(value)
    entry = { low: optionLow, high: optionHigh, names: new Map(), shapes: new Map() }
    knownConnections.set(value, entry)
  }
  return entry
}

function knownShape(table, flags, codes) {
  if (table === knownShapes && codes < 1 << SHAPE_BITS && flags < SMALL_SHAPE_FLAGS) return smallShapes[(flags << SHAPE_BITS) | codes]
  return table.get(flags)?.get(codes)
}

function forgetShapes() {
  smallShapes.fill(undefined)
  knownShapes = new Map()
  knownConnections = new Map()
  knownShapeCount = 0
}

/** The kind code of a gated line, 0 when Rust must see it. */
function shapeCode(name, value) {
  switch (name.length) {
    case 14:
      return name === 'Content-Length' || name === 'content-length' ? SHAPE_CONTENT_LENGTH : 0
    case 10:
      if (name === 'Connection' || name === 'connection') {
        if (value === 'keep-alive' || value === 'Keep-Alive') return SHAPE_CONNECTION_KEEP_ALIVE
        return value === 'close' || value === 'Close' ? SHAPE_CONNECTION_CLOSE : 0
      }
      return name === 'Keep-Alive' || name === 'keep-alive' ? SHAPE_KEEP_ALIVE : 0
    case 17:
      return (name === 'Transfer-Encoding' || name === 'transfer-encoding') && value === 'chunked' ? SHAPE_TRANSFER_ENCODING_CHUNKED : 0
    case 2:
      return (name === 'TE' || name === 'te') && value === 'trailers' ? SHAPE_TE_TRAILERS : 0
    case 16:
      return name === 'Proxy-Connection' || name === 'proxy-connection' ? SHAPE_PROXY_CONNECTION : 0
    case 7:
      return name === 'Trailer' || name === 'trailer' ? SHAPE_TRAILER : 0
    case 19:
      return name === 'Proxy-Authorization' || name === 'proxy-authorization' ? SHAPE_PROXY_AUTHORIZATION : 0
    case 18:
      return name === 'Proxy-Authenticate' || name === 'proxy-authenticate' ? SHAPE_PROXY_AUTHENTICATE : 0
    default:
      return 0
  }
}

/** The lower-case gated names of each length. */
const GATED_BY_LENGTH = Array.from({ length: GATE_MAX_LENGTH + 1 }, (_, size) =>
  GATED_NAMES.filter((name) => name.length === size).map((name) => name.toLowerCase()))

/**
 * A gated line that is not one of the usual spellings: kind code SHAPE_END_TO_END when its name
 * is none of the gated names in any case (it only shared a length and first letter with one, so
 * Rust keeps it whatever its value), 0 otherwise.
 */
function otherShapeCode(name) {
  // A line of a nominated length may be longer than every gated name.
  if (name.length > GATE_MAX_LENGTH) return SHAPE_END_TO_END
  const candidates = GATED_BY_LENGTH[name.length]
  for (let i = 0; i < candidates.length; i++) {
    if (isNameIgnoringCase(name, candidates[i])) return 0
  }
  return SHAPE_END_TO_END
}

function rememberShape(table, flags, codes, verdict, count) {
  if (knownShapeCount === SHAPE_TABLE_SIZE) {
    forgetShapes()
    // The table the caller found belongs to what was just forgotten.
    return
  }
  const known = { verdict, actions: scratch.slice(0, count) }
  knownShapeCount++
  if (table === knownShapes && codes < 1 << SHAPE_BITS && flags < SMALL_SHAPE_FLAGS) {
    smallShapes[(flags << SHAPE_BITS) | codes] = known
    return
  }
  let byCodes = table.get(flags)
  if (byCodes === undefined) table.set(flags, (byCodes = new Map()))
  byCodes.set(codes, known)
}

/**
 * The native call on the gated lines. Usually one to five lines pass the gate: passing them as
 * arguments directly saves building an array only to spread it.
 */
function callGated(lines, count, flags, compiled) {
  switch (count) {
    case 0:
      return native.filter(flags)
    case 1: {
      const a = gatedAt[0]
      return native.filter(flags, lines[a], lines[a + 1])
    }
    case 2: {
      const a = gatedAt[0]
      const b = gatedAt[1]
      return native.filter(flags, lines[a], lines[a + 1], lines[b], lines[b + 1])
    }
    case 3: {
      const a = gatedAt[0]
      const b = gatedAt[1]
      const c = gatedAt[2]
      return native.filter(flags, lines[a], lines[a + 1], lines[b], lines[b + 1], lines[c], lines[c + 1])
    }
    case 4: {
      const a = gatedAt[0]
      const b = gatedAt[1]
      const c = gatedAt[2]
      const d = gatedAt[3]
      return native.filter(flags, lines[a], lines[a + 1], lines[b], lines[b + 1], lines[c], lines[c + 1], lines[d], lines[d + 1])
    }
    case 5: {
      const a = gatedAt[0]
      const b = gatedAt[1]
      const c = gatedAt[2]
      const d = gatedAt[3]
      const e = gatedAt[4]
      return native.filter(flags, lines[a], lines[a + 1], lines[b], lines[b + 1], lines[c], lines[c + 1], lines[d], lines[d + 1], lines[e], lines[e + 1])
    }
    default: {
      const gated = []
      for (let line = 0; line < count; line++) gated.push(lines[gatedAt[line]], lines[gatedAt[line] + 1])
      return callNative(gated, flags, compiled)
    }
  }
}

/** Gates every line again, passing also the lines whose length is in the mask (low, high). */
function gateWithLengths(lines, low, high) {
  let count = 0
  for (let index = 0; index < lines.length; index += 2) {
    const name = lines[index]
    const size = name.length
    if ((size <= GATE_MAX_LENGTH && GATE[(size << 5) | (name.charCodeAt(0) & 31)] === 1) || hasLength(low, high, size)) {
      gatedAt[count++] = index
    }
  }
  return count
}

// The lengths of the options of the message's Connection lines, bit n for length n (bit 63: 63
// and more), split over two 32-bit words; keep-alive and close, which nominate nothing the gate
// does not pass already, are left out.
let optionLow = 0
let optionHigh = 0

/**
 * Adds the lengths of a Connection value's options to (optionLow, optionHigh). An estimate
 * that can only be too large: every comma starts a new piece, also inside a quoted string, and
 * a piece that is a token is exactly an option as Rust reads it (RFC 9110 §5.6.1, OWS trimmed).
 */
function addOptionLengths(value) {
  const length = value.length
  let start = 0
  while (start <= length) {
    let end = value.indexOf(',', start)
    if (end === -1) end = length
    let first = start
    let last = end
    while (first < last && isOws(value.charCodeAt(first))) first++
    while (last > first && isOws(value.charCodeAt(last - 1))) last--
    const size = last - first
    if (size > 0 && !(size === 10 && equalsLowerAt(value, first, 'keep-alive')) && !(size === 5 && equalsLowerAt(value, first, 'close'))) {
      if (size < 32) optionLow |= 1 << size
      else optionHigh |= 1 << Math.min(size - 32, 31)
    }
    start = end + 1
  }
}

// Whole-string comparisons with the usual spellings first: V8 compares two flat strings as
// memory, much faster than a loop of charCodeAt.

/** Whether a name of 10 units is Connection, in any case. */
function isConnection(name) {
  return name === 'Connection' || name === 'connection' || isNameIgnoringCase(name, 'connection')
}

/**
 * Whether a name of the same length as `lower`, a gated name in lower case, is that name in any
 * case. The second code unit sorts out most other names (`| 0x20` folds only letters onto
 * letters, and it is a letter in every gated name); for the rest V8's toLowerCase is faster than
 * a loop of charCodeAt. A name whose lower case is ASCII only through a non-Latin-1 character
 * (no parser hands over one) is at worst passed to Rust, which reads names byte by byte.
 */
function isNameIgnoringCase(name, lower) {
  return (name.charCodeAt(1) | 0x20) === lower.charCodeAt(1) && name.toLowerCase() === lower
}

/** `Connection: keep-alive` or `Connection: close`, the usual values, in any case. */
function isPlainConnection(value) {
  if (value === 'keep-alive' || value === 'Keep-Alive' || value === 'close') return true
  return value.length === 10 ? equalsLowerAt(value, 0, 'keep-alive') : value.length === 5 && equalsLowerAt(value, 0, 'close')
}

function isOws(code) {
  return code === 0x20 || code === 0x09
}

/** Whether `text` holds the lower-case ASCII `lower` at `start`, ignoring ASCII case. */
function equalsLowerAt(text, start, lower) {
  for (let i = 0; i < lower.length; i++) {
    const code = text.charCodeAt(start + i)
    if ((code >= 0x41 && code <= 0x5a ? code + 0x20 : code) !== lower.charCodeAt(i)) return false
  }
  return true
}

function readUint32(offset) {
  return (scratch[offset] | (scratch[offset + 1] << 8) | (scratch[offset + 2] << 16) | (scratch[offset + 3] << 24)) >>> 0
}

/** Whether the 64-bit mask (low, high) has the bit of a name of `size` units (bit 63: 63 and more). */
function hasLength(low, high, size) {
  if (size < 32) return ((low >>> size) & 1) !== 0
  return ((high >>> Math.min(size - 32, 31)) & 1) !== 0
}

// A splice costs about as much as pushing this many elements (measured on Node 22 with the
// corpus: one cut in 12 elements was slower than the pushes, one in 36 faster).
const CUT_COST_IN_ELEMENTS = 16

/** The output of a gated call: ungated lines kept, gated ones by their action. */
function keptGatedLines(lines, count, verdict, actions) {
  let headers
  if (count * CUT_COST_IN_ELEMENTS <= lines.length) {
    // Few gated lines (at most that many to drop) in a long array: copy it in one go and cut the
    // dropped lines out, last first so that the earlier indexes stay valid, instead of pushing
    // every kept line.
    headers = lines.slice()
    for (let line = count - 1; line >= 0; line--) {
      const action = actions[line]
      if (action === N.ACTION_KEEP || action === N.ACTION_UPGRADE_KEPT) continue
      if (action === N.ACTION_TE_TRAILERS) headers[gatedAt[line] + 1] = 'trailers'
      else headers.splice(gatedAt[line], 2)
    }
  } else {
    headers = []
    let line = 0
    let next = gatedAt[0]
    for (let index = 0; index < lines.length; index += 2) {
      if (index !== next) {
        headers.push(lines[index], lines[index + 1])
        continue
      }
      const action = actions[line++]
      next = line < count ? gatedAt[line] : -1
      if (action === N.ACTION_KEEP || action === N.ACTION_UPGRADE_KEPT) {
        headers.push(lines[index], lines[index + 1])
      } else if (action === N.ACTION_TE_TRAILERS) {
        headers.push(lines[index], 'trailers')
      }
    }
  }
  if ((verdict & N.APPEND_CONNECTION_UPGRADE) !== 0) headers.push('Connection', 'upgrade')
  return headers
}

function gatedUpgradeProtocol(lines, count, actions) {
  const protocols = []
  for (let line = 0; line < count; line++) {
    const action = actions[line]
    if (action === N.ACTION_UPGRADE_KEPT || action === N.ACTION_UPGRADE_DROPPED) protocols.push(lines[gatedAt[line] + 1])
  }
  return protocols.join(', ')
}

// Rust reads only the names and a few values, so the values' types are checked here, in the
// loop that copies them anyway.
function keptLines(lines, verdict, where) {
  const length = lines.length
  if ((verdict & N.UNCHANGED) !== 0) {
    for (let index = 1; index < length; index += 2) {
      if (typeof lines[index] !== 'string') throw notAString(lines, index, where)
    }
    return lines
  }
  const headers = []
  for (let index = 0, line = 0; index < length; index += 2, line++) {
    const value = lines[index + 1]
    if (typeof value !== 'string') throw notAString(lines, index + 1, where)
    const action = scratch[line]
    if (action === N.ACTION_KEEP || action === N.ACTION_UPGRADE_KEPT) {
      headers.push(lines[index], value)
    } else if (action === N.ACTION_TE_TRAILERS) {
      headers.push(lines[index], 'trailers')
    }
  }
  if ((verdict & N.APPEND_CONNECTION_UPGRADE) !== 0) headers.push('Connection', 'upgrade')
  return headers
}

function notAString(lines, index, where) {
  return invalidArgType(`${where}[${index}]`, 'of type string', lines[index])
}

function upgradeProtocol(rawHeaders) {
  const protocols = []
  for (let index = 0, line = 0; index < rawHeaders.length; index += 2, line++) {
    const action = scratch[line]
    if (action === N.ACTION_UPGRADE_KEPT || action === N.ACTION_UPGRADE_DROPPED) protocols.push(rawHeaders[index + 1])
  }
  return protocols.join(', ')
}

function listError(list, index, where) {
  const entry = list[index]
  if (typeof entry !== 'string') return invalidArgType(`${where}[${index}]`, 'of type string', entry)
  return invalidHeaderName(`${where}[${index}]`, entry)
}

function errorFor(result, rawHeaders, compiled, statusCode, where) {
  const encoded = -result - 1
  const kind = encoded % 16
  const index = (encoded - kind) / 16
  const valueAt = `${where}[${2 * index + 1}]`
  switch (kind) {
    case N.ERROR_NOT_A_STRING:
      return notAString(rawHeaders, index, where)
    case N.ERROR_INVALID_NAME:
      return invalidHeaderName(`${where}[${2 * index}]`, rawHeaders[2 * index])
    case N.ERROR_INVALID_STRIP:
      return listError(compiled.strip, index, 'options.strip')
    case N.ERROR_INVALID_PROTECT:
      return listError(compiled.protect, index, 'options.protect')
    case N.ERROR_PROTECTED:
      return new HopByHopError('ERR_HOP_BY_HOP_PROTECTED', `Connection (${valueAt}) nominates a protected header: ${JSON.stringify(rawHeaders[2 * index + 1])}`, statusCode)
    case N.ERROR_INVALID_TOKEN:
      return new HopByHopError('ERR_HOP_BY_HOP_INVALID_TOKEN', `Connection (${valueAt}) has an element that is not a token: ${JSON.stringify(rawHeaders[2 * index + 1])}`, statusCode)
    case N.ERROR_AMBIGUOUS_LENGTH:
      return new HopByHopError('ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH', `Transfer-Encoding (${valueAt}) together with Content-Length makes the message length ambiguous`, statusCode)
    case N.ERROR_INVALID_UPGRADE:
      return new HopByHopError('ERR_HOP_BY_HOP_INVALID_UPGRADE', `Upgrade (${valueAt}) must name a protocol in printable ASCII: ${JSON.stringify(rawHeaders[2 * index + 1])}`, statusCode)
    default:
      return new Error(`hop-by-hop: internal error (code ${kind} at ${index})`)
  }
}

/** The end-to-end part of a message and the connection decision. */
class FilterResult {
  #rawHeaders
  #flags
  #compiled
  #diagnostics

  constructor(headers, keepAlive, upgrade, rawHeaders, flags, compiled) {
    this.headers = headers
    this.keepAlive = keepAlive
    this.upgrade = upgrade
    this.#rawHeaders = rawHeaders
    this.#flags = flags
    this.#compiled = compiled
  }

  /**
   * Computed on first access, from the snapshot of the input taken when filtering. An unchanged
   * message keeps no snapshot (its copy is `headers`, which the caller may change): it had no
   * Connection, Keep-Alive or pseudo-header line, since those are always removed, so there is
   * nothing to report.
   */
  get diagnostics() {
    if (this.#diagnostics === undefined && this.#rawHeaders === null) this.#diagnostics = nothingToReport()
    if (this.#diagnostics === undefined) {
      const raw = this.#rawHeaders
      const found = native.inspect(this.#flags, this.#compiled.strip, this.#compiled.protect, raw)
      this.#diagnostics = {
        nominated: found.nominated,
        removed: found.removed.map((line) => raw[2 * line]),
        protected: found.protected,
        invalid: found.invalid,
        timeout: found.timeout ?? null,
        max: found.max ?? null,
        authority: found.authority === undefined || found.authority === null ? null : raw[2 * found.authority + 1],
      }
    }
    return this.#diagnostics
  }

  /** JSON.stringify shows the diagnostics too (a getter on the class is not an own property). */
  toJSON() {
    return { headers: this.headers, keepAlive: this.keepAlive, upgrade: this.upgrade, diagnostics: this.diagnostics }
  }

  /** console.log and util.inspect likewise; computed only when shown, so filtering stays lean. */
  [inspect.custom](depth, options, inspectValue) {
    if (depth < 0) return options.stylize('[FilterResult]', 'special')
    // `depth` is what is left at this level: the fields sit where they would as own properties.
    return `FilterResult ${inspectValue(this.toJSON(), { ...options, depth })}`
  }
}

function nothingToReport() {
  return { nominated: [], removed: [], protected: [], invalid: [], timeout: null, max: null, authority: null }
}

// An array here is a caller who passed rawHeaders where the message goes.
function messageOf(message, name) {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    throw invalidArgType(name, 'an IncomingMessage-like object with a rawHeaders array', message)
  }
  return message
}

function messageVersion(message, compiled, where) {
  return message.httpVersion === undefined ? compiled.version : versionBits(message.httpVersion, where)
}

function requestFlags(req, compiled) {
  const flags = (compiled.flags & ~N.RESPONSE) | messageVersion(req, compiled, 'req.httpVersion')
  assertWholeRequestHead(req, flags)
  return flags
}

function responseFlags(res, compiled) {
  const statusCode = res.statusCode === undefined ? compiled.status : statusBits(res.statusCode, 'res.statusCode')
  const method = compiled.requestMethod === undefined ? methodBits(res.req?.method, 'res.req.method') : 0
  const flags = compiled.flags | N.RESPONSE | messageVersion(res, compiled, 'res.httpVersion') | statusCode | method
  assertWholeResponseHead(res, flags)
  return flags
}

function filterHeaders(rawHeaders, options) {
  const compiled = options === undefined ? DEFAULTS : new Compiled(options, 'filterHeaders()')
  return run(rawHeaders, compiled.flags | compiled.version | compiled.status, compiled, 'rawHeaders')
}

/** A message's lines; those of an http.IncomingMessage come from Node's parser. */
function runMessage(message, flags, compiled, where) {
  return message instanceof IncomingMessage ? runTrusted(message, flags, compiled, where) : run(message.rawHeaders, flags, compiled, where)
}

function filterRequest(req, options) {
  messageOf(req, 'req')
  const compiled = options === undefined ? DEFAULTS : new Compiled(options, 'filterRequest()')
  return runMessage(req, requestFlags(req, compiled), compiled, 'req.rawHeaders')
}

function filterResponse(res, options) {
  messageOf(res, 'res')
  const compiled = options === undefined ? DEFAULTS : new Compiled(options, 'filterResponse()')
  return runMessage(res, responseFlags(res, compiled), compiled, 'res.rawHeaders')
}

function createFilter(options) {
  const compiled = new Compiled(options, 'createFilter()')
  // Names in strip/protect are checked in Rust; an empty message checks them now rather than on
  // the first request.
  if (compiled.lists) run(EMPTY, compiled.flags | compiled.version, compiled, 'rawHeaders')
  const flags = compiled.flags | compiled.version | compiled.status
  const filter = (rawHeaders) => run(rawHeaders, flags, compiled, 'rawHeaders')
  filter.request = (req) => runMessage(messageOf(req, 'req'), requestFlags(req, compiled), compiled, 'req.rawHeaders')
  filter.response = (res) => runMessage(messageOf(res, 'res'), responseFlags(res, compiled), compiled, 'res.rawHeaders')
  return filter
}

module.exports = {
  filterHeaders,
  filterRequest,
  filterResponse,
  createFilter,
  HopByHopError,
  HOP_BY_HOP_HEADERS,
  DEFAULT_PROTECTED_HEADERS,
}
