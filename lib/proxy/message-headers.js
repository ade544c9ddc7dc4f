'use strict'
// A received message's `headers` object, built from the filtered lines instead of every line.
//
// Node builds `message.headers` lazily, on first read, from `rawHeaders` with its own rules
// (IncomingMessage#_addHeaderLine: which duplicates are joined, with ', ' or '; ', which are
// dropped, Set-Cookie as an array). A proxy that filters the lines and then deletes the dropped
// names from that object pays for every line twice, and each `delete` turns the object into a
// slow dictionary for everyone who reads it afterwards. When nobody has read `headers` yet, the
// object is built here once, from the kept lines, by Node's own rules: the result is the object
// Node would have built from a message that carried only those lines.

const { IncomingMessage } = require('node:http')

// Node keeps the built object under a private symbol, null until the first read (Node 20-26).
// When it cannot be found, or Node's builder is gone, every message takes the caller's slow path.
const HEADERS_SLOT = (() => {
  try {
    const probe = new IncomingMessage(null)
    const slot = Object.getOwnPropertySymbols(probe).find((symbol) => symbol.description === 'kHeaders')
    const settable = typeof Object.getOwnPropertyDescriptor(IncomingMessage.prototype, 'headers')?.set === 'function'
    return slot !== undefined && probe[slot] === null && settable && typeof probe._addHeaderLine === 'function' ? slot : undefined
  } catch {
    return undefined
  }
})()

/** Whether `message.headers` can still be built from other lines: nobody has read it yet. */
function headersUnread(message) {
  return HEADERS_SLOT !== undefined && message instanceof IncomingMessage && message[HEADERS_SLOT] === null
}

/**
 * Sets `message.headers` to the object Node builds from `lines` (a flat name, value list), after
 * `descriptors` (own properties defined first, e.g. a pinned accessor; no per-call shape change,
 * since every object gets them in the same order). Only for a message whose headers are unread.
 */
function setHeadersFromLines(message, lines, descriptors) {
  const headers = {}
  if (descriptors !== undefined) Object.defineProperties(headers, descriptors)
  for (let i = 0; i < lines.length; i += 2) message._addHeaderLine(lines[i], lines[i + 1], headers)
  message.headers = headers
  return headers
}

module.exports = { headersUnread, setHeadersFromLines }
