'use strict'
// The WebAssembly fallback as a user gets it: the hop-by-hop-wasm32-wasi tarball of
// `npm run package -- DIR` installed next to the main tarball with `npm install --cpu=wasm32`
// (what docs/platforms.md tells a user on a platform without a native package to type), no
// native addon installed and no Rust on PATH, then require('hop-by-hop') filters through it and
// warns once. Not part of `npm test` (its glob is __test__/*.test.js); .ci/run runs it with
//   HOP_BY_HOP_TARBALLS=DIR   the tarballs of `npm run package` (when unset, this file packs just
//                             the main package and a fresh wasm build into a temporary directory)
// npm needs the registry for the dependencies (proxy-addr, @napi-rs/wasm-runtime, emnapi).

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync, execFileSync } = require('node:child_process')
const { stageMainPackage, stageWasmPackage, buildWasm, pack, withStage, WASM_FILES } = require('../../scripts/package.js')

const pkg = require('../../package.json')
const WASM_PACKAGE = `${pkg.name}-wasm32-wasi`
const LOADER = `${pkg.napi.binaryName}.wasi.cjs`
const HERE = `linux-${process.arch}-gnu`
const INSTALL_TIMEOUT_MS = 180_000
const INSTALL_SECONDS_LIMIT = 30
const NPM_CLI = path.join(execFileSync('npm', ['root', '--global'], { encoding: 'utf8' }).trim(), 'npm', 'bin', 'npm-cli.js')
// Loads the package twice (a second module asking for the addon) and reports what loaded,
// what it filtered and every HOP_BY_HOP_WASM_FALLBACK warning, after the warnings are emitted.
const USE = `
  const warnings = []
  process.on('warning', (warning) => { if (warning.code === 'HOP_BY_HOP_WASM_FALLBACK') warnings.push(warning.message) })
  try {
    const { filterHeaders } = require('hop-by-hop')
    const loadNative = require(require.resolve('hop-by-hop').replace(/index\\.js$/, 'lib/native/load-native.js')).loadNative
    const addon = loadNative()
    const headers = filterHeaders(['Connection', 'X-A', 'X-A', '1', 'Host', 'h']).headers
    const loaded = Object.keys(require.cache).filter((file) => file.endsWith('.node') || file.endsWith('.wasi.cjs'))
    setImmediate(() => console.log(JSON.stringify({ target: addon.__napiBindingTarget ?? 'native', headers, loaded, warnings })))
  } catch (error) {
    console.log(JSON.stringify({ code: error.code, message: error.message }))
  }`

let tarballDir
const temporary = []

function temporaryDir(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hop-by-hop-${label}-`))
  temporary.push(dir)
  return dir
}

function tarball(name) {
  const file = path.join(tarballDir, `${name}-${pkg.version}.tgz`)
  assert.ok(fs.existsSync(file), `${file} is missing`)
  return file
}

const extract = (file, member) => execFileSync('tar', ['-xzOf', file, member], { maxBuffer: 64 << 20 })

// A PATH with node, npm and sh only: no cargo, rustc or compiler can be found.
function sandboxPath() {
  const bin = temporaryDir('bin')
  fs.symlinkSync(process.execPath, path.join(bin, 'node'))
  fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec node ${JSON.stringify(NPM_CLI)} "$@"\n`, { mode: 0o755 })
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'))
  return bin
}

function runNode(bin, cwd, args) {
  const env = { ...process.env, PATH: bin, npm_config_update_notifier: 'false' }
  // Nothing of the checkout's: no forced addon, no forced or named wasm build.
  for (const name of Object.keys(env)) if (/^(HOP_BY_HOP_|CARGO|RUSTUP|NAPI_RS_)/.test(name)) delete env[name]
  const started = process.hrtime.bigint()
  const child = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS })
  assert.equal(child.error, undefined, String(child.error))
  assert.equal(child.status, 0, `node ${args.join(' ')} failed (signal ${child.signal}):\n${child.stdout}\n${child.stderr}`)
  return { ...child, seconds: Number(process.hrtime.bigint() - started) / 1e9 }
}

before(() => {
  tarballDir = process.env.HOP_BY_HOP_TARBALLS
  if (!tarballDir) {
    tarballDir = temporaryDir('tarballs')
    withStage('build-wasm32-wasi', (buildDir) => withStage('wasm32-wasi', (stage) => (stageWasmPackage(buildWasm(buildDir), stage), pack(stage, tarballDir))))
    withStage('main', (stage) => (stageMainPackage(stage), pack(stage, tarballDir)))
  }
})

after(() => {
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true })
})

describe(`the ${WASM_PACKAGE} tarball`, () => {
  it('is laid out as napi-rs lays out a wasm32-wasi package: the .wasm, its loader and worker, cpu wasm32, pinned runtime', () => {
    const file = tarball(WASM_PACKAGE)
    const files = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n').sort()
    assert.deepEqual(files, ['LICENSE', 'README.md', 'package.json', ...WASM_FILES].map((name) => `package/${name}`).sort())
    const manifest = JSON.parse(extract(file, 'package/package.json'))
    assert.equal(manifest.name, WASM_PACKAGE)
    assert.equal(manifest.version, pkg.version)
    assert.deepEqual(manifest.cpu, ['wasm32'])
    assert.equal(manifest.os, undefined)
    assert.equal(manifest.main, LOADER)
    assert.deepEqual(manifest.files, WASM_FILES)
    assert.equal(manifest.license, pkg.license)
    assert.deepEqual(manifest.repository, { ...pkg.repository, directory: 'npm/wasm32-wasi' })
    assert.equal(manifest.scripts, undefined)
    // The runtime the loader and wasi-worker.mjs require, at exactly the versions built and tested with.
    assert.deepEqual(manifest.dependencies, {
      '@napi-rs/wasm-runtime': pkg.devDependencies['@napi-rs/wasm-runtime'],
      '@emnapi/core': pkg.devDependencies['@emnapi/core'],
      '@emnapi/runtime': pkg.devDependencies['@emnapi/runtime'],
    })
    // What @napi-rs/wasm-runtime itself supports (its package.json exports no ./package.json).
    const runtime = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'node_modules', '@napi-rs', 'wasm-runtime', 'package.json'), 'utf8'))
    assert.equal(manifest.engines.node, runtime.engines.node)
    const wasm = extract(file, `package/${pkg.napi.binaryName}.wasm32-wasi.wasm`)
    assert.equal(wasm.subarray(0, 4).toString('latin1'), '\0asm')
    const loader = extract(file, `package/${LOADER}`).toString()
    for (const name of ['@napi-rs/wasm-runtime', '@emnapi/runtime']) assert.ok(loader.includes(`require('${name}')`), name)
    assert.ok(loader.includes("join(__dirname, 'wasi-worker.mjs')"), 'the loader starts its threads from wasi-worker.mjs next to it')
    assert.equal(extract(file, 'package/LICENSE').toString(), fs.readFileSync(path.join(__dirname, '..', '..', 'LICENSE'), 'utf8'))
  })

  it('is an optional dependency of the main package, at its version', () => {
    const manifest = JSON.parse(extract(tarball(pkg.name), 'package/package.json'))
    assert.equal(manifest.optionalDependencies[WASM_PACKAGE], pkg.version)
  })
})

describe('npm install --cpu=wasm32 from the tarballs, no native addon, no Rust on PATH', () => {
  let bin
  let project

  before(() => {
    bin = sandboxPath()
    for (const tool of ['cargo', 'rustc']) assert.equal(spawnSync(tool, ['--version'], { env: { PATH: bin } }).error?.code, 'ENOENT')
    project = temporaryDir('wasm-install')
    // The published main package names hop-by-hop-wasm32-wasi@<version> in optionalDependencies; it
    // is not on the registry, so the override gives npm this tarball for it, as the registry would.
    fs.writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ private: true, overrides: { [WASM_PACKAGE]: `file:${tarball(WASM_PACKAGE)}` } })}\n`)
  })

  it('installs the wasm package and its runtime, and none of the native packages', (t) => {
    const install = runNode(bin, project, [NPM_CLI, 'install', '--no-audit', '--no-fund', '--cpu=wasm32', tarball(pkg.name)])
    t.diagnostic(`npm install --cpu=wasm32: ${install.seconds.toFixed(1)} s; its output: ${JSON.stringify(install.stdout + install.stderr)}`)
    assert.ok(install.seconds < INSTALL_SECONDS_LIMIT, `npm install took ${install.seconds} s`)
    const modules = path.join(project, 'node_modules')
    assert.deepEqual(fs.readdirSync(path.join(modules, WASM_PACKAGE)).sort(), ['LICENSE', 'README.md', 'package.json', ...WASM_FILES].sort())
    for (const name of ['@napi-rs/wasm-runtime', '@emnapi/core', '@emnapi/runtime']) {
      assert.equal(JSON.parse(fs.readFileSync(path.join(modules, name, 'package.json'), 'utf8')).version, pkg.devDependencies[name], name)
    }
    const native = fs.readdirSync(modules).filter((name) => name.startsWith(`${pkg.name}-`) && name !== WASM_PACKAGE)
    assert.deepEqual(native, [])
  })

  it('require("hop-by-hop") filters through the wasm package and warns once, naming the missing native package', () => {
    const result = JSON.parse(runNode(bin, project, ['-e', USE]).stdout)
    assert.equal(result.code, undefined, result.message)
    assert.equal(result.target, 'wasm32-wasi')
    assert.deepEqual(result.headers, ['Host', 'h'])
    const loader = path.join(fs.realpathSync(project), 'node_modules', WASM_PACKAGE, LOADER)
    assert.deepEqual(result.loaded, [loader])
    assert.equal(result.warnings.length, 1, result.warnings.join('\n'))
    assert.ok(result.warnings[0].includes(`no native addon loads (package ${pkg.name}-${HERE}: Cannot find module`), result.warnings[0])
    assert.ok(result.warnings[0].endsWith(`slower WebAssembly build ${loader}`), result.warnings[0])
  })

  it('the control: without the wasm package, nothing loads and the error says why', () => {
    const installed = path.join(project, 'node_modules', WASM_PACKAGE)
    const aside = `${installed}.aside`
    fs.renameSync(installed, aside)
    try {
      const result = JSON.parse(runNode(bin, project, ['-e', USE]).stdout)
      assert.equal(result.code, 'ERR_HOP_BY_HOP_NO_ADDON')
      assert.match(result.message, new RegExp(`package ${pkg.name}-${HERE}: Cannot find module`))
    } finally {
      fs.renameSync(aside, installed)
    }
  })
})
