'use strict'
// The README's quick start, run as a reader would: its files started as they are, its curl
// command taken from the README itself (only the ports are the test's own free ones).

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { execFile } = require('node:child_process')
const { promisify } = require('node:util')
const { once } = require('node:events')
const { run, startExample } = require('./helpers/examples.js')

const ROOT = path.join(__dirname, '..')
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')

/** The README's shell block that starts the quick start's two files and curls the proxy. */
function quickStartCommands() {
  const block = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).find((text) => text.includes('node quick-start.js'))
  assert.ok(block, 'the README has no shell block that runs quick-start.js')
  const curl = block.split('\n').find((line) => line.startsWith('curl '))
  assert.ok(curl, 'the quick start has no curl command')
  return { block, curl }
}

test('the README quick start: its curl gets the echo output the README shows', async (t) => {
  const { block, curl } = quickStartCommands()
  assert.match(block, /^node echo-upstream\.js &$/m)
  const upstream = await startExample(t, 'echo-upstream.js')
  const proxy = await startExample(t, 'quick-start.js', { UPSTREAM: `http://127.0.0.1:${upstream.port}` })
  const command = curl.replace('127.0.0.1:8080', `127.0.0.1:${proxy.port}`)
  assert.notEqual(command, curl, 'the curl does not call the proxy on 127.0.0.1:8080')
  const { stdout } = await promisify(execFile)('sh', ['-c', `${command} --max-time 5`], { timeout: 10000 })
  // The output the README shows right after the commands; only the port and curl's version differ.
  const shown = /```sh\n[^`]*node quick-start\.js[^`]*```\n\n```text\n([\s\S]*?)```/.exec(README)
  assert.ok(shown, 'the README shows no output for the quick start')
  const normalise = (text) => text.replaceAll(`127.0.0.1:${proxy.port}`, '127.0.0.1:8080').replace(/^User-Agent: curl\/.*$/m, 'User-Agent: curl')
  assert.equal(normalise(stdout), normalise(shown[1]))
})

test('the README API example prints what its comments say', async (t) => {
  const file = path.join(ROOT, 'examples', 'filter-headers.js')
  const expected = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('console.log('))
    .map((line) => line.slice(line.lastIndexOf('// ') + 3))
  assert.equal(expected.length, 3)
  const example = run(t, 'filter-headers.js')
  const { code } = await example.exited
  // 'exit' can come before the last of stdout has been read.
  if (!example.child.stdout.readableEnded) await once(example.child.stdout, 'end')
  assert.equal(code, 0, example.stderr())
  assert.deepEqual(example.lines.filter((line) => line !== ''), expected)
})
