'use strict'
// `npm run package -- DIR`: builds every target of napi.targets this (linux-x64) machine can
// cross-build and writes the installable tarballs into DIR: one per platform package built, then
// the main package with the published manifest (scripts/release-manifest.js).
//
// All six are linked by zig through cargo-zigbuild (`napi build -x`; `pip install ziglang
// cargo-zigbuild` and the rustup targets below):
// - the glibc builds link against glibc 2.17 symbols (zig's `.2.17` target suffix) so that they
//   load on old distributions, as napi-rs's own prebuilt packages do;
// - the two macOS builds link against the libSystem stubs zig ships, with no macOS SDK (rustc
//   warns that `xcrun` is missing; nothing needs it). Each is marked for the oldest macOS that
//   rustc itself targets (`rustc --print deployment-target`), as release.yml's native build is:
//   zig would otherwise mark it for its newest SDK's macOS (15.0). They cannot be loaded here (no
//   macOS), so each is checked as a file instead: a Mach-O dylib for its CPU that exports
//   napi_register_module_v1 (machO() below; __test__/dist/darwin.test.js checks more).
// The two Windows targets (MSVC) are not built here: Rust's msvc targets link against the MSVC
// CRT and the Windows SDK, which only Microsoft's servers hand out (cargo-xwin downloads them)
// and zig does not ship; .ci/run compiles them with `cargo check`, and
// .github/workflows/release.yml builds them on Windows runners (docs/platforms.md).
//
// The WebAssembly fallback (wasm32-wasip1-threads) is packed too, as hop-by-hop-wasm32-wasi, laid
// out as `napi create-npm-dirs` lays out a wasm32-wasi package: the .wasm, the .wasi.cjs loader
// napi-rs generates (its `main`), its types and the wasi-worker.mjs it starts threads with,
// `cpu: ["wasm32"]` (npm installs it only when asked) and @napi-rs/wasm-runtime with the emnapi
// runtime it requires as dependencies, at the versions the checkout builds with. It is built into a
// temporary directory with scripts/build-wasm.sh's own `napi build` command, like the other targets
// (target/wasm, which the checkout's tests and benchmarks load, is left alone); after
// `npm run build:wasm` (.ci/run runs it first) cargo has nothing to recompile and it takes seconds.
//
// Every package is packed from a staged copy of exactly what it ships, so that the checkout is
// never modified and __test__/packaging.test.js can stage and list them without building.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const root = path.join(__dirname, '..')
const pkg = require('../package.json')
const { releaseManifest, WASM_PLATFORM } = require('./release-manifest.js')
const LINUX_TARGETS = [
  { triple: 'x86_64-unknown-linux-gnu', zigTarget: 'x86_64-unknown-linux-gnu.2.17', platform: 'linux-x64-gnu' },
  { triple: 'aarch64-unknown-linux-gnu', zigTarget: 'aarch64-unknown-linux-gnu.2.17', platform: 'linux-arm64-gnu' },
  { triple: 'x86_64-unknown-linux-musl', zigTarget: 'x86_64-unknown-linux-musl', platform: 'linux-x64-musl' },
  { triple: 'aarch64-unknown-linux-musl', zigTarget: 'aarch64-unknown-linux-musl', platform: 'linux-arm64-musl' },
]
const DARWIN_TARGETS = [
  { triple: 'x86_64-apple-darwin', zigTarget: 'x86_64-apple-darwin', platform: 'darwin-x64', macho: true },
  { triple: 'aarch64-apple-darwin', zigTarget: 'aarch64-apple-darwin', platform: 'darwin-arm64', macho: true },
]
const BUILT_TARGETS = [...LINUX_TARGETS, ...DARWIN_TARGETS]
// The WebAssembly package: not in napi.targets (it is the fallback, not a platform's package).
const WASM_TARGET = 'wasm32-wasip1-threads'
const WASM_FILES = [`${pkg.napi.binaryName}.${WASM_PLATFORM}.wasm`, `${pkg.napi.binaryName}.wasi.cjs`, `${pkg.napi.binaryName}.wasi.d.cts`, 'wasi-worker.mjs']
// What @napi-rs/wasm-runtime 1.x supports (`napi create-npm-dirs` narrows engines.node to it).
const WASM_NODE_ENGINE = '^20.19.0 || ^22.13.0 || >=23.5.0'
// The loader and the worker require these: the exact versions the checkout builds and tests with.
const WASM_DEPENDENCIES = ['@napi-rs/wasm-runtime', '@emnapi/core', '@emnapi/runtime']
// Built only by .github/workflows/release.yml, on Windows runners: see the comment at the top.
const RELEASE_ONLY_TARGETS = ['x86_64-pc-windows-msvc', 'aarch64-pc-windows-msvc']

// npm packs a package's README and LICENSE whatever its `files` says; the MIT licence asks for
// its text in every copy, platform packages included.
const LICENSE = path.join(root, 'LICENSE')

function run(command, args, options = {}) {
  console.error(`$ ${command} ${args.join(' ')}`)
  return execFileSync(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options })
}

/** Writes the main package as published into `stage`: its `files`, README, LICENSE and the release manifest. */
function stageMainPackage(stage) {
  for (const entry of [...pkg.files, 'README.md']) fs.cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true })
  fs.copyFileSync(LICENSE, path.join(stage, 'LICENSE'))
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(releaseManifest(pkg), null, 2)}\n`)
}

/** Writes the platform package npm/<platform> into `stage`, with LICENSE and the addon built for it. */
function stagePlatformPackage(platform, addonFile, stage) {
  const source = path.join(root, 'npm', platform)
  for (const file of ['package.json', 'README.md']) fs.copyFileSync(path.join(source, file), path.join(stage, file))
  fs.copyFileSync(LICENSE, path.join(stage, 'LICENSE'))
  fs.copyFileSync(addonFile, path.join(stage, `${pkg.napi.binaryName}.${platform}.node`))
}

/** The package.json of hop-by-hop-wasm32-wasi, as `napi create-npm-dirs` writes it for wasm32-wasip1-threads. */
function wasmPackageManifest(main = pkg) {
  const pick = (...fields) => Object.fromEntries(fields.filter((field) => main[field] !== undefined).map((field) => [field, main[field]]))
  const dependencies = Object.fromEntries(
    WASM_DEPENDENCIES.map((name) => {
      const version = main.devDependencies?.[name]
      if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?$/.test(version ?? '')) throw new Error(`package.json pins no exact devDependency ${name} (${version})`)
      return [name, version]
    }),
  )
  return {
    name: `${main.name}-${WASM_PLATFORM}`,
    version: main.version,
    cpu: ['wasm32'],
    main: `${main.napi.binaryName}.wasi.cjs`,
    types: `${main.napi.binaryName}.wasi.d.cts`,
    files: WASM_FILES,
    ...pick('description', 'keywords', 'author', 'homepage', 'license', 'bugs'),
    repository: { ...main.repository, directory: `npm/${WASM_PLATFORM}` },
    engines: { node: WASM_NODE_ENGINE },
    dependencies,
  }
}

/** Writes hop-by-hop-wasm32-wasi into `stage`: the files of a wasm build in `buildDir`, README, LICENSE, package.json. */
function stageWasmPackage(buildDir, stage) {
  fs.mkdirSync(stage, { recursive: true })
  for (const file of WASM_FILES) {
    if (!fs.existsSync(path.join(buildDir, file))) throw new Error(`the WebAssembly build in ${buildDir} has no ${file}`)
    fs.copyFileSync(path.join(buildDir, file), path.join(stage, file))
  }
  fs.copyFileSync(LICENSE, path.join(stage, 'LICENSE'))
  const manifest = wasmPackageManifest()
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  fs.writeFileSync(
    path.join(stage, 'README.md'),
    `# \`${manifest.name}\`\n\nThis is the **${WASM_TARGET}** binary for \`${pkg.name}\`: the WebAssembly fallback for platforms without a native package.\n` +
      `Its \`cpu\` is \`wasm32\`, so npm installs it only when asked: \`npm install --cpu=wasm32 ${pkg.name}\`, or this package by name with \`--force\` (docs/platforms.md).\n`,
  )
}

/** Builds the WebAssembly addon into `buildDir` with scripts/build-wasm.sh's command, and returns `buildDir`. */
function buildWasm(buildDir) {
  run('npx', ['napi', 'build', '--target', WASM_TARGET, '--release', '--output-dir', buildDir, '--no-js', '--dts', 'binding.d.ts'])
  return buildDir
}

/** Runs `use(dir)` on a fresh temporary directory, which it then removes. */
function withStage(label, use) {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), `hop-by-hop-${label}-`))
  try {
    return use(stage)
  } finally {
    fs.rmSync(stage, { recursive: true, force: true })
  }
}

// --ignore-scripts: a staged copy has no scripts, and none of the checkout's may run on it.
function pack(dir, destination) {
  const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], { cwd: dir }))
  return path.join(destination, filename)
}

/** rustc's own macOS deployment target for `triple` (what a native build gets), e.g. '11.0'. */
function deploymentTarget(triple) {
  const env = { ...process.env }
  delete env.MACOSX_DEPLOYMENT_TARGET
  const printed = run('rustc', ['--print', 'deployment-target', '--target', triple], { env }).trim()
  const version = /^MACOSX_DEPLOYMENT_TARGET=(\d+\.\d+)$/.exec(printed)?.[1]
  if (!version) throw new Error(`rustc --print deployment-target --target ${triple} printed ${JSON.stringify(printed)}`)
  return version
}

function buildAddon({ triple, zigTarget, platform, macho }, buildDir) {
  // -x: cross-compile with cargo-zigbuild, which understands the glibc version suffix and links
  // macOS dylibs against zig's libSystem stubs. napi-build adds `-undefined dynamic_lookup` for
  // macOS, though with napi's `dyn-symbols` feature the addon has no N-API symbol to leave
  // undefined: it looks them up in the process when it loads.
  const env = macho ? { ...process.env, MACOSX_DEPLOYMENT_TARGET: deploymentTarget(triple) } : process.env
  run('npx', ['napi', 'build', '-x', '--release', '--platform', '--target', zigTarget, '--output-dir', buildDir], { env })
  return path.join(buildDir, `${pkg.napi.binaryName}.${platform}.node`)
}

// Mach-O, as far as checking a macOS addon built here needs (<mach-o/loader.h>, <mach-o/nlist.h>).
const MH_MAGIC_64 = 0xfeedfacf
const MH_DYLIB = 6
const CPU_TYPE = { 0x01000007: 'x64', 0x0100000c: 'arm64' }
const LC = { SYMTAB: 0x2, LOAD_DYLIB: 0xc, ID_DYLIB: 0xd, VERSION_MIN_MACOSX: 0x24, BUILD_VERSION: 0x32, LOAD_WEAK_DYLIB: 0x80000018, REEXPORT_DYLIB: 0x8000001f, DYLD_INFO_ONLY: 0x80000022, DYLD_EXPORTS_TRIE: 0x80000033 }
const N_STAB = 0xe0
const N_TYPE = 0x0e
const N_EXT = 0x01
const N_UNDF = 0x0
const DYNAMIC_LOOKUP_ORDINAL = 0xfe

function uleb(buffer, offset) {
  let value = 0
  let shift = 0
  for (;;) {
    const byte = buffer[offset++]
    if (byte === undefined) throw new Error('Mach-O: truncated ULEB128')
    value += (byte & 0x7f) * 2 ** shift
    shift += 7
    if (byte < 0x80) return [value, offset]
  }
}

const cString = (buffer, offset) => buffer.toString('latin1', offset, buffer.indexOf(0, offset))
const version = (packed) => `${packed >>> 16}.${(packed >>> 8) & 0xff}`

/** Every name in a dyld export trie. */
function exportTrie(buffer, start, size) {
  const names = []
  const visit = (node, prefix) => {
    if (node >= size) throw new Error('Mach-O: export trie node out of range')
    let [terminalSize, offset] = uleb(buffer, start + node)
    if (terminalSize > 0) names.push(prefix)
    offset += terminalSize
    const children = buffer[offset++]
    for (let child = 0; child < children; child++) {
      const label = cString(buffer, offset)
      offset += Buffer.byteLength(label, 'latin1') + 1
      let next
      ;[next, offset] = uleb(buffer, offset)
      visit(next, prefix + label)
    }
  }
  if (size > 0) visit(0, '')
  return names
}

/**
 * Reads a 64-bit little-endian Mach-O file: its CPU and file type, the dylibs it loads, the
 * oldest macOS it is marked for, the symbols it exports (C names, without Mach-O's leading `_`)
 * and its undefined symbols, each with the dylib it binds to (or 'flat lookup' for
 * `-undefined dynamic_lookup`). Throws on anything else, an ELF file among them.
 */
function machO(buffer) {
  if (buffer.length < 32 || buffer.readUInt32LE(0) !== MH_MAGIC_64) throw new Error('not a 64-bit little-endian Mach-O file')
  const cpu = CPU_TYPE[buffer.readUInt32LE(4)] ?? `cputype 0x${buffer.readUInt32LE(4).toString(16)}`
  const filetype = buffer.readUInt32LE(12) === MH_DYLIB ? 'dylib' : `filetype ${buffer.readUInt32LE(12)}`
  const ncmds = buffer.readUInt32LE(16)
  const dylibs = []
  let minos
  let symtab
  let trie
  for (let command = 0, offset = 32; command < ncmds; command++) {
    const cmd = buffer.readUInt32LE(offset)
    const size = buffer.readUInt32LE(offset + 4)
    if (size < 8 || offset + size > buffer.length) throw new Error('Mach-O: load command out of range')
    if (cmd === LC.LOAD_DYLIB || cmd === LC.LOAD_WEAK_DYLIB || cmd === LC.REEXPORT_DYLIB) dylibs.push(cString(buffer, offset + buffer.readUInt32LE(offset + 8)))
    else if (cmd === LC.BUILD_VERSION) minos = version(buffer.readUInt32LE(offset + 12))
    else if (cmd === LC.VERSION_MIN_MACOSX) minos = version(buffer.readUInt32LE(offset + 8))
    else if (cmd === LC.SYMTAB) symtab = [8, 12, 16, 20].map((field) => buffer.readUInt32LE(offset + field))
    else if (cmd === LC.DYLD_INFO_ONLY) trie = [buffer.readUInt32LE(offset + 40), buffer.readUInt32LE(offset + 44)]
    else if (cmd === LC.DYLD_EXPORTS_TRIE) trie = [buffer.readUInt32LE(offset + 8), buffer.readUInt32LE(offset + 12)]
    offset += size
  }
  if (!trie) throw new Error('Mach-O: no export trie')
  const cName = (name) => (name.startsWith('_') ? name.slice(1) : name)
  const exports = exportTrie(buffer, ...trie).map(cName)
  const undefinedSymbols = []
  if (symtab) {
    const [symoff, nsyms, stroff] = symtab
    for (let index = 0; index < nsyms; index++) {
      const entry = symoff + 16 * index
      const type = buffer[entry + 4]
      if (type & N_STAB || (type & N_TYPE) !== N_UNDF || !(type & N_EXT)) continue
      const ordinal = buffer.readUInt16LE(entry + 6) >>> 8
      const library = ordinal === DYNAMIC_LOOKUP_ORDINAL ? 'flat lookup' : (dylibs[ordinal - 1] ?? `ordinal ${ordinal}`)
      undefinedSymbols.push({ name: cName(cString(buffer, stroff + buffer.readUInt32LE(entry))), library })
    }
  }
  return { cpu, filetype, dylibs, minos, exports, undefinedSymbols }
}

/** Throws unless `file` is a macOS addon for `target`: a Mach-O dylib for its CPU, exporting napi_register_module_v1. */
function checkMachOAddon(file, { platform }) {
  const info = machO(fs.readFileSync(file))
  const cpu = platform.split('-')[1]
  if (info.cpu !== cpu || info.filetype !== 'dylib') throw new Error(`${file}: a Mach-O ${info.filetype} for ${info.cpu}, not a dylib for ${cpu}`)
  if (!info.exports.includes('napi_register_module_v1')) throw new Error(`${file} does not export napi_register_module_v1`)
  console.error(`${path.basename(file)}: Mach-O dylib, ${cpu}, macOS ${info.minos}+, ${fs.statSync(file).size} bytes, exports napi_register_module_v1 (${info.exports.length} exports)`)
  return info
}

function main() {
  // `node scripts/package.js --stage-wasm DIR`: builds the WebAssembly addon and writes the
  // hop-by-hop-wasm32-wasi package into DIR, unpacked (release.yml publishes it from npm/wasm32-wasi).
  if (process.argv[2] === '--stage-wasm') {
    const stage = process.argv[3]
    if (!stage) throw new Error('usage: node scripts/package.js --stage-wasm DIR')
    withStage(`build-${WASM_PLATFORM}`, (buildDir) => stageWasmPackage(buildWasm(buildDir), path.resolve(stage)))
    return
  }
  const destination = process.argv[2]
  if (!destination) throw new Error('usage: npm run package -- DIR')
  fs.mkdirSync(destination, { recursive: true })
  const out = fs.realpathSync(destination)
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('the targets are cross-built from a linux-x64 host')
  const named = [...BUILT_TARGETS.map(({ triple }) => triple), ...RELEASE_ONLY_TARGETS]
  if (named.slice().sort().join() !== pkg.napi.targets.slice().sort().join()) {
    throw new Error(`napi.targets (${pkg.napi.targets.join(', ')}) is not what scripts/package.js builds or leaves to release.yml (${named.join(', ')})`)
  }

  const tarballs = BUILT_TARGETS.map((target) =>
    withStage(`build-${target.platform}`, (buildDir) => {
      const addon = buildAddon(target, buildDir)
      if (target.macho) checkMachOAddon(addon, target)
      return withStage(target.platform, (stage) => {
        stagePlatformPackage(target.platform, addon, stage)
        return pack(stage, out)
      })
    }),
  )
  tarballs.push(
    withStage(`build-${WASM_PLATFORM}`, (buildDir) =>
      withStage(WASM_PLATFORM, (stage) => {
        stageWasmPackage(buildWasm(buildDir), stage)
        return pack(stage, out)
      }),
    ),
  )
  tarballs.push(
    withStage('main', (stage) => {
      stageMainPackage(stage)
      return pack(stage, out)
    }),
  )
  console.log(tarballs.join('\n'))
}

if (require.main === module) main()

module.exports = { stageMainPackage, stagePlatformPackage, stageWasmPackage, wasmPackageManifest, buildWasm, pack, WASM_FILES, WASM_PLATFORM, withStage, machO, deploymentTarget, LINUX_TARGETS, DARWIN_TARGETS, BUILT_TARGETS, RELEASE_ONLY_TARGETS }
