'use strict'
// The public filter: filterHeaders, filterRequest, filterResponse and createFilter. Each
// compiles its options (lib/options.js), reads the version, status and method of a message, and
// takes the gated path (gated.js): for a message from Node's parser, whose names are tokens
// already, or for an array, whose names it checks first; the checked path (checked.js) takes
// what the gated path does not. The rules themselves live in Rust (crates/core).

const { IncomingMessage } = require('node:http')
const N = require('../native/abi.js')
const { HopByHopError, afterClose, invalidArgType } = require('../errors.js')
const { FilterOptions, versionBits, statusBits, methodBits } = require('../options.js')
const { HOP_BY_HOP_HEADERS, DEFAULT_PROTECTED_HEADERS } = require('./names.js')
const { assertWholeRequestHead, assertWholeResponseHead } = require('./head-limits.js')
const { filterChecked } = require('./checked.js')
const { filterParsed, filterArray } = require('./gated.js')
const { followsClosingRequest } = require('./after-close.js')

const EMPTY = Object.freeze([])
const DEFAULTS = new FilterOptions(undefined)

// An array here is a caller who passed rawHeaders where the message goes.
function checkMessage(message, name) {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    throw invalidArgType(name, 'an IncomingMessage-like object with a rawHeaders array', message)
  }
  return message
}

function messageVersion(message, options, where) {
  return message.httpVersion === undefined ? options.version : versionBits(message.httpVersion, where)
}

function requestFlags(req, options) {
  const flags = (options.flags & ~N.RESPONSE) | messageVersion(req, options, 'req.httpVersion')
  assertWholeRequestHead(req, flags)
  return flags
}

function responseFlags(res, options) {
  const statusCode = res.statusCode === undefined ? options.status : statusBits(res.statusCode, 'res.statusCode')
  const method = options.requestMethod === undefined ? methodBits(res.req?.method, 'res.req.method') : 0
  const flags = options.flags | N.RESPONSE | messageVersion(res, options, 'res.httpVersion') | statusCode | method
  assertWholeResponseHead(res, flags)
  return flags
}

/** A message's lines; those of an http.IncomingMessage come from Node's parser. */
function filterMessage(message, flags, options, where) {
  return message instanceof IncomingMessage ? filterParsed(message, flags, options, where) : filterArray(message.rawHeaders, flags, options, where)
}

/**
 * A request's lines. A request of Node's server pipelined behind one after which the connection
 * closes is refused (400, RFC 9112 §9.6), so that no wiring forwards it.
 */
function filterRequestMessage(req, flags, options) {
  if (!(req instanceof IncomingMessage)) return filterArray(req.rawHeaders, flags, options, 'req.rawHeaders')
  const result = filterParsed(req, flags, options, 'req.rawHeaders')
  if (followsClosingRequest(req, result.keepAlive, closesAfter, options)) throw afterClose()
  return result
}

/** Whether the connection closes after the answer to `req`, filtered with `options`. */
function closesAfter(req, options) {
  try {
    return !filterParsed(req, requestFlags(req, options), options, 'req.rawHeaders').keepAlive
  } catch {
    return true // a refused request is answered with Connection: close
  }
}

function filterRequestWith(req, options) {
  return filterRequestMessage(checkMessage(req, 'req'), requestFlags(req, options), options)
}

function filterResponseWith(res, options) {
  return filterMessage(checkMessage(res, 'res'), responseFlags(res, options), options, 'res.rawHeaders')
}

/**
 * The options filterHeaders, filterRequest and filterResponse compiled last, by content: a
 * program that passes the same options on every call, one object or a new literal each time,
 * has them compiled once. A call's options match when they enumerate the same names in the same
 * order and every option reads the same value; then they compile to the same thing and hold no
 * fault (an unknown name would be enumerated). Any difference compiles them again, which reports
 * any fault. Options with strip/protect lists are compiled every time: the arrays are the
 * caller's and may change in place.
 */
class LastOptions {
  constructor() {
    // {}: the defaults.
    this.keep({}, DEFAULTS)
  }

  keep(options, compiled) {
    const names = []
    for (const name in options) {
      // A name of another kind that checkOptions let pass (one of Object.prototype) is not kept.
      if (!isPlainFilterOption(name)) return
      names.push(name)
    }
    this.names = names
    this.compiled = compiled
    this.direction = options.direction
    this.proxy = options.proxy
    this.upgrade = options.upgrade
    this.strict = options.strict
    this.httpVersion = options.httpVersion
    this.statusCode = options.statusCode
    this.requestMethod = options.requestMethod
  }

  /** Whether `options` holds what the options kept held. */
  matches(options) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) return false
    const names = this.names
    let count = 0
    // The kept names are interned strings, as are the names for-in gives: equal names are the
    // same string, compared as one pointer.
    for (const name in options) {
      if (name !== names[count]) return false
      count++
    }
    return (
      count === names.length &&
      options.direction === this.direction &&
      options.proxy === this.proxy &&
      options.upgrade === this.upgrade &&
      options.strict === this.strict &&
      options.strip === undefined &&
      options.protect === undefined &&
      options.httpVersion === this.httpVersion &&
      options.statusCode === this.statusCode &&
      options.requestMethod === this.requestMethod
    )
  }
}

/** The filter options other than the lists (lib/options.js FILTER_OPTIONS). */
function isPlainFilterOption(name) {
  switch (name) {
    case 'direction':
    case 'proxy':
    case 'upgrade':
    case 'strict':
    case 'httpVersion':
    case 'statusCode':
    case 'requestMethod':
      return true
    default:
      return false
  }
}

const lastOptions = new LastOptions()

/** `options` compiled; `where` names the public function in errors. */
function filterOptions(options, where) {
  if (options === undefined) return DEFAULTS
  if (lastOptions.matches(options)) return lastOptions.compiled
  const compiled = new FilterOptions(options, where)
  if (!compiled.lists) lastOptions.keep(options, compiled)
  return compiled
}

function filterHeaders(rawHeaders, options) {
  const compiled = filterOptions(options, 'filterHeaders()')
  return filterArray(rawHeaders, compiled.flags | compiled.version | compiled.status, compiled, 'rawHeaders')
}

/** filterHeaders on the checked path, where Rust reads every name: the oracle of the tests. */
function filterHeadersChecked(rawHeaders, options) {
  const compiled = options === undefined ? DEFAULTS : new FilterOptions(options, 'filterHeaders()')
  return filterChecked(rawHeaders, compiled.flags | compiled.version | compiled.status, compiled, 'rawHeaders')
}

function filterRequest(req, options) {
  checkMessage(req, 'req')
  const compiled = filterOptions(options, 'filterRequest()')
  return filterRequestMessage(req, requestFlags(req, compiled), compiled)
}

function filterResponse(res, options) {
  checkMessage(res, 'res')
  const compiled = filterOptions(options, 'filterResponse()')
  return filterMessage(res, responseFlags(res, compiled), compiled, 'res.rawHeaders')
}

function createFilter(options) {
  const compiled = new FilterOptions(options, 'createFilter()')
  // Names in strip/protect are checked in Rust; an empty message checks them now rather than on
  // the first request.
  if (compiled.lists) filterChecked(EMPTY, compiled.flags | compiled.version, compiled, 'rawHeaders')
  const flags = compiled.flags | compiled.version | compiled.status
  const filter = (rawHeaders) => filterArray(rawHeaders, flags, compiled, 'rawHeaders')
  filter.request = (req) => filterRequestWith(req, compiled)
  filter.response = (res) => filterResponseWith(res, compiled)
  return filter
}

module.exports = {
  filterHeaders,
  filterRequest,
  filterResponse,
  createFilter,
  HopByHopError,
  HOP_BY_HOP_HEADERS,
  DEFAULT_PROTECTED_HEADERS,
  filterHeadersChecked,
}
