'use strict'
// Bad input: a TypeError or RangeError that names the index or option at fault, no mutation,
// and the process stays usable.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const net = require('node:net')
const util = require('node:util')
const { IncomingMessage } = require('node:http')
const hopByHop = require('..')
const { filterHeaders, filterRequest, filterResponse, createFilter, forwardHeaders, createForwarding } = hopByHop
const { native } = require('../lib/native/call.js')

// The codes Node itself gives bad arguments.
const NODE_CODES = new Set(['ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE', 'ERR_OUT_OF_RANGE', 'ERR_INVALID_HTTP_TOKEN'])

const inputs = [
  ['a non-array', 'Host: a', TypeError, /^The "rawHeaders" argument must be an instance of Array\. Received type string \('Host: a'\)$/],
  ['null', null, TypeError, /^The "rawHeaders" argument must be an instance of Array\. Received null$/],
  ['an odd length', ['Host', 'a', 'Accept'], RangeError, /even length.*3/],
  ['a non-string name', ['Host', 'a', 42, 'b'], TypeError, /"rawHeaders\[2\]" property must be of type string/],
  ['a non-string value', ['Host', 'a', 'Accept', undefined], TypeError, /"rawHeaders\[3\]" property must be of type string/],
  ['a non-string value of a dropped header', ['Connection', {}], TypeError, /"rawHeaders\[1\]" property must be of type string/],
  ['a hole', ['Host', 'a', , 'b'], TypeError, /rawHeaders\[2\]/], // eslint-disable-line no-sparse-arrays
  ['a name with a space', ['Host', 'a', 'Bad Name', 'b'], TypeError, /rawHeaders\[2\] must be a valid HTTP token/],
  ['a name with CR/LF', ['X\r\nInjected', 'b'], TypeError, /rawHeaders\[0\]/],
  ['a name with NUL', ['X\u0000', 'b'], TypeError, /rawHeaders\[0\]/],
  ['an empty name', ['Host', 'a', 'X', 'b', '', 'c'], TypeError, /rawHeaders\[4\]/],
  ['a non-ASCII name', ['Accépt', 'b'], TypeError, /rawHeaders\[0\]/],
  ['a name whose UTF-16 unit aliases an ASCII byte', ['\u0141', 'b'], TypeError, /rawHeaders\[0\]/],
  ['an emoji name', ['😀', 'b'], TypeError, /rawHeaders\[0\]/],
  ['a long non-ASCII name', ['X'.repeat(300) + 'é', 'b'], TypeError, /rawHeaders\[0\]/],
]

for (const [title, input, ErrorClass, message] of inputs) {
  test(`rejects ${title}`, () => {
    const copy = Array.isArray(input) ? input.slice() : input
    assert.throws(() => filterHeaders(input), (error) => {
      assert.ok(error instanceof ErrorClass, `${error.name}: ${error.message}`)
      assert.match(error.message, message)
      assert.ok(NODE_CODES.has(error.code), error.code)
      return true
    })
    if (Array.isArray(input)) assert.deepEqual(input, copy)
  })
}

const options = [
  [{ httpVersion: '3.0' }, RangeError, /options\.httpVersion/],
  [{ httpVersion: 1.1 }, TypeError, /options\.httpVersion/],
  [{ direction: 'inbound' }, RangeError, /options\.direction/],
  [{ proxy: 'yes' }, TypeError, /options\.proxy/],
  [{ strict: 1 }, TypeError, /options\.strict/],
  [{ upgrade: null }, TypeError, /options\.upgrade/],
  [{ statusCode: 99 }, RangeError, /options\.statusCode/],
  [{ statusCode: 200.5 }, RangeError, /options\.statusCode/],
  [{ statusCode: '200' }, TypeError, /options\.statusCode/],
  [{ requestMethod: 7 }, TypeError, /options\.requestMethod/],
  [{ strip: 'X-A' }, TypeError, /"options\.strip" property must be an array/],
  [{ strip: ['ok', 'not ok'] }, TypeError, /options\.strip\[1\]/],
  [{ protect: [null] }, TypeError, /"options\.protect\[0\]" property must be of type string/],
  ['strict', TypeError, /"options" argument must be of type object/],
  [null, TypeError, /"options" argument must be of type object\. Received null/],
  [['strict'], TypeError, /"options" argument must be of type object/],
]

for (const [value, ErrorClass, message] of options) {
  test(`rejects options ${JSON.stringify(value)}`, () => {
    assert.throws(() => filterHeaders(['Host', 'a'], value), (error) => error instanceof ErrorClass && message.test(error.message) && NODE_CODES.has(error.code))
  })
}

test('message helpers reject bad messages', () => {
  assert.throws(() => filterRequest(null), { name: 'TypeError', message: /req/ })
  assert.throws(() => filterRequest({ rawHeaders: [], httpVersion: '0.9' }), { name: 'RangeError', message: /req\.httpVersion/ })
  assert.throws(() => filterResponse({ rawHeaders: [], httpVersion: '1.1', statusCode: 42 }), { name: 'RangeError', message: /res\.statusCode/ })
})

test('a valid call never mutates its input', () => {
  const raw = ['Connection', 'x-a, close', 'X-A', '1', 'TE', 'Trailers', 'Content-Length', '1', 'Transfer-Encoding', 'chunked']
  const copy = raw.slice()
  filterHeaders(raw)
  assert.deepEqual(raw, copy)
})

test('values pass through as they are, whatever their characters', () => {
  const values = ['', 'é', '😀', '\u0000', 'a\r\nb', 'x'.repeat(70_000), '\ud800']
  const raw = values.flatMap((value, i) => [`X-${i}`, value])
  assert.deepEqual(filterHeaders(raw).headers, raw)
})

test('ESM named import works', () => {
  const root = path.join(__dirname, '..')
  const script = "import { filterHeaders } from 'hop-by-hop'; console.log(JSON.stringify(filterHeaders(['Connection', 'close', 'A', 'b'])))"
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 10_000 })
  assert.equal(run.status, 0, run.stderr)
  assert.deepEqual(JSON.parse(run.stdout), {
    headers: ['A', 'b'],
    keepAlive: false,
    upgrade: null,
    diagnostics: { nominated: ['close'], removed: ['Connection'], protected: [], invalid: [], timeout: null, max: null, authority: null },
  })
})

// Arguments of the message helpers and of forwardHeaders: Node's codes, the argument named.

function request(rawHeaders) {
  return { rawHeaders, httpVersion: '1.1', httpVersionMajor: 1, socket: { remoteAddress: '203.0.113.50' } }
}

/** A real IncomingMessage (its names are trusted, so it takes the gated path) with these lines. */
function parsed(rawHeaders) {
  const message = new IncomingMessage(new net.Socket())
  message.httpVersion = '1.1'
  message.rawHeaders = rawHeaders
  return message
}

function throwsCoded(fn, ErrorClass, code, message) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof ErrorClass, `${error.name}: ${error.message}`)
    assert.equal(error.code, code)
    assert.match(error.message, message)
    return true
  })
}

const REQ_SHAPE = /^The "req" argument must be an IncomingMessage-like object with a rawHeaders array\. Received /

test('filterRequest given rawHeaders instead of a request names the req argument', () => {
  throwsCoded(() => filterRequest(['Connection', 'close']), TypeError, 'ERR_INVALID_ARG_TYPE', new RegExp(REQ_SHAPE.source + 'an instance of Array$'))
  throwsCoded(() => createFilter().request(['Connection', 'close']), TypeError, 'ERR_INVALID_ARG_TYPE', new RegExp(REQ_SHAPE.source + 'an instance of Array$'))
  throwsCoded(() => filterRequest(null), TypeError, 'ERR_INVALID_ARG_TYPE', new RegExp(REQ_SHAPE.source + 'null$'))
  throwsCoded(() => filterResponse('HTTP/1.1 200'), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "res" argument must be an IncomingMessage-like object/)
})

test('a request whose rawHeaders is wrong is named req.rawHeaders, on both paths', () => {
  for (const make of [request, parsed]) {
    throwsCoded(() => filterRequest(make('Connection: close')), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "req\.rawHeaders" property must be an instance of Array\. Received type string/)
    throwsCoded(() => filterRequest(make(['Host'])), RangeError, 'ERR_INVALID_ARG_VALUE', /^The property 'req\.rawHeaders' must hold name, value pairs \(an even length; this one has length 1\)/)
    throwsCoded(() => filterRequest(make(['Host', 'a', 'Accept', 7])), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "req\.rawHeaders\[3\]" property must be of type string\. Received type number \(7\)$/)
  }
  // The names of an IncomingMessage are trusted (Node's parser hands over tokens only); others are read.
  throwsCoded(() => createFilter({ strict: true }).request(request(['Bad Name', 'a'])), TypeError, 'ERR_INVALID_HTTP_TOKEN', /^req\.rawHeaders\[0\] must be a valid HTTP token/)
  throwsCoded(() => filterResponse({ rawHeaders: undefined, statusCode: 200 }), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "res\.rawHeaders" property must be an instance of Array\. Received undefined$/)
})

test('a refused message names the line of the caller\'s array', () => {
  assert.throws(() => filterRequest(request(['Host', 'a', 'Connection', 'host']), { strict: true }), { code: 'ERR_HOP_BY_HOP_PROTECTED', message: /req\.rawHeaders\[3\]/ })
  assert.throws(() => filterRequest(parsed(['Host', 'a', 'Connection', 'host']), { strict: true }), { code: 'ERR_HOP_BY_HOP_PROTECTED', message: /req\.rawHeaders\[3\]/ })
  assert.throws(() => filterHeaders(['Connection', 'host'], { strict: true }), { code: 'ERR_HOP_BY_HOP_PROTECTED', message: /\(rawHeaders\[1\]\)/ })
})

test('forwardHeaders refuses a filtered list that is not name, value strings', () => {
  const req = request([])
  throwsCoded(() => forwardHeaders(req, ['A']), RangeError, 'ERR_INVALID_ARG_VALUE', /^The argument 'filtered' must hold name, value pairs \(an even length; this one has length 1\)/)
  throwsCoded(() => forwardHeaders(req, 'A: b'), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "filtered" argument must be an instance of Array .*Received type string \('A: b'\)$/)
  throwsCoded(() => forwardHeaders(req, ['A', 1]), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "filtered\[1\]" property must be of type string/)
  throwsCoded(() => forwardHeaders(req, undefined), TypeError, 'ERR_INVALID_ARG_TYPE', /"filtered" argument .* Received undefined$/)
  const forwarding = createForwarding()
  throwsCoded(() => forwarding.request(req, ['A']), RangeError, 'ERR_INVALID_ARG_VALUE', /'filtered'/)
  throwsCoded(() => forwarding.response({ httpVersion: '1.1' }, 'A: b'), TypeError, 'ERR_INVALID_ARG_TYPE', /"filtered" argument/)
})

test('forwardHeaders names a missing or wrong req', () => {
  throwsCoded(() => forwardHeaders(null, []), TypeError, 'ERR_INVALID_ARG_TYPE', new RegExp(REQ_SHAPE.source + 'null$'))
  throwsCoded(() => forwardHeaders(['Host', 'a'], []), TypeError, 'ERR_INVALID_ARG_TYPE', new RegExp(REQ_SHAPE.source + 'an instance of Array$'))
  throwsCoded(() => forwardHeaders({ httpVersion: '1.1' }, []), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "req\.rawHeaders" property must be an instance of Array\. Received undefined$/)
  throwsCoded(() => createForwarding().request(undefined, []), TypeError, 'ERR_INVALID_ARG_TYPE', new RegExp(REQ_SHAPE.source + 'undefined$'))
  throwsCoded(() => createForwarding().response(null, []), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "res" argument/)
})

test('forwarding options are refused in Node\'s words, naming the option', () => {
  const req = request([])
  throwsCoded(() => forwardHeaders(req, [], { trust: 1.5 }), RangeError, 'ERR_OUT_OF_RANGE', /^The value of "options\.trust" is out of range/)
  throwsCoded(() => forwardHeaders(req, [], { trust: {} }), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "options\.trust" property must be/)
  throwsCoded(() => forwardHeaders(req, [], { via: 7 }), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "options\.via" property must be of type boolean or string\. Received type number \(7\)$/)
  throwsCoded(() => forwardHeaders(req, [], { host: 80 }), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "options\.host" property must be of type string/)
  throwsCoded(() => createForwarding({ framing: 'no' }), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "options\.framing" property must be of type boolean\. Received type string \('no'\)$/)
  throwsCoded(() => createForwarding('loopback'), TypeError, 'ERR_INVALID_ARG_TYPE', /^The "options" argument must be of type object/)
})

test('the filter\'s boolean options and the forwarding ones share one check and one message', () => {
  const filterError = captured(() => filterHeaders([], { strict: 'yes' }))
  const forwardingError = captured(() => createForwarding({ framing: 'yes' }))
  assert.equal(filterError.message.replace('strict', 'framing'), forwardingError.message)
  assert.equal(filterError.code, forwardingError.code)
})

function captured(fn) {
  try {
    fn()
  } catch (error) {
    return error
  }
  assert.fail('did not throw')
}

test('HopByHopError is one class, made in lib/errors.js and re-exported', () => {
  const { HopByHopError } = require('../lib/errors.js')
  assert.equal(hopByHop.HopByHopError, HopByHopError)
  assert.equal(require('../lib/filter/index.js').HopByHopError, HopByHopError)
  const error = captured(() => filterHeaders(['Connection', 'host'], { strict: true }))
  assert.ok(error instanceof HopByHopError)
  const made = new HopByHopError('ERR_HOP_BY_HOP_BODY_CONSUMED', 'gone', 500)
  assert.deepEqual([made.name, made.code, made.message, made.statusCode], ['HopByHopError', 'ERR_HOP_BY_HOP_BODY_CONSUMED', 'gone', 500])
  assert.equal(new HopByHopError('ERR_HOP_BY_HOP_PROTECTED', 'x').statusCode, 400)
})

// A filter result shows its diagnostics when logged or serialised, and still computes them only then.

test('JSON.stringify of a result includes its diagnostics', () => {
  const result = filterHeaders(['Connection', 'x-a, close', 'X-A', '1', 'Keep-Alive', 'timeout=5', 'B', 'c'])
  assert.deepEqual(JSON.parse(JSON.stringify(result)), {
    headers: ['B', 'c'],
    keepAlive: false,
    upgrade: null,
    diagnostics: { nominated: ['x-a', 'close'], removed: ['Connection', 'X-A', 'Keep-Alive'], protected: [], invalid: [], timeout: 5, max: null, authority: null },
  })
})

test('console.log (util.inspect) of a result shows its diagnostics', () => {
  const result = filterHeaders(['Connection', 'x-a', 'X-A', '1', 'B', 'c'])
  const shown = util.inspect(result)
  assert.match(shown, /^FilterResult \{/)
  assert.match(shown, /headers: \[ 'B', 'c' \]/)
  assert.match(shown, /diagnostics: \{\s+nominated: \[ 'x-a' \],\s+removed: \[ 'Connection', 'X-A' \]/)
  // Nested like an own property: depth applies as it would to a plain object.
  assert.match(util.inspect({ outer: { result } }, { depth: 0 }), /outer: \[Object\]/)
  assert.match(util.inspect({ result }, { depth: 0 }), /result: \[FilterResult\]/)
})

test('diagnostics stay lazy: filtering never computes them, showing does once', (t) => {
  const original = native.inspect
  let calls = 0
  native.inspect = (...args) => {
    calls++
    return original.apply(native, args)
  }
  t.after(() => {
    native.inspect = original
  })
  const result = filterHeaders(['Connection', 'x-a', 'X-A', '1'])
  filterRequest(parsed(['Connection', 'close', 'Host', 'a']))
  assert.equal(calls, 0)
  assert.equal(Object.keys(result).includes('diagnostics'), false)
  JSON.stringify(result)
  util.inspect(result)
  assert.equal(result.diagnostics.removed.length, 2)
  assert.equal(calls, 1)
})
