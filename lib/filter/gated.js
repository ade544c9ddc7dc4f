'use strict'
// The gated path: filterRequest/filterResponse of an http.IncomingMessage, and filterHeaders of
// a plain array. Names that Node's HTTP/1 parser hands over are tokens: llhttp refuses any other
// byte in a field name (RFC 9110 §5.1), with or without insecureHTTPParser, so such a message
// needs no per-byte name check. The names of an array of unknown origin (undici, a program's
// own) are checked here, each a token as Rust would check it (tokens.js), and every element a
// string; an array that fails is handed to the checked path, which reports it as before.
// Rust gets only the lines that pass the gate (gate.js) or have the length of a nominated name,
// and JavaScript keeps the others without reading their characters again; a message of a shape
// seen before gets Rust's earlier answer from the table of known shapes (known-shapes.js). An
// array's HTTP/2 pseudo-headers are checked here too and set aside, since they are never
// forwarded. Every other case (strip/protect lists, an HTTP/2 message from Node's parser, more
// than one nominating Connection line, any error) takes the checked path (checked.js), where Rust
// reads and checks every name.

const N = require('../native/abi.js')
const { native, scratch, filterLines, MAX_SPREAD_ELEMENTS } = require('../native/call.js')
const { passesGate, isNominatingConnection, OptionLengths, NO_LENGTHS, GatedPositions } = require('./gate.js')
const { KnownShapes, isCodedByValue, SHAPE_BITS } = require('./known-shapes.js')
const { filterChecked, filterCopied } = require('./checked.js')
const { filterResult, FilterResult } = require('./result.js')
const { CheckedNames, REMEMBERED_LINES, isTokenFrom } = require('./tokens.js')

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
  const codes = knownShapes.codes(lines, at, count, null)
  if (codes !== -1) {
    const known = knownShapes.find(flags, codes, null)
    if (known !== undefined) return filterResult(lines, known.verdict, known.actions, at, count, flags, options)
  }
  return filterNominating(lines, count, codes, flags, options, where, null)
}

/**
 * filterHeaders (and createFilter's filter) of an array. Every name must be a token (or, on
 * HTTP/2, a pseudo-header: ':' and a token) and every element a string; anything else (another
 * type, a name that is not a token, a hole) goes to the checked path, which reports it with the
 * same error as before. So do strip/protect lists and arrays too long to spread, whose lines
 * Rust reads through its array entry point.
 */
function filterArray(rawHeaders, flags, options, where) {
  if (!Array.isArray(rawHeaders) || (rawHeaders.length & 1) !== 0 || options.lists || rawHeaders.length > MAX_SPREAD_ELEMENTS) {
    return filterChecked(rawHeaders, flags, options, where)
  }
  // One read of every element, as on the checked path: what is checked is what is forwarded.
  const lines = rawHeaders.slice()
  const repeated = lastGating.repeatedAnswer(lines, flags, checkedNames.lastMessage)
  if (repeated !== null) return filterResult(lines, repeated.verdict, repeated.actions, lastGating.at, lastGating.count, flags, options)
  const length = lines.length
  // The names of the last message checked, line by line: a name equal to one is a token (and a
  // string), and any other is checked in full.
  const lastMessage = checkedNames.lastMessage
  const remembered = Math.min(length, lastMessage.length << 1)
  // Whether every name equals the last message's, which then has the same gating.
  let same = length === lastGating.length
  let pseudo = 0
  let index = 0
  for (; index < remembered; index += 2) {
    const name = lines[index]
    if (typeof lines[index + 1] !== 'string') return filterCopied(lines, flags, options, where)
    if (name !== lastMessage[index >>> 1]) {
      // The last message's names change from here on, and with them what its gating was of.
      same = false
      lastGating.length = -1
      if (!checkedNames.isTokenAt(name, index >>> 1)) {
        if (!isPseudoHeader(name, flags)) return filterCopied(lines, flags, options, where)
        pseudo++
      }
    }
  }
  for (; index < length; index += 2) {
    const name = lines[index]
    if (typeof lines[index + 1] !== 'string') return filterCopied(lines, flags, options, where)
    if (!checkedNames.isTokenAt(name, index >>> 1)) {
      if (!isPseudoHeader(name, flags)) return filterCopied(lines, flags, options, where)
      pseudo++
    }
  }
  if (pseudo !== 0) return filterWithoutPseudoHeaders(lines, length - 2 * pseudo, flags, options, where)
  return filterCheckedNames(lines, same, length <= remembered ? lastGating : null, flags, options, where)
}

/** An HTTP/2 pseudo-header's name (RFC 9113 §8.3): ':' and a token; never on another version. */
function isPseudoHeader(name, flags) {
  return (flags & N.VERSION_HTTP2) !== 0 && typeof name === 'string' && name.charCodeAt(0) === 0x3a && isTokenFrom(name, 1)
}

/**
 * An HTTP/2 array with pseudo-headers, its names checked: they describe the stream and are never
 * forwarded (RFC 9113 §8.3), and Rust's answer on the other lines does not depend on them. So
 * the other lines take the gated path on their own, and the result keeps `lines`, the whole
 * message, for its diagnostics (the ':authority' value, the pseudo-headers removed). Any error
 * is reported by the checked path on the whole message, with its indexes.
 */
function filterWithoutPseudoHeaders(lines, fieldElements, flags, options, where) {
  const fields = new Array(fieldElements)
  let next = 0
  for (let index = 0; index < lines.length; index += 2) {
    const name = lines[index]
    if (name.charCodeAt(0) === 0x3a) continue
    fields[next++] = name
    fields[next++] = lines[index + 1]
  }
  let result
  try {
    result = filterCheckedNames(fields, false, null, flags, options, where)
  } catch {
    return filterCopied(lines, flags, options, where)
  }
  return new FilterResult(result.headers, result.keepAlive, result.upgrade, lines, flags, options)
}

/**
 * The gated path of an array whose names are all tokens. `same`: its names are those of the
 * message `memo` keeps the gating of; `memo`: filterArray's LastGating when it may keep this
 * message's gating, else null.
 */
function filterCheckedNames(lines, same, memo, flags, options, where) {
  const length = lines.length
  const at = positions.reserve(length)
  let count = 0
  if (same) {
    // The last message's names, whose answer (when kept) was for other values or flags.
    count = lastGating.count
    const gated = lastGating.at
    for (let line = 0; line < count; line++) at[line] = gated[line]
  } else {
    for (let index = 0; index < length; index += 2) {
      if (passesGate(lines[index])) at[count++] = index
    }
    if (memo !== null) memo.keep(length, at, count)
  }
  const codes = knownShapes.codes(lines, at, count, null)
  if (codes !== -1) {
    const known = knownShapes.find(flags, codes, null)
    if (known !== undefined) {
      if (memo !== null && memo.length !== -1) memo.answer.keep(flags, codes, known, lines, at, count)
      return filterResult(lines, known.verdict, known.actions, at, count, flags, options)
    }
  } else if (same && lastGating.hasNomination(lines, knownShapes.generation)) {
    // The same nominating Connection line as the last message's: the same second gating.
    return filterNominatedAgain(lines, flags, options, where)
  }
  return filterNominating(lines, count, codes, flags, options, where, memo)
}

/** filterArray of a message whose names and nominating Connection line are the last one's. */
function filterNominatedAgain(lines, flags, options, where) {
  const connection = lastGating.connection
  const count = lastGating.nominatedCount
  const gated = lastGating.nominatedAt
  // The names are the last message's (its lines of nominated lengths included), and so is its
  // nominating Connection value: where the coded values are too, so is the answer.
  const again = lastGating.nominatedAnswer.for(lines, flags)
  if (again !== null) return filterResult(lines, again.verdict, again.actions, gated, count, flags, options)
  const at = positions.at
  for (let line = 0; line < count; line++) at[line] = gated[line]
  const codes = knownShapes.codes(lines, at, count, connection)
  if (codes !== -1) {
    const known = knownShapes.find(flags, codes, connection)
    if (known !== undefined) {
      lastGating.nominatedAnswer.keep(flags, codes, known, lines, at, count)
      return filterResult(lines, known.verdict, known.actions, at, count, flags, options)
    }
  }
  return filterGated(lines, count, codes, connection, connection.lengths, flags, options, where)
}

/**
 * The gating of the last array filterArray took whole (at most REMEMBERED_LINES lines): it
 * depends on the names alone, so an array whose names equal that one's, line by line, has the
 * same. When that array had one nominating Connection line, also that line's place and value,
 * the table of the value, and the lines gated again with the lengths of its options.
 */
class LastGating {
  constructor() {
    // -1: nothing kept.
    this.length = -1
    this.at = new Int32Array(REMEMBERED_LINES)
    this.count = 0
    this.valueAt = -1
    this.value = ''
    this.connection = null
    this.generation = 0
    this.nominatedAt = new Int32Array(REMEMBERED_LINES)
    this.nominatedCount = 0
    // The answer of the message kept, by its first gating, and by its second (with the lengths
    // its nominating Connection line names).
    this.answer = new KnownAnswer()
    this.nominatedAnswer = new KnownAnswer()
  }

  keep(length, at, count) {
    this.length = length
    for (let line = 0; line < count; line++) this.at[line] = at[line]
    this.count = count
    this.valueAt = -1
    this.answer.forget()
    this.nominatedAnswer.forget()
  }

  /** Keeps the second gating of the message just kept, whose one nominating line is at `index`. */
  keepNomination(index, value, connection, generation, at, count) {
    if (this.length === -1) return
    this.valueAt = index + 1
    this.value = value
    this.connection = connection
    this.generation = generation
    for (let line = 0; line < count; line++) this.nominatedAt[line] = at[line]
    this.nominatedCount = count
    this.nominatedAnswer.forget()
  }

  /**
   * The answer kept, when `lines` is the kept message again: the same names line by line
   * (`names`: CheckedNames' last message, whose first lines are the kept message's names, found
   * to be tokens), every value a string, and the same values where its shape read them; else
   * null. A program that sees one kind of message after another pays this check and the copy.
   */
  repeatedAnswer(lines, flags, names) {
    const length = lines.length
    if (length !== this.length || this.answer.known === null) return null
    for (let index = 0; index < length; index += 2) {
      if (lines[index] !== names[index >>> 1] || typeof lines[index + 1] !== 'string') return null
    }
    return this.answer.for(lines, flags)
  }

  /** Whether `lines`, whose names are the kept message's, has its nominating Connection line too. */
  hasNomination(lines, generation) {
    return this.valueAt !== -1 && lines[this.valueAt] === this.value && generation === this.generation
  }
}

/**
 * The known shape's answer of the message LastGating keeps, for one of its gatings: its flags,
 * the answer, and the values the shape was coded by (element index, value). A message whose names
 * equal the kept one's (and so its gating) has the same answer when these are equal too.
 */
class KnownAnswer {
  constructor() {
    this.known = null
    this.flags = 0
    this.valuesAt = new Int32Array(REMEMBERED_LINES)
    this.values = new Array(REMEMBERED_LINES).fill('')
    this.valueCount = 0
  }

  forget() {
    this.known = null
  }

  /**
   * Keeps `known`, the answer for flags `flags` of `lines` gated by `at`/`count`, whose shape is
   * `codes` (one code per gated line, the last line's in the low bits).
   */
  keep(flags, codes, known, lines, at, count) {
    let valueCount = 0
    for (let line = count - 1; line >= 0; line--, codes >>>= SHAPE_BITS) {
      if (!isCodedByValue(codes & ((1 << SHAPE_BITS) - 1))) continue
      const index = at[line] + 1
      this.valuesAt[valueCount] = index
      this.values[valueCount++] = lines[index]
    }
    this.valueCount = valueCount
    this.flags = flags
    this.known = known
  }

  /** The kept answer, when `lines` (with the kept names) has the kept values; else null. */
  for(lines, flags) {
    const known = this.known
    if (known === null || flags !== this.flags) return null
    for (let k = 0; k < this.valueCount; k++) {
      if (lines[this.valuesAt[k]] !== this.values[k]) return null
    }
    return known
  }
}

const lastGating = new LastGating()

/**
 * The rest of filterParsed and filterArray: messages with nominations, and shapes not in the
 * table. `memo`: filterArray's LastGating, which keeps the second gating, or null.
 */
function filterNominating(lines, count, codes, flags, options, where, memo) {
  let connection = null
  let lengths = NO_LENGTHS
  if (codes === -1) {
    const index = nominatingLine(lines, count)
    if (index >= 0) {
      // One Connection line nominates: gate again with the lengths of its options, known from
      // its table, and look the shape up there.
      const value = lines[index + 1]
      connection = knownShapes.connection(value)
      lengths = connection.lengths
      count = positions.gateWithLengths(lines, lengths)
      if (memo !== null) memo.keepNomination(index, value, connection, knownShapes.generation, positions.at, count)
      codes = knownShapes.codes(lines, positions.at, count, connection)
      if (codes !== -1) {
        const known = knownShapes.find(flags, codes, connection)
        if (known !== undefined) return filterResult(lines, known.verdict, known.actions, positions.at, count, flags, options)
      }
    } else if (index === SEVERAL) {
      // More such lines (a client's trick, never a browser's): Rust reads every line, which costs
      // less than gating again with the lengths of all their options.
      return filterCopied(lines, flags, options, where)
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

const SEVERAL = -2

/**
 * The element index of the one gated Connection line that nominates, -1 when none does, SEVERAL
 * when more do.
 */
function nominatingLine(lines, count) {
  const at = positions.at
  let found = -1
  for (let line = 0; line < count; line++) {
    const index = at[line]
    if (isNominatingConnection(lines[index], lines[index + 1])) {
      if (found !== -1) return SEVERAL
      found = index
    }
  }
  return found
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
