'use strict'
// A panic in the native code surfaces as a JavaScript Error with code ERR_HOP_BY_HOP_INTERNAL
// and leaves the addon and the process usable.
//
// The trigger, `panicForTest`, exists only in an addon built with the cargo feature
// `test-panic`: target/test-panic/hop-by-hop.node. This file uses that build when it is present
// and newer than the sources, and otherwise builds it once (debug profile):
//   npx napi build --features test-panic --output-dir target/test-panic
// The release addon at the repository root must not export the trigger.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const Module = require('node:module')
const { spawnSync } = require('node:child_process')
const { Worker } = require('node:worker_threads')

const root = path.join(__dirname, '..')
const releaseAddon = path.join(root, 'hop-by-hop.node')
const testAddon = path.join(root, 'target', 'test-panic', 'hop-by-hop.node')
const BUILD_TIMEOUT_MS = 240_000

function newestSource() {
  const files = [path.join(root, 'Cargo.toml'), ...fs.readdirSync(path.join(root, 'src')).map((name) => path.join(root, 'src', name))]
  return Math.max(...files.map((file) => fs.statSync(file).mtimeMs))
}

function ensureTestAddon() {
  if (fs.existsSync(testAddon) && fs.statSync(testAddon).mtimeMs >= newestSource()) return
  const build = spawnSync('npx', ['napi', 'build', '--features', 'test-panic', '--output-dir', 'target/test-panic'], {
    cwd: root,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  })
  if (build.status !== 0) {
    throw new Error(`building the test-panic addon failed (status ${build.status}, signal ${build.signal}):\n${build.stderr}`)
  }
  assert.ok(fs.existsSync(testAddon), 'the build did not produce target/test-panic/hop-by-hop.node')
  // @napi-rs/cli can leave its file-transaction scratch behind (10 MB copies of the addon).
  const dir = path.dirname(testAddon)
  for (const name of fs.readdirSync(dir)) {
    if (/\.prepared\.tmp$|^\.napi-rs-filesystem-transaction\./.test(name)) fs.rmSync(path.join(dir, name), { recursive: true, force: true })
  }
}

// The release addon first, before the test build takes its place in the require cache.
const release = require(releaseAddon)

ensureTestAddon()
const instrumented = require(testAddon)
// lib/native/load-native.js requires hop-by-hop.node: serve it the instrumented build so that the whole
// JavaScript API runs on top of the addon that can panic.
const cached = new Module(releaseAddon)
cached.filename = releaseAddon
cached.loaded = true
cached.exports = instrumented
require.cache[releaseAddon] = cached
const api = require('..')
assert.equal(require('../lib/native/call.js').native, instrumented, 'the API must run on the test-panic build')

const MESSAGE = ['Host', 'h', 'Connection', 'keep-alive, X-A', 'X-A', '1', 'TE', 'gzip, trailers', 'Accept', '*/*']
const EXPECTED = ['Host', 'h', 'TE', 'trailers', 'Accept', '*/*']
const BIG = [...Array.from({ length: 5000 }, (_, i) => [`X-${i}`, `${i}`]).flat(), 'Connection', 'X-4999']

function assertWorks() {
  const result = api.filterHeaders(MESSAGE)
  assert.deepEqual(result.headers, EXPECTED)
  assert.equal(result.keepAlive, true)
  assert.deepEqual(result.diagnostics.nominated, ['keep-alive', 'x-a'])
  const big = api.filterHeaders(BIG)
  assert.equal(big.headers.length, BIG.length - 4)
  assert.throws(() => api.filterHeaders(['Connection', 'Host', 'Host', 'h'], { strict: true }), { code: 'ERR_HOP_BY_HOP_PROTECTED' })
  assert.throws(() => api.filterHeaders(['bad name', 'v']), TypeError)
}

function assertPanicError(error) {
  assert.ok(error instanceof Error)
  assert.ok(!(error instanceof api.HopByHopError), 'a panic is not a protocol error')
  assert.equal(error.code, 'ERR_HOP_BY_HOP_INTERNAL')
  assert.match(error.message, /panic/)
  return true
}

test('the release addon does not export the trigger', () => {
  assert.equal(typeof release.filter, 'function')
  assert.equal(release.panicForTest, undefined)
  assert.ok(!Object.keys(release).includes('panicForTest'))
  assert.ok(!fs.readFileSync(releaseAddon).includes('panicForTest'), 'the name is in the release binary')
})

test('the test-panic build exports the trigger', () => {
  assert.equal(typeof instrumented.panicForTest, 'function')
})

test('a panic becomes an Error with code ERR_HOP_BY_HOP_INTERNAL', () => {
  assertWorks()
  assert.throws(() => instrumented.panicForTest(), assertPanicError)
  // Arguments do not matter; the panic happens while the addon's buffers are borrowed.
  assert.throws(() => instrumented.panicForTest(1, 'Host', 'h'), assertPanicError)
})

test('the addon keeps working after panics, in the same process', () => {
  for (let round = 0; round < 50; round++) {
    assert.throws(() => instrumented.panicForTest(), assertPanicError)
    assertWorks()
  }
  // Interleaved with the array entry point, createFilter and the lazy diagnostics.
  const filter = api.createFilter({ strip: ['X-0'], protect: [] })
  const before = filter(BIG)
  assert.throws(() => instrumented.panicForTest(), assertPanicError)
  const after = filter(BIG)
  assert.deepEqual(after.headers, before.headers)
  assert.deepEqual(after.diagnostics.removed, before.diagnostics.removed)
})

test('a panic inside a try/catch in a worker leaves the worker and the main thread usable', async () => {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads')
    const Module = require('node:module')
    const addon = require(workerData.testAddon)
    const cached = new Module(workerData.releaseAddon)
    cached.filename = workerData.releaseAddon
    cached.loaded = true
    cached.exports = addon
    require.cache[workerData.releaseAddon] = cached
    const api = require(workerData.root)
    const codes = []
    for (let i = 0; i < 5; i++) {
      try { addon.panicForTest() } catch (error) { codes.push(error.code) }
    }
    parentPort.postMessage({ codes, headers: api.filterHeaders(workerData.message).headers })
  `
  const worker = new Worker(source, { eval: true, workerData: { testAddon, releaseAddon, root, message: MESSAGE } })
  const [reply] = await Promise.all([
    new Promise((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    }),
    new Promise((resolve) => worker.once('exit', resolve)),
  ])
  assert.deepEqual(reply.codes, Array(5).fill('ERR_HOP_BY_HOP_INTERNAL'))
  assert.deepEqual(reply.headers, EXPECTED)
  assertWorks()
})
