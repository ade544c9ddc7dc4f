'use strict'
// Finds the native addon, the way napi-rs's generated loaders do, in this order:
//   1. the file named by HOP_BY_HOP_NATIVE_LIBRARY_PATH, and nothing else when it is set (a
//      forced path that fails must not be papered over by another build);
//   2. hop-by-hop.node at the package root: what `npm install` builds from source in a checkout;
//   3. the platform package hop-by-hop-<platform>-<arch>[-<abi>] that npm installed from the
//      optionalDependencies of the published package (scripts/release-manifest.js adds them); on
//      Linux, -gnu or -musl after the C library this Node runs on.
// When none loads, one Error says what was detected, what was tried and why each failed, and
// the two ways out.

const fs = require('node:fs')
const path = require('node:path')

const PACKAGE_ROOT = path.join(__dirname, '..')
const PACKAGE = require('../package.json')
const OVERRIDE_VARIABLE = 'HOP_BY_HOP_NATIVE_LIBRARY_PATH'
const LOCAL_ADDON = path.join(PACKAGE_ROOT, `${PACKAGE.napi.binaryName}.node`)
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
  if (forced) {
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
  }
  throw noAddonError({ platform, arch, libc: knownLibc(), forced, attempts })
}

function noAddonError({ platform, arch, libc, forced, attempts }) {
  const detected = `${platform}-${arch}${platform === 'linux' ? ` (C library: ${libc ?? 'unknown, tried glibc then musl'})` : ''}`
  const lines = [
    `${PACKAGE.name}: no native addon loads on ${detected}, Node ${process.version}.`,
    'Tried:',
    ...attempts.map(({ what, error }) => `  - ${what}: ${firstLine(error)}`),
    'Ways out:',
    `  - ${forced ? `fix or unset ${OVERRIDE_VARIABLE}: it must name a hop-by-hop.node built for this platform` : installAdvice(platform, arch, libc)}`,
    `  - or build from source: ${BUILD_FROM_SOURCE}`,
  ]
  const error = new Error(lines.join('\n'), { cause: new AggregateError(attempts.map(({ error }) => error), 'load errors') })
  error.code = 'ERR_HOP_BY_HOP_NO_ADDON'
  return error
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
    return `install on a supported platform (${supported.join(', ')}) without --omit=optional, so that npm adds the matching package`
  }
  // npm installs the optional package whose os, cpu and libc match, except under --omit=optional
  // and from a package-lock.json written on another platform with node_modules present, which
  // holds only that platform's package (a known npm bug).
  return (
    `install the package for this platform: ${packages.map((name) => `\`npm install ${name}\``).join(' or ')} ` +
    '(npm leaves it out under --omit=optional, and when package-lock.json was made on another platform)'
  )
}

module.exports = { loadNative, detectLibc, platformNames, platformNameOfTarget, installAdvice, OVERRIDE_VARIABLE, LOCAL_ADDON }
