'use strict'
// Public entry point. The API is documented in index.d.ts and README.md.

const {
  filterHeaders,
  filterRequest,
  filterResponse,
  createFilter,
  HopByHopError,
  HOP_BY_HOP_HEADERS,
  DEFAULT_PROTECTED_HEADERS,
} = require('./lib/filter.js')
const { attach, plugin } = require('./lib/http-proxy.js')
const { middleware, writeHead } = require('./lib/express.js')
const { relay, relayUpgrade } = require('./lib/relay.js')
const { forwardHeaders, createForwarding } = require('./lib/forwarding.js')
const { forward, forwardUpgrade } = require('./lib/forward.js')
const { replyFromHooks } = require('./lib/reply-from.js')

module.exports = {
  filterHeaders,
  filterRequest,
  filterResponse,
  createFilter,
  HopByHopError,
  HOP_BY_HOP_HEADERS,
  DEFAULT_PROTECTED_HEADERS,
  attach,
  plugin,
  middleware,
  writeHead,
  relay,
  relayUpgrade,
  forwardHeaders,
  createForwarding,
  forward,
  forwardUpgrade,
  replyFromHooks,
}
