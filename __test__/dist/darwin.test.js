'use strict'
// The two macOS tarballs of `npm run package -- DIR`, cross-built here by zig through
// cargo-zigbuild. There is no macOS here to load them (.github/workflows/release.yml builds its own
// on macOS runners and runs the suite there), so each addon is read as a file: a Mach-O dylib for
// its CPU that exports napi_register_module_v1, marked for the macOS rustc targets, linked to
// system libraries only, with no N-API symbol left for the linker (napi's `dyn-symbols` looks them
// up in the process at load time). Not part of `npm test`; .ci/run runs it with
//   HOP_BY_HOP_TARBALLS=DIR   the tarballs (built here into a temporary directory if unset)

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync, spawnSync } = require('node:child_process')
const { machO, deploymentTarget, DARWIN_TARGETS } = require('../../scripts/package.js')

const root = path.join(__dirname, '..', '..')
const pkg = require('../../package.json')
const BUILD_TIMEOUT_MS = 20 * 60_000
// What `file` (libmagic) calls each CPU.
const FILE_ARCH = { x64: 'x86_64', arm64: 'arm64' }

let tarballDir
let temporary

const tarball = (name) => {
  const file = path.join(tarballDir, `${name}-${pkg.version}.tgz`)
  assert.ok(fs.existsSync(file), `${file} is missing`)
  return file
}
const tarballFiles = (file) => execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n').sort()
const extract = (file, member) => execFileSync('tar', ['-xzOf', file, member], { maxBuffer: 64 << 20 })

before(() => {
  temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'hop-by-hop-darwin-'))
  tarballDir = process.env.HOP_BY_HOP_TARBALLS
  if (!tarballDir) {
    tarballDir = path.join(temporary, 'tarballs')
    execFileSync('npm', ['run', 'package', '--', tarballDir], { cwd: root, stdio: 'ignore', timeout: BUILD_TIMEOUT_MS })
  }
})

after(() => fs.rmSync(temporary, { recursive: true, force: true }))

describe('the macOS tarballs', () => {
  it('are built for every darwin target of napi.targets', () => {
    assert.deepEqual(
      DARWIN_TARGETS.map(({ triple }) => triple),
      pkg.napi.targets.filter((triple) => triple.endsWith('-apple-darwin')),
    )
  })

  for (const { triple, platform } of DARWIN_TARGETS) {
    const cpu = platform.split('-')[1]
    const addon = `${pkg.napi.binaryName}.${platform}.node`

    describe(platform, () => {
      let binary
      let info
      before(() => {
        binary = extract(tarball(`${pkg.name}-${platform}`), `package/${addon}`)
        info = machO(binary)
      })

      it('holds its addon, LICENSE, README and a manifest for macOS on its CPU', () => {
        const file = tarball(`${pkg.name}-${platform}`)
        assert.deepEqual(tarballFiles(file), ['package/LICENSE', 'package/README.md', `package/${addon}`, 'package/package.json'])
        const manifest = JSON.parse(extract(file, 'package/package.json'))
        assert.deepEqual([manifest.name, manifest.os, manifest.cpu, manifest.libc, manifest.main], [`${pkg.name}-${platform}`, ['darwin'], [cpu], undefined, addon])
        assert.equal(extract(file, 'package/LICENSE').toString(), fs.readFileSync(path.join(root, 'LICENSE'), 'utf8'))
      })

      it(`is a Mach-O dylib for ${cpu} that exports napi_register_module_v1`, (t) => {
        assert.equal(info.cpu, cpu)
        assert.equal(info.filetype, 'dylib')
        assert.ok(info.exports.includes('napi_register_module_v1'))
        // zig's Mach-O linker has no -exported_symbols_list (cargo-zigbuild drops rustc's), so every
        // Rust symbol is exported too; release.yml's native link exports the N-API entry only.
        t.diagnostic(`${binary.length} bytes, ${info.exports.length} exports, macOS ${info.minos}+`)
      })

      it('is the same kind of file for libmagic', { skip: spawnSync('file', ['--version']).error && 'no `file` command' }, () => {
        const copy = path.join(temporary, addon)
        fs.writeFileSync(copy, binary)
        const described = execFileSync('file', ['--brief', copy], { encoding: 'utf8' })
        assert.match(described, new RegExp(`^Mach-O 64-bit ${FILE_ARCH[cpu]} dynamically linked shared library`))
      })

      it("is marked for the oldest macOS rustc targets, as a native build is, not zig's newest", () => {
        assert.equal(info.minos, deploymentTarget(triple))
      })

      it('needs system libraries only, and leaves no N-API symbol to the linker', () => {
        for (const dylib of info.dylibs) assert.match(dylib, /^\/usr\/lib\/lib\w+(\.[\w]+)*\.dylib$/)
        assert.ok(info.dylibs.includes('/usr/lib/libSystem.B.dylib'))
        assert.ok(info.undefinedSymbols.length > 0)
        for (const { name, library } of info.undefinedSymbols) {
          assert.doesNotMatch(name, /^(napi|node_api|uv)_/, `${name} is left undefined`)
          // Two-level: each bound to a named library (so `-undefined dynamic_lookup`, which
          // napi-build passes, is not relied on), and never to the executable.
          assert.ok(info.dylibs.includes(library), `${name} binds to ${library}`)
        }
      })

      // Recorded as skipped so that the run says it: this file only runs where the addons are built.
      it('loads and filters', { skip: 'no macOS here to load it; release.yml runs the suite on macOS runners' }, () => {})
    })
  }

  it('the Mach-O reader refuses an ELF file (the linux-x64-gnu addon), so the checks above can fail', () => {
    const elf = extract(tarball(`${pkg.name}-linux-x64-gnu`), `package/${pkg.napi.binaryName}.linux-x64-gnu.node`)
    assert.throws(() => machO(elf), /not a 64-bit little-endian Mach-O file/)
  })
})
