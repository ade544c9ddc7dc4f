'use strict'
// The option names each public function takes, in one place, and the check that refuses the
// rest: an unknown name is an error, never ignored.

const { invalidArgType, unknownOption } = require('./errors.js')

/** Options of the filter (filterHeaders, filterRequest, filterResponse, createFilter). */
const FILTER_OPTIONS = Object.freeze(['direction', 'proxy', 'upgrade', 'strict', 'strip', 'protect', 'httpVersion', 'statusCode', 'requestMethod'])

/** Options of the proxy's own fields (forwardHeaders, createForwarding). */
const FORWARDING_OPTIONS = Object.freeze(['trust', 'forwarded', 'via', 'host', 'framing'])

/**
 * Throws unless `options` is undefined or a plain object whose own enumerable names are all in
 * `known`. Returns `options`. `where` names the function for the message, e.g. "attach()".
 */
function checkOptions(options, known, where) {
  if (options === undefined) return options
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalidArgType('options', 'of type object', options)
  }
  // for-in over an object literal reads V8's enum cache: no array per call, unlike Object.keys.
  for (const name in options) {
    if (!known.includes(name) && Object.hasOwn(options, name)) throw unknownOption(where, name, known, ownerOf(name, known))
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

/**
 * The filter's part of an integration's options (which also hold forwarding options and their
 * own): the filter refuses names it does not take. undefined stays undefined.
 */
function filterOptionsOf(options) {
  if (options === undefined || options === null || typeof options !== 'object') return options
  const picked = {}
  for (const name of FILTER_OPTIONS) if (options[name] !== undefined) picked[name] = options[name]
  return picked
}

module.exports = { FILTER_OPTIONS, FORWARDING_OPTIONS, checkOptions, booleanOption, filterOptionsOf }
