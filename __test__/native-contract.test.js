'use strict'
// The contract between src/ and lib/ that no compiler checks:
//   * the release addon exports exactly what lib/ calls: no benchmark floors (emptyCall,
//     readNames, built only with the cargo feature bench-floors) and no test trigger;
//   * the numbers that cross the boundary (option flags, verdict bits, line actions, error kinds)
//     are written twice, in src/abi.rs and crates/core/src/filter.rs for Rust and in lib/native/abi.js for
//     JavaScript. This file parses the Rust constants out of the source and fails when the two
//     differ, so that neither side can drift alone;
//   * the name lists lib/filter/names.js exports mirror crates/core/src/names.rs.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const N = require('../lib/native/abi.js')
const { HOP_BY_HOP_HEADERS, DEFAULT_PROTECTED_HEADERS } = require('..')

const read = (file) => fs.readFileSync(path.join(root, file), 'utf8')

/**
 * `const NAME: type = expression;` items of a Rust source, evaluated. Expressions may use
 * integer literals (decimal, 0x, 0b, with `_` separators), earlier constants, `*`, `<<`, `|`
 * and parentheses: everything the binding's layouts are written with. Anything else throws, so a
 * new form of expression cannot be silently misread.
 */
function rustConstants(source) {
  const constants = new Map()
  for (const [, name, expression] of source.matchAll(/^\s*(?:pub(?:\([a-z]+\))?\s+)?const\s+([A-Z][A-Z0-9_]*)\s*:\s*[iu](?:8|16|32|64|size)\s*=\s*([^;]+);/gm)) {
    constants.set(name, evaluate(expression, constants, name))
  }
  return constants
}

function evaluate(expression, constants, name) {
  const tokens = expression.match(/0x[0-9a-fA-F_]+|0b[01_]+|\d[\d_]*|[A-Z][A-Z0-9_]*|<<|[|*()]|\S/g) ?? []
  let position = 0
  const fail = (why) => {
    throw new Error(`cannot evaluate the Rust constant ${name} = ${expression.trim()}: ${why}`)
  }
  const primary = () => {
    const token = tokens[position++]
    if (token === undefined) fail('unexpected end')
    if (token === '(') {
      const value = or()
      if (tokens[position++] !== ')') fail('missing )')
      return value
    }
    if (/^0x/.test(token)) return Number.parseInt(token.slice(2).replaceAll('_', ''), 16)
    if (/^0b/.test(token)) return Number.parseInt(token.slice(2).replaceAll('_', ''), 2)
    if (/^\d/.test(token)) return Number(token.replaceAll('_', ''))
    if (constants.has(token)) return constants.get(token)
    return fail(`unknown token ${token}`)
  }
  const product = () => {
    let value = primary()
    while (tokens[position] === '*') {
      position++
      value *= primary()
    }
    return value
  }
  const shift = () => {
    let value = product()
    while (tokens[position] === '<<') {
      position++
      value = value * 2 ** product()
    }
    return value
  }
  const or = () => {
    let value = shift()
    while (tokens[position] === '|') {
      position++
      value = Number(BigInt(value) | BigInt(shift()))
    }
    return value
  }
  const value = or()
  if (position !== tokens.length) fail(`unexpected ${tokens[position]}`)
  return value
}

/** `Variant = number,` discriminants of `pub enum Action` in crates/core/src/filter.rs, upper-snake-cased. */
function actionDiscriminants(source) {
  const body = source.match(/pub enum Action \{([\s\S]*?)\n\}/)
  assert.ok(body, 'crates/core/src/filter.rs has no `pub enum Action`')
  const actions = new Map()
  for (const [, variant, value] of body[1].matchAll(/^\s*([A-Z][A-Za-z]*)\s*=\s*(\d+),/gm)) {
    actions.set(`ACTION_${variant.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toUpperCase()}`, Number(value))
  }
  return actions
}

/** The string literals of `pub const NAME: [&str; n] = [...]` in a Rust source. */
function rustStringList(source, name) {
  const list = source.match(new RegExp(`pub const ${name}: \\[&str; (\\d+)\\] = \\[([^\\]]*)\\]`))
  assert.ok(list, `no ${name} in the Rust source`)
  const entries = [...list[2].matchAll(/"([^"]*)"/g)].map(([, entry]) => entry)
  assert.equal(entries.length, Number(list[1]), `${name}: declared length`)
  return entries
}

const binding = rustConstants(read('src/abi.rs'))
const actions = actionDiscriminants(read('crates/core/src/filter.rs'))

test('the parser reads the layouts it is meant to read', () => {
  // Guards the guard: a regex that silently matched nothing would make every comparison vacuous.
  for (const name of ['VERSION_MASK', 'RESPONSE', 'LISTS', 'METHOD_SHIFT', 'STATUS_SHIFT', 'KEEP_ALIVE', 'UNCHANGED', 'ERROR_NOT_A_STRING', 'ERROR_BAD_ARGUMENTS']) {
    assert.ok(binding.has(name), `src/abi.rs: ${name} not found`)
  }
  assert.equal(actions.size, 5, `crates/core/src/filter.rs Action: ${[...actions.keys()]}`)
  assert.equal(evaluate('(1 << 3) | 0b10 | 0x10 | 4 * 8', new Map(), 'example'), 58)
  assert.throws(() => evaluate('1 + 2', new Map(), 'example'), /cannot evaluate/)
})

test('option flags in lib/native/abi.js equal src/abi.rs', () => {
  for (const name of ['VERSION_HTTP10', 'VERSION_HTTP11', 'VERSION_HTTP2', 'RESPONSE', 'PROXY', 'UPGRADE', 'STRICT', 'LISTS', 'STATUS_SHIFT']) {
    assert.equal(N[name], binding.get(name), `${name}: lib/native/abi.js ${N[name]}, src/abi.rs ${binding.get(name)}`)
  }
  // lib/native/abi.js holds the method codes already shifted into place.
  const shift = binding.get('METHOD_SHIFT')
  assert.equal(N.METHOD_HEAD, binding.get('METHOD_HEAD') * 2 ** shift, 'METHOD_HEAD')
  assert.equal(N.METHOD_CONNECT, binding.get('METHOD_CONNECT') * 2 ** shift, 'METHOD_CONNECT')
  // Every version fits the version bits, and the fields do not overlap.
  for (const version of [N.VERSION_HTTP10, N.VERSION_HTTP11, N.VERSION_HTTP2]) assert.equal(version & ~binding.get('VERSION_MASK'), 0)
  const fields = [binding.get('VERSION_MASK'), N.RESPONSE, N.PROXY, N.UPGRADE, N.STRICT, N.LISTS, 0b11 << shift, binding.get('STATUS_MASK') << N.STATUS_SHIFT]
  for (let i = 0; i < fields.length; i++) {
    for (let j = i + 1; j < fields.length; j++) assert.equal(fields[i] & fields[j], 0, `flag fields ${i} and ${j} overlap`)
  }
})

test('verdict bits and error kinds in lib/native/abi.js equal src/abi.rs', () => {
  for (const name of ['KEEP_ALIVE', 'IS_UPGRADE', 'APPEND_CONNECTION_UPGRADE', 'UNCHANGED', 'NOMINATED']) {
    assert.equal(N[name], binding.get(name), name)
  }
  const rustErrors = [...binding.keys()].filter((name) => name.startsWith('ERROR_'))
  const jsErrors = Object.keys(N).filter((name) => name.startsWith('ERROR_'))
  assert.deepEqual(jsErrors.sort(), rustErrors.sort(), 'the same error kinds on both sides')
  for (const name of rustErrors) assert.equal(N[name], binding.get(name), name)
  // An error is -(1 + kind + 16 * index): every kind must fit in the low four bits.
  for (const name of rustErrors) assert.ok(binding.get(name) > 0 && binding.get(name) < 16, name)
})

test('line actions in lib/native/abi.js equal crates/core/src/filter.rs Action', () => {
  const jsActions = Object.keys(N).filter((name) => name.startsWith('ACTION_'))
  assert.deepEqual(jsActions.sort(), [...actions.keys()].sort())
  for (const [name, value] of actions) assert.equal(N[name], value, name)
  // None is zero, so a zeroed scratch buffer drops lines instead of forwarding them.
  for (const value of actions.values()) assert.notEqual(value, 0)
})

test('lib/ uses only constants lib/native/abi.js defines', () => {
  for (const file of fs.readdirSync(path.join(root, 'lib'), { recursive: true }).filter((name) => name.endsWith('.js'))) {
    for (const [, name] of read(path.join('lib', file)).matchAll(/\bN\.([A-Z][A-Z0-9_]*)\b/g)) {
      assert.equal(typeof N[name], 'number', `lib/${file} uses N.${name}, which lib/native/abi.js does not define`)
    }
  }
})

test('the name lists lib/filter/names.js exports equal crates/core/src/names.rs', () => {
  const names = read('crates/core/src/names.rs')
  assert.deepEqual([...HOP_BY_HOP_HEADERS], rustStringList(names, 'HOP_BY_HOP_HEADERS'))
  assert.deepEqual([...DEFAULT_PROTECTED_HEADERS], rustStringList(names, 'DEFAULT_PROTECTED_HEADERS'))
})

test('the release addon exports what lib/ calls, and no benchmark floor or test trigger', () => {
  const release = require('../hop-by-hop.node')
  assert.deepEqual(Object.keys(release).sort(), ['filter', 'filterArray', 'inspect', 'setScratch'])
  for (const name of ['emptyCall', 'readNames', 'panicForTest']) {
    assert.equal(release[name], undefined, `hop-by-hop.node exports ${name}`)
    assert.ok(!fs.readFileSync(path.join(root, 'hop-by-hop.node')).includes(name), `the name ${name} is in the release binary`)
  }
})
