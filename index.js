'use strict'
// Public entry point. The API is documented in index.d.ts and README.md; docs/architecture.md
// says where each part of lib/ lives.

const {
  filterHeaders,
  filterRequest,
  filterResponse,
  createFilter,
  HopByHopError,
  HOP_BY_HOP_HEADERS,
  DEFAULT_PROTECTED_HEADERS,
} = require('./lib/filter/index.js')
const { forwardHeaders, createForwarding } = require('./lib/proxy/forwarding.js')
const { requestPath } = require('./lib/proxy/request-target.js')
const { writeHead } = require('./lib/proxy/respond.js')
const { attach, plugin } = require('./lib/integrations/http-proxy.js')
const { middleware } = require('./lib/integrations/express.js')
const { relay, relayUpgrade } = require('./lib/integrations/relay.js')
const { forward, forwardUpgrade } = require('./lib/integrations/forward.js')
const { replyFromHooks } = require('./lib/integrations/reply-from.js')
const { fastifyProxyOptions } = require('./lib/integrations/fastify-http-proxy.js')

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
  requestPath,
  forward,
  forwardUpgrade,
  replyFromHooks,
  fastifyProxyOptions,
}
