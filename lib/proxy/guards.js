'use strict'
// What a forwarding proxy must refuse although every header it can see is fine: a body its head
// does not declare, a body in a coding Node leaves coded, a protocol switch that names no protocol. (A request pipelined behind a closing
// one is refused by filterRequest.)

const { undeclaredBody, undecodedTransferCoding, unexpectedUpgrade } = require('../errors.js')
const { declaresBody, responseHasBody } = require('./body.js')
const { isName } = require('./names.js')

/**
 * Calls `refuse` before any body byte of a request that declares none reaches another listener,
 * such as a pipe into the upstream request: the listener runs first, and `refuse` must destroy
 * the destination so that the pipe's write of the same chunk goes nowhere.
 */
function onUndeclaredBody(req, refuse) {
  if (declaresBody(req)) return
  const onData = () => {
    req.removeListener('data', onData)
    refuse(undeclaredBody())
  }
  // prependListener, unlike on('data'), neither resumes the stream nor runs after a pipe. Once
  // the request has ended no 'data' comes: the listener is left, not removed on 'end'.
  req.prependListener('data', onData)
}

/**
 * RFC 9112 §6.1: a proxy passes a message's transfer codings on or decodes them. Node's HTTP
 * client decodes chunked and no other coding, and the filter drops Transfer-Encoding as
 * hop-by-hop: a response body in another coding (`gzip, chunked`) would reach the client as coded
 * bytes that no field says are coded. Throws for such a response of Node's client to a request
 * of `method`. (Node's server already answers such a request 400.)
 */
function assertDecodedBody(upstream, method) {
  if (!responseHasBody(upstream.statusCode, method)) return
  const coding = undecodedCoding(upstream.rawHeaders)
  if (coding !== undefined) throw undecodedTransferCoding(coding)
}

/**
 * The Transfer-Encoding value(s) of `rawHeaders` unless Node's client decoded the body whole:
 * exactly one line whose value is `chunked` (any case, OWS around it). llhttp takes nothing else
 * as chunked (`chunked;x=1`, `chunked,`, `gzip, chunked`), and reads such a body to the close as
 * it came. Undefined when there is no Transfer-Encoding.
 */
function undecodedCoding(rawHeaders) {
  let value
  let lines = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]
    if (name.length !== 17 || !isName(name, 'transfer-encoding')) continue
    value = lines === 0 ? rawHeaders[i + 1] : `${value}, ${rawHeaders[i + 1]}`
    lines++
  }
  if (value === undefined || (lines === 1 && (value === 'chunked' || isName(value.trim(), 'chunked')))) return undefined
  return value
}

/**
 * RFC 9110 §15.2.2: a 101 names the protocol it switches to in Upgrade. Node's client hands a
 * 101 without Upgrade over as a response, not an upgrade, and its connection then carries no
 * HTTP: passed on, it would leave the client waiting. Throws for such a response.
 */
function assertNotSwitching(upstream) {
  if (upstream.statusCode === 101) throw unexpectedUpgrade(true)
}

module.exports = { onUndeclaredBody, assertDecodedBody, assertNotSwitching }
