'use strict'
// The checked path: every array the gated path does not take (HTTP/2, strip/protect lists,
// arrays too long to spread, anything that is not an array of strings with token names) and
// every message it finds fault with, so that errors are reported here alone. Rust reads and
// checks every name; the values' types are checked here.

const N = require('../native/abi.js')
const { invalidArgType, invalidArgValue, nativeError, notAString } = require('../errors.js')
const { scratch, filterLines } = require('../native/call.js')
const { filterResult } = require('./result.js')

/** `where` names the array in errors: "rawHeaders", "req.rawHeaders" or "res.rawHeaders". */
function filterChecked(rawHeaders, flags, options, where) {
  if (!Array.isArray(rawHeaders)) throw invalidArgType(where, 'an instance of Array', rawHeaders)
  if ((rawHeaders.length & 1) !== 0) {
    throw invalidArgValue(where, rawHeaders, `must hold name, value pairs (an even length; this one has length ${rawHeaders.length})`)
  }
  // One read of every element: Rust validates the very strings the output is built from, even
  // when the array has getters that answer differently on each read. The copy also stays as the
  // snapshot that lazy diagnostics read.
  return filterCopied(rawHeaders.slice(), flags, options, where)
}

/** Filters `lines`, the caller's array already copied, with Rust reading every name. */
function filterCopied(lines, flags, options, where) {
  const count = lines.length >>> 1
  scratch.ensure(count)
  const verdict = filterLines(lines, flags, options)
  if (verdict < 0) throw nativeError(verdict, lines, options.strip, options.protect, (flags & N.RESPONSE) !== 0 ? 502 : 400, where)
  // Rust reads only the names and a few values: the other values' types are checked here.
  assertStringValues(lines, where)
  return filterResult(lines, verdict, scratch.bytes, null, count, flags, options)
}

function assertStringValues(lines, where) {
  for (let index = 1; index < lines.length; index += 2) {
    if (typeof lines[index] !== 'string') throw notAString(lines, index, where)
  }
}

module.exports = { filterChecked, filterCopied }
