'use strict'
// The hand-written declarations (index.d.ts) against the pinned TypeScript, under --strict:
// types/usage.ts uses every export and expects errors for typos and wrong types; types/recipes.ts
// compiles each recipe with the peers' own types (Express's req.forward without a cast). Then
// index.d.ts against the runtime: the same exports, the same option names, the same error codes.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const ts = require('typescript')

const ROOT = path.join(__dirname, '..')
const DECLARATIONS = path.join(ROOT, 'index.d.ts')

/**
 * An arm64 Node under qemu-user on an x86 host (scripts/test-arm64.sh): the compiler's answer does
 * not depend on the CPU, and under emulation it takes minutes instead of seconds.
 */
function emulated() {
  if (process.arch === 'x64' || process.platform !== 'linux') return false
  try {
    return /GenuineIntel|AuthenticAMD/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'))
  } catch {
    return false
  }
}
const skip = emulated() && 'type checks do not depend on the CPU (an emulated one is too slow for tsc)'

test('types/*.ts compile under tsc --strict --noEmit (every @ts-expect-error is an error)', { skip }, () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const run = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'types', 'tsconfig.json'), '--strict', '--noEmit', '--pretty', 'false'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  })
  assert.equal(run.error, undefined)
  assert.equal(run.status, 0, run.stdout + run.stderr)
})

test('the tsconfig checks both files strictly', () => {
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'types', 'tsconfig.json'), 'utf8'))
  assert.equal(config.compilerOptions.strict, true)
  assert.deepEqual(config.files.sort(), ['recipes.ts', 'usage.ts'])
})

/** The exported interfaces and values of index.d.ts, read with the compiler's own checker. */
function declarations() {
  const program = ts.createProgram([DECLARATIONS], { strict: true, noEmit: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')] })
  const checker = program.getTypeChecker()
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(DECLARATIONS))
  const exports = new Map(checker.getExportsOfModule(moduleSymbol).map((symbol) => [symbol.name, symbol]))
  function propertiesOf(name) {
    const type = checker.getDeclaredTypeOfSymbol(exports.get(name))
    return checker.getPropertiesOfType(type).map((property) => property.name).sort()
  }
  function unionOf(name) {
    const type = checker.getDeclaredTypeOfSymbol(exports.get(name))
    return type.types.map((member) => member.value).sort()
  }
  const values = [...exports.values()].filter((symbol) => (symbol.flags & ts.SymbolFlags.Value) !== 0).map((symbol) => symbol.name).sort()
  return { propertiesOf, unionOf, values, program }
}

let cached
function declared() {
  cached ??= declarations()
  return cached
}

test('index.d.ts has no errors of its own', { skip }, () => {
  const diagnostics = ts.getPreEmitDiagnostics(declared().program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
  assert.deepEqual(diagnostics, [])
})

test('index.d.ts declares exactly the runtime exports', { skip }, () => {
  assert.deepEqual(declared().values, Object.keys(require('..')).sort())
})

test('each options type lists exactly the names the function takes at run time', { skip }, () => {
  const { FILTER_OPTIONS, FORWARDING_OPTIONS } = require('../lib/options.js')
  const expected = {
    FilterOptions: FILTER_OPTIONS,
    ForwardingOptions: FORWARDING_OPTIONS,
    MiddlewareOptions: require('../lib/integrations/express.js').MIDDLEWARE_OPTIONS,
    RelayOptions: require('../lib/integrations/relay.js').RELAY_OPTIONS,
    AttachOptions: require('../lib/integrations/http-proxy.js').ATTACH_OPTIONS,
    ForwardOptions: require('../lib/integrations/forward.js').FORWARD_OPTIONS,
    ReplyFromOptions: require('../lib/integrations/reply-from.js').REPLY_FROM_OPTIONS,
    FastifyProxyOptions: require('../lib/integrations/fastify-http-proxy.js').FASTIFY_PROXY_OPTIONS,
  }
  for (const [name, names] of Object.entries(expected)) {
    assert.ok(Array.isArray(names), `${name}: the runtime list is exported`)
    assert.deepEqual(declared().propertiesOf(name), [...names].sort(), name)
  }
})

test('HopByHopErrorCode is the codes the package makes', { skip }, () => {
  const made = new Set()
  for (const file of fs.readdirSync(path.join(ROOT, 'lib'), { recursive: true }).filter((name) => name.endsWith('.js'))) {
    const source = fs.readFileSync(path.join(ROOT, 'lib', file), 'utf8')
    for (const match of source.matchAll(/new HopByHopError\(\s*'(ERR_HOP_BY_HOP_[A-Z_]+)'/g)) made.add(match[1])
  }
  assert.ok(made.has('ERR_HOP_BY_HOP_BODY_CONSUMED'))
  assert.deepEqual(declared().unionOf('HopByHopErrorCode'), [...made].sort())
  assert.deepEqual(declared().unionOf('HopByHopStatusCode'), [400, 431, 500, 502, 504])
})

test('the declared HopByHopError constructor is the runtime one: (code, message, statusCode = 400)', () => {
  const { HopByHopError } = require('..')
  assert.equal(HopByHopError.length, 2)
  const error = new HopByHopError('ERR_HOP_BY_HOP_PROTECTED', 'm')
  assert.deepEqual([error.code, error.message, error.statusCode, error.name], ['ERR_HOP_BY_HOP_PROTECTED', 'm', 400, 'HopByHopError'])
  const source = fs.readFileSync(DECLARATIONS, 'utf8')
  assert.match(source, /constructor\(code: HopByHopErrorCode, message: string, statusCode\?: HopByHopStatusCode\)/)
})
