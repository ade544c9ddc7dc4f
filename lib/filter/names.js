'use strict'
// The name lists of crates/core/src/names.rs, for callers and for the gate (gated.js).
// __test__/native-contract.test.js checks that they equal the Rust ones.

/** Fixed hop-by-hop names (crates/core/src/names.rs HOP_BY_HOP_HEADERS). */
const HOP_BY_HOP_HEADERS = Object.freeze([
  'Keep-Alive',
  'Proxy-Connection',
  'TE',
  'Trailer',
  'Transfer-Encoding',
  'Upgrade',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'HTTP2-Settings',
])

/** Default protect list (crates/core/src/names.rs DEFAULT_PROTECTED_HEADERS). */
const DEFAULT_PROTECTED_HEADERS = Object.freeze([
  'Host',
  'Content-Length',
  'Forwarded',
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Forwarded-Proto',
  'X-Forwarded-Port',
  'X-Real-IP',
])

module.exports = { HOP_BY_HOP_HEADERS, DEFAULT_PROTECTED_HEADERS }
