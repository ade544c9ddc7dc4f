'use strict'
// The option names each public function takes, in one place, the check that refuses the rest
// (an unknown name is an error, never ignored), and the filter's options compiled into the flag
// word the native call takes.

const N = require('./native/abi.js')
const { invalidArgType, invalidArgValue, outOfRange, unknownOption } = require('./errors.js')

/** Options of the filter (filterHeaders, filterRequest, filterResponse, createFilter). */
const FILTER_OPTIONS = Object.freeze(['direction', 'proxy', 'upgrade', 'strict', 'strip', 'protect', 'httpVersion', 'statusCode', 'requestMethod'])

/**
 * The filter options a proxy chooses once (its strictness and name lists); the others
 * (direction, httpVersion, statusCode, ...) are read from each message.
 */
const PROXY_FILTER_OPTIONS = Object.freeze(['strict', 'protect', 'strip'])

/** Options of the proxy's own fields (forwardHeaders, createForwarding). */
const FORWARDING_OPTIONS = Object.freeze(['trust', 'forwarded', 'via', 'host', 'framing'])

/**
 * Throws unless `options` is undefined or a plain object whose enumerable names, own or
 * inherited (but for Object.prototype's), are all in `known`. Returns `options`. `where` names
 * the function for the message, e.g. "attach()".
 */
function checkOptions(options, known, where) {
  if (options === undefined) return options
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalidArgType('options', 'of type object', options)
  }
  // for-in over an object literal reads V8's enum cache: no array per call, unlike Object.keys.
  // It also gives inherited names, which are read as options too (Object.create(defaults)); only
  // a name every object inherits (an enumerable one added to Object.prototype) is not the caller's.
  for (const name in options) {
    if (!known.includes(name) && (Object.hasOwn(options, name) || !(name in Object.prototype))) {
      throw unknownOption(where, name, known, ownerOf(name, known))
    }
  }
  return options
}

/** The functions that take `name`, when it is an option of another group (filterHeaders(h, { trust })). */
function ownerOf(name, known) {
  if (known !== FILTER_OPTIONS && FILTER_OPTIONS.includes(name)) return 'the filter (filterHeaders(), createFilter(), ...)'
  if (known !== FORWARDING_OPTIONS && FORWARDING_OPTIONS.includes(name)) return 'forwardHeaders() and createForwarding()'
  return undefined
}

/** `options[name]` when it is a boolean, `fallback` when it is undefined; throws otherwise. */
function booleanOption(options, name, fallback) {
  const value = options[name]
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw invalidArgType(`options.${name}`, 'of type boolean', value)
  return value
}

// setTimeout's own bound: a longer delay would fire at once.
const MAX_TIMEOUT_MS = 2 ** 31 - 1

/** `options.timeout` in milliseconds, 0 (none) when undefined; throws for anything else. */
function timeoutOption(options) {
  const timeout = options?.timeout
  if (timeout === undefined) return 0
  if (typeof timeout !== 'number') throw invalidArgType('options.timeout', 'a number of milliseconds', timeout)
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > MAX_TIMEOUT_MS) throw outOfRange('options.timeout', `an integer >= 0 && <= ${MAX_TIMEOUT_MS}`, timeout)
  return timeout
}

/**
 * The options among `names` that are set, as a new object: the part of an integration's options
 * (which also hold forwarding options and their own) that one component takes, since each
 * component refuses names it does not take. undefined gives {}.
 */
function pick(options, names) {
  const picked = {}
  for (const name of names) if (options?.[name] !== undefined) picked[name] = options[name]
  return picked
}

function versionBits(httpVersion, where) {
  switch (httpVersion) {
    case undefined:
    case '1.1':
      return N.VERSION_HTTP11
    case '1.0':
      return N.VERSION_HTTP10
    case '2.0':
    case '2':
      return N.VERSION_HTTP2
  }
  if (typeof httpVersion !== 'string') throw invalidArgType(where, "of type string (such as '1.1')", httpVersion)
  throw invalidArgValue(where, httpVersion, "must be '1.0', '1.1', '2.0' or '2'")
}

function statusBits(statusCode, where) {
  if (statusCode === undefined || statusCode === null) return 0
  if (typeof statusCode !== 'number') throw invalidArgType(where, 'of type number', statusCode)
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 999) throw outOfRange(where, 'an integer from 100 to 999', statusCode)
  return statusCode << N.STATUS_SHIFT
}

function methodBits(method, where) {
  if (method === undefined || method === null) return 0
  if (typeof method !== 'string') throw invalidArgType(where, 'of type string', method)
  // Methods are case-sensitive (RFC 9110 §9.1).
  if (method === 'HEAD') return N.METHOD_HEAD
  if (method === 'CONNECT') return N.METHOD_CONNECT
  return 0
}

function listOption(options, name) {
  const value = options[name]
  if (value === undefined) return undefined
  if (!Array.isArray(value)) throw invalidArgType(`options.${name}`, 'an array of header names', value)
  return value.slice()
}

/**
 * The filter's options turned into the flag word and name lists once. `version` and `status`
 * are kept apart because filterRequest/filterResponse take them from the message. `where` names
 * the public function in the message of an unknown option: a misspelt `strict` or `protect`
 * would otherwise silently weaken the filter.
 */
class FilterOptions {
  constructor(options, where) {
    if (options === undefined) options = {}
    else checkOptions(options, FILTER_OPTIONS, where)
    const direction = options.direction === undefined ? 'request' : options.direction
    if (direction !== 'request' && direction !== 'response') throw invalidArgValue('options.direction', direction, "must be 'request' or 'response'")
    this.strip = listOption(options, 'strip')
    this.protect = listOption(options, 'protect')
    this.lists = this.strip !== undefined || this.protect !== undefined
    this.flags =
      (direction === 'response' ? N.RESPONSE : 0) |
      (booleanOption(options, 'proxy', true) ? N.PROXY : 0) |
      (booleanOption(options, 'upgrade', false) ? N.UPGRADE : 0) |
      (booleanOption(options, 'strict', false) ? N.STRICT : 0) |
      (this.lists ? N.LISTS : 0) |
      methodBits(options.requestMethod, 'options.requestMethod')
    this.version = versionBits(options.httpVersion, 'options.httpVersion')
    this.status = statusBits(options.statusCode, 'options.statusCode')
    this.requestMethod = options.requestMethod
  }
}

module.exports = {
  FILTER_OPTIONS,
  PROXY_FILTER_OPTIONS,
  FORWARDING_OPTIONS,
  checkOptions,
  booleanOption,
  timeoutOption,
  pick,
  FilterOptions,
  versionBits,
  statusBits,
  methodBits,
}
