'use strict'
// Property tests across the N-API boundary, with fast-check.
//
// Random inputs of any length — empty, 64 KiB, non-Latin-1, emoji, lone-surrogate and control
// strings, non-strings, holes, odd lengths — and random (often invalid) options. Every call
// returns a result or throws a TypeError, RangeError or HopByHopError; it never crashes, never
// mutates its input, and never returns a header string that was not in the input apart from
// the documented 'trailers', 'Connection' and 'upgrade'. A second group runs the array entry
// point (more than 65,536 elements) against the spread one.
//
// Run counts are fixed (seeded by fast-check per run; set FC_SEED to replay a failure) so the
// file finishes in a few seconds.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fc = require('fast-check')
const { filterHeaders, filterRequest, filterResponse, createFilter, HopByHopError } = require('..')

const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED)
const params = (numRuns) => ({ numRuns, seed: SEED, endOnFailure: true })

const HUGE = 'x'.repeat(64 * 1024)
const HUGE_TOKEN_LIST = Array.from({ length: 64 * 1024 / 8 }, (_, i) => `x-${i}`).join(',').slice(0, 64 * 1024)
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const NORMALISED = new Set(['trailers', 'Connection', 'upgrade'])

const names = fc.constantFrom(
  'Connection', 'connection', 'CONNECTION', 'TE', 'te', 'Upgrade', 'Keep-Alive', 'Transfer-Encoding',
  'Content-Length', 'Proxy-Connection', 'Trailer', 'Proxy-Authorization', 'HTTP2-Settings', 'Host',
  'X-Forwarded-For', 'Forwarded', 'X-Real-IP', 'Cookie', 'Authorization', 'X-A', 'x-a', 'X-B',
  ':authority', ':path', ':method',
)
const values = fc.constantFrom(
  'close', 'keep-alive', 'Keep-Alive, Upgrade', 'upgrade', 'X-A, x-b', 'trailers', 'gzip, trailers',
  'chunked', 'gzip', 'chunked, gzip', 'websocket', 'h2c', 'timeout=5, max=100', '0', '42',
  'Host, X-Forwarded-For, Cookie', '"a,X-A", b c', '', ' , ,', HUGE_TOKEN_LIST,
)
const odd = fc.constantFrom(
  '', HUGE, 'Ā', 'Łódź', '\u0141', 'é', '😀', '👩‍👩‍👧', '\uD800', '\uDC00x', 'a\u0000b', 'x\r\nInjected: 1', '\t',
  'web\u0001socket', '\u007f', 'Upgrade\u0100', 'c\u006c\u006fse',
)
const strings = fc.oneof(
  { weight: 6, arbitrary: names },
  { weight: 6, arbitrary: values },
  { weight: 3, arbitrary: odd },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/) },
)
const nonStrings = fc.constantFrom(null, undefined, 0, 1.5, NaN, true, 1n, {}, [], ['Host'], () => 'Host', new String('Host'), Symbol('x'))
const element = fc.oneof({ weight: 30, arbitrary: strings }, { weight: 1, arbitrary: nonStrings })

/** Arrays of any length; most even, many odd; with holes now and then. */
const rawHeaders = fc
  .tuple(
    fc.oneof(
      { weight: 8, arbitrary: fc.array(element, { maxLength: 24 }) },
      { weight: 1, arbitrary: fc.array(element, { minLength: 60, maxLength: 300 }) },
      // Mostly name/value pairs, so that many calls get past validation.
      { weight: 8, arbitrary: fc.array(fc.tuple(fc.oneof({ weight: 20, arbitrary: names }, { weight: 1, arbitrary: element }), fc.oneof({ weight: 4, arbitrary: values }, { weight: 1, arbitrary: element })), { maxLength: 16 }).map((pairs) => pairs.flat()) },
    ),
    fc.boolean(),
    fc.nat(),
  )
  .map(([array, hole, where]) => {
    if (hole && array.length > 0 && where % 16 === 0) delete array[where % array.length]
    return array
  })

const nameList = fc.array(fc.oneof({ weight: 10, arbitrary: strings }, { weight: 1, arbitrary: nonStrings }), { maxLength: 4 })
const options = fc.oneof(
  { weight: 10, arbitrary: fc.record(
    {
      httpVersion: fc.constantFrom('1.0', '1.1', '2.0', '2', '3', '', 1.1, null),
      direction: fc.constantFrom('request', 'response', 'Request', 1),
      proxy: fc.oneof(fc.boolean(), fc.constant('yes')),
      statusCode: fc.oneof(fc.integer({ min: 100, max: 999 }), fc.constantFrom(101, 204, 304, 0, 99, 1000, 1.5, NaN, '200', null)),
      requestMethod: fc.constantFrom('GET', 'HEAD', 'CONNECT', 'head', 5, null),
      strip: fc.oneof(nameList, fc.constant('X-A')),
      protect: fc.oneof(nameList, fc.constant([])),
      upgrade: fc.oneof(fc.boolean(), fc.constant(1)),
      strict: fc.oneof(fc.boolean(), fc.constant('true')),
    },
    { requiredKeys: [] },
  ) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 'strict', 1, []) },
)

/** A deep snapshot of an array (or object) of primitives and one level of arrays. */
function snapshot(value) {
  if (!Array.isArray(value)) return value
  return { length: value.length, keys: Object.keys(value), items: value.map((item) => (Array.isArray(item) ? snapshot(item) : item)) }
}

function assertUnchanged(value, before, what) {
  if (!Array.isArray(value)) return
  assert.equal(value.length, before.length, `${what}: length changed`)
  assert.deepEqual(Object.keys(value), before.keys, `${what}: keys changed`)
  for (let i = 0; i < value.length; i++) {
    const item = value[i]
    if (Array.isArray(item)) assertUnchanged(item, before.items[i], `${what}[${i}]`)
    else assert.ok(Object.is(item, before.items[i]), `${what}[${i}] changed`)
  }
}

/** The outcome of one call, checked against the contract. */
function checkCall(call, input, opts, isResponse = opts?.direction === 'response') {
  const inputSnapshot = snapshot(input)
  const stripSnapshot = snapshot(opts?.strip)
  const protectSnapshot = snapshot(opts?.protect)
  let result
  let error
  try {
    result = call()
  } catch (caught) {
    error = caught
  }
  assertUnchanged(input, inputSnapshot, 'rawHeaders')
  if (opts !== null && typeof opts === 'object') {
    assertUnchanged(opts.strip, stripSnapshot, 'options.strip')
    assertUnchanged(opts.protect, protectSnapshot, 'options.protect')
  }
  if (error !== undefined) {
    const allowed = error instanceof HopByHopError || error instanceof TypeError || error instanceof RangeError
    assert.ok(allowed, `unexpected ${error?.name}: ${error?.message} (code ${error?.code})`)
    if (error instanceof HopByHopError) {
      assert.match(error.code, /^ERR_HOP_BY_HOP_(PROTECTED|INVALID_TOKEN|AMBIGUOUS_LENGTH|INVALID_UPGRADE)$/)
      // A refused request is answered 400; a refused upstream response, 502.
      assert.equal(error.statusCode, isResponse ? 502 : 400)
    } else {
      assert.match(error.message, /rawHeaders|options|must be/, error.message)
      assert.equal(typeof error.code, 'string')
    }
    return { error }
  }
  assert.ok(Array.isArray(result.headers))
  assert.notEqual(result.headers, input, 'headers must be a new array')
  assert.equal(result.headers.length % 2, 0)
  assert.equal(typeof result.keepAlive, 'boolean')
  assert.ok(result.upgrade === null || typeof result.upgrade === 'string')
  const seen = new Set(input.filter((item) => typeof item === 'string'))
  for (const item of result.headers) {
    assert.equal(typeof item, 'string')
    assert.ok(seen.has(item) || NORMALISED.has(item), `foreign string in output: ${JSON.stringify(item.slice(0, 40))}`)
  }
  // Names in the output are input names (or the appended 'Connection'), never values moved over.
  for (let i = 0; i < result.headers.length; i += 2) {
    const name = result.headers[i]
    assert.ok(TOKEN.test(name), `output name ${JSON.stringify(name.slice(0, 40))} is not a token`)
  }
  return { result }
}

/** Whether the contract guarantees a result or a HopByHopError (no TypeError/RangeError). */
function wellFormed(input) {
  return (
    Array.isArray(input) &&
    input.length % 2 === 0 &&
    input.every((item) => typeof item === 'string') &&
    Object.keys(input).length === input.length &&
    input.every((item, i) => i % 2 === 1 || TOKEN.test(item))
  )
}

test('filterHeaders: random arrays, default options', () => {
  let results = 0
  let errors = 0
  fc.assert(
    fc.property(rawHeaders, (input) => {
      const outcome = checkCall(() => filterHeaders(input), input, undefined)
      if (outcome.error) {
        errors++
        if (wellFormed(input)) {
          assert.ok(outcome.error instanceof HopByHopError, `${outcome.error.name} for well-formed input: ${outcome.error.message}`)
          assert.equal(outcome.error.code, 'ERR_HOP_BY_HOP_INVALID_UPGRADE')
        }
      } else {
        results++
        assert.ok(wellFormed(input), 'accepted a malformed input')
        // The diagnostics getter works for every accepted input and names only input names.
        const diagnostics = outcome.result.diagnostics
        for (const name of diagnostics.removed) assert.ok(input.includes(name))
        for (const key of ['nominated', 'protected', 'invalid']) assert.ok(Array.isArray(diagnostics[key]))
      }
    }),
    params(3000),
  )
  // Both branches must be exercised for the property to mean anything.
  assert.ok(results > 300 && errors > 300, `results ${results}, errors ${errors}`)
})

test('filterHeaders, createFilter, filterRequest, filterResponse: random options', () => {
  fc.assert(
    fc.property(rawHeaders, options, fc.constantFrom('headers', 'create', 'request', 'response'), (input, opts, entry) => {
      const call = {
        headers: () => filterHeaders(input, opts),
        create: () => createFilter(opts)(input),
        request: () => filterRequest({ rawHeaders: input, httpVersion: '1.1' }, opts),
        response: () => filterResponse({ rawHeaders: input, httpVersion: '1.1', statusCode: 200, req: { method: 'GET' } }, opts),
      }[entry]
      const isResponse = entry === 'response' || (entry !== 'request' && opts?.direction === 'response')
      checkCall(call, input, opts, isResponse)
    }),
    params(3000),
  )
})

test('non-arrays are a TypeError, never a crash', () => {
  fc.assert(
    fc.property(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true }), (input) => {
      fc.pre(!Array.isArray(input))
      assert.throws(() => filterHeaders(input), TypeError)
      assert.throws(() => filterRequest({ rawHeaders: input }), TypeError)
    }),
    params(500),
  )
})

test('well-formed random messages: same answer from every entry point and from a copy', () => {
  const validName = fc.oneof(names.filter((name) => !name.startsWith(':')), fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}$/))
  const validValue = fc.oneof(values, odd, fc.string({ maxLength: 16 }))
  const message = fc.array(fc.tuple(validName, validValue), { maxLength: 30 }).map((pairs) => pairs.flat())
  fc.assert(
    fc.property(message, fc.boolean(), (input, strict) => {
      const opts = { strict }
      let first
      try {
        first = filterHeaders(input, opts)
      } catch (error) {
        assert.ok(error instanceof HopByHopError, error.message)
        assert.throws(() => createFilter(opts)(input.slice()), (again) => again.code === error.code)
        return
      }
      const again = createFilter(opts)(input.slice())
      assert.deepEqual(again.headers, first.headers)
      assert.equal(again.keepAlive, first.keepAlive)
      assert.equal(again.upgrade, first.upgrade)
      const request = filterRequest({ rawHeaders: Object.freeze(input.slice()), httpVersion: '1.1' }, opts)
      assert.deepEqual(request.headers, first.headers)
      // Filtering the output again changes nothing.
      assert.deepEqual(filterHeaders(first.headers, opts).headers, first.headers)
    }),
    params(2000),
  )
})

test('more than 65,536 elements (the array entry point) agrees with the spread entry point', (t) => {
  const validName = names.filter((name) => !name.startsWith(':'))
  const message = fc.array(fc.tuple(validName, values), { maxLength: 12 }).map((pairs) => pairs.flat())
  let arrayCalls = 0
  const { native } = require('../lib/native/call.js')
  const filterArray = native.filterArray
  let nativeArrayCalls = 0
  native.filterArray = (...args) => {
    nativeArrayCalls++
    return filterArray(...args)
  }
  t.after(() => {
    native.filterArray = filterArray
  })
  fc.assert(
    fc.property(message, fc.integer({ min: 0, max: 39 }), fc.integer({ min: 32769, max: 33500 }), (input, big, padLines) => {
      // One case in forty pads the message past 65,536 elements with end-to-end lines, in front.
      if (big !== 0) {
        const small = checkCall(() => filterHeaders(input), input, undefined)
        if (small.result) assert.deepEqual(filterHeaders(input.slice()).headers, small.result.headers)
        return
      }
      arrayCalls++
      const padding = []
      for (let i = 0; i < padLines; i++) padding.push(`X-Pad-${i % 7}`, `${i}`)
      const padded = padding.concat(input)
      assert.ok(padded.length > 65536)
      let small
      let smallError
      try {
        small = filterHeaders(input)
      } catch (error) {
        smallError = error
      }
      const outcome = checkCall(() => filterHeaders(padded), padded, undefined)
      if (smallError) {
        assert.equal(outcome.error?.code, smallError.code)
        return
      }
      assert.ok(outcome.result, outcome.error?.message)
      assert.deepEqual(outcome.result.headers, padding.concat(small.headers))
      assert.equal(outcome.result.keepAlive, small.keepAlive)
      assert.equal(outcome.result.upgrade, small.upgrade)
    }),
    params(2000),
  )
  assert.ok(arrayCalls > 20, `only ${arrayCalls} calls took the array path`)
  assert.ok(nativeArrayCalls >= arrayCalls, `filterArray ran ${nativeArrayCalls} times for ${arrayCalls} padded calls`)
})

test('huge arrays with errors far from the start report the right index', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 19998 }), fc.constantFrom('hole', 'number', 'name', 'odd'), (at, kind) => {
      const input = []
      for (let i = 0; i < 10000; i++) input.push('X-Line', String(i))
      const index = at - (at % 2) // a name slot
      if (kind === 'hole') delete input[index + 1]
      if (kind === 'number') input[index + 1] = 42
      if (kind === 'name') input[index] = 'bad name'
      if (kind === 'odd') input.push('X-Odd')
      const before = snapshot(input)
      const error = (() => {
        try {
          filterHeaders(input)
        } catch (caught) {
          return caught
        }
      })()
      assertUnchanged(input, before, 'rawHeaders')
      if (kind === 'odd') return assert.ok(error instanceof RangeError)
      assert.ok(error instanceof TypeError, String(error))
      const expected = kind === 'name' ? index : index + 1
      assert.match(error.message, new RegExp(`rawHeaders\\[${expected}\\]`))
    }),
    params(60),
  )
})

// Check-then-use: an array whose elements are accessors can answer differently on each read, so
// the output must be built from the same reads the native code validated.
test('accessor elements: the output uses the strings the native code validated', () => {
  for (const length of [4, 9000]) {
    const input = ['X-Safe', 'v', 'Accept', '*/*']
    while (input.length < length) input.push('X-Pad', 'p')
    let reads = 0
    Object.defineProperty(input, 0, { get: () => (reads++ === 0 ? 'X-Safe' : 'Bad Name\r\nInjected: 1'), enumerable: true })
    const result = filterHeaders(input)
    for (let i = 0; i < result.headers.length; i += 2) assert.match(result.headers[i], TOKEN)
  }
})
