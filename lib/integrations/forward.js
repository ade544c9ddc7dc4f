'use strict'
// forward() and forwardUpgrade(): a whole forwarding step in one call, for node:http and Express.
// Filter, refuse what must be refused, add the proxy's own fields, send a parsed body again,
// build the upstream request and relay both ways. Arguments are the program's: a wrong one
// throws at once. Everything a client or an upstream does becomes an answer or a closed socket.

const http = require('node:http')
const https = require('node:https')
const { createFilter } = require('../filter/index.js')
const { Forwarding } = require('../proxy/forwarding.js')
const { requestPath } = require('../proxy/request-target.js')
const { closeAfterResponse, refuse, refuseSocket, refusalStatus } = require('../proxy/respond.js')
const { bodyConsumed, headersForConsumedBody } = require('../proxy/body.js')
const { invalidArgType, invalidArgValue, requestTarget } = require('../errors.js')
const { assertUpgradeRequest } = require('../proxy/guards.js')
const { PROXY_FILTER_OPTIONS, FORWARDING_OPTIONS, checkOptions, pick } = require('../options.js')
const { relay, relayUpgrade, relayOptions, checkRequest, checkResponse, checkSocket, checkHead } = require('./relay.js')

// No `framing`: the upstream request is Node's, which sends a body unframed unless the head
// frames it (a chunked GET would reach the upstream as a second request).
const FORWARD_OPTIONS = Object.freeze([...PROXY_FILTER_OPTIONS, ...FORWARDING_OPTIONS.filter((name) => name !== 'framing'), 'agent', 'timeout'])

/** Options validated and compiled once per options object. */
class ForwardOptions {
  constructor(options, where) {
    checkOptions(options, FORWARD_OPTIONS, where)
    const agent = options?.agent
    if (agent !== undefined && agent !== false && !(agent instanceof http.Agent)) {
      throw invalidArgType('options.agent', 'an http.Agent or https.Agent, or false', agent)
    }
    this.agent = agent
    const filter = pick(options, PROXY_FILTER_OPTIONS)
    this.filter = createFilter(filter)
    this.upgradeFilter = createFilter({ ...filter, upgrade: true })
    const forwarding = pick(options, FORWARDING_OPTIONS)
    this.forwarding = new Forwarding(forwarding)
    // relay() filters the response with the same choices, adds the same Via and times the
    // upstream alike.
    this.relay = relayOptions({ ...filter, ...forwarding, ...pick(options, ['timeout']) }, where)
  }
}

const DEFAULTS = new ForwardOptions(undefined, 'forward()')
const compiled = new WeakMap()

// Options written inline, `forward(req, res, target, { agent })`, are a new object on every
// request: those whose values are primitives (and an agent) are also found by their content, so
// that they are compiled once, not per request. Bounded: a program that varies them on every
// request compiles each time, as without this.
const byContent = new WeakMap() // agent (or NO_AGENT) -> Map(content key -> ForwardOptions)
const NO_AGENT = {}
const MAX_BY_CONTENT = 64

/**
 * A key that only options of the same names, in the same order, with the same primitive values
 * share (each value typed and length-prefixed, so no two differ in content and meet); undefined
 * when a value other than `agent` is an object, array or function.
 */
function contentKey(options) {
  let key = ''
  for (const name in options) {
    if (!Object.hasOwn(options, name)) return undefined
    const value = options[name]
    if (name === 'agent') {
      key += 'agent;'
      continue
    }
    const type = typeof value
    if (value !== null && (type === 'object' || type === 'function' || type === 'symbol')) return undefined
    const text = String(value)
    key += `${name}:${type}:${text.length}:${text};`
  }
  return key
}

function compiledByContent(options, where) {
  const key = contentKey(options)
  if (key === undefined) return new ForwardOptions(options, where)
  const agent = options.agent
  const owner = agent !== null && typeof agent === 'object' ? agent : NO_AGENT
  let entries = byContent.get(owner)
  if (entries === undefined) {
    entries = new Map()
    byContent.set(owner, entries)
  }
  let found = entries.get(key)
  if (found === undefined || found.agent !== agent) {
    found = new ForwardOptions(options, where)
    if (entries.size >= MAX_BY_CONTENT) entries.clear()
    entries.set(key, found)
  }
  return found
}

function forwardOptions(options, where) {
  if (options === undefined) return DEFAULTS
  let found = compiled.get(options)
  if (found !== undefined) return found
  // A plain object is looked up by content (no WeakMap entry per inline object and request).
  if (options !== null && typeof options === 'object' && Object.getPrototypeOf(options) === Object.prototype) return compiledByContent(options, where)
  found = new ForwardOptions(options, where)
  compiled.set(options, found)
  return found
}

const PROTOCOLS = { 'http:': http, 'https:': https }
const UPGRADE_PROTOCOLS = { ...PROTOCOLS, 'ws:': http, 'wss:': https }

// A proxy usually forwards every request to one of a few targets: parse each string once.
const parsedTargets = new Map()
const MAX_PARSED_TARGETS = 256

function parseTarget(target) {
  if (target instanceof URL) return target
  let url = parsedTargets.get(target)
  if (url === undefined) {
    try {
      url = new URL(target)
    } catch {
      throw invalidArgValue('target', target, 'must be an absolute URL such as http://127.0.0.1:3000', TypeError)
    }
    if (parsedTargets.size >= MAX_PARSED_TARGETS) parsedTargets.clear()
    parsedTargets.set(target, url)
  }
  return url
}

/** The upstream `target` as a URL and the module whose request() reaches it. */
function targetOf(target, protocols) {
  if (typeof target !== 'string' && !(target instanceof URL)) throw invalidArgType('target', 'a URL string or a URL', target)
  const url = parseTarget(target)
  const transport = protocols[url.protocol]
  if (transport === undefined) {
    throw invalidArgValue('target', target, `must use ${Object.keys(protocols).join(' or ')}; ${url.protocol} is not forwarded`)
  }
  if (url.username !== '' || url.password !== '') throw invalidArgValue('target', target, 'must not carry credentials')
  return { url, transport }
}

/**
 * The upstream path: the target's path with the request's origin-form target joined to it (`/api`
 * + `/users?id=1` is `/api/users?id=1`), and the target's own query first. An absolute-form target
 * gives what follows its authority, as sent (see requestPath). Asterisk-form (`OPTIONS *`) stays
 * `*` only for a target without a path or query: a question about the server as a whole cannot go
 * under one. An OPTIONS of `http://host` asks about the whole server too, but was sent as a URI:
 * under a path, it asks about that path.
 */
function upstreamPath(url, reqUrl, method) {
  let path = requestPath(reqUrl, method)
  if (path === '*') {
    if (url.pathname === '/' && url.search === '') return path
    if (reqUrl === '*') throw requestTarget(reqUrl, 'cannot be put under the path of the upstream URL')
    path = '/'
  }
  const base = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname
  if (url.search === '') return `${base}${path}`
  const query = path.indexOf('?')
  if (query === -1) return `${base}${path}${url.search}`
  return `${base}${path.slice(0, query)}${url.search}&${path.slice(query + 1)}`
}

function requestProtocol(url) {
  return url.protocol === 'wss:' ? 'https:' : url.protocol === 'ws:' ? 'http:' : url.protocol
}

/** An http.Agent cannot carry an https: request, nor the reverse: Node would throw per request. */
function checkAgentFits(agent, url) {
  if (agent instanceof http.Agent && agent.protocol !== requestProtocol(url)) {
    throw invalidArgValue('options.agent', agent.protocol, `is an agent for ${agent.protocol} and cannot reach the ${url.protocol} target ${url.origin}`)
  }
}

function requestOptions(req, url, headers, agent) {
  return {
    protocol: requestProtocol(url),
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port,
    method: req.method,
    path: upstreamPath(url, req.url, req.method),
    headers,
    agent,
  }
}

// Mistakes in the program's own arguments already reported, by message.
const reportedMistakes = new Set()

/**
 * A wrong `target`, an unknown option or an agent for the other protocol. forward() runs in a
 * server's request listener, where a throw would crash the process: every such request is
 * answered 500 instead, and the mistake is reported once as a process warning (with its code,
 * the option at fault and the nearest valid name).
 */
function misconfigured(error) {
  if (reportedMistakes.has(error.message) || reportedMistakes.size >= 64) return
  reportedMistakes.add(error.message)
  process.emitWarning(error)
}

/**
 * Forwards `req` to `target` (an http: or https: URL; its path prefixes the request's) and its
 * answer to `res`. A request the filter refuses, or one pipelined behind a closing one, is answered
 * with its statusCode (400, 431) and never sent; a body a parser already read is sent again (or
 * refused with 500 when it cannot be rebuilt). Throws only when `req` or `res` is not one.
 */
function forward(req, res, target, options) {
  checkRequest(req)
  checkResponse(res)
  let url, transport, compiledOptions
  try {
    ;({ url, transport } = targetOf(target, PROTOCOLS))
    compiledOptions = forwardOptions(options, 'forward()')
    checkAgentFits(compiledOptions.agent, url)
  } catch (error) {
    misconfigured(error)
    refuse(res, 500, error)
    req.resume()
    return undefined
  }
  let upstreamRequest
  try {
    const filtered = compiledOptions.filter.request(req)
    let headers = compiledOptions.forwarding.request(req, filtered.headers)
    if (bodyConsumed(req)) headers = headersForConsumedBody(req, headers)
    // Client `Connection: close`, or an HTTP/1.0 client asking for keep-alive (RFC 9112 §9.3).
    if (!filtered.keepAlive) closeAfterResponse(res)
    upstreamRequest = transport.request(requestOptions(req, url, headers, compiledOptions.agent))
  } catch (error) {
    // The rest of a refused request's body must not be read as the next request: refuse() closes.
    refuse(res, refusalStatus(error, 400), error)
    req.resume()
    return undefined
  }
  return relay(req, res, upstreamRequest, compiledOptions.relay)
}

/**
 * The same for a server's `upgrade` event (WebSocket): `target` may also be ws: or wss:. A refused
 * handshake is answered on the socket (400, 431) and the connection closed; an upstream that does
 * not switch protocols has its answer passed on, then the connection closes.
 */
function forwardUpgrade(req, socket, head, target, options) {
  checkRequest(req)
  checkSocket(socket)
  checkHead(head)
  let url, transport, compiledOptions
  try {
    ;({ url, transport } = targetOf(target, UPGRADE_PROTOCOLS))
    compiledOptions = forwardOptions(options, 'forwardUpgrade()')
    checkAgentFits(compiledOptions.agent, url)
  } catch (error) {
    misconfigured(error)
    socket.on('error', () => socket.destroy())
    refuseSocket(socket, 500, error)
    return undefined
  }
  let upstreamRequest
  try {
    const filtered = compiledOptions.upgradeFilter.request(req)
    assertUpgradeRequest(req, filtered)
    const headers = compiledOptions.forwarding.request(req, filtered.headers)
    upstreamRequest = transport.request(requestOptions(req, url, headers, compiledOptions.agent))
  } catch (error) {
    // No socket error may reach the emitter unhandled while the refusal is written.
    socket.on('error', () => socket.destroy())
    refuseSocket(socket, refusalStatus(error, 400), error)
    return undefined
  }
  return relayUpgrade(req, socket, head, upstreamRequest, compiledOptions.relay)
}

module.exports = { forward, forwardUpgrade, upstreamPath, FORWARD_OPTIONS }
