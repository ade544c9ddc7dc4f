'use strict'
// The public filter: filterHeaders, filterRequest, filterResponse and createFilter. Each
// compiles its options (lib/options.js), reads the version, status and method of a message, and
// takes the gated path for a message from Node's parser (gated.js), the checked path for
// anything else (checked.js). The rules themselves live in Rust (crates/core).

const { IncomingMessage } = require('node:http')
const N = require('../native/abi.js')
const { HopByHopError, invalidArgType } = require('../errors.js')
const { FilterOptions, versionBits, statusBits, methodBits } = require('../options.js')
const { HOP_BY_HOP_HEADERS, DEFAULT_PROTECTED_HEADERS } = require('./names.js')
const { assertWholeRequestHead, assertWholeResponseHead } = require('./head-limits.js')
const { filterChecked } = require('./checked.js')
const { filterParsed } = require('./gated.js')

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
  return message instanceof IncomingMessage ? filterParsed(message, flags, options, where) : filterChecked(message.rawHeaders, flags, options, where)
}

function filterRequestWith(req, options) {
  return filterMessage(checkMessage(req, 'req'), requestFlags(req, options), options, 'req.rawHeaders')
}

function filterResponseWith(res, options) {
  return filterMessage(checkMessage(res, 'res'), responseFlags(res, options), options, 'res.rawHeaders')
}

function filterHeaders(rawHeaders, options) {
  const compiled = options === undefined ? DEFAULTS : new FilterOptions(options, 'filterHeaders()')
  return filterChecked(rawHeaders, compiled.flags | compiled.version | compiled.status, compiled, 'rawHeaders')
}

function filterRequest(req, options) {
  checkMessage(req, 'req')
  const compiled = options === undefined ? DEFAULTS : new FilterOptions(options, 'filterRequest()')
  return filterMessage(req, requestFlags(req, compiled), compiled, 'req.rawHeaders')
}

function filterResponse(res, options) {
  checkMessage(res, 'res')
  const compiled = options === undefined ? DEFAULTS : new FilterOptions(options, 'filterResponse()')
  return filterMessage(res, responseFlags(res, compiled), compiled, 'res.rawHeaders')
}

function createFilter(options) {
  const compiled = new FilterOptions(options, 'createFilter()')
  // Names in strip/protect are checked in Rust; an empty message checks them now rather than on
  // the first request.
  if (compiled.lists) filterChecked(EMPTY, compiled.flags | compiled.version, compiled, 'rawHeaders')
  const flags = compiled.flags | compiled.version | compiled.status
  const filter = (rawHeaders) => filterChecked(rawHeaders, flags, compiled, 'rawHeaders')
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
}
