'use strict'

// A straight JS port of what Go's net/http/httputil.ReverseProxy does to headers
// (reverseproxy.go: removeConnectionHeaders, removeHopByHopHeaders, upgradeType and the
// `Te: trailers` rule in ServeHTTP), written for this benchmark from the documented behaviour.
//
// Go never sees a flat list: its server parses every message into an http.Header, a map from
// the CANONICAL key ("x-foo" -> "X-Foo", textproto.CanonicalMIMEHeaderKey) to the list of
// values, and the proxy deletes map entries. Porting "in the spirit of the original" therefore
// means building that map from rawHeaders (a JS Map, which also gives a stable order where Go's
// map has none), running the two removals, and writing the map back out as a flat list of
// canonical names, one pair per value, as Go's Header.Write does (minus its key sort, which is
// serialisation rather than filtering).

/** reverseproxy.go `hopHeaders`, canonical spelling. */
const HOP_HEADERS = [
  'Connection',
  'Proxy-Connection',
  'Keep-Alive',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Te',
  'Trailer',
  'Transfer-Encoding',
  'Upgrade',
]

/** textproto's validHeaderFieldByte: the token characters. */
function isTokenByte(c) {
  return c < 128 && "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c)) ||
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}

const TOKEN_BYTE = new Uint8Array(128)
for (let c = 0; c < 128; c++) TOKEN_BYTE[c] = isTokenByte(c) ? 1 : 0

/**
 * textproto.CanonicalMIMEHeaderKey: upper-case the first letter and every letter after '-',
 * lower-case the rest; a key with a non-token byte is returned unchanged. Like Go, return the
 * input itself when it is already canonical, so the common case allocates nothing.
 */
function canonicalKey(s) {
  let upper = true
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || TOKEN_BYTE[c] === 0) return s
    if ((upper && c >= 97 && c <= 122) || (!upper && c >= 65 && c <= 90)) return rebuildCanonical(s)
    upper = c === 45 /* - */
  }
  return s
}

function rebuildCanonical(s) {
  let out = ''
  let upper = true
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c >= 128 || TOKEN_BYTE[c] === 0) return s
    if (upper && c >= 97 && c <= 122) c -= 32
    else if (!upper && c >= 65 && c <= 90) c += 32
    out += String.fromCharCode(c)
    upper = c === 45
  }
  return out
}

/** textproto.TrimString: strip ASCII space, tab, CR and LF at both ends. */
function trimString(s) {
  let start = 0
  let end = s.length
  while (start < end && isAsciiSpace(s.charCodeAt(start))) start++
  while (end > start && isAsciiSpace(s.charCodeAt(end - 1))) end--
  return start === 0 && end === s.length ? s : s.slice(start, end)
}

function isAsciiSpace(c) {
  return c === 32 || c === 9 || c === 10 || c === 13
}

/** What Go's textproto.Reader.ReadMIMEHeader builds: canonical key -> values. */
function headerMap(raw) {
  const h = new Map()
  for (let i = 0; i < raw.length; i += 2) {
    const key = canonicalKey(raw[i])
    const values = h.get(key)
    if (values === undefined) h.set(key, [raw[i + 1]])
    else values.push(raw[i + 1])
  }
  return h
}

/** http.Header.Del */
function del(h, key) {
  h.delete(canonicalKey(key))
}

/** http.Header.Get: the first value or "". */
function get(h, key) {
  const values = h.get(canonicalKey(key))
  return values === undefined ? '' : values[0]
}

/** http.Header.Set: replace all values with one. */
function set(h, key, value) {
  h.set(canonicalKey(key), [value])
}

/**
 * httpguts.HeaderValuesContainsToken: some comma-separated element of some value equals
 * `token`, ASCII case-insensitively, after trimming SP/HTAB.
 */
function valuesContainToken(values, token) {
  if (values === undefined) return false
  const lower = token.toLowerCase()
  for (const v of values) {
    for (const element of v.split(',')) {
      if (trimOws(element).toLowerCase() === lower) return true
    }
  }
  return false
}

function trimOws(s) {
  let start = 0
  let end = s.length
  while (start < end && (s.charCodeAt(start) === 32 || s.charCodeAt(start) === 9)) start++
  while (end > start && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--
  return s.slice(start, end)
}

/** reverseproxy.go removeConnectionHeaders (RFC 7230 §6.1). */
function removeConnectionHeaders(h) {
  const connection = h.get('Connection')
  if (connection === undefined) return
  for (const f of connection) {
    for (let sf of f.split(',')) {
      sf = trimString(sf)
      if (sf !== '') del(h, sf)
    }
  }
}

/** reverseproxy.go removeHopByHopHeaders (RFC 2616 §13.5.1 list). */
function removeHopByHopHeaders(h) {
  for (const name of HOP_HEADERS) del(h, name)
}

/** reverseproxy.go upgradeType: the Upgrade value when Connection lists `upgrade`. */
function upgradeType(h) {
  if (!valuesContainToken(h.get('Connection'), 'Upgrade')) return ''
  return get(h, 'Upgrade')
}

/** internal/ascii.IsPrint: every character is printable ASCII. */
function isPrint(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c > 126) return false
  }
  return true
}

/** Header.Write, minus the key sort: one name/value pair per value. */
function flatten(h) {
  const flat = []
  for (const [key, values] of h) {
    for (let i = 0; i < values.length; i++) flat.push(key, values[i])
  }
  return flat
}

/**
 * What ReverseProxy forwards. For a request: the upgrade type is read before the removals,
 * `Te: trailers` is restored if the client sent it, and `Connection: Upgrade` plus `Upgrade`
 * are re-added for an upgrade. For a response: only the removals (ReverseProxy hands 101
 * responses to a separate path).
 */
function filterRaw(raw, options) {
  const h = headerMap(raw)
  const response = options !== undefined && options.direction === 'response'
  const upType = response ? '' : upgradeType(h)
  if (!isPrint(upType)) throw new Error(`client tried to switch to invalid protocol ${JSON.stringify(upType)}`)
  const teTrailers = !response && valuesContainToken(h.get('Te'), 'trailers')
  removeConnectionHeaders(h)
  removeHopByHopHeaders(h)
  if (teTrailers) set(h, 'Te', 'trailers')
  if (upType !== '') {
    set(h, 'Connection', 'Upgrade')
    set(h, 'Upgrade', upType)
  }
  return flatten(h)
}

module.exports = {
  filterRaw,
  canonicalKey,
  headerMap,
  removeConnectionHeaders,
  removeHopByHopHeaders,
  upgradeType,
  flatten,
  HOP_HEADERS,
}
