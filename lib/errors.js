'use strict'
// Every error this package throws or answers with is made here: the coded TypeError/RangeError
// for bad arguments (Node's own codes and message style), and HopByHopError for messages a proxy
// must refuse, whose statusCode is the answer to send.

const { inspect } = require('node:util')

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

module.exports = { HopByHopError, TOKEN, describe, coded, invalidArgType, invalidArgValue, outOfRange, invalidHeaderName, unknownOption }
