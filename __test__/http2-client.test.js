'use strict'
// RFC 9113 §8.2.2: whatever a message carried, the filtered headers are acceptable to Node's
// HTTP/2 client, which throws ERR_HTTP2_INVALID_CONNECTION_HEADERS for any connection-specific
// field (and for TE other than "trailers").

const { test } = require('node:test')
const assert = require('node:assert/strict')
const http2 = require('node:http2')
const { once } = require('node:events')
const { filterHeaders } = require('..')
const { random } = require('./helpers/random.js')

const CASES = 1500

const NAMES = ['Connection', 'connection', 'Keep-Alive', 'Proxy-Connection', 'TE', 'te', 'Transfer-Encoding', 'Upgrade', 'HTTP2-Settings', 'Trailer', 'X-Foo', 'x-bar', 'Accept', 'Cookie']
const VALUES = ['keep-alive', 'close', 'Upgrade', 'X-Foo, x-bar', 'trailers', 'Trailers, gzip', 'gzip', 'chunked', 'websocket', 'h2c', 'v', 'TE']

function toHttp2Object(flat) {
  const headers = {}
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i].toLowerCase()
    if (name in headers) headers[name] = [].concat(headers[name], flat[i + 1])
    else headers[name] = flat[i + 1]
  }
  return headers
}

test(`filtered HTTP/1.1 requests are valid HTTP/2 requests (${CASES} generated)`, async (t) => {
  const server = http2.createServer()
  server.on('stream', (stream) => stream.respond({ ':status': 204 }, { endStream: true }))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const client = http2.connect(`http://127.0.0.1:${server.address().port}`)
  t.after(() => {
    client.close()
    server.close()
  })
  await once(client, 'connect')

  const next = random(7)
  const pick = (list) => list[Math.floor(next() * list.length)]
  for (let i = 0; i < CASES; i++) {
    const raw = []
    const lines = 1 + Math.floor(next() * 8)
    for (let j = 0; j < lines; j++) raw.push(pick(NAMES), pick(VALUES))
    const unfiltered = toHttp2Object(raw)
    // With `upgrade: true` the output keeps Upgrade on purpose, for HTTP/1.1 upstreams only.
    const { headers } = filterHeaders(raw)
    // The control: the same input, unfiltered, is what Node rejects.
    if (i < 50 && Object.keys(unfiltered).some((name) => ['connection', 'keep-alive', 'transfer-encoding', 'upgrade'].includes(name))) {
      assert.throws(() => client.request(unfiltered), { code: 'ERR_HTTP2_INVALID_CONNECTION_HEADERS' })
    }
    // request() validates synchronously; awaiting each exchange keeps within the server's
    // concurrent stream limit and proves the upstream accepted the request too.
    const stream = client.request(toHttp2Object(headers), { endStream: true })
    const [response] = await once(stream, 'response')
    assert.equal(response[':status'], 204)
    stream.resume()
  }
})
