'use strict'
// Header names compared without lower-casing them: the integrations look for a few names in
// every line of every message, and a lower-case copy of each name was most of that work. Names
// of another length are passed over without being read; the others are compared in place.

/**
 * Client-address fields that CDNs and load balancers set (Cloudflare, Fastly, Akamai, Google App
 * Engine) and that no standard defines. This proxy writes none of them; an upstream program may
 * still read one as the client's address, before X-Forwarded-For (the request-ip package reads
 * X-Client-IP first), so a client's own is a spoofed address.
 */
const CLIENT_ADDRESS_FIELDS = Object.freeze([
  'x-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-cluster-client-ip',
  'x-appengine-user-ip',
  'x-forwarded',
  'forwarded-for',
])

/**
 * Fields in which a client speaks for earlier hops (RFC 7239 Forwarded, the X-Forwarded family,
 * X-Real-IP) and the client-address fields: a proxy writes the standard ones itself, and believes
 * any of them only from a trusted peer.
 */
const FORWARDING_FIELDS = Object.freeze([
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-real-ip',
  ...CLIENT_ADDRESS_FIELDS,
])

const FORWARDING_SET = new Set(FORWARDING_FIELDS)

/**
 * The forwarding field `name` is (lower-case, as in FORWARDING_FIELDS) in any case, also spelt
 * with `_` for `-` (`X_Forwarded_For`), else undefined: CGI names a field's variable with every
 * `-` turned into `_` (RFC 3875 §4.1.18), so a gateway behind the proxy (PHP-FPM) reads both as
 * one field.
 */
function forwardingFieldOf(name) {
  const lower = name.toLowerCase().replaceAll('_', '-')
  return FORWARDING_SET.has(lower) ? lower : undefined
}

function isForwardingField(name) {
  return forwardingFieldOf(name) !== undefined
}

/** Whether `name` is `lower` (a lower-case ASCII name) in any ASCII case. */
function isName(name, lower) {
  if (name.length !== lower.length) return false
  if (name === lower) return true
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i)
    if ((code >= 0x41 && code <= 0x5a ? code | 0x20 : code) !== lower.charCodeAt(i)) return false
  }
  return true
}

/** Whether two names are equal up to ASCII case. */
function equalsIgnoringCase(a, b) {
  if (a.length !== b.length) return false
  if (a === b) return true
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y && (x >= 0x41 && x <= 0x5a ? x | 0x20 : x) !== (y >= 0x41 && y <= 0x5a ? y | 0x20 : y)) return false
  }
  return true
}

/** Element index of the first line named `lower` in a flat name, value list, or -1. */
function findLine(flat, lower) {
  for (let i = 0; i < flat.length; i += 2) if (isName(flat[i], lower)) return i
  return -1
}

/**
 * Element index of the first line before `end` with the name of line `end` in any case, or -1.
 * Names of another length are passed over without reading them, and the others compared in
 * place: no lower-case copy of every name.
 */
function earlierLine(flat, end) {
  const name = flat[end]
  for (let i = 0; i < end; i += 2) {
    if (equalsIgnoringCase(flat[i], name)) return i
  }
  return -1
}

const BUCKETS = 4096

/** A bucket for a name, equal for names equal up to ASCII case: its length and three letters. */
function nameBucket(name) {
  const n = name.length
  if (n === 0) return 0
  const h = ((n * 31 + (name.charCodeAt(0) | 0x20)) * 31 + (name.charCodeAt(n - 1) | 0x20)) * 31 + (name.charCodeAt(n >> 1) | 0x20)
  return h & (BUCKETS - 1)
}

/**
 * The buckets of the names seen in one walk of a list, so that a name whose bucket no earlier
 * line took is known new without comparing it with every earlier one. Each walk marks with its
 * own stamp: the table is cleared once every 65,535 walks, not per walk.
 */
class SeenBuckets {
  constructor() {
    this.marks = new Uint16Array(BUCKETS)
    this.stamp = 0
  }

  /** Starts a walk. */
  start() {
    this.stamp = (this.stamp + 1) & 0xffff
    if (this.stamp === 0) {
      this.marks.fill(0)
      this.stamp = 1
    }
  }

  /**
   * Element index of the first line before `index` in `flat` with the name of line `index` (of
   * bucket `bucket`) in any case, or -1; marks the bucket. A name whose bucket no earlier line of
   * this walk took is new without being compared with the earlier lines.
   */
  earlierLine(flat, index, bucket) {
    if (this.marks[bucket] !== this.stamp) {
      this.marks[bucket] = this.stamp
      return -1
    }
    return earlierLine(flat, index)
  }
}

module.exports = { CLIENT_ADDRESS_FIELDS, FORWARDING_FIELDS, forwardingFieldOf, isForwardingField, isName, equalsIgnoringCase, findLine, nameBucket, SeenBuckets, BUCKETS }
