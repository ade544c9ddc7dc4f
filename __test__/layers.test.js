'use strict'
// lib/ is layered (docs/architecture.md): a module requires only modules of its own layer or
// below, and nothing requires in a circle; and loading it runs no native code. Layers, bottom
// first:
//   0 lib/native/abi.js                 numbers mirrored from src/abi.rs, no code
//   1 lib/errors.js, lib/options.js     every error and every option name
//   2 lib/native/                       loading the addon and calling it
//   3 lib/filter/                       the filter: public functions, gated and checked paths
//   4 lib/proxy/                        what a proxy adds: its own fields, trailers, bodies, answers
//   5 lib/integrations/                 http-proxy, Express, relay, forward, reply-from
//   6 index.js                          the public exports

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const Module = require('node:module')
const path = require('node:path')

const root = path.join(__dirname, '..')

const LAYERS = [
  ['lib/native/abi.js'],
  ['lib/errors.js', 'lib/options.js'],
  ['lib/native/'],
  ['lib/filter/'],
  ['lib/proxy/'],
  ['lib/integrations/'],
  ['index.js'],
]

function layerOf(file) {
  // Exact files first: lib/native/abi.js sits below the rest of lib/native/.
  const exact = LAYERS.findIndex((layer) => layer.includes(file))
  if (exact !== -1) return exact
  return LAYERS.findIndex((layer) => layer.some((entry) => entry.endsWith('/') && file.startsWith(entry)))
}

function modules() {
  const files = fs.readdirSync(path.join(root, 'lib'), { recursive: true }).filter((name) => name.endsWith('.js'))
  return ['index.js', ...files.map((name) => `lib/${name.split(path.sep).join('/')}`)]
}

/** The package modules `file` requires, as paths from the root. */
function requiresOf(file) {
  const source = fs.readFileSync(path.join(root, file), 'utf8')
  const found = []
  for (const [, target] of source.matchAll(/require\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) {
    const resolved = path.relative(root, require.resolve(path.join(root, path.dirname(file), target))).split(path.sep).join('/')
    if (resolved.endsWith('.js')) found.push(resolved)
  }
  return found
}

test('every module of lib/ belongs to a layer', () => {
  for (const file of modules()) assert.notEqual(layerOf(file), -1, `${file} is in no layer: add it to LAYERS and docs/architecture.md`)
})

test('a module requires only modules of its own layer or below', () => {
  for (const file of modules()) {
    for (const target of requiresOf(file)) {
      assert.ok(layerOf(target) <= layerOf(file), `${file} (layer ${layerOf(file)}) requires ${target} (layer ${layerOf(target)})`)
    }
  }
})

test('no module requires itself through others', () => {
  const graph = new Map(modules().map((file) => [file, requiresOf(file)]))
  const done = new Set()
  const visit = (file, trail) => {
    if (trail.includes(file)) assert.fail(`require cycle: ${[...trail.slice(trail.indexOf(file)), file].join(' -> ')}`)
    if (done.has(file)) return
    for (const target of graph.get(file) ?? []) visit(target, [...trail, file])
    done.add(file)
  }
  for (const file of graph.keys()) visit(file, [])
})

test('the checker sees requires and layers (a guard for the guard)', () => {
  assert.ok(requiresOf('index.js').includes('lib/filter/index.js'))
  assert.ok(requiresOf('lib/filter/gated.js').includes('lib/native/call.js'))
  assert.equal(layerOf('lib/native/abi.js'), 0)
  assert.equal(layerOf('lib/native/call.js'), 2)
  assert.ok(layerOf('lib/integrations/relay.js') > layerOf('lib/proxy/body.js'))
})

test('loading the package loads the addon and calls none of it; the first filter registers the scratch buffer', () => {
  // The addon as lib/native/load-native.js requires it, wrapped to record every call: the native
  // one, or the WebAssembly build's loader when the suite runs on it (npm run test:wasm).
  const addonPath = process.env.HOP_BY_HOP_FORCE_WASM === '1'
    ? path.join(root, 'target', 'wasm', 'hop-by-hop.wasi.cjs')
    : path.join(root, 'hop-by-hop.node')
  const addon = require(addonPath)
  const calls = []
  const spy = {}
  for (const [name, fn] of Object.entries(addon)) {
    spy[name] = (...args) => {
      calls.push(name)
      return fn(...args)
    }
  }
  const cached = new Module(addonPath)
  cached.filename = addonPath
  cached.loaded = true
  cached.exports = spy
  require.cache[addonPath] = cached
  assert.equal(Object.keys(require.cache).some((file) => file.startsWith(path.join(root, 'lib'))), false, 'lib/ was loaded before the test')
  const api = require('..')
  assert.deepEqual(calls, [])
  assert.deepEqual(api.filterHeaders(['Host', 'a', 'Connection', 'close']).headers, ['Host', 'a'])
  assert.deepEqual(calls, ['setScratch', 'filter'])
  api.filterHeaders(['Host', 'a'])
  assert.deepEqual(calls, ['setScratch', 'filter', 'filter'])
})
