'use strict'
// Interim (1xx) responses on their way to the client. RFC 9110 §15.2: a proxy MUST forward the
// 1xx responses it did not ask for itself, and a server MUST NOT send one to an HTTP/1.0 client.
// Node's client hands them over as 'information' events ({ statusCode, rawHeaders, ... }); Node's
// server can write two of them: 103 Early Hints (writeEarlyHints) and 102 Processing
// (writeProcessing). 100 Continue is not forwarded: Node's server has already answered the
// client's Expect itself. Others (104, or codes not yet registered) have no writer and are
// dropped, as is any interim response the client cannot take: the final response still follows.
// An upstream could send interim answers without end, faster than the client reads them: at most
// MAX_INTERIM_RESPONSES go on per request. A forwarded 103 carries this proxy's Via like any
// message it forwards (RFC 9110 §7.6.3); a 102 has no fields to carry it.

const { isName, findLine } = require('./names.js')
const { headLines } = require('./respond.js')

const MAX_INTERIM_RESPONSES = 100

/**
 * Passes `info`, an interim response from the upstream, to `res`, the client's response, with its
 * lines filtered by `filter` (createFilter's, for the client's method) and the Via of
 * `forwarding` (a Forwarding) appended. `sent` is the request's own object whose `interimSent`
 * counts what went on. Never throws: it runs in the upstream request's 'information' listener.
 */
function forwardInformational(req, res, info, filter, forwarding, sent) {
  try {
    if (sent.interimSent >= MAX_INTERIM_RESPONSES || !sendsInterimTo(req, res)) return
    if (info.statusCode === 103 && typeof res.writeEarlyHints === 'function') {
      // The filter's list is a new array of its own: this proxy's Via goes onto it.
      const hints = earlyHints(forwarding.appendResponseVia(info, filter.response(info).headers))
      if (hints === undefined) return
      sent.interimSent++
      res.writeEarlyHints(hints)
    } else if (info.statusCode === 102 && typeof res.writeProcessing === 'function') {
      sent.interimSent++
      res.writeProcessing()
    }
  } catch {
    // A head the filter refuses, or a Link Node will not write: this interim answer is dropped.
  }
}

/**
 * forwardInformational for a request that asks to switch protocols, answered on the client's raw
 * socket (an `upgrade` listener's): the interim answer is written there as Node's server would
 * write it, before the upstream's 101 or refusal. Never throws.
 */
function forwardInformationalToSocket(req, socket, info, filter, forwarding, sent) {
  try {
    if (sent.interimSent >= MAX_INTERIM_RESPONSES || !socket.writable || !readsInterim(req)) return
    let head
    if (info.statusCode === 103) {
      const lines = forwarding.appendResponseVia(info, filter.response(info).headers)
      // As through writeEarlyHints: hints without a Link are no hints.
      if (findLine(lines, 'link') === -1) return
      head = headLines(103, 'Early Hints', lines)
    } else if (info.statusCode === 102) {
      head = headLines(102, 'Processing', [])
    } else {
      return
    }
    sent.interimSent++
    socket.write(head, 'latin1')
  } catch {
    // A head the filter refuses: this interim answer is dropped.
  }
}

/** Whether the client's response can still carry an interim answer, and its client read one. */
function sendsInterimTo(req, res) {
  if (res.headersSent || res.writableEnded || res.destroyed) return false
  return readsInterim(req)
}

/** Whether the client's HTTP version has interim answers (RFC 9110 §15.2: not HTTP/1.0). */
function readsInterim(req) {
  const version = req.httpVersion
  return typeof version === 'string' && version !== '1.0' && version !== '0.9'
}

/**
 * writeEarlyHints' argument from the filtered lines: every Link line under `link` (Node writes
 * them as one line), each other name under its first spelling, repeated lines joined with ', '
 * (RFC 9110 §5.3). Undefined without a Link line: Node would write nothing.
 */
function earlyHints(lines) {
  const links = []
  const others = new Map()
  for (let i = 0; i < lines.length; i += 2) {
    const name = lines[i]
    const value = lines[i + 1]
    if (isName(name, 'link')) {
      links.push(value)
      continue
    }
    const lower = name.toLowerCase()
    const line = others.get(lower)
    if (line === undefined) others.set(lower, { name, value })
    else line.value = `${line.value}, ${value}`
  }
  if (links.length === 0) return undefined
  // No prototype: a header may be named __proto__.
  const hints = { __proto__: null, link: links }
  for (const { name, value } of others.values()) hints[name] = value
  return hints
}

module.exports = { forwardInformational, forwardInformationalToSocket, MAX_INTERIM_RESPONSES }
