'use strict'
// What a forwarding proxy must refuse although every header it can see is fine: a body its head
// does not declare. (A request pipelined behind a closing one is refused by filterRequest.)

const { undeclaredBody } = require('../errors.js')
const { declaresBody } = require('./body.js')

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

module.exports = { onUndeclaredBody }
