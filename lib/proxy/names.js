'use strict'
// Header names compared without lower-casing them: the integrations look for a few names in
// every line of every message, and a lower-case copy of each name was most of that work. Names
// of another length are passed over without being read; the others are compared in place.

/** Whether `name` is `lower` (a lower-case ASCII name) in any ASCII case. */
function isName(name, lower) {
  if (name.length !== lower.length) return false
  if (name === lower) return true
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i)
    if ((code >= 0x41 && code <= 0x5a ? code | 0x20 : code) !== lower.charCodeAt(i)) return false
  }
  return true
}

/** Whether two names are equal up to ASCII case. */
function equalsIgnoringCase(a, b) {
  if (a.length !== b.length) return false
  if (a === b) return true
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y && (x >= 0x41 && x <= 0x5a ? x | 0x20 : x) !== (y >= 0x41 && y <= 0x5a ? y | 0x20 : y)) return false
  }
  return true
}

/** Element index of the first line named `lower` in a flat name, value list, or -1. */
function findLine(flat, lower) {
  for (let i = 0; i < flat.length; i += 2) if (isName(flat[i], lower)) return i
  return -1
}

module.exports = { isName, equalsIgnoringCase, findLine }
