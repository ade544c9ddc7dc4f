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
 * segments and the query stay as sent: a router in front judged the path as it came.
 * Asterisk-form stays `*`: it is the origin form of a server-wide OPTIONS (§3.2.4), which Node's
 * http.request sends as it is; '/' would ask about one resource instead, and a refusal would keep
 * a well-formed request from the server it asks about. Anything else, CONNECT's authority-form
 * included, is a HopByHopError (400).
 */
function requestPath(target) {
  if (typeof target === 'string' && target.charCodeAt(0) === 47) return target
  if (typeof target !== 'string') throw invalidArgType('target', 'of type string', target)
  if (target === '*') return target
  const form = absoluteForm(target)
  // RFC 9110 §4.2.1: an http(s) URI without a host is invalid, and its recipient rejects it.
  if (form === undefined || form.host === form.end) throw requestTarget(target)
  const path = target.slice(form.end)
  return path.charCodeAt(0) === 47 ? path : `/${path}`
}

module.exports = { absoluteTarget, requestPath }
