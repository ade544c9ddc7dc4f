'use strict'

// The benchmark corpus: six header sets a proxy meets every day, kept as wire bytes.
//
// Why bytes and not string arrays: Node's HTTP parser hands every message a brand-new
// `rawHeaders` array of brand-new one-byte strings (node_http_parser.cc builds each name and
// value with String::NewFromOneByte from the socket buffer). A benchmark that passes the same
// literal array on every call measures something else: V8 caches a string's hash in the string
// after the first Map/Set/object-key lookup and may internalize it (turning the original into
// a ThinString), so JS peers that hash header names look far cheaper on reused strings than
// they are on a real request. `fresh(item)` therefore slices new strings out of a Buffer with
// `latin1Slice`, which goes through the same String::NewFromOneByte path as the parser.

/** Builds a cookie value of about `length` bytes with realistic name=value pairs. */
function longCookie(length) {
  const pairs = []
  let size = 0
  for (let i = 0; size < length; i++) {
    const pair = `c${i}_${(i * 2654435761 >>> 0).toString(36)}=${'v'.repeat(8 + (i % 7))}${(i * 40503 >>> 0).toString(16)}`
    pairs.push(pair)
    size += pair.length + 2
  }
  return pairs.join('; ')
}

/** Base64-ish filler of a given length, deterministic, for tokens and metadata blobs. */
function blob(seed, length) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  let out = ''
  let x = seed >>> 0
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    out += alphabet[(x >>> 16) & 63]
  }
  return out
}

const CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

// [name, value] lines exactly as they would appear on the wire (Node keeps the sender's case).
const ITEMS = [
  {
    name: 'browser navigation (18)',
    key: 'browser',
    options: { httpVersion: '1.1', direction: 'request' },
    lines: [
      ['Host', 'shop.example.com'],
      ['Connection', 'keep-alive'],
      ['sec-ch-ua', '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'],
      ['sec-ch-ua-mobile', '?0'],
      ['sec-ch-ua-platform', '"Linux"'],
      ['Upgrade-Insecure-Requests', '1'],
      ['User-Agent', CHROME_UA],
      ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7'],
      ['Sec-Fetch-Site', 'same-origin'],
      ['Sec-Fetch-Mode', 'navigate'],
      ['Sec-Fetch-User', '?1'],
      ['Sec-Fetch-Dest', 'document'],
      ['Referer', 'https://shop.example.com/catalog/shoes?page=2&sort=price'],
      ['Accept-Encoding', 'gzip, deflate, br, zstd'],
      ['Accept-Language', 'en-GB,en-US;q=0.9,en;q=0.8,de;q=0.7'],
      ['Cookie', longCookie(1500)],
      ['Cache-Control', 'max-age=0'],
      ['Priority', 'u=0, i'],
    ],
  },
  {
    name: 'small API request (6)',
    key: 'api',
    options: { httpVersion: '1.1', direction: 'request' },
    lines: [
      ['host', 'api.internal:8080'],
      ['user-agent', 'undici'],
      ['accept', 'application/json'],
      ['content-type', 'application/json'],
      ['authorization', 'Bearer ' + blob(7, 40)],
      ['content-length', '27'],
    ],
  },
  {
    name: 'Connection: keep-alive, X-Foo (11)',
    key: 'nominated',
    options: { httpVersion: '1.1', direction: 'request' },
    lines: [
      ['Host', 'backend.example.net'],
      ['User-Agent', 'curl/8.5.0'],
      ['Accept', '*/*'],
      ['Connection', 'keep-alive, X-Foo'],
      ['X-Foo', 'hop-secret'],
      ['Keep-Alive', 'timeout=5, max=100'],
      ['X-Request-Id', '7f3c2a9e-5b1d-4c8e-9a6f-0d2e4b8c1a37'],
      ['Accept-Encoding', 'gzip'],
      ['Content-Type', 'application/x-www-form-urlencoded'],
      ['Content-Length', '42'],
      ['X-Forwarded-For', '203.0.113.7'],
    ],
  },
  {
    name: 'HTTP/1.0 request (6)',
    key: 'http10',
    options: { httpVersion: '1.0', direction: 'request' },
    lines: [
      ['Host', 'legacy.example.org'],
      ['User-Agent', 'Wget/1.21.4'],
      ['Accept', '*/*'],
      ['Accept-Encoding', 'identity'],
      ['Connection', 'Keep-Alive'],
      ['Pragma', 'no-cache'],
    ],
  },
  {
    name: 'upstream response, 4x Set-Cookie, chunked (16)',
    key: 'response',
    options: { httpVersion: '1.1', direction: 'response', statusCode: 200 },
    lines: [
      ['Date', 'Tue, 24 Nov 2026 19:44:00 GMT'],
      ['Content-Type', 'text/html; charset=utf-8'],
      ['Transfer-Encoding', 'chunked'],
      ['Connection', 'keep-alive'],
      ['Keep-Alive', 'timeout=5'],
      ['Set-Cookie', 'session=' + blob(11, 64) + '; Path=/; HttpOnly; Secure; SameSite=Lax'],
      ['Set-Cookie', 'csrf=' + blob(12, 32) + '; Path=/; Secure; SameSite=Strict'],
      ['Set-Cookie', 'locale=en-GB; Path=/; Max-Age=31536000'],
      ['Set-Cookie', '_ab=variant-b; Path=/; Max-Age=2592000; Secure'],
      ['Cache-Control', 'private, no-cache, no-store, must-revalidate'],
      ['Vary', 'Accept-Encoding, Cookie'],
      ['X-Powered-By', 'Express'],
      ['Strict-Transport-Security', 'max-age=63072000; includeSubDomains; preload'],
      ['X-Content-Type-Options', 'nosniff'],
      ['X-Frame-Options', 'SAMEORIGIN'],
      ['Content-Encoding', 'gzip'],
    ],
  },
  {
    name: 'CDN + service mesh request (60)',
    key: 'mesh',
    options: { httpVersion: '1.1', direction: 'request' },
    lines: [
      ['host', 'orders.svc.cluster.local'],
      ['user-agent', CHROME_UA],
      ['accept', 'application/json, text/plain, */*'],
      ['accept-encoding', 'gzip, br'],
      ['accept-language', 'en-US,en;q=0.9'],
      ['authorization', 'Bearer ' + blob(21, 600)],
      ['content-type', 'application/json'],
      ['content-length', '312'],
      ['origin', 'https://app.example.com'],
      ['referer', 'https://app.example.com/orders/new'],
      ['cookie', longCookie(400)],
      ['sec-ch-ua', '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'],
      ['sec-ch-ua-mobile', '?0'],
      ['sec-ch-ua-platform', '"macOS"'],
      ['sec-fetch-site', 'same-site'],
      ['sec-fetch-mode', 'cors'],
      ['sec-fetch-dest', 'empty'],
      ['priority', 'u=1, i'],
      ['cache-control', 'no-cache'],
      ['pragma', 'no-cache'],
      ['cdn-loop', 'cloudflare'],
      ['cf-connecting-ip', '198.51.100.23'],
      ['cf-ipcountry', 'DE'],
      ['cf-ray', '8e5c1f2a3b4d5e6f-FRA'],
      ['cf-visitor', '{"scheme":"https"}'],
      ['true-client-ip', '198.51.100.23'],
      ['x-forwarded-for', '198.51.100.23, 172.70.1.5, 10.0.12.7'],
      ['x-forwarded-proto', 'https'],
      ['x-forwarded-host', 'app.example.com'],
      ['x-forwarded-port', '443'],
      ['x-real-ip', '198.51.100.23'],
      ['forwarded', 'for=198.51.100.23;proto=https;host=app.example.com'],
      ['via', '1.1 cloudflare, 1.1 google'],
      ['x-amzn-trace-id', 'Root=1-67a1b2c3-' + blob(31, 24)],
      ['x-request-id', 'b7e2f6c1-0a9d-4e3b-8c5f-2d1e7a6b9c04'],
      ['x-correlation-id', 'ord-20261124-000482913'],
      ['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
      ['tracestate', 'dd=s:1;o:rum,congo=t61rcWkgMzE'],
      ['baggage', 'userId=alice,serverNode=DF%2028,isProduction=false'],
      ['x-b3-traceid', '4bf92f3577b34da6a3ce929d0e0e4736'],
      ['x-b3-spanid', '00f067aa0ba902b7'],
      ['x-b3-parentspanid', '5b4185666d50f68b'],
      ['x-b3-sampled', '1'],
      ['x-datadog-trace-id', '5208512171318403364'],
      ['x-datadog-parent-id', '8128725424734522295'],
      ['x-datadog-sampling-priority', '1'],
      ['x-cloud-trace-context', '105445aa7843bc8bf206b12000100000/1;o=1'],
      ['x-envoy-attempt-count', '1'],
      ['x-envoy-external-address', '198.51.100.23'],
      ['x-envoy-expected-rq-timeout-ms', '15000'],
      ['x-envoy-original-path', '/api/v2/orders?expand=items'],
      ['x-envoy-decorator-operation', 'orders.svc.cluster.local:8080/*'],
      ['x-envoy-peer-metadata-id', 'sidecar~10.0.12.7~web-6d5f7c8b9-x2kqz.web~web.svc.cluster.local'],
      ['x-envoy-peer-metadata', blob(41, 420)],
      ['x-forwarded-client-cert', 'By=spiffe://cluster.local/ns/orders/sa/orders;Hash=' + blob(51, 64) + ';Subject="";URI=spiffe://cluster.local/ns/web/sa/web'],
      ['x-tenant-id', 'acme-eu-1'],
      ['x-api-version', '2026-10-01'],
      ['x-requested-with', 'XMLHttpRequest'],
      ['if-none-match', 'W/"5e-1c3f8a"'],
      ['connection', 'keep-alive'],
    ],
  },
]

/**
 * Encodes an item's lines as one header block and remembers where each name and value sits,
 * so that every call can slice fresh strings from it like the parser does.
 */
function encode(item) {
  let text = ''
  const offsets = []
  for (const [name, value] of item.lines) {
    offsets.push(text.length, text.length + name.length)
    text += name + ': '
    offsets.push(text.length, text.length + value.length)
    text += value + '\r\n'
  }
  return { ...item, buffer: Buffer.from(text, 'latin1'), offsets: Int32Array.from(offsets) }
}

const CORPUS = ITEMS.map(encode)

/**
 * A new rawHeaders array of new one-byte strings for `item`, as Node's parser would make it for
 * one message. Nothing in the result is shared with any earlier call.
 */
function fresh(item) {
  const { buffer, offsets } = item
  const count = offsets.length >>> 1
  // Built by push, so the array is PACKED like the one Node's parser hands over (new Array(n)
  // would be HOLEY, and above ~100k elements even a slow dictionary array).
  const raw = []
  for (let i = 0; i < count; i++) {
    raw.push(buffer.latin1Slice(offsets[2 * i], offsets[2 * i + 1]))
  }
  return raw
}

/**
 * Wraps arbitrary [name, value] lines (used by the scaling runs and tests) in the same
 * fresh-string machinery.
 */
function itemFromLines(name, lines, options = {}) {
  return encode({ name, key: name, options, lines })
}

/** The literal (non-fresh) flat array of an item, for correctness checks and printing. */
function literal(item) {
  return item.lines.flat()
}

module.exports = { CORPUS, fresh, itemFromLines, literal, longCookie, blob }
