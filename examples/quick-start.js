'use strict'
// Quick start: a forwarding proxy for plain requests and WebSocket upgrades. Both directions are
// filtered, the proxy adds X-Forwarded-For/-Host/-Proto and Via, and whatever a client or the
// upstream sends becomes an answer (400, 431, 502), never a crash.

const http = require('node:http')
const { forward, forwardUpgrade } = require('hop-by-hop')

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000'
const port = process.env.PORT ?? 8080

const server = http
  .createServer((req, res) => forward(req, res, upstream))
  .on('upgrade', (req, socket, head) => forwardUpgrade(req, socket, head, upstream))

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
