'use strict'
// Finds the native addon, the way napi-rs's generated loaders do, in this order:
//   1. the file named by HOP_BY_HOP_NATIVE_LIBRARY_PATH, and nothing else when it is set (a
//      forced path that fails must not be papered over by another build);
//   2. hop-by-hop.node at the package root: what `npm install` builds from source in a checkout;
//   3. the platform package hop-by-hop-<platform>-<arch>[-<abi>] that npm installed from the
//      optionalDependencies of the published package (scripts/release-manifest.js adds them); on
//      Linux, -gnu or -musl after the C library this Node runs on.
//   4. the WebAssembly build (wasm32-wasip1-threads, run by @napi-rs/wasm-runtime), when one is
//      there: the napi-rs loader named by HOP_BY_HOP_WASM_PATH (and nothing else when it is set),
//      else the package hop-by-hop-wasm32-wasi (published with `cpu: ["wasm32"]`, so npm installs
//      it only when asked: `npm install --cpu=wasm32 hop-by-hop`, or by its name), else the
//      loader `npm run build:wasm` writes in a checkout (target/wasm/hop-by-hop.wasi.cjs). It
//      warns once, naming why no native addon loaded.
// HOP_BY_HOP_FORCE_WASM=1 loads that build and nothing else (tests and benchmarks).
// When none loads, one Error says what was detected, what was tried and why each failed, and
// the two ways out.

const fs = require('node:fs')
const path = require('node:path')

const { noAddon } = require('../errors.js')

const PACKAGE_ROOT = path.join(__dirname, '..', '..')
const PACKAGE = require('../../package.json')
const OVERRIDE_VARIABLE = 'HOP_BY_HOP_NATIVE_LIBRARY_PATH'
const LOCAL_ADDON = path.join(PACKAGE_ROOT, `${PACKAGE.napi.binaryName}.node`)
const WASM_PATH_VARIABLE = 'HOP_BY_HOP_WASM_PATH'
const FORCE_WASM_VARIABLE = 'HOP_BY_HOP_FORCE_WASM'
// What `napi build --target wasm32-wasip1-threads` writes next to the .wasm: the JavaScript
// that instantiates it under emnapi.
const WASM_LOADER_SUFFIX = '.wasi.cjs'
const LOCAL_WASM = path.join(PACKAGE_ROOT, 'target', 'wasm', `${PACKAGE.napi.binaryName}${WASM_LOADER_SUFFIX}`)
// The napi-rs name of the WebAssembly package (`napi create-npm-dirs` for wasm32-wasip1-threads).
const WASM_PACKAGE = `${PACKAGE.name}-wasm32-wasi`
const BUILD_FROM_SOURCE =
  'in a git checkout of hop-by-hop with a Rust toolchain, run `npm install` ' +
  '(it runs `napi build --release` and writes hop-by-hop.node), then point ' +
  `${OVERRIDE_VARIABLE} at that file`

const isMuslLibrary = (file) => file.includes('libc.musl-') || file.includes('ld-musl-')

function readProcessReport() {
  if (typeof process.report?.getReport !== 'function') return null
  // The report resolves the host name of every open socket unless told not to; restore the
  // caller's setting afterwards.
  const excludeNetwork = process.report.excludeNetwork
  process.report.excludeNetwork = true
  try {
    return process.report.getReport()
  } catch {
    return null
  } finally {
    process.report.excludeNetwork = excludeNetwork
  }
}

function readLdd() {
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8')
  } catch {
    return null
  }
}

/**
 * The C library this Linux process runs on: 'gnu', 'musl', or null when nothing tells.
 * First the diagnostic report's header, which has glibcVersionRuntime only in a glibc Node,
 * and its list of loaded libraries; then the text of /usr/bin/ldd (a script naming GNU libc on
 * glibc systems, a musl binary or link on Alpine).
 */
function detectLibc(getReport = readProcessReport, getLdd = readLdd) {
  const report = getReport()
  if (report?.header?.glibcVersionRuntime) return 'gnu'
  if (Array.isArray(report?.sharedObjects) && report.sharedObjects.some(isMuslLibrary)) return 'musl'
  const ldd = getLdd()
  if (typeof ldd === 'string') {
    if (ldd.includes('musl')) return 'musl'
    if (/GNU C Library|GLIBC|glibc/.test(ldd)) return 'gnu'
  }
  return null
}

const ARCH_OF_CPU = { x86_64: 'x64', aarch64: 'arm64' }
const PLATFORM_OF_SYSTEM = { 'apple-darwin': 'darwin', 'pc-windows-msvc': 'win32-msvc', 'unknown-linux-gnu': 'linux-gnu', 'unknown-linux-musl': 'linux-musl' }

/**
 * The napi-rs platform name of a package.json napi.targets triple, as @napi-rs/cli's parseTriple
 * gives it ('aarch64-unknown-linux-musl' → 'linux-arm64-musl'), for the CPUs and systems listed.
 */
function platformNameOfTarget(triple) {
  const [cpu, ...system] = triple.split('-')
  const [platform, abi] = (PLATFORM_OF_SYSTEM[system.join('-')] ?? '').split('-')
  // Unknown ones stay as they are: this only words an error message (packaging.test.js checks all).
  if (!ARCH_OF_CPU[cpu] || !platform) return triple
  return [platform, ARCH_OF_CPU[cpu], abi].filter(Boolean).join('-')
}

/** The napi-rs platform names to try for a process, best first ('linux-x64-gnu', 'win32-arm64-msvc', …). */
function platformNames(platform, arch, libc) {
  if (platform === 'linux') return (libc ? [libc] : ['gnu', 'musl']).map((abi) => `linux-${arch}-${abi}`)
  if (platform === 'win32') return [`win32-${arch}-msvc`]
  return [`${platform}-${arch}`]
}

function firstLine(error) {
  return String(error?.message ?? error).split('\n')[0]
}

function loadPlatformPackage(name) {
  // A platform package from another release may export different functions or number layouts:
  // refuse it, before its binary is loaded, rather than misread its results.
  const { version } = require(`${name}/package.json`)
  if (version !== PACKAGE.version) {
    throw new Error(`${name}@${version} does not match ${PACKAGE.name}@${PACKAGE.version}; reinstall so that both versions are equal`)
  }
  return require(name)
}

/**
 * The loader of the installed hop-by-hop-wasm32-wasi package, or null when it is not installed.
 * Only its absence is null: a copy from another release throws, as a platform package does.
 */
function wasmPackageLoader() {
  let manifest
  try {
    manifest = require.resolve(`${WASM_PACKAGE}/package.json`)
  } catch (error) {
    if (error?.code === 'MODULE_NOT_FOUND') return null
    throw error
  }
  const { version, main } = require(manifest)
  if (version !== PACKAGE.version) {
    throw new Error(`${WASM_PACKAGE}@${version} does not match ${PACKAGE.name}@${PACKAGE.version}; reinstall so that both versions are equal`)
  }
  return path.join(path.dirname(manifest), main)
}

/** The WebAssembly build to try, or null when there is none (nothing named, installed or built). */
function wasmLoaderFile(env = process.env) {
  const named = env[WASM_PATH_VARIABLE]
  if (named) return path.resolve(named)
  return wasmPackageLoader() ?? (fs.existsSync(LOCAL_WASM) ? LOCAL_WASM : null)
}

function loadWasm(file) {
  // Any file would run as JavaScript: accept napi-rs' generated WASI loader only.
  if (!file.endsWith(WASM_LOADER_SUFFIX)) throw new Error(`not a napi-rs ${WASM_LOADER_SUFFIX} loader`)
  if (!fs.existsSync(file)) throw new Error(`no such file (build it with \`npm run build:wasm\`)`)
  return require(file)
}

let warnedWasm = false

/** One warning per process: the WebAssembly build is slower, and the user can fix the cause. */
function warnWasmFallback(file, attempts) {
  if (warnedWasm) return
  warnedWasm = true
  const why = attempts.map(({ what, error }) => `${what}: ${firstLine(error)}`).join('; ')
  process.emitWarning(`${PACKAGE.name}: no native addon loads (${why}), so it runs the slower WebAssembly build ${file}`, {
    code: 'HOP_BY_HOP_WASM_FALLBACK',
  })
}

/** Loads the addon for this process or throws the explanatory Error (code ERR_HOP_BY_HOP_NO_ADDON). */
function loadNative() {
  const { platform, arch } = process
  let libc
  // Detected only when needed: the report costs milliseconds and a checkout never needs it.
  const knownLibc = () => {
    if (libc === undefined) libc = platform === 'linux' ? detectLibc() : null
    return libc
  }
  const attempts = []
  const forced = process.env[OVERRIDE_VARIABLE]
  if (process.env[FORCE_WASM_VARIABLE] === '1') {
    let file = LOCAL_WASM
    try {
      file = wasmLoaderFile() ?? LOCAL_WASM
      return loadWasm(file)
    } catch (error) {
      attempts.push({ what: `${FORCE_WASM_VARIABLE}=1, WebAssembly build ${file}`, error })
    }
  } else if (forced) {
    try {
      // require() runs any other extension as JavaScript: accept native addons only.
      if (path.extname(forced) !== '.node') throw new Error('not a .node file')
      return require(path.resolve(forced))
    } catch (error) {
      attempts.push({ what: `${OVERRIDE_VARIABLE}=${forced}`, error })
    }
  } else {
    if (fs.existsSync(LOCAL_ADDON)) {
      try {
        return require(LOCAL_ADDON)
      } catch (error) {
        attempts.push({ what: `${LOCAL_ADDON} (built from source)`, error })
      }
    }
    for (const name of platformNames(platform, arch, knownLibc()).map((suffix) => `${PACKAGE.name}-${suffix}`)) {
      try {
        return loadPlatformPackage(name)
      } catch (error) {
        attempts.push({ what: `package ${name}`, error })
      }
    }
    let file = null
    try {
      file = wasmLoaderFile()
    } catch (error) {
      attempts.push({ what: `package ${WASM_PACKAGE}`, error })
    }
    if (file) {
      try {
        const wasm = loadWasm(file)
        warnWasmFallback(file, attempts)
        return wasm
      } catch (error) {
        attempts.push({ what: `WebAssembly build ${file}`, error })
      }
    }
  }
  throw noAddonError({ platform, arch, libc: knownLibc(), forced, attempts })
}

function wayOut({ platform, arch, libc, forced }) {
  if (process.env[FORCE_WASM_VARIABLE] === '1') {
    return `unset ${FORCE_WASM_VARIABLE}, or build the WebAssembly addon (\`npm run build:wasm\` in a checkout) and point ${WASM_PATH_VARIABLE} at its ${WASM_LOADER_SUFFIX} file`
  }
  if (forced) return `fix or unset ${OVERRIDE_VARIABLE}: it must name a hop-by-hop.node built for this platform`
  return installAdvice(platform, arch, libc)
}

function noAddonError({ platform, arch, libc, forced, attempts }) {
  const detected = `${platform}-${arch}${platform === 'linux' ? ` (C library: ${libc ?? 'unknown, tried glibc then musl'})` : ''}`
  const lines = [
    `${PACKAGE.name}: no native addon loads on ${detected}, Node ${process.version}.`,
    'Tried:',
    ...attempts.map(({ what, error }) => `  - ${what}: ${firstLine(error)}`),
    'Ways out:',
    `  - ${wayOut({ platform, arch, libc, forced })}`,
    `  - or build from source: ${BUILD_FROM_SOURCE}`,
  ]
  return noAddon(lines.join('\n'), new AggregateError(attempts.map(({ error }) => error), 'load errors'))
}

/**
 * What to install: this platform's package when one is published for it (npm left it out), or a
 * supported platform when none is.
 */
function installAdvice(platform, arch, libc) {
  const supported = PACKAGE.napi.targets.map(platformNameOfTarget)
  const packages = platformNames(platform, arch, libc)
    .filter((name) => supported.includes(name))
    .map((name) => `${PACKAGE.name}-${name}@${PACKAGE.version}`)
  if (packages.length === 0) {
    return (
      `install on a supported platform (${supported.join(', ')}) without --omit=optional, so that npm adds the matching package, ` +
      `or install the slower WebAssembly build: \`npm install ${WASM_PACKAGE}@${PACKAGE.version}\` (Node ≥ 20.19)`
    )
  }
  // npm installs the optional package whose os, cpu and libc match, except under --omit=optional
  // and from a package-lock.json written on another platform with node_modules present, which
  // holds only that platform's package (a known npm bug).
  return (
    `install the package for this platform: ${packages.map((name) => `\`npm install ${name}\``).join(' or ')} ` +
    '(npm leaves it out under --omit=optional, and when package-lock.json was made on another platform)'
  )
}

module.exports = {
  loadNative,
  detectLibc,
  platformNames,
  platformNameOfTarget,
  installAdvice,
  wasmLoaderFile,
  OVERRIDE_VARIABLE,
  LOCAL_ADDON,
  WASM_PATH_VARIABLE,
  FORCE_WASM_VARIABLE,
  LOCAL_WASM,
  WASM_PACKAGE,
}
