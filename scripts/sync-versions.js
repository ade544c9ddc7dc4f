'use strict'
// Run by `npm version` (the "version" script): gives every platform package under npm/ and every
// optionalDependencies entry the version of the main package, because lib/load-native.js refuses
// a platform package whose version differs from its own.

const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const write = (file, json) => fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`)
const mainFile = path.join(root, 'package.json')
const main = JSON.parse(fs.readFileSync(mainFile, 'utf8'))

for (const dir of fs.readdirSync(path.join(root, 'npm'))) {
  const file = path.join(root, 'npm', dir, 'package.json')
  const platformPackage = JSON.parse(fs.readFileSync(file, 'utf8'))
  platformPackage.version = main.version
  write(file, platformPackage)
}
for (const name of Object.keys(main.optionalDependencies)) main.optionalDependencies[name] = main.version
write(mainFile, main)
