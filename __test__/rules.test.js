'use strict'
// Every rule of README.md "Rules", table-driven through the public API.

const { test, describe } = require('node:test')
const assert = require('node:assert/strict')
const { filterHeaders, filterRequest, filterResponse, createFilter, HOP_BY_HOP_HEADERS, DEFAULT_PROTECTED_HEADERS } = require('..')

const names = (headers) => headers.filter((_, i) => i % 2 === 0)

describe('a. Connection parsing (RFC 9110 §7.6.1, §5.6.1)', () => {
  const cases = [
    ['reads every Connection line', ['Connection', 'x-a', 'X-A', '1', 'Connection', 'x-b', 'X-B', '2', 'X-C', '3'], ['X-C']],
    ['splits on commas and trims SP/HTAB', ['Connection', ' x-a ,\tx-b\t', 'X-A', '1', 'X-B', '2', 'X-C', '3'], ['X-C']],
    ['ignores empty elements', ['Connection', ',, ,x-a,', 'X-A', '1', 'X-C', '3'], ['X-C']],
    ['matches case-insensitively', ['Connection', 'X-FOO', 'x-foo', '1', 'X-Foo', '2'], []],
    ['nominates a field that comes before Connection', ['X-A', '1', 'Connection', 'x-a'], []],
    ['ignores invalid tokens', ['Connection', 'x a, "x-b", x-c', 'X-B', '2', 'X-C', '3'], ['X-B']],
    ['an empty first Connection line does not hide the second (CVE-2021-33197)', ['Connection', '', 'Connection', 'x-a', 'X-A', '1'], []],
  ]
  for (const [title, raw, expected] of cases) {
    test(title, () => assert.deepEqual(names(filterHeaders(raw).headers), expected))
  }
  test('reports nominated and invalid tokens', () => {
    const { diagnostics } = filterHeaders(['Connection', 'keep-alive, X-A, x-a, a b, ,:path'])
    assert.deepEqual(diagnostics.nominated, ['keep-alive', 'x-a'])
    assert.deepEqual(diagnostics.invalid, ['a b', ':path'])
  })
})

describe('b. what is removed', () => {
  test('strip removes lines that a rule would keep, and keeps their meaning', () => {
    assert.deepEqual(filterHeaders(['TE', 'trailers', 'Host', 'a'], { strip: ['te'] }).headers, ['Host', 'a'])
    const upgrade = filterHeaders(['Connection', 'upgrade', 'Upgrade', 'websocket'], { strip: ['Upgrade'], upgrade: true })
    assert.deepEqual(upgrade.headers, [])
    assert.equal(upgrade.upgrade, 'websocket')
    const framing = filterHeaders(['Content-Length', '0'], { strip: ['Content-Length'], direction: 'response', statusCode: 200 })
    assert.deepEqual(framing.headers, [])
    assert.equal(framing.keepAlive, true)
  })
  test('diagnostics describe the input as it was filtered', () => {
    const raw = ['Connection', 'x-a', 'X-A', '1', 'Host', 'h']
    const result = filterHeaders(raw)
    raw.length = 0
    result.headers.push('Via', '1.1 proxy')
    assert.deepEqual(result.diagnostics.removed, ['Connection', 'X-A'])
  })
  test('Connection and every fixed hop-by-hop header, in any case', () => {
    for (const name of HOP_BY_HOP_HEADERS) {
      for (const variant of [name, name.toLowerCase(), name.toUpperCase()]) {
        const raw = ['Host', 'h', variant, 'x', 'Connection', 'keep-alive']
        assert.deepEqual(filterHeaders(raw).headers, ['Host', 'h'], variant)
      }
    }
  })
  test('every line of a nominated header', () => {
    const raw = ['Connection', 'X-Dup', 'X-Dup', '1', 'x-dup', '2', 'X-DUP', '3', 'Accept', '*/*']
    assert.deepEqual(filterHeaders(raw).headers, ['Accept', '*/*'])
  })
  test('names in strip, case-insensitively', () => {
    const raw = ['X-Internal', '1', 'x-internal', '2', 'Accept', '*/*']
    assert.deepEqual(filterHeaders(raw, { strip: ['X-INTERNAL'] }).headers, ['Accept', '*/*'])
  })
  test('keeps order, case, duplicates and the very same strings', () => {
    const cookie1 = ['a', '=', '1'].join('')
    const raw = ['Set-Cookie', cookie1, 'X-Weird-CASE', 'v', 'set-cookie', 'b=2', 'Connection', 'close']
    const { headers } = filterHeaders(raw)
    assert.deepEqual(headers, ['Set-Cookie', 'a=1', 'X-Weird-CASE', 'v', 'set-cookie', 'b=2'])
    assert.equal(headers[1], cookie1)
    assert.notEqual(headers, raw)
  })
  test('reports removed names in order', () => {
    const raw = ['Connection', 'x-a', 'X-A', '1', 'Keep-Alive', 't', 'Host', 'h']
    assert.deepEqual(filterHeaders(raw).diagnostics.removed, ['Connection', 'X-A', 'Keep-Alive'])
  })
})

describe('c. protect (CVE-2022-31813)', () => {
  for (const name of DEFAULT_PROTECTED_HEADERS) {
    test(`nominating ${name} keeps it and reports it`, () => {
      const raw = [name, 'v', 'Connection', `keep-alive, ${name.toLowerCase()}`]
      const result = filterHeaders(raw)
      assert.deepEqual(result.headers, [name, 'v'])
      assert.deepEqual(result.diagnostics.protected, [name.toLowerCase()])
    })
  }
  test('protect: [] turns the defence off', () => {
    const raw = ['X-Forwarded-For', '1.2.3.4', 'Connection', 'X-Forwarded-For']
    assert.deepEqual(filterHeaders(raw, { protect: [] }).headers, [])
  })
  test('a custom protect list replaces the default', () => {
    const raw = ['X-Keep', '1', 'Host', 'h', 'Connection', 'x-keep, host']
    assert.deepEqual(filterHeaders(raw, { protect: ['x-keep'] }).headers, ['X-Keep', '1'])
  })
  test('strict throws a HopByHopError with a stable code', () => {
    const raw = ['Connection', 'keep-alive, X-Forwarded-For']
    assert.throws(() => filterHeaders(raw, { strict: true }), { name: 'HopByHopError', code: 'ERR_HOP_BY_HOP_PROTECTED', statusCode: 400 })
  })
  test('strict rejects invalid tokens', () => {
    assert.throws(() => filterHeaders(['Connection', 'a b'], { strict: true }), { code: 'ERR_HOP_BY_HOP_INVALID_TOKEN' })
  })
})

describe('d. TE in requests (RFC 9110 §10.1.4)', () => {
  const cases = [
    ['keeps one lowercase TE: trailers', ['TE', 'Trailers', 'Host', 'h'], ['TE', 'trailers', 'Host', 'h']],
    ['from any TE line, once', ['TE', 'gzip', 'te', 'deflate, trailers;q=1', 'TE', 'trailers'], ['te', 'trailers']],
    ['drops TE without trailers', ['TE', 'gzip, deflate'], []],
  ]
  for (const [title, raw, expected] of cases) test(title, () => assert.deepEqual(filterHeaders(raw).headers, expected))
  test('responses never keep TE', () => {
    assert.deepEqual(filterHeaders(['TE', 'trailers'], { direction: 'response' }).headers, [])
  })
})

describe('e. upgrade (RFC 9110 §7.8)', () => {
  const firefox = ['Host', 'h', 'Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k']
  test("Firefox's Connection: keep-alive, Upgrade is an upgrade", () => {
    const result = filterHeaders(firefox)
    assert.equal(result.upgrade, 'websocket')
    assert.deepEqual(result.headers, ['Host', 'h', 'Sec-WebSocket-Key', 'k'])
  })
  test('upgrade: true keeps Upgrade and adds one Connection: upgrade', () => {
    const result = filterHeaders(firefox, { upgrade: true })
    assert.deepEqual(result.headers, ['Host', 'h', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k', 'Connection', 'upgrade'])
  })
  const notUpgrades = [
    ['HTTP/1.0', firefox, { httpVersion: '1.0', upgrade: true }],
    ['no upgrade option', ['Upgrade', 'websocket', 'Connection', 'keep-alive'], { upgrade: true }],
    ['no Upgrade header', ['Connection', 'upgrade'], { upgrade: true }],
    ['HTTP/2', ['Upgrade', 'websocket'], { httpVersion: '2.0', upgrade: true }],
  ]
  for (const [title, raw, options] of notUpgrades) {
    test(`not an upgrade: ${title}`, () => {
      const result = filterHeaders(raw, options)
      assert.equal(result.upgrade, null)
      assert.ok(!names(result.headers).some((name) => /^(upgrade|connection)$/i.test(name)))
    })
  }
  test('a non-printable protocol throws', () => {
    for (const protocol of ['web\rsocket', 'web\u0000socket', 'wébsocket', '', ' ']) {
      assert.throws(() => filterHeaders(['Connection', 'upgrade', 'Upgrade', protocol]), { code: 'ERR_HOP_BY_HOP_INVALID_UPGRADE', statusCode: 400 }, JSON.stringify(protocol))
    }
  })
  test('a 101 response keeps Upgrade and Connection: upgrade', () => {
    const raw = ['Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Accept', 'a']
    const result = filterHeaders(raw, { direction: 'response', statusCode: 101 })
    assert.equal(result.upgrade, 'websocket')
    assert.deepEqual(result.headers, ['Upgrade', 'websocket', 'Sec-WebSocket-Accept', 'a', 'Connection', 'upgrade'])
  })
})

describe('f. HTTP/2 input (RFC 9113 §8.2.2, §8.3)', () => {
  const raw = [':method', 'GET', ':authority', 'example.com', ':scheme', 'https', ':path', '/', 'te', 'trailers', 'accept', '*/*']
  test('pseudo-headers never appear; :authority is reported', () => {
    const result = filterHeaders(raw, { httpVersion: '2.0' })
    assert.deepEqual(result.headers, ['te', 'trailers', 'accept', '*/*'])
    assert.equal(result.diagnostics.authority, 'example.com')
    assert.equal(result.keepAlive, true)
  })
  test('pseudo-headers outside HTTP/2 are invalid names', () => {
    assert.throws(() => filterHeaders(raw), { name: 'TypeError', message: /rawHeaders\[0\]/ })
  })
})

describe('g. keep-alive (RFC 9112 §9.3, §9.6, §6.1, §6.3)', () => {
  const cases = [
    ['HTTP/1.1', [], {}, true],
    ['close on any line', ['Connection', 'keep-alive', 'Connection', 'close'], {}, false],
    ['HTTP/1.0 plain', [], { httpVersion: '1.0' }, false],
    ['HTTP/1.0 keep-alive to a proxy', ['Connection', 'keep-alive'], { httpVersion: '1.0' }, false],
    ['HTTP/1.0 keep-alive to an origin', ['Connection', 'keep-alive'], { httpVersion: '1.0', proxy: false }, true],
    ['HTTP/1.0 keep-alive response', ['Connection', 'keep-alive', 'Content-Length', '1'], { httpVersion: '1.0', direction: 'response', statusCode: 200 }, true],
    ['HTTP/1.0 keep-alive, close (Node keeps it open)', ['Connection', 'keep-alive, close'], { httpVersion: '1.0', proxy: false }, false],
    ['HTTP/1.0 with Transfer-Encoding', ['Connection', 'keep-alive', 'Transfer-Encoding', 'chunked'], { httpVersion: '1.0', proxy: false }, false],
    ['Transfer-Encoding with Content-Length', ['Transfer-Encoding', 'chunked', 'Content-Length', '3'], {}, false],
    ['chunked not final', ['Transfer-Encoding', 'chunked, gzip'], {}, false],
    ['chunked not final in a bodiless 204', ['Transfer-Encoding', 'gzip'], { direction: 'response', statusCode: 204 }, true],
    ['chunked not final in a response to HEAD', ['Transfer-Encoding', 'gzip'], { direction: 'response', statusCode: 200, requestMethod: 'HEAD' }, true],
    ['chunked not final in a 200', ['Transfer-Encoding', 'gzip'], { direction: 'response', statusCode: 200 }, false],
    ['response without length', [], { direction: 'response', statusCode: 200 }, false],
    ['response with Content-Length', ['Content-Length', '0'], { direction: 'response', statusCode: 200 }, true],
    ['chunked response', ['Transfer-Encoding', 'chunked'], { direction: 'response', statusCode: 200 }, true],
    ['204 response', [], { direction: 'response', statusCode: 204 }, true],
    ['304 response', [], { direction: 'response', statusCode: 304 }, true],
    ['1xx response', [], { direction: 'response', statusCode: 103 }, true],
    ['response to HEAD', [], { direction: 'response', statusCode: 200, requestMethod: 'HEAD' }, true],
    ['2xx response to CONNECT', ['Content-Length', '0'], { direction: 'response', statusCode: 200, requestMethod: 'CONNECT' }, false],
    ['response without statusCode', [], { direction: 'response' }, true],
    ['Proxy-Connection: close carries no semantics', ['Proxy-Connection', 'close'], {}, true],
    ['Proxy-Connection: keep-alive carries no semantics', ['Proxy-Connection', 'keep-alive'], { httpVersion: '1.0', proxy: false }, false],
  ]
  for (const [title, raw, options, expected] of cases) {
    test(title, () => assert.equal(filterHeaders(raw, options).keepAlive, expected))
  }
  test('Content-Length is removed when Transfer-Encoding is present', () => {
    const raw = ['Content-Length', '3', 'Transfer-Encoding', 'chunked', 'Accept', '*/*']
    assert.deepEqual(filterHeaders(raw).headers, ['Accept', '*/*'])
    assert.throws(() => filterHeaders(raw, { strict: true }), { code: 'ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH' })
  })
})

describe('h. Keep-Alive hints', () => {
  const cases = [
    ['timeout=5, max=100', 5, 100],
    ['Timeout=7, MAX="9"', 7, 9],
    ['timeout=abc, max=-1, foo=2', null, null],
    ['max=1.5, timeout=99999999999', null, null],
  ]
  for (const [value, timeout, max] of cases) {
    test(value, () => {
      const { diagnostics } = filterHeaders(['Keep-Alive', value])
      assert.deepEqual([diagnostics.timeout, diagnostics.max], [timeout, max])
    })
  }
})

describe('message helpers', () => {
  test('filterRequest reads rawHeaders and httpVersion', () => {
    const req = { rawHeaders: ['Connection', 'keep-alive'], httpVersion: '1.0' }
    assert.equal(filterRequest(req).keepAlive, false)
    assert.equal(filterRequest(req, { proxy: false }).keepAlive, true)
  })
  test('filterResponse reads statusCode and res.req.method', () => {
    const res = { rawHeaders: [], httpVersion: '1.1', statusCode: 200, req: { method: 'HEAD' } }
    assert.equal(filterResponse(res).keepAlive, true)
    assert.equal(filterResponse({ ...res, req: { method: 'GET' } }).keepAlive, false)
    assert.equal(filterResponse({ ...res, req: undefined }, { requestMethod: 'HEAD' }).keepAlive, true)
    assert.deepEqual(filterResponse({ ...res, rawHeaders: ['TE', 'trailers'] }).headers, [])
  })
  test('createFilter compiles options once and offers request/response forms', () => {
    const filter = createFilter({ strip: ['x-internal'], strict: true })
    assert.deepEqual(filter(['X-Internal', '1', 'A', 'b']).headers, ['A', 'b'])
    assert.deepEqual(filter.request({ rawHeaders: ['x-internal', '1'], httpVersion: '1.1' }).headers, [])
    assert.equal(filter.response({ rawHeaders: [], httpVersion: '1.1', statusCode: 204 }).keepAlive, true)
    assert.throws(() => filter(['Connection', 'host']), { code: 'ERR_HOP_BY_HOP_PROTECTED' })
    assert.throws(() => createFilter({ strip: ['bad name'] }), { name: 'TypeError', message: /options\.strip\[0\]/ })
  })
  test('large inputs take the array path with the same result', () => {
    const raw = []
    for (let i = 0; i < 50_000; i++) raw.push(`X-H${i}`, 'v')
    raw.push('Connection', 'x-h7, close')
    const result = filterHeaders(raw)
    assert.equal(result.headers.length, raw.length - 4)
    assert.ok(!result.headers.includes('X-H7'))
    assert.equal(result.keepAlive, false)
    const listed = filterHeaders(raw, { strip: ['x-h9'], protect: ['X-H7'] })
    assert.equal(listed.headers.length, raw.length - 4)
    assert.ok(listed.headers.includes('X-H7') && !listed.headers.includes('X-H9'))
    assert.deepEqual(listed.diagnostics.protected, ['x-h7'])
    assert.throws(() => filterHeaders(raw, { strip: ['bad name'] }), { message: /options\.strip\[0\]/ })
  })
})
