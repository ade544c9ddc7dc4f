'use strict'
// The docs show what the tests run: every recipe block is an examples/ file verbatim, every
// example is run by a test, every relative link resolves, and the README stays a front page.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { documents, exampleBlocks, ROOT } = require('../scripts/docs.js')

// Programs for `npm start` and `npm run demo`, documented in docs/development.md by their output.
const NOT_RECIPES = new Set(['examples/demo-proxy.js', 'examples/before-after.js'])

const read = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8')
const allBlocks = () => documents().flatMap(exampleBlocks)

test('every example block in the docs is its examples/ file, verbatim', () => {
  const blocks = allBlocks()
  assert.ok(blocks.length > 0, 'the docs show no example at all')
  for (const block of blocks) {
    assert.notEqual(block.actual, undefined, `${block.document} shows ${block.file}, which does not exist`)
    assert.equal(block.shown, block.actual, `${block.document}: the block for ${block.file} differs from the file (run node scripts/docs.js)`)
  }
})

test('every recipe in examples/ is shown in the docs and run by a test', () => {
  const shown = new Set(allBlocks().map((block) => block.file))
  const tests = fs.readdirSync(path.join(ROOT, '__test__')).filter((name) => name.endsWith('.test.js')).map((name) => read(`__test__/${name}`)).join('\n')
  for (const name of fs.readdirSync(path.join(ROOT, 'examples'))) {
    const file = `examples/${name}`
    if (!name.endsWith('.js') || NOT_RECIPES.has(file)) continue
    assert.ok(shown.has(file), `${file} is not shown in README.md or docs/`)
    assert.ok(tests.includes(`'${name}'`), `no test starts ${file} (startExample(t, '${name}') or run(t, '${name}'))`)
  }
})

test('the README shows no JavaScript that is not an examples/ file', () => {
  const readme = read('README.md')
  const fences = [...readme.matchAll(/(<!-- example: [^>]+ -->\n)?```(js|javascript|mjs|ts)\n/g)]
  for (const fence of fences) assert.ok(fence[1] !== undefined, `README.md has a ${fence[2]} block that no test runs: make it an examples/ file`)
})

test('the README is a front page of at most 320 lines', () => {
  const lines = read('README.md').split('\n').length
  assert.ok(lines <= 320, `README.md has ${lines} lines`)
})

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

function anchors(text) {
  const found = new Set()
  let fenced = false
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    const match = !fenced && /^#{1,6} (.+)$/.exec(line)
    if (match) found.add(slug(match[1]))
  }
  return found
}

test('every relative link in the docs resolves to a file and heading that exist', () => {
  for (const document of [...documents(), 'BENCHMARKS.md']) {
    const text = read(document).replace(/```[\s\S]*?```/g, '')
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue
      const [file, anchor] = target.split('#')
      const resolved = file === '' ? document : path.posix.join(path.posix.dirname(document), file)
      assert.ok(fs.existsSync(path.join(ROOT, resolved)), `${document} links to ${target}: no such file`)
      if (anchor !== undefined && resolved.endsWith('.md')) {
        assert.ok(anchors(read(resolved)).has(anchor), `${document} links to ${target}: no such heading`)
      }
    }
  }
})
