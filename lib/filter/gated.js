'use strict'
// The gated path: filterRequest/filterResponse of an http.IncomingMessage, and filterHeaders of
// a plain array. Names that Node's HTTP/1 parser hands over are tokens: llhttp refuses any other
// byte in a field name (RFC 9110 §5.1), with or without insecureHTTPParser, so such a message
// needs no per-byte name check. The names of an array of unknown origin (undici, a program's
// own) are checked here, each a token as Rust would check it (tokens.js), and every element a
// string; an array that fails is handed to the checked path, which reports it as before.
// Rust gets only the lines that pass the gate (gate.js) or have the length of a nominated name,
// and JavaScript keeps the others without reading their characters again; a message of a shape
// seen before gets Rust's earlier answer from the table of known shapes (known-shapes.js). Every
// other case (another object, strip/protect lists, HTTP/2 with its pseudo-headers, any error)
// takes the checked path (checked.js), where Rust reads and checks every name.

const N = require('../native/abi.js')
const { native, scratch, filterLines, MAX_SPREAD_ELEMENTS } = require('../native/call.js')
const { passesGate, isNominatingConnection, OptionLengths, NO_LENGTHS, GatedPositions } = require('./gate.js')
const { KnownShapes } = require('./known-shapes.js')
const { filterChecked, filterCopied } = require('./checked.js')
const { filterResult } = require('./result.js')
const { CheckedNames } = require('./tokens.js')

const positions = new GatedPositions()
const knownShapes = new KnownShapes()
const checkedNames = new CheckedNames()

/** filterRequest/filterResponse of a message from Node's parser. */
function filterParsed(message, flags, options, where) {
  const rawHeaders = message.rawHeaders
  if (!Array.isArray(rawHeaders) || (rawHeaders.length & 1) !== 0 || options.lists || (flags & N.VERSION_HTTP2) !== 0) {
    return filterChecked(rawHeaders, flags, options, where)
  }
  const lines = rawHeaders.slice()
  const length = lines.length
  const at = positions.reserve(length)
  let count = 0
  for (let index = 0; index < length; index += 2) {
    const name = lines[index]
    // A message built by hand may hold anything: the checked path reports it.
    if (typeof name !== 'string' || typeof lines[index + 1] !== 'string') return filterCopied(lines, flags, options, where)
    if (passesGate(name)) at[count++] = index
  }
  return filterKnown(lines, count, flags, options, where)
}

/**
 * filterHeaders (and createFilter's filter) of an array. Every name must be a token and every
 * element a string; anything else (another type, a name that is not a token, a hole) goes to the
 * checked path, which reports it with the same error as before. So do strip/protect lists,
 * HTTP/2 (pseudo-headers) and arrays too long to spread, whose lines Rust reads through its
 * array entry point.
 */
function filterArray(rawHeaders, flags, options, where) {
  if (!Array.isArray(rawHeaders) || (rawHeaders.length & 1) !== 0 || options.lists || (flags & N.VERSION_HTTP2) !== 0 || rawHeaders.length > MAX_SPREAD_ELEMENTS) {
    return filterChecked(rawHeaders, flags, options, where)
  }
  // One read of every element, as on the checked path: what is checked is what is forwarded.
  const lines = rawHeaders.slice()
  const length = lines.length
  const at = positions.reserve(length)
  let count = 0
  for (let index = 0; index < length; index += 2) {
    const name = lines[index]
    if (typeof name !== 'string' || typeof lines[index + 1] !== 'string' || !checkedNames.isTokenAt(name, index >>> 1)) return filterCopied(lines, flags, options, where)
    if (passesGate(name)) at[count++] = index
  }
  return filterKnown(lines, count, flags, options, where)
}

/** The gated lines' shape looked up in the table of known shapes, or Rust's answer. */
function filterKnown(lines, count, flags, options, where) {
  const at = positions.at
  const codes = knownShapes.codes(lines, at, count, null)
  if (codes !== -1) {
    const known = knownShapes.find(flags, codes, null)
    if (known !== undefined) return filterResult(lines, known.verdict, known.actions, at, count, flags, options)
  }
  return filterNominating(lines, count, codes, flags, options, where)
}

/** The rest of filterParsed: messages with nominations, and shapes not in the table. */
function filterNominating(lines, count, codes, flags, options, where) {
  let connection = null
  let lengths = NO_LENGTHS
  if (codes === -1) {
    const value = nominatingValue(lines, count)
    if (value !== null) {
      // One Connection line nominates: gate again with the lengths of its options, known from
      // its table, and look the shape up there.
      connection = knownShapes.connection(value)
      lengths = connection.lengths
      count = positions.gateWithLengths(lines, lengths)
      codes = knownShapes.codes(lines, positions.at, count, connection)
      if (codes !== -1) {
        const known = knownShapes.find(flags, codes, connection)
        if (known !== undefined) return filterResult(lines, known.verdict, known.actions, positions.at, count, flags, options)
      }
    } else if (nominatingLines(lines, count) > 1) {
      // More such lines: gate again with the lengths of all their options, without the table.
      lengths = allOptionLengths(lines, count)
      count = positions.gateWithLengths(lines, lengths)
    }
  }
  return filterGated(lines, count, codes, connection, lengths, flags, options, where)
}

/** The native call on the gated lines, its answer remembered when the shape is known. */
function filterGated(lines, count, codes, connection, lengths, flags, options, where) {
  // Room for the actions and the 8-byte mask of nominated lengths after them.
  scratch.ensure(count + 8)
  let verdict = callGated(lines, count, flags, options)
  if (verdict >= 0 && (verdict & N.NOMINATED) !== 0) {
    // Rust found nominations whose lengths the estimate missed: should not happen, but then once
    // more with every line of a nominated length, and the answer is not one to remember.
    const low = scratch.readUint32(count)
    const high = scratch.readUint32(count + 4)
    if (!lengths.covers(low, high)) {
      count = positions.gateWithLengths(lines, new OptionLengths(low | lengths.low, high | lengths.high))
      scratch.ensure(count + 8)
      verdict = callGated(lines, count, flags, options)
      codes = -1
    }
  }
  // Errors are reported by the checked path, with the indexes of the caller's array.
  if (verdict < 0) return filterCopied(lines, flags, options, where)
  if (codes !== -1) knownShapes.remember(flags, codes, connection, verdict, scratch.bytes, count)
  return filterResult(lines, verdict, scratch.bytes, positions.at, count, flags, options)
}

/** The value of the one gated Connection line that nominates, or null when none or several do. */
function nominatingValue(lines, count) {
  const at = positions.at
  let value = null
  for (let line = 0; line < count; line++) {
    const index = at[line]
    if (isNominatingConnection(lines[index], lines[index + 1])) {
      if (value !== null) return null
      value = lines[index + 1]
    }
  }
  return value
}

function nominatingLines(lines, count) {
  const at = positions.at
  let found = 0
  for (let line = 0; line < count; line++) {
    if (isNominatingConnection(lines[at[line]], lines[at[line] + 1])) found++
  }
  return found
}

function allOptionLengths(lines, count) {
  const at = positions.at
  const lengths = new OptionLengths()
  for (let line = 0; line < count; line++) {
    if (isNominatingConnection(lines[at[line]], lines[at[line] + 1])) lengths.add(lines[at[line] + 1])
  }
  return lengths
}

/**
 * The native call on the gated lines. Usually one to five lines pass the gate: passing them as
 * arguments directly saves building an array only to spread it.
 */
function callGated(lines, count, flags, options) {
  const at = positions.at
  switch (count) {
    case 0:
      return native.filter(flags)
    case 1: {
      const a = at[0]
      return native.filter(flags, lines[a], lines[a + 1])
    }
    case 2: {
      const a = at[0]
      const b = at[1]
      return native.filter(flags, lines[a], lines[a + 1], lines[b], lines[b + 1])
    }
    case 3: {
      const a = at[0]
      const b = at[1]
      const c = at[2]
      return native.filter(flags, lines[a], lines[a + 1], lines[b], lines[b + 1], lines[c], lines[c + 1])
    }
    case 4: {
      const a = at[0]
      const b = at[1]
      const c = at[2]
      const d = at[3]
      return native.filter(flags, lines[a], lines[a + 1], lines[b], lines[b + 1], lines[c], lines[c + 1], lines[d], lines[d + 1])
    }
    case 5: {
      const a = at[0]
      const b = at[1]
      const c = at[2]
      const d = at[3]
      const e = at[4]
      return native.filter(flags, lines[a], lines[a + 1], lines[b], lines[b + 1], lines[c], lines[c + 1], lines[d], lines[d + 1], lines[e], lines[e + 1])
    }
    default: {
      const gated = []
      for (let line = 0; line < count; line++) gated.push(lines[at[line]], lines[at[line] + 1])
      return filterLines(gated, flags, options)
    }
  }
}

module.exports = { filterParsed, filterArray }
