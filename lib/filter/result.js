'use strict'
// The filter's answer: the kept lines, built from the caller's own strings and Rust's line
// actions, and FilterResult, whose diagnostics are computed only when read.

const { inspect } = require('node:util')
const N = require('../native/abi.js')
const { native } = require('../native/call.js')

/** The end-to-end part of a message and the connection decision. */
class FilterResult {
  #rawHeaders
  #flags
  #options
  #diagnostics

  constructor(headers, keepAlive, upgrade, rawHeaders, flags, options) {
    this.headers = headers
    this.keepAlive = keepAlive
    this.upgrade = upgrade
    this.#rawHeaders = rawHeaders
    this.#flags = flags
    this.#options = options
  }

  /**
   * Computed on first access, from the snapshot of the input taken when filtering. An unchanged
   * message keeps no snapshot (its copy is `headers`, which the caller may change): it had no
   * Connection, Keep-Alive or pseudo-header line, since those are always removed, so there is
   * nothing to report.
   */
  get diagnostics() {
    if (this.#diagnostics === undefined && this.#rawHeaders === null) this.#diagnostics = nothingToReport()
    if (this.#diagnostics === undefined) {
      const raw = this.#rawHeaders
      const found = native.inspect(this.#flags, this.#options.strip, this.#options.protect, raw)
      this.#diagnostics = {
        nominated: found.nominated,
        removed: found.removed.map((line) => raw[2 * line]),
        protected: found.protected,
        invalid: found.invalid,
        timeout: found.timeout ?? null,
        max: found.max ?? null,
        authority: found.authority === undefined || found.authority === null ? null : raw[2 * found.authority + 1],
      }
    }
    return this.#diagnostics
  }

  /** JSON.stringify shows the diagnostics too (a getter on the class is not an own property). */
  toJSON() {
    return { headers: this.headers, keepAlive: this.keepAlive, upgrade: this.upgrade, diagnostics: this.diagnostics }
  }

  /** console.log and util.inspect likewise; computed only when shown, so filtering stays lean. */
  [inspect.custom](depth, options, inspectValue) {
    if (depth < 0) return options.stylize('[FilterResult]', 'special')
    // `depth` is what is left at this level: the fields sit where they would as own properties.
    return `FilterResult ${inspectValue(this.toJSON(), { ...options, depth })}`
  }
}

function nothingToReport() {
  return { nominated: [], removed: [], protected: [], invalid: [], timeout: null, max: null, authority: null }
}

/**
 * The FilterResult of Rust's `verdict` on `lines` (the caller's array, copied). `actions[i]` is
 * the action on the i-th of the `count` lines Rust saw: the line at element `at[i]` of `lines`
 * on the gated path, line i itself (at === null) when Rust saw every line. Lines Rust did not see
 * are kept.
 */
function filterResult(lines, verdict, actions, at, count, flags, options) {
  const keepAlive = (verdict & N.KEEP_ALIVE) !== 0
  // An unchanged message had no line to drop, so its copy is the output (see diagnostics above);
  // nor was it an upgrade, whose Connection line is always dropped.
  if ((verdict & N.UNCHANGED) !== 0) return new FilterResult(lines, keepAlive, null, null, flags, options)
  const upgrade = (verdict & N.IS_UPGRADE) !== 0 ? upgradeProtocol(lines, actions, at, count) : null
  return new FilterResult(keptLines(lines, verdict, actions, at, count), keepAlive, upgrade, lines, flags, options)
}

/** Element index in `lines` of the `line`-th line Rust saw. */
function position(at, line) {
  return at === null ? line << 1 : at[line]
}

// A splice costs about as much as pushing this many elements (measured on Node 22 with the
// corpus: one cut in 12 elements was slower than the pushes, one in 36 faster).
const CUT_COST_IN_ELEMENTS = 16

function keptLines(lines, verdict, actions, at, count) {
  const headers = count * CUT_COST_IN_ELEMENTS <= lines.length ? cutLines(lines, actions, at, count) : pushLines(lines, actions, at, count)
  if ((verdict & N.APPEND_CONNECTION_UPGRADE) !== 0) headers.push('Connection', 'upgrade')
  return headers
}

/**
 * Few lines seen (at most that many to drop) in a long array: copy it in one go and cut the
 * dropped lines out, last first so that the earlier indexes stay valid.
 */
function cutLines(lines, actions, at, count) {
  const headers = lines.slice()
  for (let line = count - 1; line >= 0; line--) {
    const action = actions[line]
    if (action === N.ACTION_KEEP || action === N.ACTION_UPGRADE_KEPT) continue
    if (action === N.ACTION_TE_TRAILERS) headers[position(at, line) + 1] = 'trailers'
    else headers.splice(position(at, line), 2)
  }
  return headers
}

/** Push every kept line, in order. */
function pushLines(lines, actions, at, count) {
  const headers = []
  let line = 0
  let next = count > 0 ? position(at, 0) : -1
  for (let index = 0; index < lines.length; index += 2) {
    if (index !== next) {
      headers.push(lines[index], lines[index + 1])
      continue
    }
    const action = actions[line++]
    next = line < count ? position(at, line) : -1
    if (action === N.ACTION_KEEP || action === N.ACTION_UPGRADE_KEPT) {
      headers.push(lines[index], lines[index + 1])
    } else if (action === N.ACTION_TE_TRAILERS) {
      headers.push(lines[index], 'trailers')
    }
  }
  return headers
}

/** The protocols of the Upgrade lines, kept or dropped, joined as one field value. */
function upgradeProtocol(lines, actions, at, count) {
  const protocols = []
  for (let line = 0; line < count; line++) {
    const action = actions[line]
    if (action === N.ACTION_UPGRADE_KEPT || action === N.ACTION_UPGRADE_DROPPED) protocols.push(lines[position(at, line) + 1])
  }
  return protocols.join(', ')
}

module.exports = { FilterResult, filterResult }
