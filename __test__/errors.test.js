'use strict'
// Bad input: a TypeError or RangeError that names the index or option at fault, no mutation,
// and the process stays usable.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { filterHeaders, filterRequest, filterResponse } = require('..')

const inputs = [
  ['a non-array', 'Host: a', TypeError, /rawHeaders must be an array/],
  ['null', null, TypeError, /rawHeaders must be an array/],
  ['an odd length', ['Host', 'a', 'Accept'], RangeError, /even length.*3/],
  ['a non-string name', ['Host', 'a', 42, 'b'], TypeError, /rawHeaders\[2\] must be a string/],
  ['a non-string value', ['Host', 'a', 'Accept', undefined], TypeError, /rawHeaders\[3\] must be a string/],
  ['a non-string value of a dropped header', ['Connection', {}], TypeError, /rawHeaders\[1\] must be a string/],
  ['a hole', ['Host', 'a', , 'b'], TypeError, /rawHeaders\[2\]/], // eslint-disable-line no-sparse-arrays
  ['a name with a space', ['Host', 'a', 'Bad Name', 'b'], TypeError, /rawHeaders\[2\] is not a valid header name/],
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
      assert.equal(typeof error.code, 'string')
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
  [{ strip: 'X-A' }, TypeError, /options\.strip must be an array/],
  [{ strip: ['ok', 'not ok'] }, TypeError, /options\.strip\[1\]/],
  [{ protect: [null] }, TypeError, /options\.protect\[0\] must be a string/],
  ['strict', TypeError, /options must be an object/],
]

for (const [value, ErrorClass, message] of options) {
  test(`rejects options ${JSON.stringify(value)}`, () => {
    assert.throws(() => filterHeaders(['Host', 'a'], value), (error) => error instanceof ErrorClass && message.test(error.message))
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
  assert.deepEqual(JSON.parse(run.stdout), { headers: ['A', 'b'], keepAlive: false, upgrade: null })
})
