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
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) throw unknownOption(where, name, known)
  }
  return options
}

module.exports = { FILTER_OPTIONS, FORWARDING_OPTIONS, checkOptions }
