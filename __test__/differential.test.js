'use strict'
// Differential test: the package against the plain reading in helpers/reference.js, on
// generated messages biased toward the fields with connection semantics.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { filterHeaders, filterRequest, filterResponse, createFilter, HopByHopError } = require('..')
const { reference } = require('./helpers/reference.js')
// filterHeaders on the checked path, where Rust reads every name: the oracle of the fast paths.
const { filterHeadersChecked } = require('../lib/filter/index.js')
const { random } = require('./helpers/random.js')

const CASES = 20000

const TOKENS = ['close', 'keep-alive', 'Keep-Alive', 'upgrade', 'Upgrade', 'X-Foo', 'x-bar', 'te', 'TE', 'Host', 'x-forwarded-for', 'Cookie', 'content-length', 'Transfer-Encoding', 'a b', '', ' ', ':path', '"q"', 'Set-Cookie']
const VALUES = {
  Connection: () => null,
  TE: ['trailers', 'gzip', 'deflate;q=0.5, Trailers', '', ' , '],
  Upgrade: ['websocket', 'h2c', 'HTTP/2.0, SHTTP/1.3', '', 'web\u0001socket', 'wébsocket'],
  'Transfer-Encoding': ['chunked', 'gzip', 'gzip, chunked', 'chunked, gzip', '', 'Chunked'],
  'Keep-Alive': ['timeout=5, max=100'],
  'Content-Length': ['10', '0'],
}
const NAMES = ['Host', 'Connection', 'connection', 'CONNECTION', 'TE', 'te', 'Upgrade', 'upgrade', 'Keep-Alive', 'Transfer-Encoding', 'transfer-encoding', 'Content-Length', 'content-length', 'Trailer', 'Proxy-Connection', 'Proxy-Authorization', 'Proxy-Authenticate', 'HTTP2-Settings', 'X-Foo', 'x-foo', 'X-Bar', 'X-Forwarded-For', 'Cookie', 'Set-Cookie', 'set-cookie', 'Accept', 'Close', ':authority', ':path', 'bad name']

function pick(next, list) {
  return list[Math.floor(next() * list.length)]
}

function generateValue(next, name) {
  const canonical = Object.keys(VALUES).find((key) => key.toLowerCase() === name.toLowerCase())
  if (canonical === 'Connection') {
    const count = Math.floor(next() * 4)
    return Array.from({ length: count }, () => pick(next, TOKENS)).join(pick(next, [',', ', ', ' ,\t']))
  }
  if (canonical) return pick(next, VALUES[canonical])
  return pick(next, ['v', '1', 'a=b; Path=/', '', 'é ünïcode', '😀'])
}

function generate(next) {
  const raw = []
  const lines = Math.floor(next() * 12)
  for (let i = 0; i < lines; i++) {
    let name = pick(next, NAMES)
    if (name === 'bad name' && next() < 0.8) name = 'X-Other'
    raw.push(name, generateValue(next, name))
  }
  const options = {
    httpVersion: pick(next, [undefined, '1.0', '1.1', '2.0']),
    direction: pick(next, [undefined, 'request', 'response']),
    proxy: pick(next, [undefined, true, false]),
    statusCode: pick(next, [undefined, 101, 200, 204, 304, 404]),
    requestMethod: pick(next, [undefined, 'GET', 'HEAD', 'CONNECT']),
    upgrade: pick(next, [undefined, true, false]),
    strict: next() < 0.2,
    strip: pick(next, [undefined, undefined, ['x-bar'], ['Content-Length', 'Cookie'], ['TE', 'upgrade']]),
    protect: pick(next, [undefined, undefined, [], ['X-Foo'], ['Upgrade', 'te']]),
  }
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key]
  return { raw, options }
}

function outcome(run) {
  try {
    const { headers, keepAlive, upgrade } = run()
    return { headers, keepAlive, upgrade }
  } catch (error) {
    if (error instanceof TypeError) return { error: 'TypeError' }
    if (error instanceof HopByHopError || typeof error.code === 'string') return { error: error.code }
    throw error
  }
}

test(`package agrees with the reference reading on ${CASES} generated messages`, () => {
  const next = random(0x5eed)
  const kinds = { forwarded: 0, errors: 0 }
  for (let i = 0; i < CASES; i++) {
    const { raw, options } = generate(next)
    const expected = outcome(() => reference(raw, options))
    const actual = outcome(() => filterHeaders(raw, options))
    assert.deepEqual(actual, expected, `case ${i}: ${JSON.stringify({ raw, options })}`)
    kinds[expected.error ? 'errors' : 'forwarded']++
  }
  // The generator must exercise both outcomes, or the comparison proves little.
  assert.ok(kinds.forwarded > CASES / 2, JSON.stringify(kinds))
  assert.ok(kinds.errors > CASES / 50, JSON.stringify(kinds))
})

/**
 * An http.IncomingMessage holding `raw`, as Node's parser would hand it over: filterRequest and
 * filterResponse take the gated path for these (lib/filter/gated.js filterParsed), which must agree with
 * filterHeaders on the checked path, where Rust reads every name.
 */
function incoming(raw, options) {
  const message = new http.IncomingMessage(null)
  message.rawHeaders = raw
  message.httpVersion = options.httpVersion ?? '1.1'
  if (options.direction === 'response') {
    if (options.statusCode !== undefined) message.statusCode = options.statusCode
    message.req = { method: options.requestMethod ?? 'GET' }
  }
  return message
}

test(`IncomingMessage fast path agrees with filterHeaders on ${CASES} generated messages`, () => {
  const next = random(0x1212)
  const kinds = { forwarded: 0, errors: 0, diagnostics: 0 }
  for (let i = 0; i < CASES; i++) {
    const { raw, options } = generate(next)
    // Node's parser delivers tokens only, and pseudo-headers only on HTTP/2.
    const names = raw.filter((_, index) => index % 2 === 0)
    if (names.some((name) => name === 'bad name' || (name.startsWith(':') && options.httpVersion !== '2.0'))) continue
    const message = incoming(raw, options)
    const response = options.direction === 'response'
    const full = { ...options, direction: response ? 'response' : 'request', httpVersion: message.httpVersion }
    if (response) {
      full.statusCode = message.statusCode
      full.requestMethod = options.requestMethod ?? 'GET'
    }
    const rest = { ...options }
    for (const key of ['httpVersion', 'direction', 'statusCode', 'requestMethod']) delete rest[key]
    const expected = outcome(() => filterHeadersChecked(raw, full))
    const viaHelper = Object.keys(rest).length === 0 && next() < 0.5 ? undefined : rest
    const helper = () => (response ? filterResponse(message, viaHelper) : filterRequest(message, viaHelper))
    const created = createFilter(rest)
    const factory = () => (response ? created.response(message) : created.request(message))
    const context = `case ${i}: ${JSON.stringify({ raw, options })}`
    assert.deepEqual(outcome(helper), expected, context)
    assert.deepEqual(outcome(factory), expected, context)
    kinds[expected.error ? 'errors' : 'forwarded']++
    if (!expected.error && i % 10 === 0) {
      assert.deepEqual(helper().diagnostics, filterHeadersChecked(raw, full).diagnostics, context)
      kinds.diagnostics++
    }
  }
  assert.ok(kinds.forwarded > CASES / 3, JSON.stringify(kinds))
  assert.ok(kinds.errors > CASES / 100, JSON.stringify(kinds))
})
