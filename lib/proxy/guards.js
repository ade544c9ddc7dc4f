'use strict'
// What a forwarding proxy must refuse although every header it can see is fine: a body its head
// does not declare, a body in a coding Node leaves coded, a protocol switch that names no protocol
// or one the client did not offer, an upgrade that is none or carries content. (A request
// pipelined behind a closing one is refused by filterRequest.)

const { undeclaredBody, undecodedTransferCoding, unexpectedUpgrade, notAnUpgrade, upgradeContent, unofferedProtocol } = require('../errors.js')
const { clientFraming, declaresBody, responseHasBody } = require('./body.js')
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

/**
 * A request of a server's `upgrade` event, before it goes upstream as a handshake; `filtered` is
 * its filterRequest(req, { upgrade: true }) result. Node emits the event for an HTTP/1.0
 * handshake too, whose Upgrade a server must ignore (RFC 9110 §7.8) but which Node no longer
 * parses as a plain request, and a program may pass on a head it got elsewhere. Node also hands
 * over what follows the head unread, as the new protocol's first bytes: content the request
 * declares would reach the upstream after the switch, or never. Throws a HopByHopError (400).
 */
function assertUpgradeRequest(req, filtered) {
  if (filtered.upgrade === null) throw notAnUpgrade()
  const { length, chunked } = clientFraming(req.rawHeaders)
  if (chunked || (length !== undefined && Number(length) !== 0)) throw upgradeContent()
}

/**
 * RFC 9110 §7.8: a server switches only to a protocol the client named in Upgrade. Throws (502)
 * for a 101 to `req` that names another. Names compare in any case, as WebSocket clients compare
 * `websocket` (RFC 6455 §4.1); and, a leniency of this package, a protocol offered without a
 * version takes any version of it.
 */
function assertOfferedProtocol(req, upstream) {
  const offered = upgradeProtocols(req.rawHeaders)
  for (const protocol of upgradeProtocols(upstream.rawHeaders)) {
    const name = protocol.split('/')[0]
    if (!offered.includes(protocol) && !offered.includes(name)) throw unofferedProtocol(protocol)
  }
}

/** The protocols of a head's Upgrade lines, lower-cased, without spaces around them. */
function upgradeProtocols(rawHeaders) {
  const protocols = []
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!isName(rawHeaders[i], 'upgrade')) continue
    for (const element of rawHeaders[i + 1].split(',')) {
      const protocol = element.trim().toLowerCase()
      if (protocol.length > 0) protocols.push(protocol)
    }
  }
  return protocols
}

module.exports = { onUndeclaredBody, assertDecodedBody, assertNotSwitching, assertUpgradeRequest, assertOfferedProtocol }
