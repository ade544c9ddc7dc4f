'use strict'

// Not a filter: the least an array filter that checks every name must do, and nothing else.
// It copies the caller's array (the result must not be the caller's), checks that every value
// is a string, and finds every name a token by the cheapest check we know in JavaScript: a
// whole-string comparison with the name at the same line of the previous message, already
// checked (V8 compares two flat strings as memory). It applies no rule, builds no result object
// and reads no options; a message whose names differ from the previous one's is not handled
// (null). Reading each name's characters with charCodeAt is several times slower, and handing
// the names to Rust slower still (`native readNames` in the tables).

let previous = []

/** rawHeaders in, a copy out, or null when a name differs from the previous message's. */
function filterRaw(raw) {
  const lines = raw.slice()
  const length = lines.length
  if (length !== previous.length) return remember(lines)
  for (let index = 0; index < length; index += 2) {
    if (typeof lines[index + 1] !== 'string' || lines[index] !== previous[index]) return remember(lines)
  }
  return lines
}

function remember(lines) {
  previous = lines
  return null
}

module.exports = { filterRaw }
