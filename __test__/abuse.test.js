'use strict'
// The abuse matrix: every hostile input with default options and with
// `strict: true`, asserting the exact outcome — the output headers, keepAlive, upgrade, the
// diagnostics that explain it, or the HopByHopError code. How the time of the large ones grows
// with their size is measured by the benchmarks (benchmark/scaling.js), not asserted here.
//
// `ABUSE_MATRIX_MD=path node --test __test__/abuse.test.js` also writes the matrix as a markdown
// table (case, default outcome, strict outcome) built from the observed outcomes.

const { test, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const { filterHeaders, HopByHopError, DEFAULT_PROTECTED_HEADERS } = require('..')

const MiB = 1024 * 1024
const TOKENS = Array.from({ length: 10000 }, (_, i) => `x-${i}`)
const ONE_MIB_TOKEN = 'x'.repeat(MiB)
const XFF = ['X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Port']

/** Outcome expectations: `{ headers, keepAlive, upgrade?, diagnostics? }` or `{ error: code }`. */
const ok = (headers, keepAlive, extra = {}) => ({ headers, keepAlive, upgrade: null, ...extra })
const error = (code) => ({ error: code })
const same = (outcome) => ({ default: outcome, strict: outcome })

/**
 * Each case: title, the input (a function, so large inputs are built per run), options, the
 * expected default and strict outcomes, and an optional note for the table.
 */
const cases = [
  // --- Nominating headers the proxy relies on -------------------------------------------------
  ...['Host', 'Content-Length', 'Forwarded', 'X-Real-IP', ...XFF].map((name) => ({
    group: 'nomination',
    title: `\`Connection: ${name}\` (default-protected)`,
    input: () => ['Connection', `keep-alive, ${name}`, name, 'v', 'Accept', '*/*'],
    default: ok([name, 'v', 'Accept', '*/*'], true, { diagnostics: { protected: [name.toLowerCase()] } }),
    strict: error('ERR_HOP_BY_HOP_PROTECTED'),
    note: 'kept; reported in diagnostics.protected',
  })),
  {
    group: 'nomination',
    title: '`Connection: hOsT, x-forwarded-for` (any case)',
    input: () => ['Host', 'h', 'Connection', 'hOsT, x-forwarded-for', 'X-Forwarded-For', '1.2.3.4'],
    default: ok(['Host', 'h', 'X-Forwarded-For', '1.2.3.4'], true, { diagnostics: { protected: ['host', 'x-forwarded-for'] } }),
    strict: error('ERR_HOP_BY_HOP_PROTECTED'),
  },
  {
    group: 'nomination',
    title: '`Connection: X-Forwarded-For` with `protect: []`',
    options: { protect: [] },
    input: () => ['Connection', 'X-Forwarded-For', 'X-Forwarded-For', '1.2.3.4', 'Host', 'h'],
    ...same(ok(['Host', 'h'], true)),
    note: 'defence off: removed as RFC 9110 §7.6.1 says',
  },
  {
    group: 'nomination',
    title: '`Connection: Authorization, Cookie`',
    input: () => ['Authorization', 'Bearer t', 'Cookie', 'a=b', 'Connection', 'Authorization, Cookie', 'Accept', '*/*'],
    ...same(ok(['Accept', '*/*'], true, { diagnostics: { nominated: ['authorization', 'cookie'], protected: [] } })),
    note: 'not protected by default: removed (add them to `protect` to keep them)',
  },
  {
    group: 'nomination',
    title: '`Connection: Authorization, Cookie` with `protect: [...DEFAULT_PROTECTED_HEADERS, "Authorization", "Cookie"]`',
    options: { protect: [...DEFAULT_PROTECTED_HEADERS, 'Authorization', 'Cookie'] },
    input: () => ['Authorization', 'Bearer t', 'Cookie', 'a=b', 'Connection', 'Authorization, Cookie'],
    default: ok(['Authorization', 'Bearer t', 'Cookie', 'a=b'], true, { diagnostics: { protected: ['authorization', 'cookie'] } }),
    strict: error('ERR_HOP_BY_HOP_PROTECTED'),
  },
  {
    group: 'nomination',
    title: '`Connection: :authority, :path` on HTTP/2 input',
    options: { httpVersion: '2.0' },
    input: () => [':method', 'GET', ':authority', 'example.com', ':path', '/', 'connection', ':authority, :path', 'accept', '*/*'],
    default: ok(['accept', '*/*'], true, { diagnostics: { invalid: [':authority', ':path'], authority: 'example.com' } }),
    strict: error('ERR_HOP_BY_HOP_INVALID_TOKEN'),
    note: 'pseudo-headers are never forwarded; the elements are not tokens: ignored and reported',
  },
  {
    group: 'nomination',
    title: '`Connection: :authority` on HTTP/1.1 input',
    input: () => ['Host', 'h', 'Connection', ':authority'],
    default: ok(['Host', 'h'], true, { diagnostics: { invalid: [':authority'] } }),
    strict: error('ERR_HOP_BY_HOP_INVALID_TOKEN'),
  },
  {
    group: 'nomination',
    title: 'a pseudo-header as a field name on HTTP/1.1 input (`:authority: x`)',
    input: () => [':authority', 'evil.example', 'Host', 'h'],
    ...same({ error: 'ERR_INVALID_HTTP_TOKEN', errorClass: TypeError }),
    note: 'TypeError: not a field name outside HTTP/2',
  },
  // --- CVE-2021-33197: nominations after an empty first Connection line ------------------------
  {
    group: 'empty first line',
    title: 'empty first `Connection` line, nomination on the second (CVE-2021-33197)',
    input: () => ['Connection', '', 'Connection', 'X-Secret', 'X-Secret', 's', 'Host', 'h'],
    ...same(ok(['Host', 'h'], true, { diagnostics: { nominated: ['x-secret'], removed: ['Connection', 'Connection', 'X-Secret'] } })),
    note: 'every Connection line is read',
  },
  {
    group: 'empty first line',
    title: 'empty first `Connection` line, `X-Forwarded-For` nominated on the second',
    input: () => ['Connection', '', 'Connection', 'X-Forwarded-For', 'X-Forwarded-For', '1.2.3.4'],
    default: ok(['X-Forwarded-For', '1.2.3.4'], true, { diagnostics: { protected: ['x-forwarded-for'] } }),
    strict: error('ERR_HOP_BY_HOP_PROTECTED'),
  },
  {
    group: 'empty first line',
    title: '`Connection: , , ,` then `Connection: close`',
    input: () => ['Connection', ' , , ,', 'connection', 'close', 'Accept', '*/*'],
    ...same(ok(['Accept', '*/*'], false)),
  },
  // --- 10,000 tokens -------------------------------------------------------------------------
  {
    group: '10,000 tokens',
    title: '10,000 tokens in one `Connection` line',
    input: () => ['Connection', TOKENS.join(', '), 'X-0', 'a', 'X-9999', 'b', 'X-10000', 'c'],
    ...same(ok(['X-10000', 'c'], true)),
    note: 'all nominations honoured, linear time',
  },
  {
    group: '10,000 tokens',
    title: '10,000 tokens with `close` as the last one',
    input: () => ['Connection', `${TOKENS.join(',')},close`, 'Accept', '*/*'],
    ...same(ok(['Accept', '*/*'], false)),
  },
  {
    group: '10,000 tokens',
    title: '10,000 `Connection` lines of one token each (20,004 elements)',
    input: () => [...TOKENS.flatMap((token) => ['Connection', token]), 'X-9999', '1', 'X-10000', '2'],
    ...same(ok(['X-10000', '2'], true)),
  },
  {
    group: '10,000 tokens',
    title: '10,000 tokens naming default-protected headers (`Host, Host, ...`)',
    input: () => ['Connection', Array(10000).fill('Host').join(','), 'Host', 'h'],
    default: ok(['Host', 'h'], true, { diagnostics: { protected: ['host'], nominated: ['host'] } }),
    strict: error('ERR_HOP_BY_HOP_PROTECTED'),
  },
  // --- 1 MiB values --------------------------------------------------------------------------
  {
    group: '1 MiB',
    title: '`Connection` of 1 MiB of empty elements, then `close`',
    input: () => ['Connection', `${' ,'.repeat(MiB / 2)}close`, 'Accept', '*/*'],
    ...same(ok(['Accept', '*/*'], false)),
  },
  {
    group: '1 MiB',
    title: '`Connection` naming a 1 MiB token, with a field of that name',
    input: () => ['Connection', ONE_MIB_TOKEN, ONE_MIB_TOKEN, 'v', 'Host', 'h'],
    ...same(ok(['Host', 'h'], true)),
  },
  {
    group: '1 MiB',
    title: '`Connection` of 1 MiB of control bytes (`\\u0001`)',
    input: () => ['Connection', '\u0001'.repeat(MiB), 'Host', 'h'],
    default: ok(['Host', 'h'], true, { diagnostics: { nominated: [] } }),
    strict: error('ERR_HOP_BY_HOP_INVALID_TOKEN'),
    note: 'one invalid element, ignored and reported',
  },
  {
    group: '1 MiB',
    title: '`Connection` of an unterminated quote, 1 MiB, then `, close`',
    input: () => ['Connection', `"${'a'.repeat(MiB)}, close`, 'Host', 'h'],
    default: ok(['Host', 'h'], true, { diagnostics: { nominated: [] } }),
    strict: error('ERR_HOP_BY_HOP_INVALID_TOKEN'),
    note: '`close` is inside the (unterminated) quoted-string: not an option',
  },
  {
    group: '1 MiB',
    title: 'a 1 MiB non-Latin-1 `Connection` value (`Ā` × 1 Mi)',
    input: () => ['Connection', 'Ā'.repeat(MiB), 'Host', 'h'],
    default: ok(['Host', 'h'], true),
    strict: error('ERR_HOP_BY_HOP_INVALID_TOKEN'),
  },
  // --- Transfer-Encoding and Content-Length --------------------------------------------------
  {
    group: 'TE + CL',
    title: '`Transfer-Encoding: chunked` + `Content-Length: 5` (request)',
    input: () => ['Host', 'h', 'Transfer-Encoding', 'chunked', 'Content-Length', '5'],
    default: ok(['Host', 'h'], false),
    strict: error('ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH'),
    note: 'both removed (RFC 9112 §6.1), connection closed',
  },
  {
    group: 'TE + CL',
    title: '`Content-Length: 5`, `Transfer-Encoding: chunked`, `content-length: 6`',
    input: () => ['Content-Length', '5', 'Transfer-Encoding', 'chunked', 'content-length', '6', 'Accept', '*/*'],
    default: ok(['Accept', '*/*'], false),
    strict: error('ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH'),
  },
  {
    group: 'TE + CL',
    title: '200 response with `Transfer-Encoding: chunked` + `Content-Length`',
    options: { direction: 'response', statusCode: 200 },
    input: () => ['Transfer-Encoding', 'chunked', 'Content-Length', '5', 'Content-Type', 'text/plain'],
    default: ok(['Content-Type', 'text/plain'], false),
    strict: error('ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH'),
  },
  {
    group: 'TE + CL',
    title: '`Transfer-Encoding: chunked` + `Content-Length` nominated by `Connection`',
    input: () => ['Connection', 'Content-Length', 'Transfer-Encoding', 'chunked', 'Content-Length', '5'],
    default: ok([], false, { diagnostics: { protected: ['content-length'] } }),
    strict: error('ERR_HOP_BY_HOP_PROTECTED'),
    note: 'Content-Length removed by the framing rule although protected',
  },
  {
    group: 'TE + CL',
    title: '`TE: trailers` (the request header) + `Content-Length: 5`',
    input: () => ['TE', 'gzip, trailers', 'Content-Length', '5'],
    ...same(ok(['TE', 'trailers', 'Content-Length', '5'], true)),
    note: 'no conflict: TE normalised to `trailers`, Content-Length kept',
  },
  {
    group: 'TE + CL',
    title: '`Transfer-Encoding: chunked, gzip` (chunked not final) in a request',
    input: () => ['Transfer-Encoding', 'chunked, gzip', 'Host', 'h'],
    ...same(ok(['Host', 'h'], false)),
    note: 'RFC 9112 §6.3: length unknown, close',
  },
  // --- HTTP/1.0 with Transfer-Encoding -------------------------------------------------------
  {
    group: 'HTTP/1.0 + TE',
    title: 'HTTP/1.0 request, `Connection: keep-alive` + `Transfer-Encoding: chunked`',
    options: { httpVersion: '1.0', proxy: false },
    input: () => ['Connection', 'keep-alive', 'Transfer-Encoding', 'chunked', 'Host', 'h'],
    ...same(ok(['Host', 'h'], false)),
    note: 'RFC 9112 §6.1: faulty framing, close even with keep-alive',
  },
  {
    group: 'HTTP/1.0 + TE',
    title: 'HTTP/1.0 response, `Connection: keep-alive` + `Transfer-Encoding: chunked`',
    options: { httpVersion: '1.0', direction: 'response', statusCode: 200 },
    input: () => ['Connection', 'keep-alive', 'Transfer-Encoding', 'chunked', 'Content-Type', 'text/plain'],
    ...same(ok(['Content-Type', 'text/plain'], false)),
  },
  {
    group: 'HTTP/1.0 + TE',
    title: 'HTTP/1.0 request, `Transfer-Encoding: chunked` + `Content-Length: 5`',
    options: { httpVersion: '1.0' },
    input: () => ['Transfer-Encoding', 'chunked', 'Content-Length', '5', 'Host', 'h'],
    default: ok(['Host', 'h'], false),
    strict: error('ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH'),
  },
  {
    group: 'HTTP/1.0 + TE',
    title: 'HTTP/1.0 request, `Connection: keep-alive` (a proxy)',
    options: { httpVersion: '1.0' },
    input: () => ['Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Host', 'h'],
    ...same(ok(['Host', 'h'], false, { diagnostics: { timeout: 5 } })),
    note: 'RFC 9112 §9.3: a proxy does not keep an HTTP/1.0 client connection',
  },
  // --- Upgrade ---------------------------------------------------------------------------------
  {
    group: 'Upgrade',
    title: 'upgrade request with `Upgrade: web\\u0001socket`',
    input: () => ['Connection', 'keep-alive, Upgrade', 'Upgrade', 'web\u0001socket'],
    ...same(error('ERR_HOP_BY_HOP_INVALID_UPGRADE')),
    note: 'HopByHopError even without strict',
  },
  {
    group: 'Upgrade',
    title: 'upgrade request with `Upgrade: websocket\\r\\nX-Injected: 1`',
    options: { upgrade: true },
    input: () => ['Connection', 'upgrade', 'Upgrade', 'websocket\r\nX-Injected: 1'],
    ...same(error('ERR_HOP_BY_HOP_INVALID_UPGRADE')),
  },
  {
    group: 'Upgrade',
    title: 'upgrade request with a non-ASCII `Upgrade: wébsocket` / emoji',
    input: () => ['Connection', 'upgrade', 'Upgrade', 'w\u00e9bsocket', 'Upgrade', '\u{1F600}'],
    ...same(error('ERR_HOP_BY_HOP_INVALID_UPGRADE')),
  },
  {
    group: 'Upgrade',
    title: 'a valid `Upgrade` line, then a non-printable one',
    options: { upgrade: true },
    input: () => ['Connection', 'upgrade', 'Upgrade', 'websocket', 'Upgrade', 'h2c\u0000'],
    ...same(error('ERR_HOP_BY_HOP_INVALID_UPGRADE')),
  },
  {
    group: 'Upgrade',
    title: 'non-printable `Upgrade` without the `upgrade` connection option',
    input: () => ['Connection', 'keep-alive', 'Upgrade', 'web\u0001socket', 'Host', 'h'],
    ...same(ok(['Host', 'h'], true)),
    note: 'not an upgrade: Upgrade dropped as a hop-by-hop field',
  },
  {
    group: 'Upgrade',
    title: 'non-printable `Upgrade` on HTTP/1.0',
    options: { httpVersion: '1.0' },
    input: () => ['Connection', 'upgrade', 'Upgrade', 'web\u0001socket', 'Host', 'h'],
    ...same(ok(['Host', 'h'], false)),
    note: 'HTTP/1.0 cannot upgrade: Upgrade dropped',
  },
  {
    group: 'Upgrade',
    title: 'control: websocket upgrade with `upgrade: true`',
    options: { upgrade: true },
    input: () => ['Host', 'h', 'Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket'],
    ...same(ok(['Host', 'h', 'Upgrade', 'websocket', 'Connection', 'upgrade'], true, { upgrade: 'websocket' })),
  },
  // --- Other hop-by-hop tricks ---------------------------------------------------------------
  {
    group: 'other',
    title: '`Proxy-Connection: close`',
    input: () => ['Proxy-Connection', 'close', 'Host', 'h'],
    ...same(ok(['Host', 'h'], true)),
    note: 'removed; carries no semantics (unlike Node)',
  },
  {
    group: 'other',
    title: '`Connection: Connection, TE, Transfer-Encoding` with `TE: trailers`',
    input: () => ['Connection', 'Connection, TE, Transfer-Encoding', 'TE', 'trailers', 'Host', 'h'],
    ...same(ok(['TE', 'trailers', 'Host', 'h'], true)),
    note: 'nominating fixed-list names changes nothing',
  },
]

/** Runs one case and returns what happened, in the shape of the expectations. */
function observe(kase, strict) {
  const input = kase.input()
  const options = { ...kase.options, strict }
  let result
  let caught
  try {
    result = filterHeaders(input, options)
  } catch (thrown) {
    caught = thrown
  }
  return { input, result, caught }
}

function check(kase, strict, expected, observed) {
  const { result, caught } = observed
  if (expected.error !== undefined) {
    assert.ok(caught, `expected ${expected.error}, got headers ${JSON.stringify(result?.headers.map((h) => h.slice(0, 30)))}`)
    assert.equal(caught.code, expected.error)
    if (expected.errorClass) assert.ok(caught instanceof expected.errorClass)
    else {
      assert.ok(caught instanceof HopByHopError, String(caught))
      // A refused request is the client's fault; a refused upstream response is the proxy's answer 502.
      assert.equal(caught.statusCode, kase.options?.direction === 'response' ? 502 : 400)
    }
    return
  }
  if (caught) throw caught
  assert.deepEqual(result.headers, expected.headers)
  assert.equal(result.keepAlive, expected.keepAlive)
  assert.equal(result.upgrade, expected.upgrade)
  for (const [key, value] of Object.entries(expected.diagnostics ?? {})) {
    assert.deepEqual(result.diagnostics[key], value, `diagnostics.${key}`)
  }
}

/** A table cell for an observed outcome. */
function describe(observed) {
  const { result, caught } = observed
  if (caught) return `${caught.name} \`${caught.code}\``
  const short = (name) => (name.length > 24 ? `${name.slice(0, 8)}…(${name.length} chars)` : name)
  const names = []
  for (let i = 0; i < result.headers.length; i += 2) names.push(short(result.headers[i]) + (result.headers[i] === 'TE' ? ': trailers' : ''))
  const removed = [...new Set(result.diagnostics.removed.map(short))]
  const parts = [
    `forwards ${names.length ? names.join(', ') : 'nothing'}`,
    `removes ${removed.length ? removed.join(', ') : 'nothing'}`,
    `keepAlive ${result.keepAlive}`,
  ]
  if (result.upgrade !== null) parts.push(`upgrade \`${result.upgrade}\``)
  const { protected: kept, invalid } = result.diagnostics
  if (kept.length) parts.push(`protected: ${kept.join(', ')}`)
  if (invalid.length) parts.push(`${invalid.length} invalid element${invalid.length > 1 ? 's' : ''} reported`)
  return parts.join('; ')
}

const rows = []

for (const kase of cases) {
  test(`${kase.group}: ${kase.title}`, () => {
    const observedDefault = observe(kase, false)
    check(kase, false, kase.default, observedDefault)
    const observedStrict = observe(kase, true)
    check(kase, true, kase.strict, observedStrict)
    rows.push([kase, describe(observedDefault), describe(observedStrict)])
  })
}

test('the matrix covers every kind of abuse it names', () => {
  const titles = cases.map((kase) => kase.title).join('\n')
  for (const needle of [...XFF, 'Forwarded', 'X-Real-IP', 'Host', 'Content-Length', 'Authorization', 'Cookie', ':authority', 'CVE-2021-33197', '10,000 tokens', '1 MiB', 'Transfer-Encoding: chunked` + `Content-Length', 'HTTP/1.0', 'Upgrade: web\\u0001socket']) {
    assert.ok(titles.includes(needle), needle)
  }
})

after(() => {
  const out = process.env.ABUSE_MATRIX_MD
  if (!out) return
  const escape = (text) => text.replaceAll('|', '\\|')
  const lines = [
    '| Case | Default outcome | `strict: true` outcome |',
    '| --- | --- | --- |',
    ...rows.map(([kase, plain, strict]) => {
      const note = kase.note ? ` — ${kase.note}` : ''
      const shown = Object.entries(kase.options ?? {}).filter(([key]) => !kase.title.includes(`${key}:`))
      const options = shown.length ? ` (options: \`{ ${shown.map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(', ')} }\`)` : ''
      return `| ${escape(kase.title + options)} | ${escape(plain + note)} | ${escape(plain === strict ? 'same' : strict)} |`
    }),
  ]
  fs.writeFileSync(out, `${lines.join('\n')}\n`)
})
