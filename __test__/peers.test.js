'use strict'

// The benchmark's peers must be what they claim to be:
//   * the hand-optimised JS filter implements this package's full rules, so it must agree with
//     the package on every input (a disagreement is a bug in one of them: see the report);
//   * the reply-from and Go peers behave like their originals on documented examples;
//   * the lean peers (lean-reply-from.js, lean-go.js) implement fewer rules than the package (each
//     file lists which), but remove at least what they claim: checked against a plain reading of
//     their rules on the corpus and on generated messages.

const test = require('node:test')
const assert = require('node:assert/strict')

const hopByHop = require('..')
const handOptimised = require('../benchmark/peers/hand-optimised.js')
const replyFrom = require('../benchmark/peers/reply-from.js')
const goPort = require('../benchmark/peers/go-port.js')
const leanReplyFrom = require('../benchmark/peers/lean-reply-from.js')
const leanGo = require('../benchmark/peers/lean-go.js')
const { CORPUS, fresh, literal } = require('../benchmark/corpus.js')
const { freshMessage, messageCall } = require('../benchmark/harness.js')
const { random: prng } = require('./helpers/random.js')

/** What a call produced: the comparable part of a result, or the identity of an error. */
function outcome(filter, raw, options) {
  try {
    const { headers, keepAlive, upgrade } = filter(raw, options)
    return { headers, keepAlive, upgrade }
  } catch (error) {
    return { error: error.constructor.name, code: error.code }
  }
}

/** Header values worth generating, by (lower-case) name. */
const VALUES = {
  connection: [
    'keep-alive', 'close', 'Keep-Alive', 'Upgrade', 'keep-alive, Upgrade', 'X-Foo', 'x-foo, X-Bar',
    'close, TE', 'TE', 'host', 'Content-Length', 'x-forwarded-for, keep-alive', ' , ,x-foo,\t,',
    '', 'x foo', '"quoted", x-bar', 'a;b, keep-alive', 'Trailer', 'Keep-Alive,Upgrade,X-Foo',
    'x-real-ip', 'proxy-connection', 'CLOSE', 'upgrade, close', 'x-bar="a,b", via',
    'a^b, X-`|~', '"unterminated, x-foo', ':path, x-foo', 'keep-alive\t,\tx-foo', 'é, x-bar',
  ],
  te: ['trailers', 'Trailers', 'deflate, trailers', 'gzip', '', 'trailers;q=0.5', 'TRAILERS, gzip', ' , trailers '],
  'transfer-encoding': ['chunked', 'gzip, chunked', 'chunked, gzip', 'CHUNKED', 'gzip', '', 'identity'],
  upgrade: ['websocket', 'h2c', 'WebSocket', 'websocket, h2c', 'foo/1.0', 'web socket', '', ' ', 'web\u0001socket', 'wébsocket', 'web\tsocket'],
  'content-length': ['0', '10', '42'],
  'keep-alive': ['timeout=5', 'timeout=5, max=100', 'max="10"'],
}

const NAMES = [
  'Host', 'Accept', 'X-Foo', 'x-foo', 'X-Bar', 'Cookie', 'Set-Cookie', 'Via', 'User-Agent',
  'X-Forwarded-For', 'Forwarded', 'X-Real-IP', 'Content-Length', 'content-length', 'Content-Type',
  'Connection', 'connection', 'CONNECTION', 'Keep-Alive', 'keep-alive', 'TE', 'te', 'Te',
  'Transfer-Encoding', 'transfer-encoding', 'Upgrade', 'upgrade', 'Proxy-Connection',
  'Trailer', 'Trailers', 'Proxy-Authenticate', 'Proxy-Authorization', 'HTTP2-Settings',
  'Connectionx', 'Keep-Alive2', 'Upgrade-Insecure-Requests', 'TE2', 'Close', 'Transfer-Encodings',
  'X-Opt-1', 'x-Bar', 'a^b', 'a~b', 'X-`|~', 'CoNnEcTiOn',
]

function pick(random, list) {
  return list[Math.floor(random() * list.length)]
}

function maybe(random, p, value) {
  return random() < p ? value : undefined
}

/** One random message: rawHeaders and options. */
function generateCase(random) {
  const raw = []
  const lines = 1 + Math.floor(random() * 12)
  const h2 = random() < 0.15
  if (h2) {
    raw.push(':method', pick(random, ['GET', 'POST']), ':authority', 'example.com', ':path', '/')
  }
  for (let i = 0; i < lines; i++) {
    const name = pick(random, NAMES)
    const values = VALUES[name.toLowerCase()]
    raw.push(name, values ? pick(random, values) : `v${i}`)
  }
  // Make interesting combinations common: a Connection line plus what it nominates.
  if (random() < 0.5) raw.push('Connection', pick(random, VALUES.connection))
  if (random() < 0.2) raw.push('Upgrade', pick(random, VALUES.upgrade))
  const response = random() < 0.35
  const options = {
    httpVersion: h2 ? pick(random, ['2.0', '2']) : maybe(random, 0.8, pick(random, ['1.0', '1.1', '1.1'])),
    direction: response ? 'response' : maybe(random, 0.5, 'request'),
    statusCode: response ? maybe(random, 0.7, pick(random, [200, 101, 204, 304, 100, 404, 500, 201])) : undefined,
    requestMethod: response ? maybe(random, 0.3, pick(random, ['GET', 'HEAD', 'CONNECT', 'head'])) : undefined,
    proxy: maybe(random, 0.3, random() < 0.5),
    upgrade: maybe(random, 0.3, random() < 0.7),
    strict: maybe(random, 0.15, true),
    protect: maybe(random, 0.15, pick(random, [[], ['X-Foo'], ['host', 'X-Bar'], ['Keep-Alive'], ['close']])),
    strip: maybe(random, 0.15, pick(random, [['X-Bar'], ['via', 'Cookie'], ['Set-Cookie'], ['TE'], ['Upgrade'], ['Content-Length']])),
  }
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key]
  return { raw, options }
}

function describe(raw, options) {
  return `filterHeaders(${JSON.stringify(raw)}, ${JSON.stringify(options)})`
}

test('hand-optimised peer agrees with the package on the corpus (fresh strings)', () => {
  for (const item of CORPUS) {
    const raw = fresh(item)
    const copy = raw.slice()
    const expected = outcome(hopByHop.filterHeaders, raw, item.options)
    const actual = outcome(handOptimised.filterHeaders, fresh(item), item.options)
    assert.deepEqual(actual, expected, `${item.name}: ${describe(literal(item), item.options)}`)
    assert.deepEqual(raw, copy, 'the package must not mutate its input')
  }
})

test('hand-optimised peer agrees with the package on generated cases', () => {
  const random = prng(20261124)
  const disagreements = []
  const CASES = 2000
  for (let i = 0; i < CASES; i++) {
    const { raw, options } = generateCase(random)
    const expected = outcome(hopByHop.filterHeaders, raw, options)
    const actual = outcome(handOptimised.filterHeaders, raw, options)
    try {
      assert.deepEqual(actual, expected)
    } catch {
      disagreements.push(`${describe(raw, options)}\n    package:        ${JSON.stringify(expected)}\n    hand-optimised: ${JSON.stringify(actual)}`)
    }
  }
  assert.equal(disagreements.length, 0,
    `${disagreements.length}/${CASES} disagreements, first ones:\n${disagreements.slice(0, 8).join('\n')}`)
})

test('hand-optimised filterRequest/filterResponse agree with the package', () => {
  const random = prng(4242)
  const disagreements = []
  for (let i = 0; i < 600; i++) {
    const { raw, options } = generateCase(random)
    const response = options.direction === 'response'
    const message = { rawHeaders: raw, httpVersion: options.httpVersion, statusCode: options.statusCode }
    if (options.requestMethod !== undefined) message.req = { method: options.requestMethod }
    const rest = { ...options }
    for (const key of ['httpVersion', 'statusCode', 'requestMethod', 'direction']) delete rest[key]
    const extra = Object.keys(rest).length === 0 && random() < 0.5 ? undefined : rest
    const call = (api) => outcome(() => (response ? api.filterResponse(message, extra) : api.filterRequest(message, extra)))
    const expected = call(hopByHop)
    const actual = call(handOptimised)
    try {
      assert.deepEqual(actual, expected)
    } catch {
      disagreements.push(`${response ? 'filterResponse' : 'filterRequest'}(${JSON.stringify(message)}, ${JSON.stringify(extra)})\n    package:        ${JSON.stringify(expected)}\n    hand-optimised: ${JSON.stringify(actual)}`)
    }
  }
  assert.equal(disagreements.length, 0, disagreements.slice(0, 8).join('\n'))
})

test('hand-optimised peer agrees on input errors', () => {
  const cases = [
    ['not an array', undefined],
    [['Host'], undefined],
    [['Host', 1], undefined],
    [[1, 'x'], undefined],
    [['Bad Name', 'x'], undefined],
    [[':authority', 'x'], undefined],
    [['Host', 'x'], { httpVersion: '3' }],
    [['Host', 'x'], { direction: 'sideways' }],
    [['Connection', 'x y', 'Host', 'h'], { strict: true }],
    [['Connection', 'host', 'Host', 'h'], { strict: true }],
    [['Transfer-Encoding', 'chunked', 'Content-Length', '1'], { strict: true }],
    [['Connection', 'upgrade', 'Upgrade', 'web\u0001socket'], undefined],
  ]
  for (const [raw, options] of cases) {
    const expected = outcome(hopByHop.filterHeaders, raw, options)
    assert.ok(expected.error, `the package should reject ${describe(raw, options)}`)
    assert.deepEqual(outcome(handOptimised.filterHeaders, raw, options), expected, describe(raw, options))
  }
})

test('reply-from peer: documented stripping behaviour', () => {
  // Connection-nominated names and the fixed set go; Host goes (reply-from sets its own);
  // TE survives only as exactly 'trailers'.
  assert.deepEqual(
    replyFrom.stripHeaders({
      connection: 'keep-alive, x-custom',
      'x-custom': 'nominated',
      'keep-alive': 'timeout=5',
      host: 'example.com',
      te: 'trailers',
      'transfer-encoding': 'chunked',
      accept: '*/*',
    }),
    { te: 'trailers', accept: '*/*' },
  )
  assert.deepEqual(replyFrom.stripHeaders({ te: 'trailers, deflate', accept: '*/*' }), { accept: '*/*' })
  // Connection parsing: lower-cased, trimmed, empty elements skipped, no quote handling.
  assert.deepEqual(replyFrom.connectionNames({ connection: ' Keep-Alive , X-Foo,, ' }), ['keep-alive', 'x-foo'])
  assert.deepEqual(replyFrom.connectionNames({}), [])
  // It does not know Trailer or Proxy-Authorization, and does not protect X-Forwarded-For.
  assert.deepEqual(
    replyFrom.filterRaw(['Trailer', 'x', 'Proxy-Authorization', 'Basic y', 'Connection', 'X-Forwarded-For', 'X-Forwarded-For', '1.2.3.4']),
    ['trailer', 'x', 'proxy-authorization', 'Basic y'],
  )
  // Node's duplicate rules when building req.headers: set-cookie list, cookie '; ', first Host wins.
  assert.deepEqual(
    replyFrom.headersObject(['Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'Cookie', 'x=1', 'cookie', 'y=2', 'Host', 'a', 'Host', 'b', 'X-A', '1', 'x-a', '2']),
    Object.assign(Object.create(null), { 'set-cookie': ['a=1', 'b=2'], cookie: 'x=1; y=2', host: 'a', 'x-a': '1, 2' }),
  )
})

test('Go port: documented ReverseProxy behaviour', () => {
  // CanonicalMIMEHeaderKey
  assert.equal(goPort.canonicalKey('x-foo-bar'), 'X-Foo-Bar')
  assert.equal(goPort.canonicalKey('CONTENT-md5'), 'Content-Md5')
  assert.equal(goPort.canonicalKey('te'), 'Te')
  assert.equal(goPort.canonicalKey('bad key'), 'bad key')

  // Like net/http/httputil's TestReverseProxy: Connection-listed names, the hop list and a
  // non-upgrade Upgrade are removed; TE is reduced to "trailers" because the client offered it.
  assert.deepEqual(
    goPort.filterRaw([
      'Connection', 'close, TE',
      'Te', 'foo',
      'Te', 'bar, trailers',
      'Proxy-Connection', 'should be deleted',
      'Upgrade', 'foo',
      'X-Foo', 'bar',
      'host', 'example.com',
    ]),
    ['X-Foo', 'bar', 'Host', 'example.com', 'Te', 'trailers'],
  )

  // Like TestReverseProxyStripHeadersPresentInConnection: every line of Connection counts, and
  // `Connection: Upgrade` without an Upgrade field is no upgrade.
  assert.deepEqual(
    goPort.filterRaw([
      'Connection', 'Upgrade, X-Fake-Connection-Token',
      'Connection', 'X-Some-Conn-Header',
      'X-Some-Conn-Header', 'should be deleted',
      'x-fake-connection-token', 'should be deleted',
      'X-Kept', 'yes',
    ]),
    ['X-Kept', 'yes'],
  )

  // A WebSocket upgrade is re-added after the removals.
  assert.deepEqual(
    goPort.filterRaw(['Host', 'h', 'Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k']),
    ['Host', 'h', 'Sec-Websocket-Key', 'k', 'Connection', 'Upgrade', 'Upgrade', 'websocket'],
  )

  // Go does not protect X-Forwarded-For from a nomination.
  assert.deepEqual(goPort.filterRaw(['Connection', 'x-forwarded-for', 'X-Forwarded-For', '1.2.3.4']), [])

  // Responses: only the removals.
  assert.deepEqual(
    goPort.filterRaw(['Transfer-Encoding', 'chunked', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'a', 'Set-Cookie', 'b'], { direction: 'response' }),
    ['Set-Cookie', 'a', 'Set-Cookie', 'b'],
  )
})

test('corpus strings are fresh on every call', () => {
  const item = CORPUS[0]
  const a = fresh(item)
  const b = fresh(item)
  assert.notEqual(a, b)
  assert.deepEqual(a, b)
  assert.deepEqual(a, literal(item))
})

test("the benchmark's messages are filtered like their arrays, every item after every other", () => {
  // npm run bench calls filterRequest/filterResponse on one fresh message per call, the items in
  // turn: an HTTP/1.0 item's request closes its connection, and must not make the next item's
  // request look pipelined behind it.
  for (const first of CORPUS) {
    for (const item of [first, ...CORPUS]) {
      const call = messageCall(hopByHop, item)
      const expected = hopByHop.filterHeaders(fresh(item), item.options)
      const actual = call(freshMessage(item))
      assert.deepEqual([actual.headers, actual.keepAlive], [expected.headers, expected.keepAlive], `${item.name} after ${first.name}`)
    }
  }
})

/**
 * A plain reading of a lean peer's rules: the input minus every line whose lower-cased name is in
 * `fixed` or nominated by a Connection line (elements split on ',', trimmed by `trim`,
 * lower-cased, empty ones ignored), minus what `dropValue` drops; kept lines in order.
 */
function expectedLean(raw, fixed, trim, dropValue = () => false) {
  const nominated = new Set()
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() !== 'connection') continue
    for (const element of raw[i + 1].split(',')) {
      const option = trim(element).toLowerCase()
      if (option !== '') nominated.add(option)
    }
  }
  const kept = []
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    if (!fixed.includes(name) && !nominated.has(name) && !dropValue(name, raw[i + 1])) kept.push(raw[i], raw[i + 1])
  }
  return kept
}

const REPLY_FROM_FIXED = ['connection', 'upgrade', 'http2-settings', 'transfer-encoding', 'proxy-connection', 'keep-alive', 'host']
const GO_HOP_HEADERS = ['connection', 'proxy-connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']
const trimOws = (s) => s.replace(/^[ \t]+|[ \t]+$/g, '')
const expectedLeanReplyFrom = (raw) => expectedLean(raw, REPLY_FROM_FIXED, (s) => s.trim(), (name, value) => name === 'te' && value !== 'trailers')
const expectedLeanGo = (raw) => expectedLean(raw, GO_HOP_HEADERS, trimOws)

test('lean peers remove what they claim on the corpus (fresh strings), and return new arrays', () => {
  for (const item of CORPUS) {
    for (const [name, peer, expected] of [['lean-reply-from', leanReplyFrom, expectedLeanReplyFrom], ['lean-go', leanGo, expectedLeanGo]]) {
      const raw = fresh(item)
      const copy = raw.slice()
      const output = peer.filterRaw(raw)
      assert.deepEqual(output, expected(literal(item)), `${name} on ${item.name}`)
      assert.notEqual(output, raw)
      assert.deepEqual(raw, copy, `${name} must not mutate its input`)
    }
  }
  // The corpus exercises what the peers claim: a nomination, Keep-Alive, Transfer-Encoding.
  const nominated = CORPUS.find((item) => item.key === 'nominated')
  for (const peer of [leanReplyFrom, leanGo]) {
    const names = peer.filterRaw(fresh(nominated)).filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase())
    for (const gone of ['connection', 'x-foo', 'keep-alive']) assert.ok(!names.includes(gone), gone)
  }
})

test('lean peers remove what they claim on generated messages', () => {
  const random = prng(1212)
  for (let i = 0; i < 2000; i++) {
    // Names as Node's parser delivers them: tokens (the lean peers do not validate).
    const { raw } = generateCase(random)
    const lines = []
    for (let index = 0; index + 1 < raw.length; index += 2) {
      if (!raw[index].startsWith(':')) lines.push(raw[index], raw[index + 1])
    }
    assert.deepEqual(leanReplyFrom.filterRaw(lines), expectedLeanReplyFrom(lines), `lean-reply-from: ${JSON.stringify(lines)}`)
    assert.deepEqual(leanGo.filterRaw(lines), expectedLeanGo(lines), `lean-go: ${JSON.stringify(lines)}`)
  }
})

test('lean peers: documented differences from the package', () => {
  // Neither protects X-Forwarded-For from a nomination; lean-reply-from drops Host like
  // reply-from; lean-go knows no HTTP2-Settings; neither keeps `TE: trailers, deflate`.
  const raw = ['Host', 'h', 'Connection', 'X-Forwarded-For', 'X-Forwarded-For', '1.2.3.4', 'HTTP2-Settings', 'AAA', 'TE', 'trailers, deflate', 'Accept', '*/*']
  assert.deepEqual(hopByHop.filterHeaders(raw).headers, ['Host', 'h', 'X-Forwarded-For', '1.2.3.4', 'TE', 'trailers', 'Accept', '*/*'])
  assert.deepEqual(leanReplyFrom.filterRaw(raw), ['Accept', '*/*'])
  assert.deepEqual(leanGo.filterRaw(raw), ['Host', 'h', 'HTTP2-Settings', 'AAA', 'Accept', '*/*'])
})
