'use strict'
// http-proxy: attach() installs passes that filter every request before http-proxy opens the
// upstream one (also Expect: 100-continue and WebSocket handshakes) and listeners that filter
// the answer. A refused request gets 400/431 and nothing is sent upstream.

const http = require('node:http')
const httpProxy = require('http-proxy')
const { attach } = require('hop-by-hop')

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000'
const port = process.env.PORT ?? 8080

const proxy = httpProxy.createProxyServer({ target: upstream, agent: new http.Agent({ keepAlive: true }) })
// Or attach(proxy, { trust: 'loopback', forwarded: 'both', strict: true }).
attach(proxy)
// http-proxy's own failures (upstream down, reset): 502, or a cut WebSocket.
proxy.on('error', (error, req, res) => {
  if (typeof res.writeHead !== 'function') return res.destroy()
  if (!res.headersSent) res.writeHead(502, { 'Content-Length': '0' })
  res.end()
})

const server = http.createServer((req, res) => proxy.web(req, res))
server.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head))
server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
