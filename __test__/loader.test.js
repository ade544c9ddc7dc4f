'use strict'
// How lib/load-native.js finds the addon: the C library detection, the
// HOP_BY_HOP_NATIVE_LIBRARY_PATH override, the platform packages, and the one clear error when
// nothing loads. The child-process cases run against an installed-like copy of the package: its
// `files` and package.json in a temporary node_modules, with no addon built from source in it.

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { detectLibc, platformNames, platformNameOfTarget, installAdvice, OVERRIDE_VARIABLE, LOCAL_ADDON, WASM_PATH_VARIABLE, WASM_PACKAGE } = require('../lib/native/load-native.js')

const root = path.join(__dirname, '..')
const pkg = require('../package.json')
// The addon this process runs on: the arm64 run (scripts/test-arm64.sh) forces its own build.
const workingAddon = process.env[OVERRIDE_VARIABLE] ? path.resolve(process.env[OVERRIDE_VARIABLE]) : LOCAL_ADDON
const here = process.platform === 'linux' ? `linux-${process.arch}-${detectLibc()}` : platformNames(process.platform, process.arch)[0]
const CHILD_TIMEOUT_MS = 30_000
// What the system loader says about a file that is not a shared library for this platform.
const NOT_LOADABLE = { linux: /invalid ELF header|file too short/, darwin: /mach-o|too short/, win32: /not a valid Win32 application/ }[process.platform] ?? /./
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const glibcReport = { header: { glibcVersionRuntime: '2.36' }, sharedObjects: ['/lib/x86_64-linux-gnu/libc.so.6'] }
const muslReport = { header: {}, sharedObjects: ['/usr/local/bin/node', '/lib/ld-musl-x86_64.so.1'] }
const GLIBC_LDD = '#! /bin/bash\nTEXTDOMAIN=libc\n# This file is part of the GNU C Library.\n'
const MUSL_LDD = 'ELF\x7f...musl libc (x86_64)\nVersion 1.2.5\n'

describe('detectLibc()', () => {
  it('trusts the report header first, then its list of loaded libraries', () => {
    assert.equal(detectLibc(() => glibcReport, () => MUSL_LDD), 'gnu')
    assert.equal(detectLibc(() => muslReport, () => GLIBC_LDD), 'musl')
  })

  it('falls back to the text of /usr/bin/ldd when the report says nothing', () => {
    for (const report of [() => null, () => ({ header: {} }), () => ({})]) {
      assert.equal(detectLibc(report, () => GLIBC_LDD), 'gnu')
      assert.equal(detectLibc(report, () => MUSL_LDD), 'musl')
      assert.equal(detectLibc(report, () => null), null)
      assert.equal(detectLibc(report, () => '#!/bin/sh\necho something else\n'), null)
    }
  })

  it('reads this machine right, by report and by ldd alone, and restores excludeNetwork', () => {
    const excludeNetwork = process.report.excludeNetwork
    const expected = process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl'
    assert.equal(detectLibc(), expected)
    assert.equal(process.report.excludeNetwork, excludeNetwork)
    if (fs.existsSync('/usr/bin/ldd')) assert.equal(detectLibc(() => null), expected)
  })
})

describe('platformNames()', () => {
  it('follows the napi-rs names, one per C library when it is unknown', () => {
    assert.deepEqual(platformNames('linux', 'x64', 'gnu'), ['linux-x64-gnu'])
    assert.deepEqual(platformNames('linux', 'arm64', 'musl'), ['linux-arm64-musl'])
    assert.deepEqual(platformNames('linux', 'arm64', null), ['linux-arm64-gnu', 'linux-arm64-musl'])
    assert.deepEqual(platformNames('darwin', 'arm64'), ['darwin-arm64'])
    assert.deepEqual(platformNames('win32', 'x64'), ['win32-x64-msvc'])
  })

  it('names the package of every napi.targets entry for the process that needs it', () => {
    for (const name of pkg.napi.targets.map(platformNameOfTarget)) {
      const [platform, arch, abi] = name.split('-')
      assert.deepEqual(platformNames(platform, arch, abi === 'msvc' ? null : abi), [name])
    }
  })
})

describe('installAdvice()', () => {
  it('names the package and version to install wherever one is published, both C libraries when unknown', () => {
    const command = (name) => `\`npm install ${pkg.name}-${name}@${pkg.version}\``
    assert.match(installAdvice('linux', 'arm64', 'musl'), new RegExp(`^install the package for this platform: ${command('linux-arm64-musl')} \\(`))
    assert.ok(installAdvice('linux', 'x64', null).includes(`${command('linux-x64-gnu')} or ${command('linux-x64-musl')}`))
    assert.ok(installAdvice('win32', 'arm64').includes(command('win32-arm64-msvc')))
  })

  it('keeps the supported-platform wording for platforms without a package', () => {
    for (const [platform, arch, libc] of [['freebsd', 'x64'], ['linux', 'riscv64', 'gnu'], ['linux', 'ia32', null], ['win32', 'ia32']]) {
      assert.match(installAdvice(platform, arch, libc), /^install on a supported platform \(linux-x64-gnu, .*\) without --omit=optional/)
    }
  })
})

describe('loading an installed copy', () => {
  let dir
  let installed
  let platformPackage

  // Writes node_modules/<name> with a package.json and, when given, the bytes of its .node.
  function writePlatformPackage({ name = `${pkg.name}-${here}`, version = pkg.version, addon }) {
    const packageDir = path.join(dir, 'node_modules', name)
    fs.rmSync(packageDir, { recursive: true, force: true })
    fs.mkdirSync(packageDir, { recursive: true })
    const main = `${pkg.napi.binaryName}.${name.slice(pkg.name.length + 1)}.node`
    fs.writeFileSync(path.join(packageDir, 'package.json'), JSON.stringify({ name, version, main }))
    if (addon) fs.writeFileSync(path.join(packageDir, main), addon)
    return path.join(packageDir, main)
  }

  // Runs `script` in a fresh Node in the temporary directory; `fake` replaces process.platform
  // and process.arch before anything loads.
  function run(script, { env = {}, fake } = {}) {
    const args = []
    if (fake) {
      const preload = path.join(dir, `fake-${fake.platform}-${fake.arch}.js`)
      fs.writeFileSync(
        preload,
        `Object.defineProperty(process, 'platform', { value: ${JSON.stringify(fake.platform)} })\n` +
          `Object.defineProperty(process, 'arch', { value: ${JSON.stringify(fake.arch)} })\n`,
      )
      args.push('--require', preload)
    }
    const childEnv = { ...process.env, ...env }
    if (!(OVERRIDE_VARIABLE in env)) delete childEnv[OVERRIDE_VARIABLE]
    // These children check the native lookup, also when the suite runs on the wasm build.
    delete childEnv.HOP_BY_HOP_FORCE_WASM
    if (!(WASM_PATH_VARIABLE in env)) delete childEnv[WASM_PATH_VARIABLE]
    const child = spawnSync(process.execPath, [...args, '-e', script], {
      cwd: dir,
      env: childEnv,
      encoding: 'utf8',
      timeout: CHILD_TIMEOUT_MS,
    })
    assert.equal(child.signal, null, `the child was stopped: ${child.stderr}`)
    return child
  }

  const FILTER = `
    const { filterHeaders } = require('hop-by-hop')
    const loaded = Object.keys(require.cache).filter((file) => file.endsWith('.node'))
    console.log(JSON.stringify({ headers: filterHeaders(['Connection', 'X-A', 'X-A', '1', 'Host', 'h']).headers, loaded }))`
  const LOAD = `
    try { require('hop-by-hop'); console.log('loaded') } catch (error) {
      console.log(JSON.stringify({ code: error.code, message: error.message, causes: error.cause.errors.length }))
    }`

  function assertFilters(child, addonFile) {
    assert.equal(child.status, 0, child.stderr)
    const { headers, loaded } = JSON.parse(child.stdout)
    assert.deepEqual(headers, ['Host', 'h'])
    assert.deepEqual(loaded, [fs.realpathSync(addonFile)])
  }

  function loadError(child) {
    assert.equal(child.status, 0, child.stderr)
    assert.notEqual(child.stdout.trim(), 'loaded', 'the package loaded where it must not')
    const error = JSON.parse(child.stdout)
    assert.equal(error.code, 'ERR_HOP_BY_HOP_NO_ADDON')
    return error
  }

  // A supported platform whose package is missing: the exact command, and why npm may have left it out.
  function assertInstallAdvice(message, packages) {
    const commands = packages.map((name) => `\`npm install ${name}@${pkg.version}\``).join(' or ')
    assert.ok(message.includes(`  - install the package for this platform: ${commands} (`), message)
    assert.match(message, /npm leaves it out under --omit=optional, and when package-lock\.json was made on another platform/)
    assert.doesNotMatch(message, /supported platform/)
  }

  function assertUnsupported(message) {
    const supported = message.match(/install on a supported platform \(([^)]*)\)/)[1].split(', ')
    assert.deepEqual(supported, ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'linux-arm64-musl', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc', 'win32-arm64-msvc'])
    // No native package to install: the one command it gives is the WebAssembly package's.
    assert.deepEqual([...message.matchAll(/npm install hop-by-hop-[\w.@-]+/g)].map((match) => match[0]), [`npm install ${WASM_PACKAGE}@${pkg.version}`])
    assert.match(message, /or install the slower WebAssembly build: /)
  }

  function assertWaysOut(message) {
    assert.match(message, /Ways out:/)
    assert.match(message, /build from source: in a git checkout of hop-by-hop with a Rust toolchain, run `npm install`/)
    assert.match(message, new RegExp(`point ${OVERRIDE_VARIABLE} at that file`))
  }

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hop-by-hop-loader-'))
    installed = path.join(dir, 'node_modules', pkg.name)
    for (const entry of [...pkg.files, 'package.json']) {
      fs.cpSync(path.join(root, entry), path.join(installed, entry), { recursive: true })
    }
    // The runtime dependencies, as npm would install them next to the package.
    for (const name of ['proxy-addr', 'forwarded', 'ipaddr.js']) {
      fs.cpSync(path.join(root, 'node_modules', name), path.join(dir, 'node_modules', name), { recursive: true })
    }
    assert.ok(!fs.existsSync(path.join(installed, `${pkg.napi.binaryName}.node`)))
  })

  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('without any addon on a supported platform: names the missing package and the command that installs it', () => {
    const error = loadError(run(LOAD))
    const libc = here.split('-')[2]
    if (process.platform === 'linux') assert.match(error.message, new RegExp(`on linux-${process.arch} \\(C library: ${libc}\\)`))
    assert.match(error.message, new RegExp(`package ${pkg.name}-${here}: Cannot find module '${pkg.name}-${here}/package.json'`))
    assertInstallAdvice(error.message, [`${pkg.name}-${here}`])
    assertWaysOut(error.message)
    assert.equal(error.causes, 1)
  })

  it("on another supported platform (faked darwin-arm64): names that platform's package", () => {
    const error = loadError(run(LOAD, { fake: { platform: 'darwin', arch: 'arm64' } }))
    assert.match(error.message, /no native addon loads on darwin-arm64, Node v/)
    assertInstallAdvice(error.message, [`${pkg.name}-darwin-arm64`])
    assertWaysOut(error.message)
  })

  it('on a platform without a package (faked freebsd-x64): names the package it looked for and the supported platforms', () => {
    const error = loadError(run(LOAD, { fake: { platform: 'freebsd', arch: 'x64' } }))
    assert.match(error.message, /no native addon loads on freebsd-x64, Node v/)
    assert.match(error.message, /package hop-by-hop-freebsd-x64: Cannot find module 'hop-by-hop-freebsd-x64\/package.json'/)
    assert.doesNotMatch(error.message, /C library/)
    assertUnsupported(error.message)
    assertWaysOut(error.message)
  })

  it('on another architecture (faked linux-riscv64): looks for its own package, not ours, and says it has none', () => {
    platformPackage = writePlatformPackage({ addon: fs.readFileSync(workingAddon) })
    const error = loadError(run(LOAD, { fake: { platform: 'linux', arch: 'riscv64' } }))
    assert.match(error.message, /package hop-by-hop-linux-riscv64-(gnu|musl): Cannot find module/)
    assert.doesNotMatch(error.message, new RegExp(`package ${pkg.name}-${here}`))
    assertUnsupported(error.message)
  })

  it('loads and filters with the platform package for this machine', () => {
    assertFilters(run(FILTER), platformPackage)
  })

  it('prefers hop-by-hop.node at the package root, and passes over one that cannot load', () => {
    const local = path.join(installed, `${pkg.napi.binaryName}.node`)
    try {
      fs.copyFileSync(workingAddon, local)
      assertFilters(run(FILTER), local)
      fs.writeFileSync(local, 'not a shared library')
      assertFilters(run(FILTER), platformPackage)
    } finally {
      fs.rmSync(local, { force: true })
    }
  })

  it('HOP_BY_HOP_NATIVE_LIBRARY_PATH forces a file, relative to the working directory', () => {
    fs.copyFileSync(workingAddon, path.join(dir, 'forced.node'))
    assertFilters(run(FILTER, { env: { [OVERRIDE_VARIABLE]: 'forced.node' } }), path.join(dir, 'forced.node'))
  })

  it('HOP_BY_HOP_NATIVE_LIBRARY_PATH at a missing file fails, even with a working package installed', () => {
    const missing = path.join(dir, 'missing.node')
    const error = loadError(run(LOAD, { env: { [OVERRIDE_VARIABLE]: missing } }))
    assert.match(error.message, new RegExp(`${OVERRIDE_VARIABLE}=${escape(missing)}: Cannot find module`))
    assert.match(error.message, new RegExp(`fix or unset ${OVERRIDE_VARIABLE}`))
    assert.doesNotMatch(error.message, /package hop-by-hop-/)
    assert.equal(error.causes, 1)
  })

  it('HOP_BY_HOP_NATIVE_LIBRARY_PATH at a file that is no addon reports the loader error', () => {
    const junk = path.join(dir, 'junk.node')
    fs.writeFileSync(junk, 'this is text, not an ELF, Mach-O or PE file\n'.repeat(20))
    const error = loadError(run(LOAD, { env: { [OVERRIDE_VARIABLE]: junk } }))
    assert.match(error.message, new RegExp(`${OVERRIDE_VARIABLE}=${escape(junk)}: .*(${NOT_LOADABLE.source})`))
  })

  it('HOP_BY_HOP_NATIVE_LIBRARY_PATH at a JavaScript file does not run it', () => {
    const script = path.join(dir, 'addon.js')
    fs.writeFileSync(script, "console.log('ran'); module.exports = {}\n")
    const error = loadError(run(LOAD, { env: { [OVERRIDE_VARIABLE]: script } }))
    assert.match(error.message, new RegExp(`${OVERRIDE_VARIABLE}=${escape(script)}: not a \\.node file`))
  })

  it('a platform package holding a binary that cannot load (wrong file) is reported with its error', () => {
    writePlatformPackage({ addon: Buffer.from('\x7fELF truncated') })
    const error = loadError(run(LOAD))
    assert.match(error.message, new RegExp(`package ${pkg.name}-${here}: .*(${NOT_LOADABLE.source})`))
    assertWaysOut(error.message)
  })

  it('a hop-by-hop-wasm32-wasi from another release is refused, and reported with why the native addons failed', () => {
    const wasmPackage = path.join(dir, 'node_modules', WASM_PACKAGE)
    fs.mkdirSync(wasmPackage, { recursive: true })
    try {
      fs.writeFileSync(path.join(wasmPackage, 'package.json'), JSON.stringify({ name: WASM_PACKAGE, version: '0.0.1', main: 'hop-by-hop.wasi.cjs' }))
      const error = loadError(run(LOAD, { fake: { platform: 'freebsd', arch: 'x64' } }))
      assert.match(error.message, /package hop-by-hop-freebsd-x64: Cannot find module/)
      assert.ok(error.message.includes(`package ${WASM_PACKAGE}: ${WASM_PACKAGE}@0.0.1 does not match ${pkg.name}@${pkg.version}`), error.message)
      // HOP_BY_HOP_WASM_PATH keeps priority: the package is not even looked at.
      const named = path.join(dir, 'elsewhere', 'hop-by-hop.wasi.cjs')
      const forced = loadError(run(LOAD, { fake: { platform: 'freebsd', arch: 'x64' }, env: { [WASM_PATH_VARIABLE]: named } }))
      assert.ok(forced.message.includes(`WebAssembly build ${named}: no such file`), forced.message)
      assert.doesNotMatch(forced.message, new RegExp(`package ${WASM_PACKAGE}`))
    } finally {
      fs.rmSync(wasmPackage, { recursive: true, force: true })
    }
  })

  it('a platform package from another release is refused', () => {
    writePlatformPackage({ version: '0.0.1', addon: fs.readFileSync(workingAddon) })
    const error = loadError(run(LOAD))
    assert.match(error.message, new RegExp(`${pkg.name}-${here}@0.0.1 does not match ${pkg.name}@${pkg.version}`))
    platformPackage = writePlatformPackage({ addon: fs.readFileSync(workingAddon) })
    assertFilters(run(FILTER), platformPackage)
  })
})
