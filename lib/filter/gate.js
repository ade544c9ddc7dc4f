'use strict'
// The gate of the gated path (gated.js): which lines of a parsed message Rust must see. A line
// matters to the rules only when its name is one of GATED_NAMES or a Connection line nominates it
// (RFC 9110 §7.6.1); the others are end-to-end and kept without their characters being read.

const { HOP_BY_HOP_HEADERS } = require('./names.js')

/**
 * The names whose lines must reach Rust when nothing else is nominated: Connection,
 * Content-Length (framing with Transfer-Encoding, RFC 9112 §6.1), Close (which `Connection:
 * close` nominates, RFC 9110 §7.6.1), and the fixed hop-by-hop names of crates/core/src/names.rs.
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

/** The gated names of each length, as GATED_NAMES spells them. */
const GATED_SPELLINGS_BY_LENGTH = Array.from({ length: GATE_MAX_LENGTH + 1 }, (_, size) => GATED_NAMES.filter((name) => name.length === size))
/** The same in lower case. */
const GATED_BY_LENGTH = GATED_SPELLINGS_BY_LENGTH.map((names) => names.map((name) => name.toLowerCase()))

/** Whether a line named `name` passes the gate: a gated name's length and first letter. */
function passesGate(name) {
  const size = name.length
  return size <= GATE_MAX_LENGTH && GATE[(size << 5) | (name.charCodeAt(0) & 31)] === 1
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

/** A Connection line with options other than keep-alive and close: it may nominate ungated lines. */
function isNominatingConnection(name, value) {
  return name.length === 10 && isConnection(name) && !isPlainConnection(value)
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

/**
 * The lengths of the options of Connection lines, bit n for length n (bit 63: 63 and more), split
 * over two 32-bit words; keep-alive and close, which nominate nothing the gate does not pass
 * already, are left out.
 */
class OptionLengths {
  constructor(low = 0, high = 0) {
    this.low = low
    this.high = high
  }

  /**
   * Adds the lengths of a Connection value's options. An estimate that can only be too large:
   * every comma starts a new piece, also inside a quoted string, and a piece that is a token is
   * exactly an option as Rust reads it (RFC 9110 §5.6.1, OWS trimmed).
   */
  add(value) {
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
        if (size < 32) this.low |= 1 << size
        else this.high |= 1 << Math.min(size - 32, 31)
      }
      start = end + 1
    }
    return this
  }

  /** Whether a name of `size` units has a nominated length. */
  has(size) {
    if (size < 32) return ((this.low >>> size) & 1) !== 0
    return ((this.high >>> Math.min(size - 32, 31)) & 1) !== 0
  }

  /** Whether the mask (low, high), as Rust reports it, holds no length this one lacks. */
  covers(low, high) {
    return (low & ~this.low) === 0 && (high & ~this.high) === 0
  }
}

/** No nominated length: the gate alone. */
const NO_LENGTHS = new OptionLengths()

/** Element index in a message's lines of each line handed to Rust, in order, reused. */
class GatedPositions {
  constructor() {
    this.at = new Int32Array(64)
  }

  /** Room for every line of a message of `elements` elements. */
  reserve(elements) {
    if (this.at.length < elements >>> 1) this.at = new Int32Array(elements >>> 1)
    return this.at
  }

  /** Records the lines that pass the gate or have a length in `lengths`; returns their count. */
  gateWithLengths(lines, lengths) {
    const at = this.at
    let count = 0
    for (let index = 0; index < lines.length; index += 2) {
      const name = lines[index]
      if (passesGate(name) || lengths.has(name.length)) at[count++] = index
    }
    return count
  }
}

module.exports = {
  GATE_MAX_LENGTH,
  GATED_BY_LENGTH,
  GATED_SPELLINGS_BY_LENGTH,
  passesGate,
  isConnection,
  isNameIgnoringCase,
  isPlainConnection,
  isNominatingConnection,
  OptionLengths,
  NO_LENGTHS,
  GatedPositions,
}
