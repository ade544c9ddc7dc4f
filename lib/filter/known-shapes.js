'use strict'
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

const N = require('../native/abi.js')
const { GATE_MAX_LENGTH, GATED_BY_LENGTH, GATED_SPELLINGS_BY_LENGTH, isConnection, isNameIgnoringCase, isPlainConnection, OptionLengths } = require('./gate.js')

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
// The commonest shapes, a request with at most one gated line (Content-Length, or Connection:
// keep-alive), are looked up by index instead: request flags have no status bits.
const SMALL_SHAPE_FLAGS = 1 << N.STATUS_SHIFT

/** The table of one nominating Connection value. */
class ConnectionShapes {
  constructor(value) {
    // The lengths of its options, an estimate that can only be too large.
    this.lengths = new OptionLengths().add(value)
    // The exact names of lines of a nominated length, coded SHAPE_FIRST_NAME on in order: at
    // most SHAPE_NAMES, compared whole (no hashing of a fresh string).
    this.names = []
    // flags -> (codes -> { verdict, actions })
    this.shapes = new Map()
  }
}

class KnownShapes {
  /** `maxShapes`, `maxConnections`: when a table is full, everything starts over. */
  constructor(maxShapes = SHAPE_TABLE_SIZE, maxConnections = CONNECTION_TABLE_SIZE) {
    this.maxShapes = maxShapes
    this.maxConnections = maxConnections
    this.forget()
  }

  forget() {
    // flags -> (codes -> { verdict, actions })
    this.shapes = new Map()
    this.small = new Array(SMALL_SHAPE_FLAGS << SHAPE_BITS).fill(undefined)
    // Connection value -> ConnectionShapes
    this.connections = new Map()
    this.count = 0
    this.lastValue = null
    this.lastConnection = null
    // Counts the fresh starts, so that a caller holding a ConnectionShapes can tell whether it
    // still belongs to the table.
    this.generation = (this.generation ?? 0) + 1
  }

  /**
   * The codes of the `count` gated lines (at element `at[i]` of `lines`) in order, or -1 when a
   * line has none. `connection`: the ConnectionShapes of the message's one nominating Connection
   * line, or null when it has none (then such a line has no code either).
   */
  codes(lines, at, count, connection) {
    if (count > SHAPE_MAX_LINES) return -1
    let codes = 0
    for (let line = 0; line < count; line++) {
      const index = at[line]
      const name = lines[index]
      let code = usualCode(name, lines[index + 1])
      if (code === 0) {
        code = connection === null ? otherCode(name) : nominatedCode(name, lines[index + 1], connection)
        if (code === 0) return -1
      }
      codes = (codes << SHAPE_BITS) | code
    }
    return codes
  }

  /** The table of a nominating Connection value, made on first sight. */
  connection(value) {
    // Messages of one kind repeat their Connection value: one whole-string comparison.
    if (value === this.lastValue) return this.lastConnection
    let entry = this.connections.get(value)
    if (entry === undefined) {
      if (this.connections.size === this.maxConnections) this.forget()
      entry = new ConnectionShapes(value)
      this.connections.set(value, entry)
    }
    this.lastValue = value
    this.lastConnection = entry
    return entry
  }

  /** Rust's answer for a known shape, { verdict, actions }, or undefined. */
  find(flags, codes, connection) {
    if (connection !== null) return connection.shapes.get(flags)?.get(codes)
    if (codes < 1 << SHAPE_BITS && flags < SMALL_SHAPE_FLAGS) return this.small[(flags << SHAPE_BITS) | codes]
    return this.shapes.get(flags)?.get(codes)
  }

  /** Keeps Rust's answer: the verdict and the first `count` bytes of `actions`, copied. */
  remember(flags, codes, connection, verdict, actions, count) {
    if (this.count === this.maxShapes) {
      // The connection table the caller holds belongs to what is forgotten: nothing is kept.
      this.forget()
      return
    }
    const known = { verdict, actions: actions.slice(0, count) }
    this.count++
    if (connection === null && codes < 1 << SHAPE_BITS && flags < SMALL_SHAPE_FLAGS) {
      this.small[(flags << SHAPE_BITS) | codes] = known
      return
    }
    const table = connection === null ? this.shapes : connection.shapes
    let byCodes = table.get(flags)
    if (byCodes === undefined) table.set(flags, (byCodes = new Map()))
    byCodes.set(codes, known)
  }
}

/**
 * Whether a line of kind `code` was coded by its value as well as its name: a message whose names
 * equal a known shape's has that shape when these values are equal too.
 */
function isCodedByValue(code) {
  return code === SHAPE_CONNECTION_KEEP_ALIVE || code === SHAPE_CONNECTION_CLOSE || code === SHAPE_TRANSFER_ENCODING_CHUNKED || code === SHAPE_TE_TRAILERS
}

/** The kind code of a gated line in a usual spelling, 0 when Rust must see it. */
function usualCode(name, value) {
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

/**
 * A gated line that is not one of the usual spellings: SHAPE_END_TO_END when its name is none of
 * the gated names in any case (it only shared a length and first letter with one, so Rust keeps
 * it whatever its value), 0 otherwise.
 */
function otherCode(name) {
  // A line of a nominated length may be longer than every gated name.
  if (name.length > GATE_MAX_LENGTH) return SHAPE_END_TO_END
  const candidates = GATED_BY_LENGTH[name.length]
  const spellings = GATED_SPELLINGS_BY_LENGTH[name.length]
  for (let i = 0; i < candidates.length; i++) {
    // The usual spellings first: toLowerCase makes a new string.
    if (name === spellings[i] || name === candidates[i] || isNameIgnoringCase(name, candidates[i])) return 0
  }
  return SHAPE_END_TO_END
}

/** A gated line of a nominating message that is not a usual spelling: its code, or 0. */
function nominatedCode(name, value, connection) {
  if (name.length === 10 && isConnection(name)) return isPlainConnection(value) ? 0 : SHAPE_NOMINATING_CONNECTION
  const code = otherCode(name)
  // A hop-by-hop name in another spelling may have its value read by Rust: never coded by name.
  if (code === 0 || !connection.lengths.has(name.length)) return code
  const names = connection.names
  for (let k = 0; k < names.length; k++) {
    if (names[k] === name) return SHAPE_FIRST_NAME + k
  }
  if (names.length === SHAPE_NAMES) return 0
  names.push(name)
  return SHAPE_FIRST_NAME + names.length - 1
}

module.exports = { KnownShapes, isCodedByValue, SHAPE_BITS, SHAPE_TABLE_SIZE, CONNECTION_TABLE_SIZE }
