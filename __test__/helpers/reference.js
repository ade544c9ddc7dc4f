'use strict'
// A small, deliberately plain reading of the rules in README.md, written from the RFCs and not
// from src/. The differential test compares it with the package on generated messages.

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const FIXED = new Set([
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'http2-settings',
])
const DEFAULT_PROTECT = ['host', 'content-length', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip']

/** RFC 9110 §5.6.1 list elements; commas inside quoted strings do not split. */
function listElements(value) {
  const elements = []
  let current = ''
  let quoted = false
  let escaped = false
  for (const char of value) {
    if (escaped) escaped = false
    else if (quoted && char === '\\') escaped = true
    else if (char === '"') quoted = !quoted
    else if (char === ',' && !quoted) {
      elements.push(current)
      current = ''
      continue
    }
    current += char
  }
  elements.push(current)
  return elements.map((element) => element.replace(/^[ \t]+|[ \t]+$/g, '')).filter((element) => element !== '')
}

const codingName = (element) => element.split(';')[0].replace(/[ \t]+$/, '').toLowerCase()
const printable = (value) => /^[\t\x20-\x7e]*$/.test(value) && value.replace(/[ \t]/g, '') !== ''

class ReferenceError400 extends Error {
  constructor(code) {
    super(code)
    this.code = code
  }
}

function reference(raw, options = {}) {
  const version = { '1.0': '1.0', 1.1: '1.1', '2.0': '2', 2: '2' }[options.httpVersion ?? '1.1']
  const response = options.direction === 'response'
  const proxy = options.proxy ?? true
  const strict = options.strict ?? false
  const status = options.statusCode
  const method = options.requestMethod
  const strip = (options.strip ?? []).map((name) => name.toLowerCase())
  const protect = (options.protect ?? DEFAULT_PROTECT).map((name) => name.toLowerCase())

  const lines = []
  for (let i = 0; i < raw.length; i += 2) lines.push({ name: raw[i], lower: raw[i].toLowerCase(), value: raw[i + 1] })

  const connection = { close: false, keepAlive: false, upgrade: false, nominated: new Set() }
  lines.forEach((line, index) => {
    const pseudo = version === '2' && line.name.startsWith(':') && TOKEN.test(line.name.slice(1))
    if (!pseudo && !TOKEN.test(line.name)) throw new TypeError(`invalid name at line ${index}`)
    line.pseudo = pseudo
    if (line.lower !== 'connection') return
    for (const element of listElements(line.value)) {
      if (!TOKEN.test(element)) {
        if (strict) throw new ReferenceError400('ERR_HOP_BY_HOP_INVALID_TOKEN')
        continue
      }
      const token = element.toLowerCase()
      if (token === 'close') connection.close = true
      if (token === 'keep-alive') connection.keepAlive = true
      if (token === 'upgrade') connection.upgrade = true
      if (protect.includes(token)) {
        if (strict) throw new ReferenceError400('ERR_HOP_BY_HOP_PROTECTED')
        continue
      }
      connection.nominated.add(token)
    }
  })

  const named = (name) => lines.filter((line) => line.lower === name)
  const transferEncoding = named('transfer-encoding')
  const contentLength = named('content-length').length > 0
  const codings = transferEncoding.flatMap((line) => listElements(line.value))
  const chunkedFinal = codings.length > 0 && codingName(codings[codings.length - 1]) === 'chunked'
  if (strict && transferEncoding.length > 0 && contentLength) throw new ReferenceError400('ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH')

  const upgradeLines = named('upgrade')
  const isUpgrade = version === '1.1' && upgradeLines.length > 0 && (response ? status === 101 : connection.upgrade)
  if (isUpgrade && !upgradeLines.every((line) => printable(line.value))) throw new ReferenceError400('ERR_HOP_BY_HOP_INVALID_UPGRADE')
  // A stripped name is removed even where a rule would keep it.
  const keepUpgrade = isUpgrade && !strip.includes('upgrade') && (response || options.upgrade === true)

  const teTrailers = response || strip.includes('te') ? undefined : named('te').find((line) => listElements(line.value).some((element) => codingName(element) === 'trailers'))

  const headers = []
  for (const line of lines) {
    if (line === teTrailers) headers.push(line.name, 'trailers')
    if (line.pseudo || line.lower === 'connection' || FIXED.has(line.lower)) {
      if (line.lower === 'upgrade' && keepUpgrade) headers.push(line.name, line.value)
      continue
    }
    if (strip.includes(line.lower) || connection.nominated.has(line.lower)) continue
    if (line.lower === 'content-length' && transferEncoding.length > 0) continue
    headers.push(line.name, line.value)
  }
  if (keepUpgrade) headers.push('Connection', 'upgrade')

  return {
    headers,
    keepAlive: keepAlive({ version, response, proxy, connection, te: transferEncoding.length > 0, chunkedFinal, contentLength, status, method }),
    upgrade: isUpgrade ? upgradeLines.map((line) => line.value).join(', ') : null,
  }
}

/** RFC 9112 §9.3, §9.6, §6.1 and §6.3. */
function keepAlive(m) {
  if (m.connection.close) return false
  if (m.version === '2') return true
  // §6.3 (1): these responses end with their header section, whatever the fields say.
  const noBody = m.response && m.status !== undefined && (m.method === 'HEAD' || (m.status >= 100 && m.status < 200) || m.status === 204 || m.status === 304)
  if (m.te && (m.version === '1.0' || m.contentLength || (!m.chunkedFinal && !noBody))) return false
  if (m.response && m.status !== undefined) {
    if (m.method === 'CONNECT' && m.status >= 200 && m.status < 300) return false
    if (!(noBody || (m.te && m.chunkedFinal) || m.contentLength)) return false
  }
  if (m.version === '1.1') return true
  return m.connection.keepAlive && (!m.proxy || m.response)
}

module.exports = { reference, listElements }
