'use strict'
// @fastify/http-proxy: fastifyProxyOptions() filters every request before the route handler (a
// refused WebSocket handshake gets 400/431, never ws's 101) and both directions of each exchange,
// and writes this proxy's X-Forwarded-* upstream and Via both ways.

const Fastify = require('fastify')
const { fastifyProxyOptions } = require('hop-by-hop')

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000'
const port = process.env.PORT ?? 8080

const app = Fastify()
// Or fastifyProxyOptions({ trust: 'loopback', via: 'edge-1' }).
app.register(require('@fastify/http-proxy'), { upstream, websocket: true, ...fastifyProxyOptions() })

app.listen({ host: '127.0.0.1', port: Number(port) }).then(() => {
  console.log(`listening on http://127.0.0.1:${app.server.address().port}`)
})
