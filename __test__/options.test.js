'use strict'
// An option name a function does not take is an error, never ignored: a misspelt `strict`,
// `protect` or `trust` would otherwise silently weaken the filter or trust nobody (or everybody).

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { filterHeaders, filterRequest, filterResponse, createFilter, forwardHeaders, createForwarding, middleware } = require('..')

const req = { rawHeaders: ['Host', 'a'], httpVersion: '1.1', httpVersionMajor: 1, socket: { remoteAddress: '127.0.0.1' } }
const res = { rawHeaders: ['Content-Length', '0'], httpVersion: '1.1', statusCode: 200 }

function unknownOption(where, name, suggestion) {
  return (error) => {
    assert.ok(error instanceof TypeError, `${error.name}: ${error.message}`)
    assert.equal(error.code, 'ERR_INVALID_ARG_VALUE')
    assert.equal(error.option, name)
    assert.equal(error.suggestion, suggestion)
    assert.ok(error.message.startsWith(`The property 'options.${name}' is not an option of ${where}`), error.message)
    if (suggestion !== undefined) assert.ok(error.message.endsWith(`did you mean '${suggestion}'?`), error.message)
    return true
  }
}

const typos = [
  ['filterHeaders()', () => filterHeaders(['A', 'b'], { strct: true }), 'strct', 'strict'],
  ['createFilter()', () => createFilter({ protcet: ['X-Secret'] }), 'protcet', 'protect'],
  ['filterRequest()', () => filterRequest(req, { bogus: 1 }), 'bogus', undefined],
  ['filterResponse()', () => filterResponse(res, { requestMehtod: 'HEAD' }), 'requestMehtod', 'requestMethod'],
  ['forwardHeaders()', () => forwardHeaders(req, [], { trsut: 'loopback' }), 'trsut', 'trust'],
  ['createForwarding()', () => createForwarding({ via: 'x', viaa: 1 }), 'viaa', 'via'],
  ['createForwarding()', () => createForwarding({ Framing: false }), 'Framing', 'framing'],
]

for (const [where, call, name, suggestion] of typos) {
  test(`${where} refuses the option '${name}'`, () => {
    assert.throws(call, unknownOption(where, name, suggestion))
  })
}

test('an option of the other group is refused and its functions named', () => {
  assert.throws(() => filterHeaders(['A', 'b'], { trust: 'loopback' }), (error) => {
    unknownOption('filterHeaders()', 'trust', undefined)(error)
    assert.match(error.message, /it is an option of forwardHeaders\(\) and createForwarding\(\)/)
    return true
  })
  assert.throws(() => createForwarding({ strict: true }), (error) => {
    unknownOption('createForwarding()', 'strict', undefined)(error)
    assert.match(error.message, /it is an option of the filter/)
    return true
  })
  assert.throws(() => createFilter({ via: false }), unknownOption('createFilter()', 'via', undefined))
})

test('a name with no near match lists the options the function takes', () => {
  assert.throws(() => filterRequest(req, { bogus: 1 }), /its options are 'direction', 'proxy', 'upgrade', 'strict', 'strip', 'protect', 'httpVersion', 'statusCode', 'requestMethod'$/)
  assert.throws(() => forwardHeaders(req, [], { zzzzzzzz: 1 }), /its options are 'trust', 'forwarded', 'via', 'host', 'framing'$/)
})

test('an unknown option inherited from a prototype is refused too, as an inherited known one is read', () => {
  assert.throws(() => filterHeaders(['A', 'b'], Object.create({ strct: true })), unknownOption('filterHeaders()', 'strct', 'strict'))
  assert.throws(() => createForwarding(Object.create({ trsut: 'loopback' })), unknownOption('createForwarding()', 'trsut', 'trust'))
  class Options {
    get strict() {
      return true
    }
  }
  // A class's accessors are not enumerable: the options it holds are read, nothing is refused.
  assert.throws(() => filterHeaders(['Connection', 'Host', 'Host', 'a'], new Options()), { code: 'ERR_HOP_BY_HOP_PROTECTED' })
})

test('an enumerable name every object inherits (Object.prototype) is not the caller\'s option', (t) => {
  Object.defineProperty(Object.prototype, 'addedByALibrary', { value: 1, enumerable: true, configurable: true })
  t.after(() => delete Object.prototype.addedByALibrary)
  assert.deepEqual(filterHeaders(['A', 'b'], {}).headers, ['A', 'b'])
  assert.throws(() => filterHeaders(['A', 'b'], { addedByALibrary: 2 }), { code: 'ERR_INVALID_ARG_VALUE', option: 'addedByALibrary' })
})

test('an unknown option is refused even when its value is undefined', () => {
  assert.throws(() => filterHeaders([], { strct: undefined }), { code: 'ERR_INVALID_ARG_VALUE', option: 'strct' })
})

test('every option of each function is still taken', () => {
  const filterOptions = { direction: 'response', proxy: true, upgrade: false, strict: false, strip: ['X-A'], protect: [], httpVersion: '1.1', statusCode: 200, requestMethod: 'GET' }
  assert.deepEqual(filterHeaders(['X-A', '1', 'B', '2'], filterOptions).headers, ['B', '2'])
  assert.deepEqual(createFilter(filterOptions)(['X-A', '1']).headers, [])
  assert.deepEqual(filterRequest(req, { strict: true, protect: ['Host'] }).headers, ['Host', 'a'])
  assert.deepEqual(filterResponse(res, { requestMethod: 'HEAD' }).headers, ['Content-Length', '0'])
  const forwardingOptions = { trust: 'loopback', forwarded: 'both', via: 'edge', host: 'upstream:80', framing: false }
  assert.equal(forwardHeaders(req, [], forwardingOptions)[1], 'upstream:80')
  assert.deepEqual(createForwarding(forwardingOptions).response(res, []), ['Via', '1.1 edge'])
})

test('an integration passes its filter options to the filter and keeps the forwarding ones', () => {
  // middleware() takes both groups; the filter must not refuse the forwarding names it is handed.
  const handler = middleware({ strict: true, trust: 'loopback', via: 'edge' })
  const message = { ...req, headers: {}, on() {}, once() {} }
  let nextCalled = false
  handler(message, { on() {}, once() {}, setHeader() {} }, () => (nextCalled = true))
  assert.equal(nextCalled, true)
  assert.deepEqual(message.forward.headers.slice(-2), ['Via', '1.1 edge'])
})

test('createFilter checks its options once, not on every call', () => {
  let reads = 0
  const options = new Proxy({ strict: true }, {
    ownKeys(target) {
      reads++
      return Reflect.ownKeys(target)
    },
  })
  const filter = createFilter(options)
  assert.equal(reads, 1)
  for (let i = 0; i < 100; i++) {
    filter(['Connection', 'close'])
    filter.request(req)
    filter.response(res)
  }
  assert.equal(reads, 1)
})

test('options that are not an object are refused, undefined is the defaults', () => {
  for (const bad of [null, 'strict', 1, ['strict'], () => {}]) {
    assert.throws(() => filterHeaders([], bad), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /^The "options" argument must be of type object/ })
    assert.throws(() => forwardHeaders(req, [], bad), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /^The "options" argument must be of type object/ })
  }
  assert.deepEqual(filterHeaders(['Connection', 'close', 'A', 'b'], undefined).headers, ['A', 'b'])
  assert.equal(forwardHeaders(req, [], undefined)[0], 'Host')
})

test('the caller\'s options object is not changed', () => {
  const options = Object.freeze({ strip: Object.freeze(['X-A']), protect: Object.freeze([]) })
  filterHeaders(['X-A', '1'], options)
  createFilter(options)(['X-A', '1'])
  const forwarding = Object.freeze({ trust: Object.freeze(['loopback']) })
  forwardHeaders(req, [], forwarding)
})
