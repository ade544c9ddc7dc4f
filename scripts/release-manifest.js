'use strict'
// The main package's package.json as published: the checkout's without the fields only a
// checkout uses, plus one optionalDependencies entry per napi.targets entry, each at the main
// package's version, so that npm installs the one platform package whose os, cpu and libc match,
// and one for the WebAssembly fallback hop-by-hop-wasm32-wasi (as napi-rs lists it): its
// `cpu: ["wasm32"]` matches no machine, so npm installs it only when asked
// (`npm install --cpu=wasm32 hop-by-hop`, or the package by name), at the same version.
//
// They are added when packing (scripts/package.js) and publishing (release.yml runs this file),
// not committed: a platform package of a new version does not exist before its release, and
// `npm ci` refuses a package-lock.json that cannot hold it.

const fs = require('node:fs')
const path = require('node:path')
const { platformNameOfTarget } = require('../lib/native/load-native.js')

// `scripts` goes whole: npm 11 counts `prepare` as an install script of a package installed from
// a tarball, a directory or git (not from the registry) and warns on every such install that it
// is "not yet covered by allowScripts"; the published package holds no Rust sources to build, and
// a user never runs the checkout's test, bench or lint scripts. The other fields are read by npm
// in a checkout only. `napi` stays: lib/native/load-native.js reads its binaryName and targets.
// The napi-rs name of the wasm32-wasip1-threads package (scripts/package.js packs it).
const WASM_PLATFORM = 'wasm32-wasi'
const CHECKOUT_ONLY_FIELDS = ['scripts', 'devDependencies', 'overrides', 'packageManager', 'devEngines', 'workspaces', 'allowScripts']

function releaseManifest(pkg) {
  const published = Object.fromEntries(Object.entries(pkg).filter(([field]) => !CHECKOUT_ONLY_FIELDS.includes(field)))
  const platforms = [...pkg.napi.targets.map(platformNameOfTarget), WASM_PLATFORM]
  published.optionalDependencies = Object.fromEntries(platforms.map((platform) => [`${pkg.name}-${platform}`, pkg.version]))
  return published
}

// `node scripts/release-manifest.js`: rewrites ./package.json in place (for the release job).
if (require.main === module) {
  const file = path.join(__dirname, '..', 'package.json')
  fs.writeFileSync(file, `${JSON.stringify(releaseManifest(JSON.parse(fs.readFileSync(file, 'utf8'))), null, 2)}\n`)
}

module.exports = { releaseManifest, CHECKOUT_ONLY_FIELDS, WASM_PLATFORM }
