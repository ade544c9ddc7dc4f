'use strict'
// Every error this package throws or answers with is made here: the coded TypeError/RangeError
// for bad arguments (Node's own codes and message style), HopByHopError for messages a proxy
// must refuse, whose statusCode is the answer to send, and the decoding of the error code a
// native call returns. A code, message or statusCode changes here or nowhere.

const { inspect } = require('node:util')
const N = require('./native/abi.js')

/**
 * A message a proxy must refuse. `statusCode` is the answer: 400 for a bad request, 431 for a
 * request head Node did not hand over whole, 500 for a proxy that cannot forward a body it no
 * longer has, 502 for an upstream response.
 */
class HopByHopError extends Error {
  constructor(code, message, statusCode = 400) {
    super(message)
    this.name = 'HopByHopError'
    this.code = code
    this.statusCode = statusCode
  }
}

/** What the caller passed, as Node's own argument errors describe it ("type number (1)"). */
function describe(value) {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`
  if (typeof value === 'object') {
    if (value.constructor?.name) return `an instance of ${value.constructor.name}`
    return inspect(value, { depth: -1 })
  }
  let shown = inspect(value, { colors: false })
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`
  return `type ${typeof value} (${shown})`
}

function coded(ErrorClass, code, message) {
  const error = new ErrorClass(message)
  error.code = code
  return error
}

/** RFC 9110 §5.6.2 token: a header name, a Connection option, an RFC 7239 value without quotes. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

// Node's wording: a part of an argument ("options.trust", "req.rawHeaders[3]") is a property.
function kind(name) {
  return name.includes('.') || name.includes('[') ? 'property' : 'argument'
}

/** ERR_INVALID_ARG_TYPE: `name` (e.g. "req.rawHeaders") must be `expected`. */
function invalidArgType(name, expected, actual) {
  return coded(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" ${kind(name)} must be ${expected}. Received ${describe(actual)}`)
}

/** ERR_INVALID_ARG_VALUE: `name` has the right type but a value that cannot be used. */
function invalidArgValue(name, value, reason, ErrorClass = RangeError) {
  let shown = inspect(value, { depth: 0, breakLength: Infinity })
  if (shown.length > 60) shown = `${shown.slice(0, 57)}...`
  return coded(ErrorClass, 'ERR_INVALID_ARG_VALUE', `The ${kind(name)} '${name}' ${reason}. Received ${shown}`)
}

/** ERR_OUT_OF_RANGE: a number outside what `name` allows. */
function outOfRange(name, range, actual) {
  return coded(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${inspect(actual)}`)
}

/** ERR_INVALID_HTTP_TOKEN: a header name that is not an RFC 9110 token. */
function invalidHeaderName(name, value) {
  return coded(TypeError, 'ERR_INVALID_HTTP_TOKEN', `${name} must be a valid HTTP token ["${value}"]`)
}

/** The option name closest to a misspelt one (Damerau-free edit distance), or undefined. */
function nearest(name, known) {
  let best
  let bestDistance = Infinity
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined
}

function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]
}

/**
 * ERR_INVALID_ARG_VALUE for an option name `where` (e.g. "filterHeaders()") does not take. A
 * misspelt option would otherwise be ignored, and silently switch off what it was meant to
 * switch on (strict, trust).
 */
function unknownOption(where, name, known, owner) {
  const guess = owner === undefined ? nearest(name, known) : undefined
  let hint = guess === undefined ? `; its options are ${known.map((k) => `'${k}'`).join(', ')}` : `; did you mean '${guess}'?`
  if (owner !== undefined) hint = `; it is an option of ${owner}${hint}`
  const error = coded(TypeError, 'ERR_INVALID_ARG_VALUE', `The property 'options.${name}' is not an option of ${where}${hint}`)
  error.option = name
  if (guess !== undefined) error.suggestion = guess
  return error
}

// HopByHopErrors, one factory per code.

/** A head Node's parser may have cut (431 for a request, 502 for a response). */
function headTruncated(where, length, limit, statusCode) {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_HEAD_TRUNCATED',
    `${where}.rawHeaders has ${length} elements, at or over the ${limit} (maxHeadersCount ${limit >>> 1}) that Node's parser keeps of a head: lines past the limit may have been dropped, framing included`,
    statusCode,
  )
}

/** A body parser read the body, and `detail` says why it cannot be sent again. */
function bodyConsumed(detail) {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_BODY_CONSUMED',
    `the request body was read before the proxy could forward it (a body parser ran first) and ${detail}: ` +
      'mount the proxy before the body parser, or use express.json(), urlencoded(), text() or raw(), whose parsed body is sent again',
    500,
  )
}

/**
 * Body bytes for a request whose head, as handed to us, declares no body mean that Node's parser
 * honoured framing that is not in rawHeaders (a head Node cut). Forwarding them unframed would
 * let the upstream read them as a second request.
 */
function undeclaredBody() {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_UNDECLARED_BODY',
    'the request carries a body but its head, as Node handed it over, declares none (no Content-Length or Transfer-Encoding): refusing to forward it unframed',
    400,
  )
}

/** RFC 9112 §9.6: nothing is processed after a request after which the connection closes. */
function afterClose() {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_AFTER_CLOSE',
    'the request was pipelined behind one after which the connection closes (RFC 9112 §9.6): not forwarded',
    400,
  )
}

/**
 * A Host that names another host than the request's authority: an absolute-form target's (RFC
 * 9112 §3.2.2), or HTTP/2's `:authority` (RFC 9113 §8.3.1, `source` ':authority').
 */
function hostMismatch(authority, host, source = 'the request target') {
  const rule = source === ':authority' ? 'RFC 9113 §8.3.1' : 'RFC 9112 §3.2.2'
  return new HopByHopError(
    'ERR_HOP_BY_HOP_HOST_MISMATCH',
    `${source} names the host ${JSON.stringify(authority.slice(0, 60))} but Host says ${JSON.stringify(host.slice(0, 60))}: not forwarded, since the proxy may have judged the request by either (${rule})`,
    400,
  )
}

/** The client's connection is gone, and with it the address the forwarding fields must name. */
function peerUnknown() {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_PEER_UNKNOWN',
    "the client's connection closed before the request was forwarded, and its address with it: not forwarded without the X-Forwarded-For or Forwarded entry that names the client",
    400,
  )
}

/** RFC 9112 §6.1: a response body in a transfer coding Node's client does not decode. */
function undecodedTransferCoding(value) {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_TRANSFER_CODING',
    `the response has a transfer coding other than chunked (Transfer-Encoding: ${JSON.stringify(value.slice(0, 60))}), which Node's client leaves undecoded and the filter would drop: not passed on (RFC 9112 §6.1)`,
    502,
  )
}

/**
 * http-proxy-3 sends with fetch() (options.fetch, options.fetchOptions, FORCE_FETCH_PATH=true):
 * no proxyReq, a fetch Response as proxyRes, so attach()'s passes would send a request whose
 * answer they cannot filter.
 */
function fetchPath() {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_FETCH_PATH',
    'http-proxy-3\'s fetch path (options.fetch, options.fetchOptions, FORCE_FETCH_PATH) is not filtered: not forwarded',
    502,
  )
}

/**
 * RFC 9110 §15.2.2: a server sends 101 only in answer to a request that asked to upgrade, and
 * names the protocol it switches to in Upgrade (`withoutUpgrade`: it named none).
 */
function unexpectedUpgrade(withoutUpgrade = false) {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_UNEXPECTED_UPGRADE',
    withoutUpgrade
      ? 'the upstream answered 101 Switching Protocols without naming a protocol in Upgrade (RFC 9110 §15.2.2): after it the connection carries no HTTP'
      : 'the upstream answered 101 Switching Protocols to a request that did not ask to upgrade',
    502,
  )
}

/** RFC 9110 §7.8: a 101 that switches to `protocol`, which the request's Upgrade did not name. */
function unofferedProtocol(protocol) {
  return new HopByHopError(
    'ERR_HOP_BY_HOP_UNEXPECTED_UPGRADE',
    `the upstream switched to ${JSON.stringify(protocol.slice(0, 60))}, which the client did not offer in Upgrade (RFC 9110 §7.8)`,
    502,
  )
}

/**
 * The upstream's connection closed after its answer's head and before the rest, with no error from
 * Node's client (a clean close), while nothing of the answer had gone to the client yet.
 */
function upstreamIncomplete() {
  return new HopByHopError('ERR_HOP_BY_HOP_UPSTREAM_INCOMPLETE', 'the upstream closed its connection before its answer was complete', 502)
}

/**
 * The `timeout` of relay() and forward(): the upstream connection stayed idle that long, before
 * the answer (then the client gets 504, RFC 9110 §15.6.5) or during it (then the client's
 * connection is cut).
 */
function upstreamTimeout(ms) {
  return new HopByHopError('ERR_HOP_BY_HOP_UPSTREAM_TIMEOUT', `the upstream sent nothing for ${ms} ms`, 504)
}

/**
 * A request target (req.url) that no request to an origin server can carry (RFC 9112 §3.2.1):
 * neither origin-form nor an absolute-form http(s) URI with a host; or one that `reason` says
 * cannot be sent where the caller sends it.
 */
function requestTarget(target, reason) {
  const shown = JSON.stringify(target.slice(0, 60))
  const message = reason === undefined
    ? `the request target ${shown} is neither origin-form (/path?query) nor absolute-form (http://host/path): no request to an origin server can carry it (RFC 9112 §3.2.1)`
    : `the request target ${shown} ${reason}`
  return new HopByHopError('ERR_HOP_BY_HOP_REQUEST_TARGET', message, 400)
}

/** An `upgrade` event for a head the filter does not take as an upgrade (HTTP/1.0, say). */
function notAnUpgrade() {
  return new HopByHopError('ERR_HOP_BY_HOP_NOT_AN_UPGRADE', 'the request is not a valid HTTP/1.1 upgrade (RFC 9110 §7.8): not forwarded as one', 400)
}

/**
 * An `upgrade` event for a request that declares content: Node hands over what follows the head
 * unread, as the new protocol's first bytes, so the content, which belongs to the request before
 * the switch, would reach the upstream after it, or never.
 */
function upgradeContent() {
  return new HopByHopError('ERR_HOP_BY_HOP_UPGRADE_CONTENT', 'the upgrade request declares content, which Node hands over unread as the new protocol\'s first bytes: not forwarded', 400)
}

/** No addon loads: `message` says what was tried, `cause` holds every attempt's error. */
function noAddon(message, cause) {
  const error = new Error(message, { cause })
  error.code = 'ERR_HOP_BY_HOP_NO_ADDON'
  return error
}

/** A broken invariant between lib/ and src/, never the caller's fault. */
function internalError(detail) {
  return new Error(`hop-by-hop: internal error (${detail})`)
}

/** ERR_INVALID_ARG_TYPE for the value at `index` of `lines`, which is not a string. */
function notAString(lines, index, where) {
  return invalidArgType(`${where}[${index}]`, 'of type string', lines[index])
}

function listEntryError(list, index, where) {
  const entry = list[index]
  if (typeof entry !== 'string') return invalidArgType(`${where}[${index}]`, 'of type string', entry)
  return invalidHeaderName(`${where}[${index}]`, entry)
}

/**
 * The error a negative native result stands for: -(1 + kind + 16 * index), where index is the
 * line (or the strip/protect entry) at fault. `lines` is the array Rust read, `where` its name in
 * messages ("req.rawHeaders"); statusCode is the answer to a message refused (400 or 502).
 */
function nativeError(result, lines, strip, protect, statusCode, where) {
  const encoded = -result - 1
  const kind = encoded % 16
  const index = (encoded - kind) / 16
  const valueAt = `${where}[${2 * index + 1}]`
  switch (kind) {
    case N.ERROR_NOT_A_STRING:
      return notAString(lines, index, where)
    case N.ERROR_INVALID_NAME:
      return invalidHeaderName(`${where}[${2 * index}]`, lines[2 * index])
    case N.ERROR_INVALID_STRIP:
      return listEntryError(strip, index, 'options.strip')
    case N.ERROR_INVALID_PROTECT:
      return listEntryError(protect, index, 'options.protect')
    case N.ERROR_PROTECTED:
      return new HopByHopError('ERR_HOP_BY_HOP_PROTECTED', `Connection (${valueAt}) nominates a protected header: ${JSON.stringify(lines[2 * index + 1])}`, statusCode)
    case N.ERROR_INVALID_TOKEN:
      return new HopByHopError('ERR_HOP_BY_HOP_INVALID_TOKEN', `Connection (${valueAt}) has an element that is not a token: ${JSON.stringify(lines[2 * index + 1])}`, statusCode)
    case N.ERROR_AMBIGUOUS_LENGTH:
      return new HopByHopError('ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH', `Transfer-Encoding (${valueAt}) together with Content-Length makes the message length ambiguous`, statusCode)
    case N.ERROR_INVALID_UPGRADE:
      return new HopByHopError('ERR_HOP_BY_HOP_INVALID_UPGRADE', `Upgrade (${valueAt}) must name a protocol in printable ASCII: ${JSON.stringify(lines[2 * index + 1])}`, statusCode)
    default:
      return internalError(`code ${kind} at ${index}`)
  }
}

module.exports = {
  HopByHopError,
  upstreamIncomplete,
  upstreamTimeout,
  fetchPath,
  TOKEN,
  describe,
  invalidArgType,
  invalidArgValue,
  outOfRange,
  invalidHeaderName,
  unknownOption,
  notAString,
  headTruncated,
  bodyConsumed,
  undeclaredBody,
  afterClose,
  hostMismatch,
  peerUnknown,
  undecodedTransferCoding,
  unexpectedUpgrade,
  unofferedProtocol,
  requestTarget,
  notAnUpgrade,
  upgradeContent,
  noAddon,
  internalError,
  nativeError,
}
