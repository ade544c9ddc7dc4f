'use strict'
// The napi-rs packaging convention: package.json, the platform packages under npm/, what npm packs
// for each (staged as scripts/package.js stages them, listed by `npm pack --dry-run`), and
// .github/workflows/release.yml (which cannot run here, so it is read and checked).

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { builtinModules } = require('node:module')
const { execFile } = require('node:child_process')
const { promisify } = require('node:util')
const YAML = require('yaml')
const { parseTriple } = require('@napi-rs/cli')
const { releaseManifest, CHECKOUT_ONLY_FIELDS } = require('../scripts/release-manifest.js')
const { stageMainPackage, stagePlatformPackage } = require('../scripts/package.js')
const { platformNameOfTarget } = require('../lib/native/load-native.js')

const root = path.join(__dirname, '..')
const pkg = require('../package.json')
const targets = pkg.napi.targets.map(parseTriple)
const NODE_LINES = ['22', '24', '26']
const RUNNER_OS = { darwin: /^macos-/, win32: /^windows-/, linux: /^ubuntu-/ }
const HOME = 'https://github.com/hop-by-hop/hop-by-hop'
// What the main package ships, as globs: its code and types, and what npm and the licence need.
// Examples, docs, benchmarks, tests and Rust sources stay in the repository.
const MAIN_PACKAGE_FILES = ['index.js', 'index.d.ts', 'lib/**/*.js', 'LICENSE', 'README.md', 'package.json']
const LIFECYCLE_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish', 'preprepare', 'postprepare']
const PACK_TIMEOUT_MS = 60_000

// The paths npm would put in the tarball of the package in `dir`, sorted. On Windows npm is a .cmd
// script, which Node starts only through a shell (the release workflow runs this file there too).
async function packedFiles(dir) {
  const options = { cwd: dir, timeout: PACK_TIMEOUT_MS, shell: process.platform === 'win32' }
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], options)
  return JSON.parse(stdout)[0].files.map((file) => file.path).sort()
}

function temporaryStage(t, label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hop-by-hop-${label}-`))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

// The module names of the require('...') calls with a literal argument in a JavaScript source.
const requiredNames = (source) => [...source.matchAll(/\brequire\(\s*(['"])([^'"]+)\1\s*\)/g)].map((match) => match[2])

describe('package.json', () => {
  it('ships JavaScript and types only, and runs nothing at install time', () => {
    assert.deepEqual(pkg.files, ['index.js', 'index.d.ts', 'lib/'])
    // The one runtime dependency matches trusted proxy addresses; no build tooling.
    assert.deepEqual(Object.keys(pkg.dependencies), ['proxy-addr'])
    for (const script of ['preinstall', 'install', 'postinstall']) assert.equal(pkg.scripts[script], undefined, script)
    // A checkout's `npm install` still builds from source: npm runs `prepare` there, and not for
    // a package installed from the registry.
    assert.equal(pkg.scripts.prepare, 'npm run build')
    assert.match(pkg.scripts.build, /^napi build --release/)
  })

  it('pins every development tool exactly, the build tool among them', () => {
    assert.equal(pkg.devDependencies['@napi-rs/cli'], '3.10.12')
    // A prerelease is still one exact version: emnapi 2, which the wasm build links, is a beta.
    for (const [name, version] of Object.entries(pkg.devDependencies)) assert.match(version, /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?$/, name)
  })

  it('is published with one optional platform package per napi.targets entry and the wasm32-wasi one, at its own version', () => {
    // Not committed: see scripts/release-manifest.js.
    assert.equal(pkg.optionalDependencies, undefined)
    // The WebAssembly fallback (cpu wasm32: npm installs it only when asked), as napi-rs lists it.
    const platforms = [...targets.map(({ platformArchABI }) => platformArchABI), 'wasm32-wasi']
    const expected = Object.fromEntries(platforms.map((platform) => [`${pkg.name}-${platform}`, pkg.version]))
    assert.deepEqual(releaseManifest(pkg).optionalDependencies, expected)
  })

  it('is published without scripts or development fields, which the checkout keeps', () => {
    const published = releaseManifest(pkg)
    // npm 11 warns on every tarball install that `prepare` is "not yet covered by allowScripts".
    assert.equal(published.scripts, undefined)
    assert.equal(published.devDependencies, undefined)
    for (const field of CHECKOUT_ONLY_FIELDS) assert.equal(published[field], undefined, field)
    assert.equal(pkg.scripts.prepare, 'npm run build')
    assert.ok(pkg.devDependencies['@napi-rs/cli'])
    // Everything else is the checkout's, `napi` included: lib/load-native.js reads it.
    const kept = Object.fromEntries(Object.entries(pkg).filter(([field]) => !CHECKOUT_ONLY_FIELDS.includes(field)))
    assert.deepEqual({ ...published, optionalDependencies: undefined }, { ...kept, optionalDependencies: undefined })
    assert.deepEqual(published.napi, pkg.napi)
    // The function is pure: the checkout's manifest is untouched.
    assert.equal(pkg.scripts.prepare, 'npm run build')
  })

  it('names its repository, home page, issue tracker, author and licence', () => {
    assert.deepEqual(pkg.repository, { type: 'git', url: `git+${HOME}.git` })
    assert.equal(pkg.homepage, `${HOME}#readme`)
    assert.deepEqual(pkg.bugs, { url: `${HOME}/issues` })
    assert.equal(pkg.author, 'hop-by-hop contributors')
    assert.equal(pkg.license, 'MIT')
    const license = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8')
    assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 hop-by-hop contributors\n/)
    assert.match(license, /Permission is hereby granted, free of charge, to any person obtaining a copy/)
    assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/)
  })

  it('words the platform names as @napi-rs/cli does', () => {
    for (const { triple, platformArchABI } of targets) assert.equal(platformNameOfTarget(triple), platformArchABI)
  })

  it('keeps package-lock.json in step with package.json, so that npm ci works', () => {
    const lock = require('../package-lock.json').packages['']
    assert.equal(lock.version, pkg.version)
    assert.deepEqual(lock.devDependencies, pkg.devDependencies)
    assert.deepEqual(lock.dependencies, pkg.dependencies)
    assert.equal(lock.optionalDependencies, undefined)
  })
})

describe('npm/<platform>/package.json', () => {
  it('exists for every target and for nothing else', () => {
    assert.deepEqual(fs.readdirSync(path.join(root, 'npm')).sort(), targets.map(({ platformArchABI }) => platformArchABI).sort())
  })

  for (const { triple, platform, arch, abi, platformArchABI } of targets) {
    it(`${platformArchABI}: names, version, os, cpu${platform === 'linux' ? ', libc' : ''} and the one file it holds`, () => {
      const manifest = JSON.parse(fs.readFileSync(path.join(root, 'npm', platformArchABI, 'package.json'), 'utf8'))
      const addon = `${pkg.napi.binaryName}.${platformArchABI}.node`
      assert.equal(manifest.name, `${pkg.name}-${platformArchABI}`)
      assert.equal(manifest.version, pkg.version)
      assert.deepEqual(manifest.os, [platform])
      assert.deepEqual(manifest.cpu, [arch])
      assert.deepEqual(manifest.libc, platform === 'linux' ? [abi === 'musl' ? 'musl' : 'glibc'] : undefined)
      assert.equal(manifest.main, addon)
      assert.deepEqual(manifest.files, [addon])
      assert.equal(manifest.license, pkg.license)
      assert.deepEqual(manifest.engines, pkg.engines)
      assert.equal(manifest.scripts, undefined)
      assert.deepEqual(manifest.repository, { ...pkg.repository, directory: `npm/${platformArchABI}` })
      for (const field of ['homepage', 'bugs', 'author']) assert.deepEqual(manifest[field], pkg[field], field)
      assert.match(fs.readFileSync(path.join(root, 'npm', platformArchABI, 'README.md'), 'utf8'), new RegExp(triple))
    })
  }
})

describe('what npm packs', () => {
  it('the main package: its code, types, LICENSE and README, nothing dev-only, every lib/ module', async (t) => {
    const stage = temporaryStage(t, 'main')
    stageMainPackage(stage)
    const files = await packedFiles(stage)
    for (const file of files) assert.ok(MAIN_PACKAGE_FILES.some((glob) => path.matchesGlob(file, glob)), `${file} is not meant to ship`)
    for (const glob of MAIN_PACKAGE_FILES) assert.ok(files.some((file) => path.matchesGlob(file, glob)), `nothing ships for ${glob}`)
    const libModules = fs.readdirSync(path.join(root, 'lib'), { recursive: true }).filter((file) => file.endsWith('.js'))
    assert.deepEqual(files.filter((file) => file.startsWith('lib/')), libModules.map((file) => `lib/${file.split(path.sep).join('/')}`).sort())
    assert.deepEqual(fs.readFileSync(path.join(stage, 'LICENSE')), fs.readFileSync(path.join(root, 'LICENSE')))

    const packed = JSON.parse(fs.readFileSync(path.join(stage, 'package.json'), 'utf8'))
    assert.deepEqual(packed, releaseManifest(pkg))
    for (const script of LIFECYCLE_SCRIPTS) assert.equal(packed.scripts?.[script], undefined, script)
    assert.equal(packed.devDependencies, undefined)
    assert.deepEqual(packed.repository, pkg.repository)
  })

  it("the main package: every module a shipped file requires ships too, or is Node's or a dependency", async (t) => {
    const stage = temporaryStage(t, 'requires')
    stageMainPackage(stage)
    const files = await packedFiles(stage)
    const external = new Set([...builtinModules, ...Object.keys(pkg.dependencies)])
    for (const file of files.filter((name) => name.endsWith('.js'))) {
      for (const name of requiredNames(fs.readFileSync(path.join(stage, file), 'utf8'))) {
        if (name.startsWith('.')) {
          const target = path.relative(stage, require.resolve(path.join(stage, path.dirname(file), name)))
          assert.ok(files.includes(target.split(path.sep).join('/')), `${file} requires ${name}, which does not ship`)
        } else {
          assert.ok(name.startsWith('node:') || external.has(name), `${file} requires ${name}, which a user does not install`)
        }
      }
    }
  })

  it('the checkout publishes the same files as the staged package (release.yml publishes from it)', async (t) => {
    const stage = temporaryStage(t, 'same')
    stageMainPackage(stage)
    assert.deepEqual(await packedFiles(root), await packedFiles(stage))
  })

  it('every platform package: its addon, LICENSE, README and package.json', async (t) => {
    const addon = path.join(temporaryStage(t, 'addon'), 'placeholder.node')
    fs.writeFileSync(addon, 'packing does not read the binary')
    await Promise.all(
      targets.map(async ({ platformArchABI }) => {
        const stage = temporaryStage(t, platformArchABI)
        stagePlatformPackage(platformArchABI, addon, stage)
        const files = await packedFiles(stage)
        assert.deepEqual(files, ['LICENSE', 'README.md', `${pkg.napi.binaryName}.${platformArchABI}.node`, 'package.json'].sort(), platformArchABI)
      }),
    )
  })
})

describe('.github/workflows/release.yml', () => {
  const workflow = YAML.parse(fs.readFileSync(path.join(root, '.github', 'workflows', 'release.yml'), 'utf8'), { strict: true })
  const { build, test, publish } = workflow.jobs

  it('builds every napi.targets entry once, each on a runner of its system', () => {
    const entries = build.strategy.matrix.include
    assert.deepEqual(entries.map(({ target }) => target).sort(), [...pkg.napi.targets].sort())
    for (const { target, host, glibc } of entries) {
      assert.match(host, RUNNER_OS[parseTriple(target).platform], target)
      assert.equal(glibc, target.endsWith('-linux-gnu') ? '.2.17' : undefined, target)
    }
    const script = build.steps.map((step) => step.run ?? '').join('\n')
    assert.match(script, /napi build .*--release --platform --target \$\{\{ matrix\.target \}\}\$\{\{ matrix\.glibc \}\}/)
    assert.match(script, /napi build .*--features test-panic/)
    const setupPython = build.steps.findIndex((step) => step.uses?.startsWith('actions/setup-python'))
    const pip = build.steps.findIndex((step) => /pip install ziglang==[\d.]+ cargo-zigbuild==[\d.]+/.test(step.run ?? ''))
    assert.ok(setupPython >= 0 && setupPython < pip, 'pip runs in a set-up Python')
    // The same zig and cargo-zigbuild as .ci/run, which builds the Linux targets here.
    const ciPip = fs.readFileSync(path.join(root, '.ci', 'run'), 'utf8').match(/^PIP_PACKAGES=\((.*)\)$/m)[1]
    assert.equal(build.steps[pip].run, `pip install ${ciPip}`)
  })

  it('tests every target on Node 22, 24 and 26, each on a runner of its system and CPU', () => {
    const { matrix } = test.strategy
    assert.deepEqual(test.needs, 'build')
    assert.deepEqual(matrix.node, NODE_LINES)
    assert.deepEqual([...matrix.target].sort(), [...pkg.napi.targets].sort())
    assert.deepEqual(matrix.include.map(({ target }) => target).sort(), [...pkg.napi.targets].sort())
    for (const { target, host, arch, alpine } of matrix.include) {
      const triple = parseTriple(target)
      assert.match(host, RUNNER_OS[triple.platform], target)
      assert.equal(arch, triple.arch, target)
      if (triple.platform === 'linux') assert.equal(host.endsWith('-arm'), triple.arch === 'arm64', target)
      assert.equal(alpine === true, triple.abi === 'musl', target)
    }
    const script = test.steps.map((step) => step.run ?? '').join('\n')
    assert.match(script, /cp dist\/hop-by-hop\.\*\.node hop-by-hop\.node/)
    assert.match(script, /node --test __test__\/\*\.test\.js/)
    assert.match(script, /node:\$\{\{ matrix\.node \}\}-alpine/)
  })

  it('publishes after the tests, on a version tag, collected by napi artifacts, with provenance', () => {
    assert.equal(publish.needs, 'test')
    assert.match(publish.if, /refs\/tags\/v/)
    assert.equal(publish.permissions['id-token'], 'write')
    const script = publish.steps.map((step) => step.run ?? '').join('\n')
    assert.match(script, /npx napi artifacts/)
    assert.match(script, /node scripts\/release-manifest\.js\n(.*\n)*npm publish --provenance/)
    assert.match(script, /npm pkg set repository\.type=git "repository\.url=git\+\$GITHUB_SERVER_URL\/\$GITHUB_REPOSITORY\.git"/)
    const publishes = script.split('\n').filter((line) => /npm publish/.test(line))
    assert.equal(publishes.length, 2)
    for (const line of publishes) assert.match(line, /--provenance --access public/)
    assert.ok(script.indexOf('npm publish "$dir"') < script.lastIndexOf('npm publish --provenance'), 'platform packages first')
    // The MIT licence asks for its text in every copy: npm packs a LICENSE it finds in a package.
    assert.match(script, /for dir in npm\/\*\/; do cp LICENSE "\$dir"; done/)
    assert.ok(script.indexOf('cp LICENSE') < script.indexOf('npm publish "$dir"'), 'LICENSE is copied before publishing')
    assert.deepEqual(
      publish.steps.filter((step) => step.uses?.startsWith('actions/download-artifact')).map((step) => step.with.pattern),
      ['bindings-*'],
    )
  })

  it('pins every action to a major version and grants write access only where needed', () => {
    assert.deepEqual(workflow.permissions, { contents: 'read' })
    for (const [name, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps) if (step.uses) assert.match(step.uses, /^[\w-]+\/[\w-]+@(v\d+|stable)$/, `${name}: ${step.uses}`)
      if (name !== 'publish') assert.equal(job.permissions, undefined, name)
    }
  })
})
