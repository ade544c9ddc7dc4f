'use strict'
// The one crossing into Rust (src/call.rs): the addon, the scratch buffer the line actions come
// back in, and the choice between the spread and the array entry point. Calls go through
// `native.<name>` on every call, never a copy of the function, so that tests can wrap them.

const { loadNative } = require('./load-native.js')
const { internalError } = require('../errors.js')

const native = loadNative()

// Spreading is the cheapest way across the boundary, but every spread argument takes stack:
// beyond this many elements, or when the stack is too short for them, the array entry point
// reads the elements one by one instead.
const MAX_SPREAD_ELEMENTS = 65536
const FIRST_SCRATCH_SIZE = 256

/**
 * The bytes Rust writes its answer into: one action per line handed over, then (on the gated
 * path) an 8-byte mask of nominated lengths. Registered with the addon on first use rather than
 * when the package loads, and replaced by a larger one when a message needs more.
 */
class Scratch {
  constructor() {
    this.bytes = new Uint8Array(0)
    // -1 until a buffer is registered, so that the first ensure() registers one.
    this.capacity = -1
  }

  /** Makes room for `size` bytes; call before every native call that writes `size` bytes. */
  ensure(size) {
    if (size > this.capacity) this.#replace(size)
  }

  #replace(size) {
    const bytes = new Uint8Array(Math.max(size, this.capacity === -1 ? FIRST_SCRATCH_SIZE : this.capacity * 2))
    if (native.setScratch(bytes) !== bytes.length) throw internalError('cannot register the scratch buffer')
    this.bytes = bytes
    this.capacity = bytes.length
  }

  /** The little-endian 32-bit word at `offset`. */
  readUint32(offset) {
    const bytes = this.bytes
    return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0
  }
}

const scratch = new Scratch()

/**
 * Rust's verdict on `lines` (name, value, ...): the verdict bits, or a negative error code. The
 * line actions are in scratch.bytes, which must hold lines.length / 2 bytes. `options`: a
 * FilterOptions, whose strip/protect lists go along when it has any.
 */
function filterLines(lines, flags, options) {
  if (lines.length <= MAX_SPREAD_ELEMENTS) {
    try {
      return options.lists
        ? native.filter(flags, options.strip, options.protect, ...lines)
        : native.filter(flags, ...lines)
    } catch (error) {
      // V8 reports a spread that does not fit on the stack as a RangeError; the native code
      // itself never throws one.
      if (!(error instanceof RangeError)) throw error
    }
  }
  return options.lists
    ? native.filterArray(flags, options.strip, options.protect, lines)
    : native.filterArray(flags, lines)
}

module.exports = { native, scratch, filterLines, MAX_SPREAD_ELEMENTS }
