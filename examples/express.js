'use strict'
// Express: middleware() filters the request and adds the proxy's fields, relay() sends it on (a
// parsed body again, with its new length) and filters the answer. WebSockets come to 'upgrade'.

const http = require('node:http')
const express = require('express')
const { middleware, requestPath, relay, forwardUpgrade } = require('hop-by-hop')

const upstream = new URL(process.env.UPSTREAM ?? 'http://127.0.0.1:3000')
const port = process.env.PORT ?? 8080
const agent = new http.Agent({ keepAlive: true })

const app = express()
app.use(express.json())
// Or middleware({ trust: 'loopback', forwarded: 'both', host: upstream.host }).
app.use(middleware())
app.use((req, res) => {
  let path
  try {
    path = requestPath(req.originalUrl, req.method) // the origin form (RFC 9112 §3.2.1)
  } catch (error) {
    return res.writeHead(error.statusCode, { Connection: 'close' }).end() // 400
  }
  relay(req, res, http.request(upstream, { method: req.method, path, headers: req.forward.headers, agent }))
})

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
server.on('upgrade', (req, socket, head) => forwardUpgrade(req, socket, head, upstream))
