'use strict'
// The recipes the docs show are the files in examples/, which the tests run on the wire. In
// README.md and docs/*.md a block that follows `<!-- example: examples/NAME.js -->` is that
// file, verbatim. `node scripts/docs.js` rewrites every such block from its file;
// `node scripts/docs.js --check` only reports the blocks that differ (and exits 1).

const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const MARKER = /<!-- example: (examples\/[\w.-]+\.(?:js|mjs|ts|sh)) -->\n```(\w+)\n([\s\S]*?)```\n/g

function documents() {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)
  return ['README.md', ...docs.sort()]
}

/** Every example block of `document`: { file, language, shown, actual }. */
function exampleBlocks(document) {
  const text = fs.readFileSync(path.join(ROOT, document), 'utf8')
  const blocks = []
  for (const match of text.matchAll(MARKER)) {
    const file = match[1]
    const actual = fs.existsSync(path.join(ROOT, file)) ? fs.readFileSync(path.join(ROOT, file), 'utf8') : undefined
    blocks.push({ document, file, language: match[2], shown: match[3], actual })
  }
  return blocks
}

function render(document) {
  const full = path.join(ROOT, document)
  const text = fs.readFileSync(full, 'utf8')
  const next = text.replace(MARKER, (whole, file, language) => {
    if (!fs.existsSync(path.join(ROOT, file))) return whole // reported by --check and the docs test
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8')
    return `<!-- example: ${file} -->\n\`\`\`${language}\n${source.endsWith('\n') ? source : `${source}\n`}\`\`\`\n`
  })
  if (next !== text) fs.writeFileSync(full, next)
  return next !== text
}

if (require.main === module) {
  if (process.argv.includes('--check')) {
    let stale = 0
    for (const document of documents()) {
      for (const block of exampleBlocks(document)) {
        if (block.actual !== block.shown) {
          stale++
          console.error(`${document}: the block for ${block.file} differs from the file`)
        }
      }
    }
    process.exitCode = stale === 0 ? 0 : 1
  } else {
    for (const document of documents()) if (render(document)) console.log(`updated ${document}`)
  }
}

module.exports = { documents, exampleBlocks, ROOT }
