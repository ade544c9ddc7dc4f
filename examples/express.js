'use strict'
// Express: middleware() filters the request and adds the proxy's fields, relay() sends it on and
// filters the answer. A body parser in front is safe: its parsed body is sent again, announced
// with its new length. WebSocket handshakes come to the server's 'upgrade' event, not to Express.

const http = require('node:http')
const express = require('express')
const { middleware, relay, forwardUpgrade } = require('hop-by-hop')

const upstream = new URL(process.env.UPSTREAM ?? 'http://127.0.0.1:3000')
const port = process.env.PORT ?? 8080
const agent = new http.Agent({ keepAlive: true })

const app = express()
app.use(express.json())
// Or middleware({ trust: 'loopback', forwarded: 'both', host: upstream.host }).
app.use(middleware())
app.use((req, res) => {
  const options = { method: req.method, path: req.originalUrl, headers: req.forward.headers, agent }
  relay(req, res, http.request(upstream, options))
})

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
server.on('upgrade', (req, socket, head) => forwardUpgrade(req, socket, head, upstream))
