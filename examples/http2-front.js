'use strict'
// An h2c (cleartext HTTP/2) front end for an HTTP/1.1 upstream. forward() drops the
// pseudo-header fields, writes Host from :authority, joins cookie crumbs into one Cookie line and
// frames a body of unknown length as chunked (RFC 9113 §8.3.1, §8.2.3).

const http2 = require('node:http2')
const { forward } = require('hop-by-hop')

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000'
const port = process.env.PORT ?? 8080

const server = http2.createServer((req, res) => forward(req, res, upstream))

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
