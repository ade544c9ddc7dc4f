'use strict'
// What the proxy adds: Via, X-Forwarded-* and Forwarded from trusted peers only, Host, framing,
// trailers and HTTP/2 cookies. Unit tests of forwardHeaders, then the wire through every path
// with a raw upstream, proxies in a chain, IPv6 clients, trailers both ways and an HTTP/2 client.

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const http2 = require('node:http2')
const httpProxy = require('http-proxy')
const { forwardHeaders, createForwarding, filterRequest, attach } = require('..')
const { PATHS, serve } = require('./helpers/paths.js')
// The h2c front end of examples/http2-front.js, in process.
const http2ToHttp1Proxy = (target, agent) => http2.createServer((req, res) => require('..').forward(req, res, `http://${target.host}:${target.port}`, { agent }))
const { WAIT_MS, withTimeout, values, rawRequest, rawResponse, startRecordingUpstream, connect, exchange } = require('./helpers/wire.js')

/** A request as Node's server hands it over, from `address`. */
function incoming(rawHeaders, { address = '203.0.113.50', httpVersion = '1.1', encrypted, endAfterHeaders, authority } = {}) {
  return {
    rawHeaders,
    httpVersion,
    httpVersionMajor: Number(httpVersion[0]),
    socket: { remoteAddress: address, encrypted, localAddress: '127.0.0.1', localPort: 8080 },
    stream: endAfterHeaders === undefined ? undefined : { endAfterHeaders },
    authority,
  }
}

/** [name, value] lines of a flat list. */
function lines(flat) {
  const out = []
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]])
  return out
}

function forwarded(rawHeaders, options, requestOptions) {
  const req = incoming(rawHeaders, requestOptions)
  return lines(forwardHeaders(req, filterRequest(req).headers, options))
}

const CLIENT_ADDRESS_LINES = [
  ['X-Client-IP', '198.51.100.2'],
  ['True-Client-IP', '198.51.100.3'],
  ['CF-Connecting-IP', '198.51.100.4'],
  ['Fastly-Client-IP', '198.51.100.5'],
  ['X-Cluster-Client-IP', '198.51.100.6'],
  ['X-AppEngine-User-IP', '198.51.100.7'],
  ['X-Forwarded', 'for=198.51.100.8'],
  ['Forwarded-For', '198.51.100.9'],
]

const SPOOFED = [
  ['Host', 'app.test'],
  ['X-Forwarded-For', '198.51.100.1, 10.1.2.3'],
  ['X-Forwarded-Host', 'evil.test'],
  ['X-Forwarded-Proto', 'https'],
  ['X-Forwarded-Port', '443'],
  ['X-Forwarded-Prefix', '/admin'],
  ['X-Real-IP', '198.51.100.1'],
  ['Forwarded', 'for=198.51.100.1;proto=https'],
  // Client-address fields of CDNs and load balancers, which programs such as request-ip read first.
  ...CLIENT_ADDRESS_LINES,
  ['Accept', '*/*'],
].flat()

describe('forwardHeaders', () => {
  it('trusts no peer by default: every inbound forwarding field is replaced by its own', () => {
    assert.deepEqual(forwarded(SPOOFED), [
      ['Host', 'app.test'],
      ['Accept', '*/*'],
      ['X-Forwarded-For', '203.0.113.50'],
      ['X-Forwarded-Host', 'app.test'],
      ['X-Forwarded-Proto', 'http'],
      ['Via', '1.1 hop-by-hop'],
    ])
  })

  it('extends the chain of a trusted peer, keeping its view of the request', () => {
    const out = forwarded(SPOOFED, { trust: '203.0.113.0/24' })
    // The walk back stops at the first untrusted hop, 10.1.2.3: what came before is the client's claim.
    assert.deepEqual(values(out, 'x-forwarded-for'), ['10.1.2.3, 203.0.113.50'])
    assert.deepEqual(values(out, 'x-forwarded-host'), ['evil.test'])
    assert.deepEqual(values(out, 'x-forwarded-proto'), ['https'])
    assert.deepEqual(values(out, 'x-forwarded-port'), ['443'])
    assert.deepEqual(values(out, 'x-real-ip'), ['198.51.100.1'])
    // The client-address fields pass on as the peer sent them.
    for (const [name, value] of CLIENT_ADDRESS_LINES) assert.deepEqual(values(out, name), [value], name)
  })

  it('reads a forwarding field spelt with underscores as that field, as CGI does (RFC 3875 §4.1.18)', () => {
    const underscored = ['Host', 'app.test', 'X_Forwarded_For', '10.1.2.3', 'x_real_ip', '198.51.100.1', 'X_Forwarded-Host', 'evil.test', 'X_Other', 'kept']
    assert.deepEqual(forwarded(underscored), [
      ['Host', 'app.test'],
      ['X_Other', 'kept'],
      ['X-Forwarded-For', '203.0.113.50'],
      ['X-Forwarded-Host', 'app.test'],
      ['X-Forwarded-Proto', 'http'],
      ['Via', '1.1 hop-by-hop'],
    ])
    const trusted = forwarded(underscored, { trust: '203.0.113.0/24' })
    assert.deepEqual(values(trusted, 'x-forwarded-for'), ['10.1.2.3, 203.0.113.50'])
    assert.deepEqual(values(trusted, 'x-forwarded-host'), ['evil.test'])
    assert.deepEqual(values(trusted, 'x_real_ip'), ['198.51.100.1'])
  })

  it('takes Express\'s trust forms: true, hop counts, CIDR lists, names, functions', () => {
    const chain = (trust) => values(forwarded(SPOOFED, { trust }), 'x-forwarded-for')[0]
    assert.equal(chain(true), '198.51.100.1, 10.1.2.3, 203.0.113.50')
    assert.equal(chain(false), '203.0.113.50')
    assert.equal(chain(0), '203.0.113.50')
    assert.equal(chain(1), '10.1.2.3, 203.0.113.50')
    assert.equal(chain(2), '198.51.100.1, 10.1.2.3, 203.0.113.50')
    assert.equal(chain('203.0.113.0/24, 10.0.0.0/8'), '198.51.100.1, 10.1.2.3, 203.0.113.50')
    assert.equal(chain(['203.0.113.50', 'uniquelocal']), '198.51.100.1, 10.1.2.3, 203.0.113.50')
    assert.equal(chain('loopback'), '203.0.113.50')
    assert.equal(chain((address, hop) => address === '203.0.113.50' && hop === 0), '10.1.2.3, 203.0.113.50')
  })

  it('writes RFC 7239 Forwarded with quoted IPv6 nodes and hosts with ports', () => {
    const out = forwarded(['Host', 'app.test:8443'], { forwarded: 'forwarded' }, { address: '2001:db8::7', encrypted: true })
    assert.deepEqual(values(out, 'forwarded'), ['for="[2001:db8::7]";host="app.test:8443";proto=https'])
    assert.deepEqual(values(out, 'x-forwarded-for'), [])
    const both = forwarded(['Host', 'a'], { forwarded: 'both' }, { address: '::ffff:192.0.2.9' })
    assert.deepEqual(values(both, 'forwarded'), ['for=192.0.2.9;host=a;proto=http'])
    assert.deepEqual(values(both, 'x-forwarded-for'), ['192.0.2.9'])
    assert.deepEqual(values(forwarded(['Host', 'a'], { forwarded: false }), 'x-forwarded-for'), [])
  })

  it('extends a trusted Forwarded chain and stops at an obfuscated or untrusted node', () => {
    const inbound = ['Host', 'a', 'Forwarded', 'for=198.51.100.1, for=_hidden;by=_edge', 'Forwarded', 'for="[2001:db8::1]:4711";proto=https']
    const out = forwarded(inbound, { forwarded: 'forwarded', trust: ['203.0.113.50', '2001:db8::/32'] })
    assert.deepEqual(values(out, 'forwarded'), ['for=_hidden;by=_edge, for="[2001:db8::1]:4711";proto=https, for=203.0.113.50;host=a;proto=http'])
  })

  it('appends Via with the received protocol and a pseudonym, to requests and responses', () => {
    assert.deepEqual(values(forwarded(['Host', 'a', 'Via', '1.1 edge']), 'via'), ['1.1 edge', '1.1 hop-by-hop'])
    assert.deepEqual(values(forwarded(['Host', 'a'], { via: 'gw' }, { httpVersion: '1.0' }), 'via'), ['1.0 gw'])
    assert.deepEqual(values(forwarded([], {}, { httpVersion: '2.0', authority: 'a' }), 'via'), ['2 hop-by-hop'])
    assert.deepEqual(values(forwarded(['Host', 'a'], { via: false }), 'via'), [])
    const response = createForwarding({ via: 'gw' }).response({ httpVersion: '1.0' }, ['Content-Type', 'text/plain'])
    assert.deepEqual(response, ['Content-Type', 'text/plain', 'Via', '1.0 gw'])
  })

  it('keeps the client\'s Host, or sets the target\'s and keeps the client\'s in X-Forwarded-Host', () => {
    assert.deepEqual(values(forwarded(['Host', 'app.test']), 'host'), ['app.test'])
    const out = forwarded(['Host', 'app.test'], { host: '127.0.0.1:3000' })
    assert.deepEqual(values(out, 'host'), ['127.0.0.1:3000'])
    assert.deepEqual(values(out, 'x-forwarded-host'), ['app.test'])
    // No Host (HTTP/1.0): the authority the client connected to.
    assert.deepEqual(values(forwarded([], {}, { httpVersion: '1.0' }), 'host'), ['127.0.0.1:8080'])
  })

  it('takes Host from an absolute-form request target, and refuses one whose Host names another host (RFC 9112 §3.2.2)', () => {
    const cases = [
      ['http://a.example/admin', ['Host', 'A.Example'], 'a.example'],
      ['HTTPS://a.example:8443?q=1', ['Host', 'a.example:8443'], 'a.example:8443'],
      // The scheme's own port may be named on either side.
      ['http://a.example:80/', ['Host', 'a.example'], 'a.example:80'],
      ['https://a.example/', ['Host', 'a.example:443'], 'a.example'],
      ['http://user:pw@a.example#f', [], 'a.example'],
      ['http://[2001:db8::1]:8080/x', ['Host', '[2001:DB8::1]:8080'], '[2001:db8::1]:8080'],
      // Not absolute-form: the received Host stands.
      ['/admin', ['Host', 'b.example'], 'b.example'],
      ['ftp://a.example/', ['Host', 'b.example'], 'b.example'],
      ['http:///x', ['Host', 'b.example'], 'b.example'],
    ]
    for (const [url, rawHeaders, host] of cases) {
      const req = { ...incoming(rawHeaders), url }
      const out = lines(forwardHeaders(req, filterRequest(req).headers))
      assert.deepEqual(values(out, 'host'), [host], url)
      assert.deepEqual(values(out, 'x-forwarded-host'), [host], url)
    }
    for (const [url, host] of [['http://admin.internal/secret', 'public.example'], ['http://a.example:8080/', 'a.example'], ['https://a.example/', 'a.example:80']]) {
      const req = { ...incoming(['Host', host]), url }
      assert.throws(() => forwardHeaders(req, filterRequest(req).headers), { name: 'HopByHopError', code: 'ERR_HOP_BY_HOP_HOST_MISMATCH', statusCode: 400 }, url)
    }
    // The `host` option still wins; the target's authority goes in X-Forwarded-Host.
    const req = { ...incoming(['Host', 'a.example']), url: 'http://a.example/' }
    const out = lines(forwardHeaders(req, filterRequest(req).headers, { host: 'upstream:3000' }))
    assert.deepEqual([values(out, 'host'), values(out, 'x-forwarded-host')], [['upstream:3000'], ['a.example']])
  })

  it('writes a Host-less request\'s local address as a valid authority: IPv4-mapped unmapped, IPv6 bracketed', () => {
    const hostFor = (localAddress) => {
      const req = { ...incoming([], { httpVersion: '1.0' }) }
      req.socket = { ...req.socket, localAddress }
      return values(lines(forwardHeaders(req, [])), 'host')
    }
    // A dual-stack listener (`::`) sees an IPv4 client's connection as ::ffff:a.b.c.d.
    assert.deepEqual(hostFor('::ffff:127.0.0.1'), ['127.0.0.1:8080'])
    assert.deepEqual(hostFor('::1'), ['[::1]:8080'])
    assert.deepEqual(hostFor('2001:db8::7'), ['[2001:db8::7]:8080'])
  })

  it('frames a chunked body again, announces its trailers, and names te with TE: trailers', () => {
    const out = forwarded(['Host', 'a', 'Transfer-Encoding', 'chunked', 'TE', 'trailers', 'Trailer', 'X-Sum, Content-Length, X-Hop', 'Connection', 'X-Hop'])
    assert.deepEqual(values(out, 'transfer-encoding'), ['chunked'])
    assert.deepEqual(values(out, 'trailer'), ['X-Sum'])
    assert.deepEqual(values(out, 'connection'), ['te'])
    const upgrade = incoming(['Host', 'a', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'TE', 'trailers'])
    const upgraded = forwardHeaders(upgrade, filterRequest(upgrade, { upgrade: true }).headers)
    assert.deepEqual(values(lines(upgraded), 'connection'), ['upgrade, te'])
  })

  it('with framing: false leaves framing and Connection to the client library (undici)', () => {
    const out = forwarded(['Host', 'a', 'Transfer-Encoding', 'chunked', 'TE', 'trailers', 'Trailer', 'X-Sum'], { framing: false })
    assert.deepEqual(out.map(([name]) => name), ['Host', 'TE', 'X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'Via'])
  })

  it('joins HTTP/2 cookie crumbs and takes Host from :authority; frames a body of unknown length', () => {
    const raw = [':method', 'POST', ':authority', 'app.test', ':path', '/', 'cookie', 'a=1', 'accept', '*/*', 'cookie', 'b=2']
    const req = incoming(raw, { httpVersion: '2.0', authority: 'app.test', endAfterHeaders: false })
    const out = lines(forwardHeaders(req, filterRequest(req).headers))
    assert.deepEqual(out.slice(0, 3), [['Host', 'app.test'], ['cookie', 'a=1; b=2'], ['accept', '*/*']])
    assert.deepEqual(values(out, 'transfer-encoding'), ['chunked'])
    const bodiless = incoming(raw, { httpVersion: '2.0', authority: 'app.test', endAfterHeaders: true })
    assert.deepEqual(values(lines(forwardHeaders(bodiless, filterRequest(bodiless).headers)), 'transfer-encoding'), [])
  })

  it('HTTP/2: Host is made from :authority, and a Host field naming another host is refused (RFC 9113 §8.3.1)', () => {
    const request = (host, scheme = 'http') => {
      const raw = [':method', 'GET', ':scheme', scheme, ':authority', 'app.test', ':path', '/', ...(host === undefined ? [] : ['host', host])]
      const req = incoming(raw, { httpVersion: '2.0', endAfterHeaders: true })
      req.headers = { ':scheme': scheme, ':authority': 'app.test', ...(host === undefined ? {} : { host }) }
      return req
    }
    for (const [host, scheme] of [[undefined], ['app.test'], ['APP.test:80'], ['app.test:443', 'https']]) {
      const req = request(host, scheme)
      assert.deepEqual(values(lines(forwardHeaders(req, filterRequest(req).headers)), 'host'), ['app.test'], `${host} ${scheme}`)
    }
    for (const [host, scheme] of [['evil.test'], ['app.test:8080'], ['app.test:443'], ['app.test:80', 'https']]) {
      const req = request(host, scheme)
      assert.throws(() => forwardHeaders(req, filterRequest(req).headers), { code: 'ERR_HOP_BY_HOP_HOST_MISMATCH', statusCode: 400, message: /:authority.*RFC 9113/ }, `${host} ${scheme}`)
    }
  })

  it('refuses a request whose client is gone with its address, unless it writes no forwarding field', () => {
    const gone = incoming(['Host', 'a'])
    gone.socket = { destroyed: true, remoteAddress: undefined }
    for (const forwarded of [undefined, 'forwarded', 'both']) {
      assert.throws(() => forwardHeaders(gone, ['Host', 'a'], { forwarded }), { code: 'ERR_HOP_BY_HOP_PEER_UNKNOWN', statusCode: 400 })
    }
    assert.deepEqual(values(lines(forwardHeaders(gone, ['Host', 'a'], { forwarded: false })), 'x-forwarded-for'), [])
    // A socket with no address that is still open (a Unix socket): nothing to name, nothing refused.
    const unix = incoming(['Host', 'a'])
    unix.socket = { destroyed: false, remoteAddress: undefined }
    assert.deepEqual(values(lines(forwardHeaders(unix, ['Host', 'a'])), 'x-forwarded-for'), [])
    // An address read before the socket closed is still the socket's.
    const read = incoming(['Host', 'a'])
    read.socket = { destroyed: true, remoteAddress: '198.51.100.7' }
    assert.deepEqual(values(lines(forwardHeaders(read, ['Host', 'a'])), 'x-forwarded-for'), ['198.51.100.7'])
  })

  it('never changes the list it is given', () => {
    const filtered = ['Host', 'a', 'X-Forwarded-For', '1.2.3.4']
    const copy = filtered.slice()
    forwardHeaders(incoming(filtered), filtered)
    assert.deepEqual(filtered, copy)
  })

  it('refuses bad options with an error naming the option', () => {
    assert.throws(() => forwardHeaders(incoming([]), [], { trust: {} }), { name: 'TypeError', message: /options\.trust/ })
    assert.throws(() => forwardHeaders(incoming([]), [], { trust: -1 }), { name: 'RangeError', message: /options\.trust/ })
    assert.throws(() => forwardHeaders(incoming([]), [], { trust: '10.0.0.0/99' }), { name: 'TypeError', message: /options\.trust/ })
    assert.throws(() => forwardHeaders(incoming([]), [], { forwarded: 'x' }), { name: 'RangeError', message: /options\.forwarded/ })
    assert.throws(() => forwardHeaders(incoming([]), [], { via: 'two words' }), { name: 'TypeError', message: /options\.via/ })
    assert.throws(() => forwardHeaders(incoming([]), [], { host: 'a b' }), { name: 'TypeError', message: /options\.host/ })
    assert.throws(() => createForwarding(null), { name: 'TypeError', message: /options/ })
    assert.throws(() => createForwarding({ framing: 'no' }), { name: 'TypeError', message: /options\.framing/ })
  })
})

const SPOOFING_REQUEST = rawRequest('GET /who HTTP/1.1', [
  ['Host', 'app.test'],
  ['Connection', 'X-Forwarded-For, Via, Forwarded'],
  ['X-Forwarded-For', '198.51.100.1'],
  ['X-Real-IP', '198.51.100.1'],
  ['Forwarded', 'for=198.51.100.1'],
  ['X-Forwarded-Proto', 'https'],
  ['Via', '1.1 spoofed'],
  // What a CGI gateway (PHP-FPM) reads as X-Forwarded-For and X-Real-IP (RFC 3875 §4.1.18).
  ['X_Forwarded_For', '198.51.100.1'],
  ['x-real_ip', '198.51.100.1'],
  ...CLIENT_ADDRESS_LINES,
  ['X_Client_IP', '198.51.100.1'],
])

describe('on the wire, through every path', () => {
  for (const [path, start] of Object.entries(PATHS)) {
    it(`${path}: a spoofing client never reaches the upstream, even by nominating the fields the proxy adds; Via both ways`, async (t) => {
      const upstream = await startRecordingUpstream(() => rawResponse({ headers: [['Via', '1.1 origin-cache']], body: 'ok' }))
      t.after(() => upstream.close())
      const port = await start(t, upstream.url)
      const response = await exchange(port, SPOOFING_REQUEST)
      assert.equal(response.status, 200)
      const [request] = upstream.requests
      assert.deepEqual(values(request.headers, 'x-forwarded-for'), ['127.0.0.1'])
      assert.deepEqual(values(request.headers, 'x-forwarded-proto'), ['http'])
      assert.deepEqual(values(request.headers, 'x-real-ip'), [])
      assert.deepEqual(values(request.headers, 'forwarded'), [])
      assert.deepEqual(values(request.headers, 'x_forwarded_for'), [])
      assert.deepEqual(values(request.headers, 'x-real_ip'), [])
      for (const [name] of [...CLIENT_ADDRESS_LINES, ['X_Client_IP']]) assert.deepEqual(values(request.headers, name), [], name)
      // The client nominated its Via, so the filter dropped it; the proxy's own is added after.
      assert.match(values(request.headers, 'via').join(', '), /^1\.1 hop-by-hop(-demo)?$/)
      assert.match(values(response.headers, 'via').join(', '), /^1\.1 origin-cache, 1\.1 hop-by-hop(-demo)?$/)
    })
  }

  for (const path of ['http-proxy + attach', 'http-proxy-middleware + plugin', 'Express middleware + relay (README recipe)']) {
    it(`${path}: a trusted peer's chain is extended and its client-address fields pass, an IPv6 client is quoted in Forwarded`, async (t) => {
      const upstream = await startRecordingUpstream()
      t.after(() => upstream.close())
      const trusting = await PATHS[path](t, upstream.url, { trust: 'loopback', forwarded: 'both' })
      await exchange(trusting, rawRequest('GET / HTTP/1.1', [['Host', 'a'], ['X-Forwarded-For', '203.0.113.9'], ['Forwarded', 'for=203.0.113.9;proto=https'], ['CF-Connecting-IP', '203.0.113.9']]))
      const [extended] = upstream.requests
      // A trusted peer's client-address field passes on as sent.
      assert.deepEqual(values(extended.headers, 'cf-connecting-ip'), ['203.0.113.9'])
      assert.deepEqual(values(extended.headers, 'x-forwarded-for'), ['203.0.113.9, 127.0.0.1'])
      assert.deepEqual(values(extended.headers, 'forwarded'), ['for=203.0.113.9;proto=https, for=127.0.0.1;host=a;proto=http'])

      const v6 = await PATHS[path](t, upstream.url, { forwarded: 'both' }, '::1')
      const client = await withTimeout(new Promise((resolve, reject) => {
        const request = http.get({ host: '::1', port: v6, path: '/v6', headers: { Host: '[::1]:' + v6 } }, resolve)
        request.on('error', reject)
      }), WAIT_MS, 'IPv6 request')
      client.resume()
      const v6request = await upstream.received(2)
      assert.deepEqual(values(v6request.headers, 'x-forwarded-for'), ['::1'])
      assert.deepEqual(values(v6request.headers, 'forwarded'), [`for="[::1]";host="[::1]:${v6}";proto=http`])
    })
  }

  it('two proxies in a row give a correct two-hop Forwarded, X-Forwarded-For and Via', async (t) => {
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    // The inner proxy trusts the outer one (loopback); the outer trusts no client.
    const inner = await PATHS['Express middleware + relay (README recipe)'](t, upstream.url, { trust: 'loopback', forwarded: 'both', via: 'inner' })
    const outer = await PATHS['http-proxy + attach'](t, `http://127.0.0.1:${inner}`, { forwarded: 'both', via: 'outer' })
    const response = await exchange(outer, SPOOFING_REQUEST)
    assert.equal(response.status, 200)
    const [request] = upstream.requests
    assert.deepEqual(values(request.headers, 'x-forwarded-for'), ['127.0.0.1, 127.0.0.1'])
    assert.deepEqual(values(request.headers, 'forwarded'), ['for=127.0.0.1;host=app.test;proto=http, for=127.0.0.1;host=app.test;proto=http'])
    assert.deepEqual(values(request.headers, 'x-forwarded-host'), ['app.test'])
    assert.equal(values(request.headers, 'via').join(', '), '1.1 outer, 1.1 inner')
    assert.equal(values(response.headers, 'via').join(', '), '1.1 inner, 1.1 outer')
  })
})

describe('trailers both ways', () => {
  // Trailers are filtered like a head, without the fields RFC 9110 §6.5.1 keeps out of them and
  // the forwarding fields, which only the head carries (from a trusted peer).
  const CHUNKED_WITH_TRAILERS = rawRequest('POST /t HTTP/1.1', [
    ['Host', 'app.test'],
    ['TE', 'trailers'],
    ['Transfer-Encoding', 'chunked'],
    ['Trailer', 'X-Checksum, X-Hop, Authorization, X-Forwarded-For, Forwarded, X_Forwarded_For'],
    ['Connection', 'X-Hop'],
  ]) + '4\r\nbody\r\n0\r\nX-Checksum: c1\r\nX-Hop: h\r\nAuthorization: Basic eDp5\r\n' +
    // An untrusted client's forwarding fields, which the head would not pass either.
    'X-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nx-real-ip: 6.6.6.6\r\nX_Forwarded_For: 6.6.6.6\r\n\r\n'

  const upstreamWithTrailers = () => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Digest, X-Internal, X-Forwarded-Host\r\nConnection: X-Internal\r\n\r\n' +
    '2\r\nok\r\n0\r\nX-Digest: d1\r\nX-Internal: i\r\nContent-Type: text/evil\r\nX-Forwarded-Host: evil.test\r\n\r\n'

  for (const path of ['http-proxy + attach', 'http-proxy-middleware + plugin', 'Express middleware + relay (README recipe)', 'npm start']) {
    it(`${path}: request and response trailers arrive filtered and announced`, async (t) => {
      const upstream = await startRecordingUpstream(upstreamWithTrailers)
      t.after(() => upstream.close())
      const port = await PATHS[path](t, upstream.url)
      const client = await connect(port)
      t.after(() => client.destroy())
      client.send(CHUNKED_WITH_TRAILERS)
      const response = await client.response()
      assert.equal(response.status, 200, response.body.toString())
      const [request] = upstream.requests
      assert.equal(request.body.toString(), 'body')
      assert.deepEqual(request.trailers, ['X-Checksum: c1'])
      assert.deepEqual(values(request.headers, 'trailer'), ['X-Checksum'])
      assert.equal(response.body.toString(), 'ok')
      assert.deepEqual(response.trailers.map((line) => line.toLowerCase()), ['x-digest: d1'])
      assert.deepEqual(values(response.headers, 'trailer'), ['X-Digest'])

      // A client that did not offer TE: trailers gets the body without them.
      client.send(rawRequest('GET /plain HTTP/1.1', [['Host', 'app.test']]))
      const plain = await client.response()
      assert.equal(plain.body.toString(), 'ok')
      assert.deepEqual(plain.trailers, [])
      assert.deepEqual(values(plain.headers, 'trailer'), [])
    })
  }

  it('an HTTP/2 (gRPC-style) client through an h2c proxy: cookies joined, Host from :authority, trailers back', async (t) => {
    const upstream = await startRecordingUpstream(() => 'HTTP/1.1 200 OK\r\nContent-Type: application/grpc\r\nTransfer-Encoding: chunked\r\nTrailer: grpc-status\r\n\r\n' +
      '5\r\nreply\r\n0\r\ngrpc-status: 0\r\ngrpc-message: OK\r\n\r\n')
    t.after(() => upstream.close())
    const agent = new http.Agent({ keepAlive: true })
    t.after(() => agent.destroy())
    // The README's h2c recipe.
    const proxy = http2ToHttp1Proxy({ host: '127.0.0.1', port: upstream.port }, agent)
    const port = await serve(t, proxy)
    const session = http2.connect(`http://127.0.0.1:${port}`)
    t.after(() => session.close())
    const stream = session.request({
      ':method': 'POST',
      ':path': '/pkg.Service/Call',
      'content-type': 'application/grpc',
      te: 'trailers',
      cookie: ['a=1', 'b=2'],
    })
    stream.end('hello')
    const [head, trailers, body] = await withTimeout(new Promise((resolve, reject) => {
      let response
      let data = ''
      stream.on('response', (headers) => (response = headers))
      stream.on('data', (chunk) => (data += chunk))
      stream.on('trailers', (fields) => resolve([response, fields, data]))
      stream.on('error', reject)
    }), WAIT_MS, 'h2 trailers')
    assert.equal(head[':status'], 200)
    assert.equal(body, 'reply')
    assert.equal(trailers['grpc-status'], '0')
    assert.equal(trailers['grpc-message'], 'OK')
    const [request] = upstream.requests
    assert.deepEqual(values(request.headers, 'cookie'), ['a=1; b=2'])
    assert.deepEqual(values(request.headers, 'host'), [`127.0.0.1:${port}`])
    assert.deepEqual(values(request.headers, 'via'), ['2 hop-by-hop'])
    assert.deepEqual(values(request.headers, 'te'), ['trailers'])
    assert.equal(request.body.toString(), 'hello')
  })
})

describe('an HTTP/2 client when the upstream fails', () => {
  it('gets 502 on its stream, and no connection-specific field is attempted', async (t) => {
    const unused = await startRecordingUpstream()
    const port = unused.port
    await unused.close()
    const warnings = []
    const onWarning = (warning) => warnings.push(warning.message)
    process.on('warning', onWarning)
    t.after(() => process.off('warning', onWarning))
    const proxy = await serve(t, http2ToHttp1Proxy({ host: '127.0.0.1', port }))
    const session = http2.connect(`http://127.0.0.1:${proxy}`)
    t.after(() => session.close())
    const stream = session.request({ ':path': '/' })
    stream.resume()
    const status = await withTimeout(new Promise((resolve) => stream.on('response', (headers) => resolve(headers[':status']))), WAIT_MS, 'h2 502')
    assert.equal(status, 502)
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(warnings.filter((message) => /connection header/i.test(message)), [])
  })
})

describe('side by side with http-proxy\'s xfwd', () => {
  it('xfwd appends to a spoofed X-Forwarded-For; attach() replaces it', async (t) => {
    const upstream = await startRecordingUpstream()
    t.after(() => upstream.close())
    const plain = httpProxy.createProxyServer({ target: upstream.url, xfwd: true })
    const port = await serve(t, http.createServer((req, res) => plain.web(req, res)))
    await exchange(port, SPOOFING_REQUEST)
    assert.deepEqual(values(upstream.requests[0].headers, 'x-forwarded-for'), ['198.51.100.1,127.0.0.1'])
    assert.deepEqual(values(upstream.requests[0].headers, 'via'), ['1.1 spoofed'])
    const fixed = httpProxy.createProxyServer({ target: upstream.url, xfwd: true })
    attach(fixed)
    const fixedPort = await serve(t, http.createServer((req, res) => fixed.web(req, res)))
    await exchange(fixedPort, SPOOFING_REQUEST)
    assert.deepEqual(values(upstream.requests[1].headers, 'x-forwarded-for'), ['127.0.0.1'])
  })
})


