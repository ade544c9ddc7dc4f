'use strict'
// The WebAssembly build (scripts/build-wasm.sh, wasm32-wasip1-threads under emnapi) gives the
// native addon's answers, and lib/native/load-native.js falls back to it, or is forced to it, as
// documented. Under emnapi the scratch buffer the binding writes its line actions into is a copy
// in wasm memory; without the copy back (src/wasm.rs) every line read as dropped. So the table
// below runs in two child processes, one on each build, through the public API (the full path,
// the gated path of IncomingMessage with its nomination mask after the actions, the array entry
// point of messages too long to spread, lazy diagnostics, every error) and through the binding's
// raw functions with a scratch buffer read byte by byte, and the two outputs must be equal.

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { wasmLoaderFile, OVERRIDE_VARIABLE, WASM_PATH_VARIABLE, FORCE_WASM_VARIABLE } = require('../lib/native/load-native.js')

const root = path.join(__dirname, '..')
const pkg = require('../package.json')
const wasmLoader = wasmLoaderFile()
const SKIP = wasmLoader && fs.existsSync(wasmLoader) ? false : 'no WebAssembly build: run `npm run build:wasm` (scripts/build-wasm.sh) first'
const CHILD_TIMEOUT_MS = 60_000
// More lines than V8 spreads into a call (lib/native/call.js MAX_SPREAD_ELEMENTS is 65536
// elements), so the array entry point, and a scratch buffer larger than 64 KiB.
const LONG_LINES = 70_000

/** Runs `script` in a fresh Node with `env` on top of ours minus the loader variables. */
function run(script, { env = {}, cwd = root, input } = {}) {
  const childEnv = { ...process.env }
  for (const name of [OVERRIDE_VARIABLE, WASM_PATH_VARIABLE, FORCE_WASM_VARIABLE]) delete childEnv[name]
  const child = spawnSync(process.execPath, ['-e', script], {
    cwd,
    env: { ...childEnv, ...env },
    input,
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: 256 * 1024 * 1024,
  })
  assert.equal(child.signal, null, `the child was stopped: ${child.stderr}`)
  return child
}

const onWasm = () => ({ [FORCE_WASM_VARIABLE]: '1', [WASM_PATH_VARIABLE]: wasmLoader })

// Cases: [kind, rawHeaders or a generator name, options, message fields].
const UPGRADE_REQUEST = ['Host', 'a', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k', 'Sec-WebSocket-Version', '13']
const CASES = [
  ['filterHeaders', ['Host', 'a', 'Accept', '*/*', 'User-Agent', 't']],
  ['filterHeaders', ['Host', 'a', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5, max=100', 'Proxy-Connection', 'keep-alive']],
  ['filterHeaders', ['Host', 'a', 'Connection', 'close, X-Secret, x-other', 'X-Secret', 's', 'X-Other', 'o', 'X-Kept', 'k']],
  ['filterHeaders', ['Host', 'a', 'TE', 'trailers, gzip', 'Trailer', 'X-Checksum', 'Transfer-Encoding', 'chunked']],
  ['filterHeaders', ['Host', 'a', 'TE', 'gzip;q=1']],
  ['filterHeaders', UPGRADE_REQUEST, { upgrade: true }],
  ['filterHeaders', UPGRADE_REQUEST],
  ['filterHeaders', ['Connection', 'upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Accept', 'x'], { direction: 'response', statusCode: 101, upgrade: true }],
  ['filterHeaders', ['Content-Length', '0', 'Connection', 'keep-alive'], { direction: 'response', statusCode: 200, httpVersion: '1.0' }],
  ['filterHeaders', [':method', 'GET', ':authority', 'a', 'cookie', 'a=1', 'connection', 'x'], { httpVersion: '2.0' }],
  ['filterHeaders', ['Host', 'a', 'X-Strip', '1', 'Authorization', 'b', 'Connection', 'authorization'], { strip: ['x-strip'], protect: ['Authorization'] }],
  ['filterHeaders', ['Host', 'a', 'Connection', 'host'], { strict: true }],
  ['filterHeaders', ['Host', 'a', 'Connection', 'x y']],
  ['filterHeaders', ['Host', 'a', 'Connection', 'x y'], { strict: true }],
  ['filterHeaders', ['Host', 'a', 'Transfer-Encoding', 'chunked', 'Content-Length', '3']],
  ['filterHeaders', ['Host', 'a', 'Transfer-Encoding', 'chunked', 'Content-Length', '3'], { strict: true }],
  ['filterHeaders', ['Host', 'a', 'Connection', 'upgrade', 'Upgrade', 'web\u00e9socket'], { upgrade: true }],
  ['filterHeaders', ['Ho st', 'a']],
  ['filterHeaders', ['Host', 'a'], { strip: ['bad name'] }],
  ['filterHeaders', 'long'],
  ['filterRequest', ['Host', 'a', 'Connection', 'keep-alive', 'Accept', '*/*'], undefined, { httpVersion: '1.1', method: 'GET' }],
  ['filterRequest', ['Host', 'a', 'Connection', 'X-A, x-bb', 'X-A', '1', 'X-Bb', '2', 'X-Ccc', '3', 'TE', 'trailers'], undefined, { httpVersion: '1.1', method: 'POST' }],
  // Again: lib/filter/gated.js answers a shape it has seen from its own table.
  ['filterRequest', ['Host', 'a', 'Connection', 'X-A, x-bb', 'X-A', '1', 'X-Bb', '2', 'X-Ccc', '3', 'TE', 'trailers'], undefined, { httpVersion: '1.1', method: 'POST' }],
  ['filterRequest', UPGRADE_REQUEST, { upgrade: true }, { httpVersion: '1.1', method: 'GET' }],
  ['filterRequest', ['Host', 'a', 'Connection', 'close'], undefined, { httpVersion: '1.0', method: 'GET' }],
  ['filterResponse', ['Content-Length', '2', 'Connection', 'keep-alive, X-Hop', 'X-Hop', '1', 'Keep-Alive', 'timeout=5'], undefined, { httpVersion: '1.1', statusCode: 200 }],
  ['filterResponse', ['Transfer-Encoding', 'chunked', 'Connection', 'close'], undefined, { httpVersion: '1.1', statusCode: 204 }],
  // The binding itself, last (they replace the scratch buffer lib/native/call.js registered).
  ['raw', ['Host', 'a', 'Connection', 'close, X-Secret', 'X-Secret', 's', 'TE', 'trailers', 'Upgrade', 'h2c'], { flags: 1, entry: 'filter' }],
  ['raw', ['Connection', 'upgrade', 'Upgrade', 'websocket'], { flags: 1 | (1 << 4), entry: 'filterArray' }],
  ['raw', ['Host', 'a', 'Connection', 'X-A', 'X-A', '1', 'Keep-Alive', 'timeout=1'], { flags: 1, entry: 'filter', offset: 5 }],
  ['raw', 'long', { flags: 1, entry: 'filterArray' }],
]

// The child: every case through the API this process loaded, answers as JSON.
const TABLE = `
  const http = require('node:http')
  const net = require('node:net')
  const api = require(${JSON.stringify(root)})
  const { native } = require(${JSON.stringify(path.join(root, 'lib', 'native', 'call.js'))})
  const LONG_LINES = ${LONG_LINES}
  function long() {
    const lines = ['Host', 'a', 'Connection', 'keep-alive, X-Drop', 'TE', 'trailers']
    for (let i = 0; i < LONG_LINES; i++) lines.push(i % 1000 === 7 ? 'X-Drop' : 'X-Line-' + i, String(i))
    return lines
  }
  function message(raw, fields) {
    const message = new http.IncomingMessage(new net.Socket())
    Object.assign(message, fields, { rawHeaders: raw })
    if (fields.statusCode !== undefined) message.req = { method: 'GET' }
    return message
  }
  function answer(call) {
    try {
      return JSON.parse(JSON.stringify(call()))
    } catch (error) {
      return { error: error.constructor.name, code: error.code, message: error.message, statusCode: error.statusCode }
    }
  }
  function runRaw(lines, { flags, entry, offset = 0 }) {
    // At an offset, the scratch is a view into a larger buffer whose other bytes must stay.
    const buffer = new Uint8Array(offset + lines.length / 2 + 8 + offset).fill(0xee)
    const scratch = buffer.subarray(offset, offset + lines.length / 2 + 8)
    native.setScratch(scratch)
    const verdict = entry === 'filter' ? native.filter(flags, ...lines) : native.filterArray(flags, lines)
    return { verdict, scratch: Buffer.from(buffer).toString('hex') }
  }
  const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'))
  const answers = cases.map(([kind, raw, given, fields]) => {
    // JSON has no undefined: a case without options has null there.
    const options = given ?? undefined
    const lines = raw === 'long' ? long() : raw
    if (kind === 'raw') return runRaw(lines, options)
    if (kind === 'filterHeaders') return answer(() => api.filterHeaders(lines, options))
    return answer(() => api[kind](message(lines, fields), options))
  })
  process.stdout.write(JSON.stringify({ target: native.__napiBindingTarget ?? 'native', answers }))
`

function table(env) {
  const child = run(TABLE, { env, input: JSON.stringify(CASES) })
  assert.equal(child.status, 0, child.stderr)
  return JSON.parse(child.stdout)
}

describe('the WebAssembly build', { skip: SKIP }, () => {
  let native
  let wasm

  before(() => {
    native = table({})
    wasm = table(onWasm())
  })

  it('runs where it is forced, and the native addon where it is not', () => {
    assert.equal(native.target, 'native')
    assert.equal(wasm.target, 'wasm32-wasi')
  })

  it('gives the native answer for every case: public API, gated path, long messages, errors, diagnostics', () => {
    assert.equal(wasm.answers.length, CASES.length)
    for (const [index, [kind, raw, options]] of CASES.entries()) {
      if (kind === 'raw') continue
      assert.deepEqual(wasm.answers[index], native.answers[index], `case ${index}: ${kind} ${JSON.stringify(raw).slice(0, 120)} ${JSON.stringify(options)}`)
    }
  })

  it('writes the same line actions and nomination mask into the scratch buffer, through both entry points', () => {
    for (const [index, [kind, raw, options]] of CASES.entries()) {
      if (kind !== 'raw') continue
      assert.deepEqual(wasm.answers[index], native.answers[index], `case ${index}: ${options.entry} ${JSON.stringify(raw).slice(0, 120)}`)
    }
  })

  // Equal answers could be equally wrong: a few that the rules fix, checked on the wasm side.
  it('keeps end-to-end lines and drops the connection ones (not everything dropped)', () => {
    const at = (index) => wasm.answers[index]
    assert.deepEqual(at(0).headers, ['Host', 'a', 'Accept', '*/*', 'User-Agent', 't'])
    assert.deepEqual(at(2).headers, ['Host', 'a', 'X-Kept', 'k'])
    assert.deepEqual(at(3).headers, ['Host', 'a', 'TE', 'trailers'])
    assert.equal(at(5).upgrade, 'websocket')
    assert.equal(at(11).code, 'ERR_HOP_BY_HOP_PROTECTED')
    assert.equal(at(15).code, 'ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH')
    assert.equal(at(16).code, 'ERR_HOP_BY_HOP_INVALID_UPGRADE')
    const long = CASES.findIndex(([kind, raw]) => kind === 'filterHeaders' && raw === 'long')
    assert.equal(at(long).headers.length, 2 * (2 + LONG_LINES - Math.ceil((LONG_LINES - 7) / 1000)))
    assert.ok(!at(long).headers.includes('X-Drop'))
    const request = CASES.findIndex(([kind]) => kind === 'filterRequest') + 1
    assert.deepEqual(at(request).headers, ['Host', 'a', 'X-Ccc', '3', 'TE', 'trailers'])
    // A raw scratch: one action byte per line, none left at the 0xee fill.
    const raw = CASES.findIndex(([kind]) => kind === 'raw')
    assert.match(at(raw).scratch, /^0102020305/)
    const offset = CASES.findIndex(([kind, , options]) => kind === 'raw' && options.offset)
    assert.match(at(offset).scratch, /^eeeeeeeeee01020202/)
    assert.match(at(offset).scratch, /eeeeeeeeee$/)
  })
})

describe('lib/native/load-native.js and the WebAssembly build', { skip: SKIP }, () => {
  let dir

  // An installed copy of the package: its `files` and package.json in a temporary
  // node_modules, with no native addon anywhere it looks.
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hop-by-hop-wasm-'))
    const installed = path.join(dir, 'node_modules', pkg.name)
    for (const entry of [...pkg.files, 'package.json']) fs.cpSync(path.join(root, entry), path.join(installed, entry), { recursive: true })
    for (const name of ['proxy-addr', 'forwarded', 'ipaddr.js']) {
      fs.cpSync(path.join(root, 'node_modules', name), path.join(dir, 'node_modules', name), { recursive: true })
    }
  })

  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  const LOAD = `
    const warnings = []
    process.on('warning', (warning) => { if (warning.code === 'HOP_BY_HOP_WASM_FALLBACK') warnings.push(warning.message) })
    try {
      const { filterHeaders } = require('hop-by-hop')
      // A second load (another module asking for the addon) warns no more.
      const loadNative = require(require.resolve('hop-by-hop').replace(/index\\.js$/, 'lib/native/load-native.js')).loadNative
      const again = loadNative()
      const headers = filterHeaders(['Connection', 'X-A', 'X-A', '1', 'Host', 'h']).headers
      setImmediate(() => console.log(JSON.stringify({ target: again.__napiBindingTarget ?? 'native', headers, warnings })))
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, message: error.message }))
    }`

  const load = (env) => {
    const child = run(LOAD, { cwd: dir, env })
    assert.equal(child.status, 0, child.stderr)
    return JSON.parse(child.stdout)
  }

  it('falls back to it when no native addon loads, with one warning that says why', () => {
    const { target, headers, warnings } = load({ [WASM_PATH_VARIABLE]: wasmLoader })
    assert.equal(target, 'wasm32-wasi')
    assert.deepEqual(headers, ['Host', 'h'])
    assert.equal(warnings.length, 1)
    assert.match(warnings[0], /no native addon loads \(package hop-by-hop-/)
    assert.ok(warnings[0].includes(`slower WebAssembly build ${wasmLoader}`), warnings[0])
  })

  it('does not fall back when HOP_BY_HOP_NATIVE_LIBRARY_PATH names a file that fails', () => {
    const error = load({ [WASM_PATH_VARIABLE]: wasmLoader, [OVERRIDE_VARIABLE]: path.join(dir, 'missing.node') })
    assert.equal(error.code, 'ERR_HOP_BY_HOP_NO_ADDON')
    assert.doesNotMatch(error.message, /WebAssembly/)
  })

  it('HOP_BY_HOP_FORCE_WASM=1 loads it even where the native addon loads, without a warning', () => {
    const { target, headers, warnings } = load({ ...onWasm(), [OVERRIDE_VARIABLE]: path.join(root, `${pkg.napi.binaryName}.node`) })
    assert.equal(target, 'wasm32-wasi')
    assert.deepEqual(headers, ['Host', 'h'])
    assert.deepEqual(warnings, [])
  })

  it('HOP_BY_HOP_FORCE_WASM=1 without a build fails, naming the way out, and loads nothing else', () => {
    const error = load({ [FORCE_WASM_VARIABLE]: '1', [WASM_PATH_VARIABLE]: path.join(dir, 'none', 'hop-by-hop.wasi.cjs') })
    assert.equal(error.code, 'ERR_HOP_BY_HOP_NO_ADDON')
    assert.match(error.message, /HOP_BY_HOP_FORCE_WASM=1, WebAssembly build .*none.hop-by-hop\.wasi\.cjs: no such file/)
    assert.match(error.message, /unset HOP_BY_HOP_FORCE_WASM, or build the WebAssembly addon \(`npm run build:wasm`/)
  })

  it('HOP_BY_HOP_WASM_PATH at another JavaScript file does not run it', () => {
    const script = path.join(dir, 'not-a-loader.js')
    fs.writeFileSync(script, 'console.log("ran")\n')
    const child = run(LOAD, { cwd: dir, env: { [WASM_PATH_VARIABLE]: script } })
    assert.doesNotMatch(child.stdout, /ran/)
    const error = JSON.parse(child.stdout)
    assert.equal(error.code, 'ERR_HOP_BY_HOP_NO_ADDON')
    assert.ok(error.message.includes(`WebAssembly build ${script}: not a napi-rs .wasi.cjs loader`), error.message)
  })
})
