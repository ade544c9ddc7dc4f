'use strict'
// The table of known shapes (lib/filter/known-shapes.js) on its own, constructed directly: what
// it codes, what it finds, what it must tell apart, and its bounds. shapes.test.js checks the
// answers it gives through filterRequest/filterResponse against the checked path.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const N = require('../lib/native/abi.js')
const { KnownShapes, SHAPE_TABLE_SIZE, CONNECTION_TABLE_SIZE } = require('../lib/filter/known-shapes.js')

const REQUEST = N.VERSION_HTTP11 | N.PROXY
const RESPONSE = N.VERSION_HTTP11 | N.PROXY | N.RESPONSE | (200 << N.STATUS_SHIFT)

/** The codes of `lines` (name, value, ...) with every line gated, as gated.js hands them over. */
function codesOf(table, lines, connection = null) {
  const at = Int32Array.from({ length: lines.length / 2 }, (_, line) => 2 * line)
  return table.codes(lines, at, at.length, connection)
}

function answer(verdict, ...actions) {
  return { verdict, actions: Uint8Array.from(actions) }
}

test('a shape is missed until remembered, then found with a copy of the actions', () => {
  const table = new KnownShapes()
  for (const flags of [REQUEST, RESPONSE]) {
    // One request line takes the indexed table, a response (status bits) the map.
    const codes = codesOf(table, ['Content-Length', '3'])
    assert.notEqual(codes, -1)
    assert.equal(table.find(flags, codes, null), undefined)
    const actions = Uint8Array.from([N.ACTION_KEEP, 99])
    table.remember(flags, codes, null, N.KEEP_ALIVE, actions, 1)
    actions[0] = N.ACTION_DROP
    assert.deepEqual(table.find(flags, codes, null), answer(N.KEEP_ALIVE, N.ACTION_KEEP))
  }
  assert.equal(table.count, 2)
})

test('keys that must differ: flags, order, and every value Rust reads', () => {
  const table = new KnownShapes()
  const keepAlive = codesOf(table, ['Connection', 'keep-alive'])
  const close = codesOf(table, ['Connection', 'close'])
  assert.notEqual(keepAlive, close)
  assert.notEqual(codesOf(table, ['TE', 'trailers', 'Content-Length', '1']), codesOf(table, ['Content-Length', '1', 'TE', 'trailers']))
  table.remember(REQUEST, keepAlive, null, N.KEEP_ALIVE, Uint8Array.of(N.ACTION_DROP), 1)
  assert.equal(table.find(REQUEST, close, null), undefined)
  assert.equal(table.find(REQUEST | N.STRICT, keepAlive, null), undefined)
  assert.equal(table.find(REQUEST & ~N.PROXY, keepAlive, null), undefined)
  // Values Rust reads have a code only in their usual spellings; Content-Length's is never read.
  assert.equal(codesOf(table, ['Transfer-Encoding', 'gzip, chunked']), -1)
  assert.equal(codesOf(table, ['TE', 'gzip']), -1)
  assert.equal(codesOf(table, ['Connection', 'upgrade']), -1)
  assert.equal(codesOf(table, ['Content-Length', '1']), codesOf(table, ['content-length', '999']))
})

test('names: usual spellings are coded, other spellings of gated names are not', () => {
  const table = new KnownShapes()
  assert.equal(codesOf(table, ['CONTENT-LENGTH', '1']), -1)
  assert.equal(codesOf(table, ['Keep-ALIVE', 'timeout=5']), -1)
  assert.equal(codesOf(table, ['Upgrade', 'websocket']), -1)
  // A name that only shares a gated name's length and first letter is end-to-end.
  assert.notEqual(codesOf(table, ['Kool-Thing', 'x']), -1)
  assert.notEqual(codesOf(table, ['Kool-Thing', 'x']), codesOf(table, ['Keep-Alive', 'timeout=5']))
  // At most seven lines keep the codes a small integer.
  const seven = Array.from({ length: 7 }, () => ['Content-Length', '1']).flat()
  assert.notEqual(codesOf(table, seven), -1)
  assert.equal(codesOf(table, [...seven, 'Content-Length', '1']), -1)
})

test('a nominating Connection value has a table of its own, keyed by exact names', () => {
  const table = new KnownShapes()
  const value = 'keep-alive, X-A'
  const connection = table.connection(value)
  assert.equal(table.connection(value), connection)
  assert.notEqual(table.connection('keep-alive, X-B'), connection)
  assert.ok(connection.lengths.has(3))
  assert.ok(!connection.lengths.has(10), 'keep-alive nominates nothing the gate does not pass')
  // Without its table, a nominating Connection line has no code.
  assert.equal(codesOf(table, ['Connection', value]), -1)
  const withA = codesOf(table, ['Connection', value, 'X-A', '1'], connection)
  const withB = codesOf(table, ['Connection', value, 'X-B', '1'], connection)
  assert.notEqual(withA, -1)
  assert.notEqual(withA, withB)
  assert.equal(codesOf(table, ['Connection', value, 'X-A', '2'], connection), withA)
  // Three names per Connection value, then the message is left to Rust.
  assert.notEqual(codesOf(table, ['Connection', value, 'X-C', '1'], connection), -1)
  assert.equal(codesOf(table, ['Connection', value, 'X-D', '1'], connection), -1)
  // Shapes found in one Connection value's table are not in the main table, nor the reverse.
  table.remember(REQUEST, withA, connection, N.KEEP_ALIVE, Uint8Array.of(N.ACTION_DROP, N.ACTION_DROP), 2)
  assert.deepEqual(table.find(REQUEST, withA, connection), answer(N.KEEP_ALIVE, N.ACTION_DROP, N.ACTION_DROP))
  assert.equal(table.find(REQUEST, withA, null), undefined)
})

test('past its bounds the table starts over instead of growing', () => {
  assert.equal(new KnownShapes().maxShapes, SHAPE_TABLE_SIZE)
  assert.equal(new KnownShapes().maxConnections, CONNECTION_TABLE_SIZE)
  const table = new KnownShapes(2, 2)
  const one = codesOf(table, ['Content-Length', '1'])
  const two = codesOf(table, ['TE', 'trailers'])
  const three = codesOf(table, ['Connection', 'close'])
  table.remember(REQUEST, one, null, 1, Uint8Array.of(N.ACTION_KEEP), 1)
  table.remember(REQUEST, two, null, 1, Uint8Array.of(N.ACTION_TE_TRAILERS), 1)
  assert.ok(table.find(REQUEST, one, null) && table.find(REQUEST, two, null))
  // Full: the third answer empties the table and is not kept either.
  table.remember(REQUEST, three, null, 0, Uint8Array.of(N.ACTION_DROP), 1)
  assert.deepEqual([table.find(REQUEST, one, null), table.find(REQUEST, two, null), table.find(REQUEST, three, null)], [undefined, undefined, undefined])
  assert.equal(table.count, 0)
  table.remember(REQUEST, three, null, 0, Uint8Array.of(N.ACTION_DROP), 1)
  assert.deepEqual(table.find(REQUEST, three, null), answer(0, N.ACTION_DROP))

  // A third Connection value starts everything over too.
  const a = table.connection('X-A')
  table.connection('X-B')
  const c = table.connection('X-C')
  assert.equal(table.find(REQUEST, three, null), undefined)
  assert.equal(table.connections.size, 1)
  assert.equal(table.connection('X-C'), c)
  assert.notEqual(table.connection('X-A'), a)
})

test('the last Connection value is looked up anew once the table starts over', () => {
  const table = new KnownShapes(1, 4)
  const value = 'keep-alive, X-A'
  const first = table.connection(value)
  assert.equal(table.connection(value), first)
  // The shape table is full at one answer: the next empties everything, Connection tables too.
  table.remember(REQUEST, codesOf(table, ['Content-Length', '1']), null, 1, Uint8Array.of(N.ACTION_KEEP), 1)
  table.remember(REQUEST, codesOf(table, ['TE', 'trailers']), null, 1, Uint8Array.of(N.ACTION_TE_TRAILERS), 1)
  assert.equal(table.connections.size, 0)
  const again = table.connection(value)
  assert.notEqual(again, first)
  assert.equal(table.connections.get(value), again)
  // A Connection value in a fresh string is the same value.
  assert.equal(table.connection(('keep-alive, X-A' + ' ').trimEnd()), again)
})

test('a nominated name is coded by its exact spelling, the first three in order of sight', () => {
  const table = new KnownShapes()
  const value = 'X-A, x-a, X-B, X-C'
  const connection = table.connection(value)
  const code = (name) => codesOf(table, [name, '1'], connection)
  const a = code('X-A')
  assert.notEqual(a, -1)
  assert.notEqual(code('x-a'), a, 'another spelling is another name to Rust\'s table here')
  assert.equal(code(['X', 'A'].join('-')), a, 'the same name in a fresh string')
  const b = code('X-B')
  assert.equal(new Set([a, code('x-a'), b]).size, 3)
  assert.equal(code('X-C'), -1, 'a fourth name is left to Rust')
  assert.equal(code('X-B'), b)
})
