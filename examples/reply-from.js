'use strict'
// @fastify/reply-from: replyFromHooks() drops each side's connection-specific fields, writes this
// proxy's X-Forwarded-* over a client's, and Via both ways. Also with `http2: true`.

const Fastify = require('fastify')
const { replyFromHooks } = require('hop-by-hop')

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000'
const port = process.env.PORT ?? 8080
const hooks = replyFromHooks() // or replyFromHooks({ trust: 'loopback', via: 'edge-1' })

const app = Fastify()
app.register(require('@fastify/reply-from'), { base: upstream })
app.all('/*', (request, reply) => reply.from(request.url, hooks))

app.listen({ host: '127.0.0.1', port: Number(port) }).then(() => {
  console.log(`listening on http://127.0.0.1:${app.server.address().port}`)
})
