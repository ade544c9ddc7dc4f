'use strict'
// @fastify/reply-from with hop-by-hop's hooks: the client gets none of the upstream's
// connection-specific fields, the upstream none of the client's, and the proxy's own
// X-Forwarded-* and Via replace a client's. Also with `http2: true` (an HTTP/2 upstream).

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
