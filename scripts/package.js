'use strict'
// `npm run package -- DIR`: builds every target this (Linux) machine can cross-build and writes
// the installable tarballs into DIR: one per platform package, then the main package with the
// optionalDependencies that name them (scripts/release-manifest.js).
//
// The glibc builds link against glibc 2.17 symbols (zig's `.2.17` target suffix) so that they
// load on old distributions, as napi-rs's own prebuilt packages do. Needs zig and cargo-zigbuild
// (`pip install ziglang cargo-zigbuild`) and the rustup targets below. The other napi.targets
// (macOS, Windows) are built by .github/workflows/release.yml on their own runners.

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

function run(command, args, options = {}) {
  console.error(`$ ${command} ${args.join(' ')}`)
  return execFileSync(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options })
}

function pack(dir, destination, extraArgs = []) {
  const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', destination, ...extraArgs], { cwd: dir }))
  return path.join(destination, filename)
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

  const tarballs = []
  for (const { zigTarget, platform } of LINUX_TARGETS) {
    const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), `hop-by-hop-${platform}-`))
    try {
      // -x: cross-compile with cargo-zigbuild, which understands the glibc version suffix.
      run('npx', ['napi', 'build', '-x', '--release', '--platform', '--target', zigTarget, '--output-dir', buildDir])
      const addon = `${pkg.napi.binaryName}.${platform}.node`
      const packageDir = path.join(root, 'npm', platform)
      fs.copyFileSync(path.join(buildDir, addon), path.join(packageDir, addon))
      tarballs.push(pack(packageDir, out))
    } finally {
      fs.rmSync(buildDir, { recursive: true, force: true })
    }
  }
  // The main package is packed from a copy of its files, with the published package.json.
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'hop-by-hop-main-'))
  try {
    for (const entry of [...pkg.files, 'README.md']) fs.cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true })
    fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(releaseManifest(pkg), null, 2)}\n`)
    // No scripts: `prepare` would build an addon from sources the package does not hold.
    tarballs.push(pack(stage, out, ['--ignore-scripts']))
  } finally {
    fs.rmSync(stage, { recursive: true, force: true })
  }
  console.log(tarballs.join('\n'))
}

main()
