'use strict'
// `npm run package -- DIR`: builds every target this (Linux) machine can cross-build and writes
// the installable tarballs into DIR: one per platform package, then the main package with the
// published manifest (scripts/release-manifest.js).
//
// The glibc builds link against glibc 2.17 symbols (zig's `.2.17` target suffix) so that they
// load on old distributions, as napi-rs's own prebuilt packages do. Needs zig and cargo-zigbuild
// (`pip install ziglang cargo-zigbuild`) and the rustup targets below. The other napi.targets
// (macOS, Windows) are built by .github/workflows/release.yml on their own runners.
//
// Every package is packed from a staged copy of exactly what it ships, so that the checkout is
// never modified and __test__/packaging.test.js can stage and list them without building.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const root = path.join(__dirname, '..')
const pkg = require('../package.json')
const { releaseManifest } = require('./release-manifest.js')
const LINUX_TARGETS = [
  { triple: 'x86_64-unknown-linux-gnu', zigTarget: 'x86_64-unknown-linux-gnu.2.17', platform: 'linux-x64-gnu' },
  { triple: 'aarch64-unknown-linux-gnu', zigTarget: 'aarch64-unknown-linux-gnu.2.17', platform: 'linux-arm64-gnu' },
  { triple: 'x86_64-unknown-linux-musl', zigTarget: 'x86_64-unknown-linux-musl', platform: 'linux-x64-musl' },
  { triple: 'aarch64-unknown-linux-musl', zigTarget: 'aarch64-unknown-linux-musl', platform: 'linux-arm64-musl' },
]
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

function buildAddon({ zigTarget, platform }, buildDir) {
  // -x: cross-compile with cargo-zigbuild, which understands the glibc version suffix.
  run('npx', ['napi', 'build', '-x', '--release', '--platform', '--target', zigTarget, '--output-dir', buildDir])
  return path.join(buildDir, `${pkg.napi.binaryName}.${platform}.node`)
}

function main() {
  const destination = process.argv[2]
  if (!destination) throw new Error('usage: npm run package -- DIR')
  fs.mkdirSync(destination, { recursive: true })
  const out = fs.realpathSync(destination)
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('the Linux targets are cross-built from a linux-x64 host')
  for (const { triple } of LINUX_TARGETS) {
    if (!pkg.napi.targets.includes(triple)) throw new Error(`${triple} is not in napi.targets`)
  }

  const tarballs = LINUX_TARGETS.map((target) =>
    withStage(`build-${target.platform}`, (buildDir) => {
      const addon = buildAddon(target, buildDir)
      return withStage(target.platform, (stage) => {
        stagePlatformPackage(target.platform, addon, stage)
        return pack(stage, out)
      })
    }),
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

module.exports = { stageMainPackage, stagePlatformPackage, withStage, LINUX_TARGETS }
