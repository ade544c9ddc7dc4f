'use strict'
// Threads and lifetime: the addon loaded in several worker_threads at once
// gives the main thread's answers; workers that exit (or are terminated mid-loop) and new ones
// that load it again keep working; concurrent instances with different options, scratch sizes
// and entry points do not see each other's state.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const fc = require('fast-check')
const { filterHeaders } = require('..')

const root = path.join(__dirname, '..')

// The worker: loads the API, runs `rounds` passes over the messages with its own options, and
// reports the first pass plus whether every later pass gave the same answers.
const WORKER = `
  const { parentPort, workerData } = require('node:worker_threads')
  const api = require(workerData.root)
  const { messages, options, rounds, bigEvery } = workerData
  const filter = api.createFilter(options)
  const big = []
  for (let i = 0; i < 5000; i++) big.push('X-Big-' + (i % 50), String(i))
  big.push('Connection', 'X-Big-7')
  function outcome(raw) {
    try {
      const result = filter(raw)
      return { headers: result.headers, keepAlive: result.keepAlive, upgrade: result.upgrade, diagnostics: { ...result.diagnostics } }
    } catch (error) {
      return { error: error.name + ':' + error.code }
    }
  }
  const first = messages.map(outcome)
  let mismatches = 0
  let bigLength = -1
  for (let round = 1; round < rounds; round++) {
    for (let i = 0; i < messages.length; i++) {
      if (bigEvery && i % bigEvery === 0) {
        const length = filter(big).headers.length
        if (bigLength !== -1 && length !== bigLength) mismatches++
        bigLength = length
      }
      if (JSON.stringify(outcome(messages[i])) !== JSON.stringify(first[i])) mismatches++
    }
  }
  parentPort.postMessage({ first, mismatches, bigLength })
`

function runWorker(workerData) {
  const worker = new Worker(WORKER, { eval: true, workerData: { root, ...workerData } })
  return new Promise((resolve, reject) => {
    let reply
    worker.once('message', (message) => {
      reply = message
    })
    worker.once('error', reject)
    worker.once('exit', (code) => (code === 0 && reply ? resolve(reply) : reject(new Error(`worker exited with ${code}`))))
  })
}

function outcome(raw, options) {
  try {
    const result = filterHeaders(raw, options)
    return { headers: result.headers, keepAlive: result.keepAlive, upgrade: result.upgrade, diagnostics: { ...result.diagnostics } }
  } catch (error) {
    return { error: `${error.name}:${error.code}` }
  }
}

// A fixed corpus: hand-picked hostile messages and seeded random ones.
const names = fc.constantFrom('Connection', 'TE', 'Upgrade', 'Keep-Alive', 'Transfer-Encoding', 'Content-Length', 'Host', 'X-Forwarded-For', 'X-A', 'x-b', 'Cookie')
const values = fc.constantFrom('close', 'keep-alive, Upgrade', 'X-A, x-b, Host', 'trailers', 'chunked', 'websocket', 'timeout=5', '5', 'web\u0001socket', '', 'a b')
const MESSAGES = [
  ['Host', 'h', 'Connection', 'keep-alive, X-A', 'X-A', '1', 'TE', 'gzip, trailers'],
  ['Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'],
  ['Transfer-Encoding', 'chunked', 'Content-Length', '5'],
  ['Connection', 'X-Forwarded-For, Cookie', 'X-Forwarded-For', '1.2.3.4', 'Cookie', 'c'],
  ['bad name', 'v'],
  ...fc.sample(fc.array(fc.tuple(names, values), { maxLength: 10 }).map((pairs) => pairs.flat()), { seed: 5, numRuns: 150 }),
]

const OPTION_SETS = [
  {},
  { strict: true },
  { upgrade: true, protect: [] },
  { direction: 'response', statusCode: 200, strip: ['X-A', 'Cookie'] },
  { httpVersion: '1.0', proxy: false },
  { httpVersion: '2.0', protect: ['Cookie'] },
]

test('several workers at once, each with its own options, match the main thread', async () => {
  const replies = await Promise.all(
    OPTION_SETS.map((options, index) => runWorker({ messages: MESSAGES, options, rounds: 30, bigEvery: index % 2 === 0 ? 7 : 0 })),
  )
  const distinct = new Set()
  replies.forEach((reply, index) => {
    const options = OPTION_SETS[index]
    assert.equal(reply.mismatches, 0, `worker ${index} changed its answers between rounds`)
    assert.deepEqual(reply.first, MESSAGES.map((raw) => outcome(raw, options)), `worker ${index} disagrees with the main thread`)
    if (index % 2 === 0) assert.ok(reply.bigLength > 0)
    distinct.add(JSON.stringify(reply.first))
  })
  // The option sets really lead to different answers, so agreement is not an accident.
  assert.equal(distinct.size, OPTION_SETS.length)
})

test('the same options in many concurrent workers give identical answers', async () => {
  const replies = await Promise.all(Array.from({ length: 6 }, () => runWorker({ messages: MESSAGES, options: { strict: true }, rounds: 20, bigEvery: 3 })))
  const expected = MESSAGES.map((raw) => outcome(raw, { strict: true }))
  for (const reply of replies) {
    assert.equal(reply.mismatches, 0)
    assert.deepEqual(reply.first, expected)
  }
})

test('workers that exit or are terminated mid-loop, then new workers, keep working', async () => {
  const expected = MESSAGES.map((raw) => outcome(raw, {}))
  for (let cycle = 0; cycle < 8; cycle++) {
    // A worker terminated while it is busy in filter calls (its environment and the addon's
    // per-environment state are torn down mid-work).
    const busy = new Worker(
      `const api = require(${JSON.stringify(root)});
       const { parentPort } = require('node:worker_threads');
       const raw = []; for (let i = 0; i < 20000; i++) raw.push('X-' + (i % 9), 'v');
       parentPort.postMessage('started');
       for (;;) api.filterHeaders(raw);`,
      { eval: true },
    )
    await new Promise((resolve, reject) => {
      busy.once('message', resolve)
      busy.once('error', reject)
    })
    await new Promise((resolve) => setTimeout(resolve, 5))
    const code = await busy.terminate()
    assert.equal(code, 1)
    // A fresh worker loads the addon again and gives the same answers.
    const reply = await runWorker({ messages: MESSAGES, options: {}, rounds: 2, bigEvery: 0 })
    assert.equal(reply.mismatches, 0)
    assert.deepEqual(reply.first, expected)
  }
  // And the main thread's instance was never disturbed.
  assert.deepEqual(MESSAGES.map((raw) => outcome(raw, {})), expected)
})

test('a scratch buffer grown in one worker does not leak into another or the main thread', async () => {
  // The main thread keeps a small scratch; a worker grows its own past 8192 lines; both answer
  // correctly at the same time.
  const small = ['Connection', 'X-A', 'X-A', '1', 'Host', 'h']
  const growing = runWorker({ messages: [small], options: {}, rounds: 200, bigEvery: 1 })
  for (let i = 0; i < 2000; i++) assert.deepEqual(filterHeaders(small).headers, ['Host', 'h'])
  const reply = await growing
  assert.equal(reply.mismatches, 0)
  assert.deepEqual(reply.first[0].headers, ['Host', 'h'])
  assert.equal(reply.bigLength, 2 * 5000 - 2 * 100) // the 100 X-Big-7 lines are nominated
})
