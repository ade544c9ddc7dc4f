'use strict'
// The tarballs of `npm run package -- DIR` install and work with no Rust toolchain, and npm says
// nothing about install scripts. Not part of `npm test` (its glob is __test__/*.test.js): building
// the four Linux targets takes minutes, so .ci/run builds them once and runs this file with
//   HOP_BY_HOP_TARBALLS=DIR            the tarballs (built here into a temporary directory if unset)
//   HOP_BY_HOP_ARM64_NODE=path/to/node an arm64 Node, run under qemu-aarch64-static (test skipped if unset)
// npm has no musl Node: the linux-x64-musl addon is loaded by musl's dynamic linker from a small C
// program instead (musl-dlopen.c; skipped without musl-gcc).

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync, execFileSync } = require('node:child_process')

const root = path.join(__dirname, '..', '..')
const pkg = require('../../package.json')
const PLATFORMS = ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'linux-arm64-musl']
// What the main package ships, as globs (the same rule as packaging.test.js): examples, docs,
// benchmarks, tests and Rust sources stay in the repository.
const MAIN_PACKAGE_FILES = ['index.js', 'index.d.ts', 'lib/**/*.js', 'LICENSE', 'README.md', 'package.json']
// Every script npm may run, or list as an install script, for a package it installs.
const INSTALL_TIME_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare', 'prepublish']
const ELF_MACHINE = { x64: 0x3e, arm64: 0xb7 }
const GLIBC_BASELINE = [2, 17]
const BUILD_TIMEOUT_MS = 20 * 60_000
const INSTALL_TIMEOUT_MS = 180_000
const INSTALL_SECONDS_LIMIT = { x64: 30, arm64: 120 }
const QEMU = '/usr/bin/qemu-aarch64-static'
const ARM64_LIBRARIES = '/usr/aarch64-linux-gnu'
// npm's own script, run by whichever Node (x64 or arm64) is under test.
const NPM_CLI = path.join(execFileSync('npm', ['root', '--global'], { encoding: 'utf8' }).trim(), 'npm', 'bin', 'npm-cli.js')
const npmVersion = require(path.join(path.dirname(NPM_CLI), '..', 'package.json')).version
const CHECK = `
  const { filterHeaders } = require('hop-by-hop')
  const loaded = Object.keys(require.cache).filter((file) => file.endsWith('.node'))
  console.log(JSON.stringify({ arch: process.arch, headers: filterHeaders(['Connection', 'X-A', 'X-A', '1', 'Host', 'h']).headers, loaded }))`

let tarballDir
const temporary = []

function tarball(name) {
  const file = path.join(tarballDir, `${name}-${pkg.version}.tgz`)
  assert.ok(fs.existsSync(file), `${file} is missing`)
  return file
}

function tarballFiles(file) {
  return execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n').sort()
}

function extract(file, member) {
  return execFileSync('tar', ['-xzOf', file, member], { maxBuffer: 64 << 20 })
}

function temporaryDir(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hop-by-hop-${label}-`))
  temporary.push(dir)
  return dir
}

// A PATH with node, npm and sh only: no cargo, rustc, rustup, zig or compiler can be found.
function sandboxPath(nodeBinary) {
  const bin = temporaryDir('bin')
  fs.symlinkSync(nodeBinary, path.join(bin, 'node'))
  fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec node ${JSON.stringify(NPM_CLI)} "$@"\n`, { mode: 0o755 })
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'))
  return bin
}

// Runs `node args` (through qemu for arm64) in `cwd` with the sandbox PATH.
function runNode({ arch, nodeBinary, bin, cwd, args, timeout = INSTALL_TIMEOUT_MS }) {
  const env = { ...process.env, PATH: bin, npm_config_update_notifier: 'false' }
  for (const name of Object.keys(env)) if (/^(HOP_BY_HOP_|CARGO|RUSTUP)/.test(name)) delete env[name]
  const [command, commandArgs] = arch === 'arm64' ? [QEMU, ['-L', ARM64_LIBRARIES, nodeBinary, ...args]] : [nodeBinary, args]
  const started = process.hrtime.bigint()
  const child = spawnSync(command, commandArgs, { cwd, env, encoding: 'utf8', timeout })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  assert.equal(child.error, undefined, String(child.error))
  assert.equal(child.status, 0, `node ${args.join(' ')} failed (signal ${child.signal}):\n${child.stdout}\n${child.stderr}`)
  return { ...child, seconds }
}

// From an empty directory: npm install of the main tarball and this architecture's glibc
// platform tarball, then require('hop-by-hop'), then npm ls.
function installAndUse(t, arch, nodeBinary) {
  const bin = sandboxPath(nodeBinary)
  for (const tool of ['cargo', 'rustc']) {
    const probe = spawnSync(tool, ['--version'], { env: { PATH: bin } })
    assert.equal(probe.error?.code, 'ENOENT', `${tool} must not be on the sandbox PATH`)
  }
  const project = temporaryDir(`install-${arch}`)
  fs.writeFileSync(path.join(project, 'package.json'), '{ "private": true }\n')
  const platform = `linux-${arch}-gnu`
  const install = runNode({
    arch,
    nodeBinary,
    bin,
    cwd: project,
    args: [NPM_CLI, 'install', '--no-audit', '--no-fund', tarball(pkg.name), tarball(`${pkg.name}-${platform}`)],
  })
  const npmOutput = install.stdout + install.stderr
  t.diagnostic(`npm ${npmVersion} install on ${arch}: ${install.seconds.toFixed(1)} s; its output: ${JSON.stringify(npmOutput)}`)
  assert.ok(install.seconds < INSTALL_SECONDS_LIMIT[arch], `npm install took ${install.seconds} s`)
  assert.doesNotMatch(npmOutput, /Compiling |Finished `release`|napi build --release/)
  // npm 11 lists the `prepare` of a package installed from a tarball as an install script "not
  // yet covered by allowScripts", on every install: the published manifest has none.
  assert.doesNotMatch(npmOutput, /allowScripts|install-scripts|prepare|npm run build/)
  const installed = path.join(project, 'node_modules', pkg.name)
  assert.deepEqual(fs.readdirSync(installed).sort(), ['LICENSE', 'README.md', 'index.d.ts', 'index.js', 'lib', 'package.json'])
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'))
  for (const script of INSTALL_TIME_SCRIPTS) assert.equal(manifest.scripts?.[script], undefined, script)
  assert.equal(manifest.devDependencies, undefined)
  assert.ok(fs.existsSync(path.join(project, 'node_modules', `${pkg.name}-${platform}`, 'LICENSE')))

  const use = runNode({ arch, nodeBinary, bin, cwd: project, args: ['-e', CHECK] })
  const result = JSON.parse(use.stdout)
  assert.equal(result.arch, arch)
  assert.deepEqual(result.headers, ['Host', 'h'])
  assert.deepEqual(result.loaded, [path.join(fs.realpathSync(project), 'node_modules', `${pkg.name}-${platform}`, `${pkg.napi.binaryName}.${platform}.node`)])

  // What a production install holds: the package and its one binary, no build tooling. The other
  // platforms' optional packages are not on a registry yet; npm skips them (UNMET OPTIONAL).
  const list = runNode({ arch, nodeBinary, bin, cwd: project, args: [NPM_CLI, 'ls', '--omit=dev', '--all', '--parseable'] })
  const packages = list.stdout.trim().split('\n').slice(1).map((dir) => path.relative(path.join(project, 'node_modules'), dir))
  // The package, its binary, and proxy-addr with its two dependencies: no build tooling.
  assert.deepEqual(packages.sort(), ['forwarded', pkg.name, `${pkg.name}-${platform}`, 'ipaddr.js', 'proxy-addr'])
}

before(() => {
  tarballDir = process.env.HOP_BY_HOP_TARBALLS
  if (!tarballDir) {
    tarballDir = temporaryDir('tarballs')
    execFileSync('npm', ['run', 'package', '--', tarballDir], { cwd: root, stdio: 'ignore', timeout: BUILD_TIMEOUT_MS })
  }
})

after(() => {
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true })
})

describe('tarballs', () => {
  it('the main package holds its JavaScript, types, LICENSE and README, and runs nothing at install time', () => {
    const files = tarballFiles(tarball(pkg.name)).map((file) => file.replace(/^package\//, ''))
    for (const file of files) assert.ok(MAIN_PACKAGE_FILES.some((glob) => path.matchesGlob(file, glob)), `${file} is not meant to ship`)
    for (const glob of MAIN_PACKAGE_FILES) assert.ok(files.some((file) => path.matchesGlob(file, glob)), `nothing ships for ${glob}`)
    // Every module of lib/ ships, wherever the layers put it (the loader among them).
    const modules = fs.readdirSync(path.join(root, 'lib'), { recursive: true }).filter((file) => file.endsWith('.js')).map((file) => `lib/${file.split(path.sep).join('/')}`)
    assert.ok(modules.includes('lib/native/load-native.js'))
    for (const module of modules) assert.ok(files.includes(module), `${module} does not ship`)
    assert.equal(extract(tarball(pkg.name), 'package/LICENSE').toString(), fs.readFileSync(path.join(root, 'LICENSE'), 'utf8'))
    const packed = JSON.parse(extract(tarball(pkg.name), 'package/package.json'))
    assert.deepEqual(packed.dependencies, pkg.dependencies)
    assert.equal(packed.scripts, undefined)
    assert.equal(packed.devDependencies, undefined)
    assert.deepEqual([packed.repository, packed.homepage, packed.bugs], [pkg.repository, pkg.homepage, pkg.bugs])
    assert.deepEqual(
      packed.optionalDependencies,
      // The WebAssembly fallback last: npm installs it only when asked (__test__/dist/wasm.test.js).
      Object.fromEntries(['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'linux-arm64-musl', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc', 'win32-arm64-msvc', 'wasm32-wasi'].map((name) => [`${pkg.name}-${name}`, pkg.version])),
    )
  })

  for (const platform of PLATFORMS) {
    it(`${platform}: one addon for its CPU${platform.endsWith('gnu') ? ', needing glibc 2.17 at most' : ', linked to musl'}`, () => {
      const file = tarball(`${pkg.name}-${platform}`)
      const addon = `${pkg.napi.binaryName}.${platform}.node`
      assert.deepEqual(tarballFiles(file), ['package/LICENSE', 'package/README.md', `package/${addon}`, 'package/package.json'])
      const manifest = JSON.parse(extract(file, 'package/package.json'))
      const [, arch, abi] = platform.split('-')
      assert.deepEqual([manifest.os, manifest.cpu, manifest.libc, manifest.main], [['linux'], [arch], [abi === 'gnu' ? 'glibc' : 'musl'], addon])
      assert.deepEqual(manifest.repository, { ...pkg.repository, directory: `npm/${platform}` })
      assert.equal(extract(file, 'package/LICENSE').toString(), fs.readFileSync(path.join(root, 'LICENSE'), 'utf8'))

      const binary = extract(file, `package/${addon}`)
      assert.equal(binary.subarray(0, 4).toString('latin1'), '\x7fELF')
      assert.equal(binary.readUInt16LE(18), ELF_MACHINE[arch])
      const dir = temporaryDir(platform)
      fs.writeFileSync(path.join(dir, addon), binary)
      const dynamic = execFileSync('readelf', ['--dynamic', '--dyn-syms', '--wide', path.join(dir, addon)], { encoding: 'utf8' })
      const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((match) => match[1])
      if (abi === 'musl') {
        assert.deepEqual(needed, ['libc.so'])
      } else {
        assert.ok(needed.includes('libc.so.6'), needed.join(' '))
        const versions = [...dynamic.matchAll(/@GLIBC_(\d+)\.(\d+)/g)].map((match) => [Number(match[1]), Number(match[2])])
        assert.ok(versions.length > 0)
        for (const [major, minor] of versions) {
          assert.ok(major < GLIBC_BASELINE[0] || (major === GLIBC_BASELINE[0] && minor <= GLIBC_BASELINE[1]), `needs GLIBC_${major}.${minor}`)
        }
      }
    })
  }
})

describe('linux-x64-musl on musl', () => {
  const musl = spawnSync('musl-gcc', ['--version']).error === undefined
  it("musl's dynamic linker loads the addon with every symbol resolved, and not the glibc one", { skip: !musl && 'musl-gcc (Debian musl-tools) is not installed' }, () => {
    const dir = temporaryDir('musl')
    const loader = path.join(dir, 'musl-dlopen')
    execFileSync('musl-gcc', ['-O2', '-o', loader, path.join(__dirname, 'musl-dlopen.c')])
    const addonOf = (platform) => {
      const addon = path.join(dir, `${platform}.node`)
      fs.writeFileSync(addon, extract(tarball(`${pkg.name}-${platform}`), `package/${pkg.napi.binaryName}.${platform}.node`))
      return addon
    }
    const loaded = spawnSync(loader, [addonOf('linux-x64-musl')], { encoding: 'utf8', timeout: 10_000 })
    assert.equal(loaded.status, 0, loaded.stdout + loaded.stderr)
    assert.equal(loaded.stdout.trim(), 'loaded; napi_register_module_v1 found')
    // The control: a glibc build does not load there, so the check can fail.
    const refused = spawnSync(loader, [addonOf('linux-x64-gnu')], { encoding: 'utf8', timeout: 10_000 })
    assert.equal(refused.status, 1)
    assert.match(refused.stdout, /dlopen failed: .*ld-linux-x86-64\.so\.2/)
  })
})

describe('npm install from the tarballs, no Rust on PATH', () => {
  it('linux-x64-gnu: installs in seconds, compiles nothing, filters, lists no build tooling', (t) => {
    assert.equal(process.arch, 'x64')
    installAndUse(t, 'x64', process.execPath)
  })

  it('linux-arm64-gnu under qemu-user: the same with an arm64 Node and npm', { skip: !process.env.HOP_BY_HOP_ARM64_NODE && 'HOP_BY_HOP_ARM64_NODE is not set' }, (t) => {
    installAndUse(t, 'arm64', path.resolve(process.env.HOP_BY_HOP_ARM64_NODE))
  })
})
