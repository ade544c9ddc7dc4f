'use strict'
// The proxy's own fields, written after filtering so that no client nomination can remove them:
// Via (RFC 9110 §7.6.3), Forwarded (RFC 7239) and the X-Forwarded-* family from trusted peers
// only, Host, the body framing of the next hop (RFC 9112 §6.1), `Connection: te` (RFC 9110
// §10.1.4), and, for an HTTP/2 client, one Cookie line and a Host (RFC 9113 §8.2.3, §8.3.1).

const net = require('node:net')
const proxyaddr = require('proxy-addr')
const { announcedTrailers } = require('./trailers.js')
const { absoluteTarget } = require('./request-target.js')
const { CLIENT_ADDRESS_FIELDS, FORWARDING_FIELDS, forwardingFieldOf, isName, findLine } = require('./names.js')
const { TOKEN, hostMismatch, peerUnknown, invalidArgType, invalidArgValue, outOfRange } = require('../errors.js')
const { FORWARDING_OPTIONS, checkOptions, booleanOption } = require('../options.js')

// Fields in which a client speaks for earlier hops: believed only from a trusted peer.
const FORWARDING_HEADERS = new Set(FORWARDING_FIELDS)

const EMITTED = { 'x-forwarded': { x: true, rfc7239: false }, forwarded: { x: false, rfc7239: true }, both: { x: true, rfc7239: true }, none: { x: false, rfc7239: false } }

// RFC 9110 §7.6.3: received-by is a pseudonym (a token) or host[:port]; no list or space characters.
const RECEIVED_BY = /^[!#$%&'*+.^_`|~0-9A-Za-z:[\]-]+$/

/**
 * Express's `trust proxy` forms (boolean, hop count, address/CIDR/`loopback`/`linklocal`/
 * `uniquelocal` string or list, function(address, hop)); addresses are matched by proxy-addr.
 */
function compileTrust(trust) {
  if (trust === undefined || trust === false) return () => false
  if (trust === true) return () => true
  if (typeof trust === 'function') return trust
  if (typeof trust === 'number') {
    if (!Number.isInteger(trust) || trust < 0) throw outOfRange('options.trust', 'a non-negative integer when a hop count', trust)
    return (address, hop) => hop < trust
  }
  const list = typeof trust === 'string' ? trust.split(',').map((entry) => entry.trim()) : trust
  if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) {
    throw invalidArgType('options.trust', 'a boolean, a hop count, a function, or addresses/CIDR ranges as a string or an array of strings', trust)
  }
  try {
    return proxyaddr.compile(list)
  } catch (error) {
    throw invalidArgValue('options.trust', trust, `is not a list of addresses or CIDR ranges (${error.message})`, TypeError)
  }
}

function emittedFamilies(forwarded) {
  const key = forwarded === undefined ? 'x-forwarded' : forwarded === false ? 'none' : forwarded
  const families = typeof key === 'string' ? EMITTED[key] : undefined
  if (families === undefined) throw invalidArgValue('options.forwarded', forwarded, "must be 'x-forwarded', 'forwarded', 'both' or false")
  return families
}

function receivedBy(via) {
  if (via === undefined || via === true) return 'hop-by-hop'
  if (via === false) return null
  if (typeof via !== 'string') throw invalidArgType('options.via', 'of type boolean or string', via)
  if (!RECEIVED_BY.test(via)) throw invalidArgValue('options.via', via, 'must be a pseudonym token or host[:port] (RFC 9110 §7.6.3)', TypeError)
  return via
}

function targetHost(host) {
  if (host === undefined) return undefined
  if (typeof host !== 'string') throw invalidArgType('options.host', 'of type string', host)
  if (host.length === 0 || /[\0-\x20\x7f,]/.test(host)) throw invalidArgValue('options.host', host, 'must be the host[:port] to send upstream', TypeError)
  return host
}

/** RFC 9110 §7.6.3 received-protocol: the version alone for HTTP; HTTP/2 is `2`. */
function receivedProtocol(httpVersion) {
  return httpVersion === '2.0' ? '2' : httpVersion === '1.0' ? '1.0' : '1.1'
}

/** The peer's address as the upstream should read it: IPv4-mapped IPv6 as plain IPv4. */
function peerAddress(socket) {
  return unmapped(socket?.remoteAddress)
}

/** An IPv4-mapped IPv6 address (a dual-stack listener's view of an IPv4 peer) as IPv4. */
function unmapped(address) {
  if (typeof address !== 'string' || address.length === 0) return undefined
  // Only an IPv6 address has a ':'; an IPv4 one, what a proxy mostly sees, skips the expression.
  if (address.indexOf(':') === -1) return address
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  return mapped === null ? address : mapped[1]
}

/**
 * RFC 9112 §3.3: for a request without Host (HTTP/1.0) the authority is the address the client
 * connected to. An IPv6 literal is bracketed in an authority (RFC 3986 §3.2.2).
 */
function localAuthority(socket) {
  const address = unmapped(socket?.localAddress) ?? 'localhost'
  const host = net.isIPv6(address) ? `[${address}]` : address
  const port = socket?.localPort
  return port === undefined ? host : `${host}:${port}`
}

/** RFC 7239 §6: an IPv6 node is bracketed and quoted; `unknown` and IPv4 are tokens. */
function forwardedNode(address) {
  if (address === undefined) return 'unknown'
  return net.isIPv6(address) ? `"[${address}]"` : address
}

/** RFC 7239 §4: a value is a token or a quoted-string. */
function forwardedValue(value) {
  return TOKEN.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`
}

/** Split a list field on commas outside quoted strings (RFC 9110 §5.6.1, §5.6.4). */
function splitList(value) {
  const items = []
  let start = 0
  let quoted = false
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    if (quoted && c === '\\') i++
    else if (c === '"') quoted = !quoted
    else if (c === ',' && !quoted) {
      items.push(value.slice(start, i).trim())
      start = i + 1
    }
  }
  items.push(value.slice(start).trim())
  return items.filter((item) => item.length > 0)
}

/** The address in an RFC 7239 element's `for=`, without quotes, brackets or port. */
function forwardedFor(element) {
  for (const pair of element.split(';')) {
    const equals = pair.indexOf('=')
    if (equals === -1 || pair.slice(0, equals).trim().toLowerCase() !== 'for') continue
    let node = pair.slice(equals + 1).trim()
    if (node.startsWith('"') && node.endsWith('"')) node = node.slice(1, -1)
    if (node.startsWith('[')) return node.slice(1, node.indexOf(']'))
    const colon = node.indexOf(':')
    return colon === -1 || node.indexOf(':', colon + 1) !== -1 ? node : node.slice(0, colon)
  }
  return undefined
}

/**
 * The part of a forwarding chain (oldest first) that a trusted peer can vouch for: walking back
 * from the peer, each hop is kept, and the walk stops after the first hop that is not trusted, as
 * Express's `req.ips` does. Entries before it are the client's own claims.
 */
function vouchedChain(entries, addressOf, trust) {
  let first = entries.length
  for (let hop = 1; first > 0; hop++) {
    first--
    if (!trust(addressOf(entries[first]) ?? '', hop)) break
  }
  return entries.slice(first)
}

/** Whether `host` names the target's host and port, in any case, its scheme's port implied. */
function namesTarget(target, host) {
  const plain = (authority) => {
    const lower = authority.toLowerCase()
    return lower.endsWith(target.defaultPort) ? lower.slice(0, -target.defaultPort.length) : lower
  }
  return plain(host) === plain(target.authority)
}

/**
 * RFC 9113 §8.3.1: an HTTP/2 request's authority is `:authority`, from which an intermediary
 * builds Host; a Host field that names another host makes the request malformed, refused as an
 * absolute-form target that disagrees with Host is. Without `:authority`, Host stands.
 */
function http2Authority(req, host) {
  // Node's compatibility request has both; its `authority` falls back to Host.
  const authority = req.headers?.[':authority'] ?? req.authority
  if (typeof authority !== 'string' || authority.length === 0) return host
  const target = { authority, defaultPort: (req.headers?.[':scheme'] ?? req.scheme) === 'https' ? ':443' : ':80' }
  if (host !== undefined && !namesTarget(target, host)) throw hostMismatch(authority, host, ':authority')
  return authority
}

function requestProtocol(req) {
  return req.socket?.encrypted === true ? 'https' : 'http'
}

function hasHeader(rawHeaders, lowerName) {
  return findLine(rawHeaders, lowerName) !== -1
}

/** Whether the upstream request must be chunked: a chunked request, or an HTTP/2 body of unknown length. */
function needsChunking(req, filtered) {
  if (req.httpVersionMajor >= 2) return req.stream?.endAfterHeaders === false && !hasHeader(filtered, 'content-length')
  return hasHeader(req.rawHeaders, 'transfer-encoding')
}

/**
 * The next hop's framing (RFC 9112 §6.1): a chunked body again, with the trailers relay() passes
 * on announced (RFC 9110 §6.6.2; Node refuses Trailer on a message it does not chunk), and `te`
 * named in Connection when TE: trailers goes on (RFC 9110 §10.1.4).
 */
function frame(out, req, filtered, te) {
  if (needsChunking(req, filtered)) {
    out.push('Transfer-Encoding', 'chunked')
    const trailer = announcedTrailers(req.rawHeaders)
    if (trailer !== undefined) out.push('Trailer', trailer)
  }
  if (!te) return
  // A kept Connection is the filter's `upgrade` option: name te in it.
  const connection = findLine(out, 'connection')
  if (connection === -1) out.push('Connection', 'te')
  else out[connection + 1] += ', te'
}

/**
 * Options compiled once; `request`/`response` build the lists to send on. The integrations build
 * one from options that also hold the filter's and their own, and check the names themselves;
 * forwardHeaders and createForwarding check them here.
 */
class Forwarding {
  constructor(options = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidArgType('options', 'of type object', options)
    this.trust = compileTrust(options.trust)
    this.families = emittedFamilies(options.forwarded)
    this.via = receivedBy(options.via)
    this.viaHttp11 = this.via === null ? null : `1.1 ${this.via}`
    this.host = targetHost(options.host)
    // false for clients that frame the body and own Connection themselves (undici, fetch).
    this.framing = booleanOption(options, 'framing', true)
    // Where this proxy's own lines (forwarding fields, Via, framing) begin in the list the last
    // request() call returned: after Host and the client's lines. An integration that can set
    // them on the upstream request itself reads it right after the call.
    this.ownLinesFrom = 0
  }

  /**
   * The request headers for the upstream: `filtered` (a filter's end-to-end output for `req`)
   * with Host, the forwarding fields, Via, framing and `Connection: te`.
   */
  request(req, filtered) {
    const peer = peerAddress(req.socket)
    // A socket destroyed before anyone read its address no longer has one (Node reads it from
    // the handle): a request sent on without it would look like the proxy's own to an upstream
    // that trusts the proxy and falls back to the connection's address.
    if (peer === undefined && (this.families.x || this.families.rfc7239) && req.socket?.destroyed === true) throw peerUnknown()
    const trusted = peer !== undefined && this.trust(peer, 0) === true
    const h2 = req.httpVersionMajor >= 2
    // Host comes first; its value is known after the loop.
    const out = ['Host', '']
    let inbound = NO_LINES
    let clientHost
    let cookie
    let te = false
    for (let i = 0; i < filtered.length; i += 2) {
      const name = filtered[i]
      const value = filtered[i + 1]
      // Only the names this loop looks for are lower-cased, picked by their length first: this
      // runs for every line of every request.
      const lower = forwardingName(name)
      if (lower === undefined) {
        out.push(name, value)
      } else if (FORWARDING_HEADERS.has(lower)) {
        if (!trusted) continue
        if (inbound === NO_LINES) inbound = new Map()
        const lines = inbound.get(lower)
        if (lines === undefined) inbound.set(lower, [name, value])
        else lines.push(name, value)
      } else if (lower === 'host') {
        clientHost ??= value
      } else if (h2 && lower === 'cookie') {
        // RFC 9113 §8.2.3: crumbs are joined with "; " into one field for HTTP/1.1.
        if (cookie === undefined) {
          cookie = out.length + 1
          out.push(name, value)
        } else {
          out[cookie] += `; ${value}`
        }
      } else {
        if (lower === 'te') te = true
        out.push(name, value)
      }
    }
    // RFC 9112 §3.2.2: an absolute-form target's authority is the request's host, the received
    // Host to be ignored. A Host naming another host is refused instead: the program in front
    // (Express's req.hostname, a router) has judged the request by it.
    const target = absoluteTarget(req.url)
    if (target !== undefined) {
      if (clientHost !== undefined && !namesTarget(target, clientHost)) throw hostMismatch(target.authority, clientHost)
      clientHost = target.authority
    }
    if (h2) clientHost = http2Authority(req, clientHost)
    const host = this.host ?? clientHost ?? localAuthority(req.socket)
    out[1] = host

    this.ownLinesFrom = out.length
    const proto = requestProtocol(req)
    // A family this proxy does not write passes on as a trusted peer sent it.
    if (this.families.x) this.#xForwarded(out, inbound, peer, clientHost ?? host, proto)
    if (this.families.rfc7239) this.#forwarded(out, inbound, peer, clientHost ?? host, proto)
    else pushLines(out, inbound.get('forwarded'))
    if (!this.families.x && inbound !== NO_LINES) for (const [name, lines] of inbound) if (name !== 'forwarded') pushLines(out, lines)
    if (this.via !== null) out.push('Via', this.viaValue(req.httpVersion))

    // Without framing, the client library writes Transfer-Encoding and Connection itself (undici
    // refuses both).
    if (this.framing) frame(out, req, filtered, te)
    return out
  }

  /** The response headers for the client: `filtered` with this proxy's Via. */
  response(res, filtered) {
    const via = this.responseVia(res)
    return via === null ? filtered : filtered.concat('Via', via)
  }

  /** `lines`, a list the caller owns, with this proxy's Via for the response `res` appended. */
  appendResponseVia(res, lines) {
    if (this.via !== null) lines.push('Via', this.viaValue(res.httpVersion))
    return lines
  }

  /** The value of this proxy's Via for a response (RFC 9110 §7.6.3), or null without one. */
  responseVia(res) {
    return this.via === null ? null : this.viaValue(res.httpVersion)
  }

  /** Via's value for a message of `httpVersion` (made once per version, not per message). */
  viaValue(httpVersion) {
    const protocol = receivedProtocol(httpVersion)
    return protocol === '1.1' ? this.viaHttp11 : `${protocol} ${this.via}`
  }

  #xForwarded(out, inbound, peer, host, proto) {
    if (inbound === NO_LINES) {
      // No trusted peer's lines: this proxy's view alone (most requests).
      if (peer !== undefined) out.push('X-Forwarded-For', peer)
      out.push('X-Forwarded-Host', host, 'X-Forwarded-Proto', proto)
      return
    }
    const chain = vouchedChain(splitList(joinedValues(inbound.get('x-forwarded-for'))), (entry) => entry, this.trust)
    if (peer !== undefined) chain.push(peer)
    if (chain.length > 0) out.push('X-Forwarded-For', chain.join(', '))
    // A trusted peer's view of the original request stands; otherwise this proxy's own.
    out.push('X-Forwarded-Host', inbound.get('x-forwarded-host')?.[1] ?? host)
    out.push('X-Forwarded-Proto', inbound.get('x-forwarded-proto')?.[1] ?? proto)
    for (const name of PASSED_FROM_TRUSTED_PEER) pushLines(out, inbound.get(name))
  }

  #forwarded(out, inbound, peer, host, proto) {
    const chain = vouchedChain(splitList(joinedValues(inbound.get('forwarded'))), forwardedFor, this.trust)
    chain.push(`for=${forwardedNode(peer)};host=${forwardedValue(host)};proto=${proto}`)
    out.push('Forwarded', chain.join(', '))
  }
}

// The forwarding fields of a trusted peer that pass on as sent beside the X-Forwarded family this
// proxy writes (it writes the others).
const PASSED_FROM_TRUSTED_PEER = Object.freeze(['x-forwarded-port', 'x-forwarded-prefix', 'x-real-ip', ...CLIENT_ADDRESS_FIELDS])

// The names Forwarding.request looks for (FORWARDING_HEADERS, Host, Cookie, TE), by length.
const LOOKED_FOR = []
for (const name of [...FORWARDING_HEADERS, 'host', 'cookie', 'te']) (LOOKED_FOR[name.length] ??= []).push(name)

/** The lower-case name Forwarding.request looks for that `name` is, in any case, else undefined. */
function forwardingName(name) {
  const candidates = LOOKED_FOR[name.length]
  if (candidates === undefined) return undefined
  for (const lower of candidates) if (isName(name, lower)) return lower
  // A forwarding field spelt with `_` for `-` (see forwardingFieldOf).
  return name.indexOf('_') === -1 ? undefined : forwardingFieldOf(name)
}

// No inbound forwarding lines (an untrusted peer's are dropped): never written to.
const NO_LINES = new Map()

/** Lines kept as received: flat name, value pairs. */
function pushLines(out, lines) {
  if (lines !== undefined) out.push(...lines)
}

function joinedValues(lines) {
  if (lines === undefined) return ''
  const values = []
  for (let i = 1; i < lines.length; i += 2) values.push(lines[i])
  return values.join(',')
}

/** Throws unless `req` is a message with a rawHeaders array (read for framing and trailers). */
function checkRequest(req, name) {
  if (req === null || typeof req !== 'object' || Array.isArray(req)) {
    throw invalidArgType(name, 'an IncomingMessage-like object with a rawHeaders array', req)
  }
  if (!Array.isArray(req.rawHeaders)) throw invalidArgType(`${name}.rawHeaders`, 'an instance of Array', req.rawHeaders)
}

function checkResponse(res, name) {
  if (res === null || typeof res !== 'object' || Array.isArray(res)) throw invalidArgType(name, 'an IncomingMessage-like object', res)
}

/**
 * Throws unless `lines` is a flat list of name, value strings: a string would be walked as
 * characters, and an odd length would make a header whose value is undefined.
 */
function checkLines(lines, name) {
  if (!Array.isArray(lines)) throw invalidArgType(name, 'an instance of Array (name, value, name, value, ...)', lines)
  if ((lines.length & 1) !== 0) {
    throw invalidArgValue(name, lines, `must hold name, value pairs (an even length; this one has length ${lines.length})`)
  }
  for (let i = 0; i < lines.length; i++) {
    if (typeof lines[i] !== 'string') throw invalidArgType(`${name}[${i}]`, 'of type string', lines[i])
  }
}

/**
 * The headers to send upstream for `req`: `filtered` (the filter's output for it) plus this
 * proxy's own fields. See {@link Forwarding} for the options.
 */
function forwardHeaders(req, filtered, options) {
  checkRequest(req, 'req')
  checkLines(filtered, 'filtered')
  checkOptions(options, FORWARDING_OPTIONS, 'forwardHeaders()')
  return new Forwarding(options).request(req, filtered)
}

/** The options validated and compiled once: `{ request(req, filtered), response(res, filtered) }`. */
function createForwarding(options) {
  checkOptions(options, FORWARDING_OPTIONS, 'createForwarding()')
  const forwarding = new Forwarding(options)
  return {
    request(req, filtered) {
      checkRequest(req, 'req')
      checkLines(filtered, 'filtered')
      return forwarding.request(req, filtered)
    },
    response(res, filtered) {
      checkResponse(res, 'res')
      checkLines(filtered, 'filtered')
      return forwarding.response(res, filtered)
    },
  }
}

module.exports = { Forwarding, forwardHeaders, createForwarding, FORWARDING_HEADERS }
