'use strict'
// The name check of the array path (gated.js filterArray): whether a name of an array of unknown
// origin is a token (RFC 9110 §5.1: field-name = token; §5.6.2: token = 1*tchar), exactly as
// Rust's is_token (crates/core/src/token.rs) decides, so that a name this check passes is one
// Rust passes too, and one it fails goes to Rust, which reports it.
//
// Reading every character of every name in JavaScript costs about as much as the rest of the
// filter. A proxy sees the same few dozen names over and over, in fresh strings: a name equal to
// one checked before (a whole-string comparison, which V8 runs as a memory compare) is a token
// too, and only the others are read character by character.

/** TCHAR[c] is 1 when the code unit c is a tchar (RFC 9110 §5.6.2), for c below 128. */
const TCHAR = new Uint8Array(128)
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1

/** Whether `name`, a string, is a token: at least one character, each a tchar. */
function isToken(name) {
  return isTokenFrom(name, 0)
}

/** Whether `name`, a string, is a token from its character `start` on. */
function isTokenFrom(name, start) {
  const size = name.length
  if (size <= start) return false
  for (let i = start; i < size; i++) {
    const code = name.charCodeAt(i)
    // Every unit above 0x7F (a non-ASCII character, half of a surrogate pair) is not a tchar;
    // Rust reads it as 0x80, which is not one either.
    if (code > 0x7f || TCHAR[code] === 0) return false
  }
  return true
}

// Names longer than this are read every time: real names are shorter, and the table keeps only
// short strings.
const REMEMBERED_MAX_LENGTH = 64
// 512 buckets of two names each: room for the names of many kinds of clients at once. A name
// pushed out is read again on its next sight, nothing worse.
const BUCKET_BITS = 9

// What an unused entry of the tables holds: a token, since equal names are taken for tokens.
const EMPTY_SLOT = 'x'

// The names of the last message checked, by line, are compared first: a client sends its lines
// in the same order every time.
const REMEMBERED_LINES = 64
// What lastMessage holds for a line whose name is read whole every time (too long to remember,
// or not a token): an object of this module's own, which no element of a caller's array is.
const NO_NAME = Object.freeze({})

/**
 * Names found to be tokens: those of the last message checked, by line, and a table of two names
 * per bucket, looked up by length and three of their characters.
 */
class CheckedNames {
  constructor() {
    // Entries 2b and 2b + 1 are bucket b, the newer first. Every entry is always a token: a
    // caller's name equal to an entry is accepted, so an empty slot holds a token too.
    this.names = new Array(2 << BUCKET_BITS).fill(EMPTY_SLOT)
    this.lastMessage = new Array(REMEMBERED_LINES).fill(EMPTY_SLOT)
  }

  /**
   * Whether `name`, the name of line `line` of a message, is a token (and so a string). Line
   * `line` of lastMessage then holds this name, or NO_NAME when it is not one to remember: the
   * gated path takes a message whose names all equal lastMessage's for the last message again.
   */
  isTokenAt(name, line) {
    if (typeof name !== 'string') return false
    if (line >= REMEMBERED_LINES) return isToken(name)
    const lastMessage = this.lastMessage
    if (lastMessage[line] === name) return true
    const size = name.length
    if (size === 0 || size > REMEMBERED_MAX_LENGTH) {
      lastMessage[line] = NO_NAME
      return isToken(name)
    }
    const known = this.remembered(name)
    lastMessage[line] = known === '' ? NO_NAME : known
    return known !== ''
  }

  /** Whether `name`, a string, is a token. */
  isToken(name) {
    const size = name.length
    if (size === 0 || size > REMEMBERED_MAX_LENGTH) return isToken(name)
    return this.remembered(name) !== ''
  }

  /**
   * The table's copy of `name`, of 1 to REMEMBERED_MAX_LENGTH characters, when it is a token (it
   * is kept if it was not there), else ''.
   */
  remembered(name) {
    const size = name.length
    const mixed = (((size * 31 + name.charCodeAt(0)) * 31 + name.charCodeAt(size >>> 1)) * 31 + name.charCodeAt(size - 1)) | 0
    const slot = (Math.imul(mixed, 0x9e3779b1) >>> (32 - BUCKET_BITS)) << 1
    const names = this.names
    const newer = names[slot]
    if (newer === name) return newer
    const older = names[slot + 1]
    if (older === name) return older
    if (!isToken(name)) return ''
    const copy = ownCopy(name)
    names[slot + 1] = newer
    names[slot] = copy
    return copy
  }
}

// V8 makes a slice of 13 characters or more a view into the string it was cut from.
const SHORTEST_VIEW = 13
const codes = []

/**
 * A flat string equal to `name`, a token, that holds no reference to another string. A name cut
 * from a longer string (a head read as one string, say) may be a view into it: kept in the
 * table, it would keep that string alive, and V8 compares a view more slowly than a flat string.
 * Shorter names are never views.
 */
function ownCopy(name) {
  const size = name.length
  if (size < SHORTEST_VIEW) return name
  codes.length = size
  for (let i = 0; i < size; i++) codes[i] = name.charCodeAt(i)
  return String.fromCharCode.apply(null, codes)
}

module.exports = { isToken, isTokenFrom, CheckedNames, REMEMBERED_MAX_LENGTH, REMEMBERED_LINES }
