'use strict'
// http-proxy-middleware in Express: plugin() is the whole integration. A body parser in front
// is safe: its parsed body is sent again with its new length (fixRequestBody is not needed; kept,
// its own rewrite goes, framed: `{}` for an empty JSON body).

const express = require('express')
const { createProxyMiddleware } = require('http-proxy-middleware')
const { plugin } = require('hop-by-hop')

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000'
const port = process.env.PORT ?? 8080

const proxy = createProxyMiddleware({ target: upstream, ws: true, plugins: [plugin()] })

const app = express()
app.use(express.json())
app.use(proxy)

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
// WebSocket handshakes before the first plain request, too.
server.on('upgrade', proxy.upgrade)
