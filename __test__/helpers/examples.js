'use strict'
// The examples (`npm start`, `npm run demo`) run as child processes, with bounded waits.

const path = require('node:path')
const { spawn } = require('node:child_process')
const { withTimeout } = require('./wire.js')

const ROOT = path.join(__dirname, '..', '..')
const BOUND_MS = 10000

/** Spawn an example; `lines` collects stdout lines, `exited` resolves { code, signal }. */
function run(t, script, env = {}) {
  const child = spawn(process.execPath, [path.join(ROOT, 'examples', script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines = []
  let stderr = ''
  let pending = ''
  const waiters = []
  child.stdout.on('data', (chunk) => {
    pending += chunk
    const parts = pending.split('\n')
    pending = parts.pop()
    lines.push(...parts)
    for (const wake of waiters.splice(0)) wake()
  })
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  /** Resolve the first stdout line matching `pattern`. */
  async function line(pattern) {
    for (;;) {
      const found = lines.find((l) => pattern.test(l))
      if (found !== undefined) return found
      if (child.exitCode !== null) throw new Error(`${script} exited: ${stderr}`)
      await new Promise((resolve) => {
        waiters.push(resolve)
        child.once('exit', resolve)
      })
    }
  }
  return { child, lines, exited, line: (pattern) => withTimeout(line(pattern), BOUND_MS, `line ${pattern}`), stderr: () => stderr }
}

async function startDemo(t, env = {}) {
  const demo = run(t, 'demo-proxy.js', { PORT: '0', ...env })
  const ready = await demo.line(/listening on http:\/\/127\.0\.0\.1:\d+/)
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(ready)[1])
  return { ...demo, port }
}

/**
 * Start `examples/<script>` as a user would run it, with PORT=0 and UPSTREAM pointing at a test
 * upstream; resolves once it prints its `listening on http://127.0.0.1:PORT` line.
 */
async function startExample(t, script, env = {}) {
  const example = run(t, script, { PORT: '0', ...env })
  const ready = await example.line(/listening on http:\/\/127\.0\.0\.1:\d+/)
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(ready)[1])
  return { ...example, port }
}

module.exports = { run, startDemo, startExample }
