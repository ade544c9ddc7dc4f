'use strict'
// The main package's package.json as published: the checkout's, plus one optionalDependencies
// entry per napi.targets entry, each at the main package's version, so that npm installs the one
// platform package whose os, cpu and libc match.
//
// They are added when packing (scripts/package.js) and publishing (release.yml runs this file),
// not committed: a platform package of a new version does not exist before its release, and
// `npm ci` refuses a package-lock.json that cannot hold it.

const fs = require('node:fs')
const path = require('node:path')
const { platformNameOfTarget } = require('../lib/load-native.js')

function releaseManifest(pkg) {
  const optionalDependencies = Object.fromEntries(pkg.napi.targets.map((triple) => [`${pkg.name}-${platformNameOfTarget(triple)}`, pkg.version]))
  return { ...pkg, optionalDependencies }
}

// `node scripts/release-manifest.js`: rewrites ./package.json in place (for the release job).
if (require.main === module) {
  const file = path.join(__dirname, '..', 'package.json')
  fs.writeFileSync(file, `${JSON.stringify(releaseManifest(JSON.parse(fs.readFileSync(file, 'utf8'))), null, 2)}\n`)
}

module.exports = { releaseManifest }
