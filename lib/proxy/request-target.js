'use strict'
// The request target (RFC 9112 §3.2) as the next hop takes it. A client may send a proxy the
// absolute form (`GET http://a.example/x`, §3.2.2); a request to an origin server carries the
// origin form (`GET /x`, §3.2.1). Here are both: the authority a proxy checks Host against, and
// the path it sends on.

const { invalidArgType, requestTarget } = require('../errors.js')

/**
 * Where an absolute-form request target (`http://user@host:port/path`, RFC 9112 §3.2.2) has its
 * authority, `url[start, end)`, and the host and port in it, `url[host, end)`, with its path and
 * query after it; else undefined.
 */
function absoluteForm(url) {
  // Origin-form, what nearly every request has, starts with '/': one comparison.
  if (typeof url !== 'string' || url.charCodeAt(0) === 47) return undefined
  const scheme = /^http(s?):\/\//i.exec(url)
  if (scheme === null) return undefined
  const start = scheme[0].length
  let end = url.length
  for (const delimiter of '/?#') {
    const at = url.indexOf(delimiter, start)
    if (at !== -1 && at < end) end = at
  }
  // Userinfo is not part of Host (RFC 9110 §4.2.4 deprecates it in http URIs).
  const at = url.lastIndexOf('@', end - 1)
  return { secure: scheme[1] !== '', start, host: at >= start ? at + 1 : start, end }
}

/**
 * An absolute-form request target as `{ authority, defaultPort }`, else undefined; also for one
 * without a host (`http:///x`), which RFC 9110 §4.2.1 makes invalid.
 */
function absoluteTarget(url) {
  const form = absoluteForm(url)
  if (form === undefined || form.host === form.end) return undefined
  return { authority: url.slice(form.host, form.end), defaultPort: form.secure ? ':443' : ':80' }
}

/**
 * The request target to send an origin server (RFC 9112 §3.2.1): origin-form as it came;
 * absolute-form as what follows its authority, '/' first when that is empty or a query. Dot
 * segments and the query stay as sent: a router in front judged the path as it came. A fragment
 * is no part of a request target (§3.2); Node's parser lets one through, and a router in front
 * (url.parse, URL) read it as a fragment, so it is cut here rather than sent as part of the path,
 * where it would also hide a query added after it. Asterisk-form is only for OPTIONS (§3.2.4):
 * `*` stays `*`, which Node's http.request sends as it is, and an OPTIONS of an absolute-form
 * target with neither path nor query is sent as `*`, as the last proxy on the chain must. Without
 * `method` the asterisk rules are not applied. Anything else, CONNECT's authority-form included,
 * is a HopByHopError (400).
 */
function requestPath(target, method) {
  if (typeof target !== 'string') throw invalidArgType('target', 'of type string', target)
  if (method !== undefined && typeof method !== 'string') throw invalidArgType('method', 'of type string', method)
  if (target.charCodeAt(0) === 47) return withoutFragment(target)
  if (target === '*') {
    if (method !== undefined && method !== 'OPTIONS') throw requestTarget(target, 'is the asterisk-form, which only OPTIONS may carry (RFC 9112 §3.2.4)')
    return target
  }
  const form = absoluteForm(target)
  // RFC 9110 §4.2.1: an http(s) URI without a host is invalid, and its recipient rejects it.
  if (form === undefined || form.host === form.end) throw requestTarget(target)
  const path = withoutFragment(target.slice(form.end))
  if (path.length === 0 && method === 'OPTIONS') return '*'
  return path.charCodeAt(0) === 47 ? path : `/${path}`
}

function withoutFragment(target) {
  const fragment = target.indexOf('#')
  return fragment === -1 ? target : target.slice(0, fragment)
}

module.exports = { absoluteTarget, requestPath }
