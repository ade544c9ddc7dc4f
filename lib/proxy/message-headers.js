'use strict'
// A received message's `headers` object, built from the filtered lines instead of every line;
// and a response's header names given the upstream's spelling.
//
// Node builds `message.headers` lazily, on first read, from `rawHeaders` with its own rules
// (IncomingMessage#_addHeaderLine: which duplicates are joined, with ', ' or '; ', which are
// dropped, Set-Cookie as an array). A proxy that filters the lines and then deletes the dropped
// names from that object pays for every line twice, and each `delete` turns the object into a
// slow dictionary for everyone who reads it afterwards. When nobody has read `headers` yet, the
// object is built here once, from the kept lines, by Node's own rules: the result is the object
// Node would have built from a message that carried only those lines.

const { IncomingMessage, ServerResponse, validateHeaderValue } = require('node:http')
const { nameBucket, SeenBuckets, BUCKETS } = require('./names.js')

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
 * Sets `message.headers` to the object Node builds from `lines` (a flat name, value list), made
 * from `prototype` when given (e.g. one with a pinned accessor: an object gets it without a
 * defineProperty per message, which costs more than building the rest). Only for a message
 * whose headers are unread.
 */
function setHeadersFromLines(message, lines, prototype) {
  const headers = prototype === undefined ? {} : Object.create(prototype)
  for (let i = 0; i < lines.length; i += 2) message._addHeaderLine(lines[i], lines[i + 1], headers)
  message.headers = headers
  return headers
}

// A response's headers as setHeader stored them: lower-case name -> [name as spelt, value], under
// another private symbol (Node 20-26); Node writes each entry's name as it is stored.
const OUT_HEADERS_SLOT = (() => {
  try {
    const probe = new ServerResponse(new IncomingMessage(null))
    probe.setHeader('X-Probe', '1')
    const slot = Object.getOwnPropertySymbols(probe).find((symbol) => symbol.description === 'kOutHeaders')
    const entry = slot === undefined ? undefined : probe[slot]?.['x-probe']
    return Array.isArray(entry) && entry[0] === 'X-Probe' && entry[1] === '1' ? slot : undefined
  } catch {
    return undefined
  }
})()

/** Whether `res`, a ServerResponse, has no header set; false where that cannot be known. */
function noHeadersSet(res) {
  return OUT_HEADERS_SLOT !== undefined && res instanceof ServerResponse && res[OUT_HEADERS_SLOT] === null
}

/** Whether respellHeaders works on this Node. */
const CAN_RESPELL = OUT_HEADERS_SLOT !== undefined

/**
 * Gives each header set on `res` under its lower-case name the spelling of the first line of that
 * name in `rawHeaders`, before the head is written: what http-proxy's preserveHeaderKeyCase does,
 * without its lower-case copy of every received name and the second setHeader of every header,
 * each a string-table lookup. A name someone set in another spelling keeps it. One walk of the
 * lines: Node's store of the headers is a dictionary, whose for...in sorts a new array of keys.
 */
function respellHeaders(res, rawHeaders) {
  const headers = res[OUT_HEADERS_SLOT]
  if (headers === null || typeof headers !== 'object' || !Array.isArray(rawHeaders) || res.headersSent) return
  seen.start()
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]
    // Not a message from Node's parser: the names stay as they are.
    if (typeof name !== 'string') return
    const bucket = nameBucket(name)
    // A later line of a name seen already (in whatever case) does not spell it.
    if (seen.earlierLine(rawHeaders, i, bucket) !== -1) continue
    const key = lowerCase(name, bucket)
    if (key === name) continue
    const entry = headers[key]
    if (Array.isArray(entry) && entry[0] === key) entry[0] = name
  }
}

const seen = new SeenBuckets()

// The last name lower-cased in each bucket, and its lower-case form: a response's names are
// those of the last response from the same upstream, in new strings.
const SPELT = new Array(BUCKETS).fill('')
const LOWER = new Array(BUCKETS).fill('')

function lowerCase(name, bucket) {
  if (SPELT[bucket] === name) return LOWER[bucket]
  const lower = name.toLowerCase()
  SPELT[bucket] = name
  LOWER[bucket] = lower
  return lower
}

// The proxy's own names, and their lower-case forms: literals, in V8's string table already.
const OWN_NAMES = new Map([
  ['X-Forwarded-For', 'x-forwarded-for'],
  ['X-Forwarded-Host', 'x-forwarded-host'],
  ['X-Forwarded-Proto', 'x-forwarded-proto'],
  ['Forwarded', 'forwarded'],
  ['Via', 'via'],
])

/**
 * `message.appendHeader(name, value)` for an OutgoingMessage whose head is not written yet, one
 * of the proxy's own names stored straight into Node's store of the headers, under its
 * lower-case literal with its spelling, after the value is checked as Node checks it (strictly).
 * Node's appendHeader lower-cases every name it is given, twice per call, into a new string that
 * V8 then hashes and looks up in its string table; and Node 24 reads five options through
 * `this.req?.socket?.server` for every header (_isLenientHeaderValidation), whose loads go
 * megamorphic once a ClientRequest meets them after its constructor. A value appended to a line
 * of the client's (a trusted peer's X-Forwarded-Host, a client's Via) keeps the client's spelling.
 */
function appendOwnHeader(message, name, value) {
  const lower = CAN_RESPELL ? OWN_NAMES.get(name) : undefined
  const headers = lower === undefined ? null : message[OUT_HEADERS_SLOT]
  if (headers === null || typeof headers !== 'object' || message._header) {
    message.appendHeader(name, value)
    return
  }
  validateHeaderValue(name, value)
  const entry = headers[lower]
  if (entry === undefined) headers[lower] = [name, value]
  else if (Array.isArray(entry[1])) entry[1].push(value)
  else entry[1] = [entry[1], value]
}

module.exports = { headersUnread, setHeadersFromLines, noHeadersSet, CAN_RESPELL, respellHeaders, appendOwnHeader }
