'use strict'

// The leanest Go-style filter we could write: what net/http/httputil.ReverseProxy's
// removeConnectionHeaders and removeHopByHopHeaders do, as two passes over `rawHeaders` with no
// header map (go-port.js is the straight port, map included).
//
//   pass 1: collect the options of every Connection line (split on ',', OWS-trimmed like Go's
//           textproto.TrimString, lower-cased), leaving out the names pass 2 drops anyway;
//   pass 2: drop Go's hopHeaders (Connection, Proxy-Connection, Keep-Alive, Proxy-Authenticate,
//           Proxy-Authorization, Te, Trailer, Transfer-Encoding, Upgrade) and every nominated
//           name, compared ASCII case-insensitively in place: a switch on the name's length,
//           then at most two literals, so most names cost one integer comparison.
//
// Not implemented, unlike Go's ReverseProxy and this package: re-adding `Te: trailers` and the
// Upgrade/`Connection: Upgrade` pair; and unlike this package: name validation, HTTP2-Settings,
// protection of Host/X-Forwarded-* from nominations, Content-Length with Transfer-Encoding,
// HTTP/2 pseudo-headers and keep-alive decisions. Names are assumed to be tokens, as Node's
// parser delivers them.
//
// Output: the kept lines as the caller's own strings, in order.

const HTAB = 9
const SP = 32

/** Code unit `c` lower-cased if it is an ASCII capital. */
function lowerCode(c) {
  return c >= 65 && c <= 90 ? c + 32 : c
}

/** Whether `name` equals the lower-case literal `lower`, ASCII case-insensitively. */
function equalsLower(name, lower) {
  const length = lower.length
  if (name.length !== length) return false
  for (let i = 0; i < length; i++) {
    if (lowerCode(name.charCodeAt(i)) !== lower.charCodeAt(i)) return false
  }
  return true
}

/** Whether `name` is one of Go's hopHeaders. */
function isHopHeader(name) {
  switch (name.length) {
    case 2:
      return equalsLower(name, 'te')
    case 7: {
      const first = name.charCodeAt(0) | 0x20
      return first === 116 /* t */ ? equalsLower(name, 'trailer') : first === 117 /* u */ && equalsLower(name, 'upgrade')
    }
    case 10: {
      const first = name.charCodeAt(0) | 0x20
      return first === 99 /* c */ ? equalsLower(name, 'connection') : first === 107 /* k */ && equalsLower(name, 'keep-alive')
    }
    case 16:
      return equalsLower(name, 'proxy-connection')
    case 17:
      return equalsLower(name, 'transfer-encoding')
    case 18:
      return equalsLower(name, 'proxy-authenticate')
    case 19:
      return equalsLower(name, 'proxy-authorization')
    default:
      return false
  }
}

/** Pass 1: the lower-cased options of every Connection line that pass 2 would not drop anyway. */
function connectionOptions(raw) {
  let options = null
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (name.length !== 10 || !equalsLower(name, 'connection')) continue
    const value = raw[i + 1]
    let start = 0
    while (start <= value.length) {
      let end = value.indexOf(',', start)
      if (end === -1) end = value.length
      let s = start
      let e = end
      while (s < e && (value.charCodeAt(s) === SP || value.charCodeAt(s) === HTAB)) s++
      while (e > s && (value.charCodeAt(e - 1) === SP || value.charCodeAt(e - 1) === HTAB)) e--
      if (s < e) {
        const option = value.slice(s, e).toLowerCase()
        if (!isHopHeader(option)) {
          if (options === null) options = []
          options.push(option)
        }
      }
      start = end + 1
    }
  }
  return options
}

function nominated(name, options) {
  for (let i = 0; i < options.length; i++) {
    if (equalsLower(name, options[i])) return true
  }
  return false
}

/** rawHeaders in, the forwarded lines out (a new flat array). */
function filterRaw(raw) {
  const options = connectionOptions(raw)
  const length = raw.length
  const headers = []
  for (let i = 0; i < length; i += 2) {
    const name = raw[i]
    if (isHopHeader(name) || (options !== null && nominated(name, options))) continue
    headers.push(name, raw[i + 1])
  }
  return headers
}

module.exports = { filterRaw, isHopHeader, connectionOptions }
