'use strict'
// Hooks for @fastify/reply-from: `reply.from(url, replyFromHooks(options))`. reply-from hands
// both hooks parsed objects (lowercase names, repeated fields as arrays); an HTTP/2 upstream's
// response object also carries `:status`, which is not a field (RFC 9113 §8.3) and which the
// filter refuses as a name.

const { createFilter, HOP_BY_HOP_HEADERS } = require('../filter/index.js')
const { Forwarding } = require('../proxy/forwarding.js')
const { TOKEN } = require('../errors.js')
const { assertUpgradeRequest } = require('../proxy/guards.js')
const { isForwardingField } = require('../proxy/names.js')
const { PROXY_FILTER_OPTIONS, checkOptions, pick } = require('../options.js')

// undici (and Node's http2 client) frame the body and own Connection: no `framing` option.
const FORWARDING_CHOICES = Object.freeze(['trust', 'forwarded', 'via', 'host'])
const REPLY_FROM_OPTIONS = Object.freeze([...PROXY_FILTER_OPTIONS, ...FORWARDING_CHOICES])

// TE is rewritten below. Expect: Node's server has already answered the client's 100-continue,
// and undici (reply-from's client) refuses the field ("expect header not supported").
const NOT_PASSED_ON = new Set(['te', 'expect'])

/**
 * Whether a lower-case name is one of the proxy's own fields, written by the hook over whatever the
 * client sent: Via, or a forwarding field in any spelling.
 */
function isOwnField(lower) {
  return lower === 'via' || isForwardingField(lower)
}

const CONNECTION_SPECIFIC = new Set(['connection', ...HOP_BY_HOP_HEADERS.map((name) => name.toLowerCase())])

function isPseudoHeader(name) {
  return name.charCodeAt(0) === 58 // ':'
}

/** A parsed header object as a flat list; pseudo-header fields are left out (RFC 9113 §8.3). */
function toRawHeaders(headers) {
  const raw = []
  for (const [name, value] of Object.entries(headers)) {
    if (isPseudoHeader(name) || value === undefined || value === null) continue
    if (Array.isArray(value)) for (const line of value) raw.push(name, `${line}`)
    else raw.push(name, `${value}`)
  }
  return raw
}

function fromRawHeaders(raw) {
  const headers = {}
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    const value = raw[i + 1]
    if (!Object.hasOwn(headers, name)) headers[name] = value
    else if (Array.isArray(headers[name])) headers[name].push(value)
    else headers[name] = [headers[name], value]
  }
  return headers
}

/**
 * What is left of a response header object when the filter could not read it: every field that
 * can be connection-specific is dropped (the fixed hop-by-hop names, Connection and every name any
 * Connection value lists, however spelt) and every name that is not a token, so the client never
 * gets more than the filter would have passed. Cannot throw.
 */
function conservativeHeaders(headers) {
  const kept = {}
  if (headers === null || typeof headers !== 'object') return kept
  const nominated = new Set()
  for (const [name, value] of Object.entries(headers)) {
    if (String(name).toLowerCase() !== 'connection') continue
    for (const item of [value].flat()) for (const element of String(item).split(',')) nominated.add(element.trim().toLowerCase())
  }
  for (const [name, value] of Object.entries(headers)) {
    const lower = String(name).toLowerCase()
    // Not a field name Node would write either (RFC 9110 §5.1), pseudo-headers included.
    if (!TOKEN.test(lower) || CONNECTION_SPECIFIC.has(lower) || nominated.has(lower)) continue
    kept[lower] = value
  }
  return kept
}

/**
 * `{ rewriteRequestHeaders, rewriteHeaders }` for `reply.from()`, with `options` (the filter's
 * strict, protect, strip, and the forwarding options trust, forwarded, via, host) checked here.
 *
 * - rewriteRequestHeaders drops the client's hop-by-hop and nominated fields, keeps exactly
 *   `TE: trailers`, and writes this proxy's X-Forwarded-* (or Forwarded) and Via over the client's.
 *   A request the filter refuses throws its HopByHopError: the hook runs synchronously inside
 *   reply.from(), in the route handler, so fastify answers its statusCode (400, 431) and nothing
 *   is sent upstream. Forwarding a request the filter refused is the one unsafe answer. So is a
 *   request pipelined behind one after which the connection closes (RFC 9112 §9.6).
 * - rewriteHeaders drops the upstream's hop-by-hop and nominated fields and any pseudo-header,
 *   adds this proxy's Via (RFC 9110 §7.6.3: a proxy sends Via in every message it forwards, the
 *   response included), and `Connection: close` when the filter decided the client connection
 *   must not stay open (an HTTP/1.0 client asking for keep-alive, RFC 9112 §9.3).
 *   It never throws: it runs inside the upstream client's response callback (an http2 stream
 *   event), where a throw ends the process, and it cannot change the status or stop the body.
 *   So when the filter cannot read the object it fails closed on the fields (conservativeHeaders).
 */
function replyFromHooks(options) {
  const { rewriteRequestHeaders, rewriteHeaders } = createHooks(options, 'replyFromHooks()')
  return { rewriteRequestHeaders, rewriteHeaders }
}

/**
 * The hooks, and `check(request)` for a preHandler that filters before the route handler runs
 * (fastifyProxyOptions()): its result is kept for the hooks, so each request is filtered once.
 */
function createHooks(options, where) {
  checkOptions(options, REPLY_FROM_OPTIONS, where)
  const filterChoices = pick(options, PROXY_FILTER_OPTIONS)
  const requestFilter = createFilter(filterChoices)
  // Handshakes Node emitted as 'upgrade' (fastifyProxyOptions' preHandler): kept as upgrades.
  const upgradeFilter = createFilter({ ...filterChoices, upgrade: true })
  const responseFilter = createFilter({ ...filterChoices, direction: 'response' })
  const forwarding = new Forwarding({ ...pick(options, FORWARDING_CHOICES), framing: false })
  const host = options?.host
  // request.raw -> its filter result, when a preHandler filtered it first.
  const checked = new WeakMap()
  // request.raw of the requests after whose response the client connection closes.
  const closing = new WeakSet()

  /**
   * The filter's result, or its HopByHopError with `headers: { connection: 'close' }`, which
   * Fastify's error handler writes: a refused head's framing is not to be trusted, so the
   * connection must not carry another request.
   */
  function filterOrRefuse(raw, filter = requestFilter) {
    try {
      return filter.request(raw)
    } catch (error) {
      if (error?.statusCode !== undefined) error.headers = { ...error.headers, connection: 'close' }
      throw error
    }
  }

  function check(request) {
    const result = filterOrRefuse(request.raw)
    checked.set(request.raw, result)
    return result
  }

  /**
   * For a handshake Node emitted as 'upgrade': throws unless the filter takes it as an upgrade
   * (RFC 9110 §7.8: HTTP/1.1, with Upgrade named in Connection; Node emits HTTP/1.0 ones too),
   * and for one that declares content (see assertUpgradeRequest).
   */
  function checkUpgrade(request) {
    assertUpgradeRequest(request.raw, filterOrRefuse(request.raw, upgradeFilter))
  }

  function rewriteRequestHeaders(request, headers) {
    const raw = request.raw
    const early = checked.get(raw)
    const filtered = early ?? filterOrRefuse(raw)
    // A preHandler that filtered first has already told Node to close the connection.
    if (!filtered.keepAlive && early === undefined) closing.add(raw)
    const removed = new Set(filtered.diagnostics.removed.map((name) => name.toLowerCase()))
    const own = fromRawHeaders(forwarding.request(raw, filtered.headers))
    const out = {}
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase()
      if (isPseudoHeader(lower) || removed.has(lower) || isOwnField(lower) || NOT_PASSED_ON.has(lower)) continue
      out[name] = value
    }
    // The one TE a proxy passes on (RFC 9110 §10.1.4; RFC 9113 §8.2.2 allows only this one).
    if (filtered.headers.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'te')) out.te = 'trailers'
    for (const [name, value] of Object.entries(own)) if (isOwnField(name)) out[name] = value
    if (host !== undefined) out.host = host
    return out
  }

  function rewriteHeaders(headers, request) {
    let out
    try {
      out = fromRawHeaders(responseFilter(toRawHeaders(headers)).headers)
    } catch {
      out = conservativeHeaders(headers)
    }
    if (forwarding.via !== null) {
      // The upstream's version: reply-from's http2 client hands over `:status`, undici's HTTP/1.1
      // client does not (undici's own allowH2 shows nothing, and is read as 1.1).
      const via = `${headers?.[':status'] === undefined ? '1.1' : '2'} ${forwarding.via}`
      out.via = out.via === undefined ? via : [out.via, via].flat()
    }
    const raw = request?.raw
    // HTTP/2 has no Connection field (RFC 9113 §8.2.2): Node would throw on one.
    if (raw !== undefined && closing.has(raw) && raw.httpVersionMajor === 1) out.connection = 'close'
    return out
  }

  return { rewriteRequestHeaders, rewriteHeaders, check, checkUpgrade }
}

module.exports = { replyFromHooks, createHooks, REPLY_FROM_OPTIONS }
