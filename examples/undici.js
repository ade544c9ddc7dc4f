'use strict'
// undici as the upstream client. undici refuses Keep-Alive, Transfer-Encoding, Upgrade and Expect
// outright and forwards the names Connection nominates: filter first.

const http = require('node:http')
const undici = require('undici')
const { createFilter, createForwarding, filterHeaders, writeHead } = require('hop-by-hop')

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000'
const port = process.env.PORT ?? 8080
const dispatcher = new undici.Agent()
// Node's server has already answered the Expect: 100-continue.
const filter = createFilter({ strip: ['Expect'] })
// undici frames the body and owns Connection itself.
const forwarding = createForwarding({ framing: false })

const server = http.createServer(async (req, res) => {
  let forward
  try {
    forward = filter.request(req)
  } catch (error) {
    res.writeHead(error.statusCode ?? 500, { Connection: 'close' }).end()
    return
  }
  if (!forward.keepAlive) res.setHeader('Connection', 'close')
  // Host, X-Forwarded-*, Via: after filtering, so that no client can nominate them away.
  const headers = forwarding.request(req, forward.headers)
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
  try {
    const answer = await undici.request(new URL(req.url, upstream), {
      method: req.method,
      headers,
      body: hasBody ? req : null,
      dispatcher,
      responseHeaders: 'raw', // a flat list with the upstream's case and duplicates
    })
    const filtered = filterHeaders(answer.headers, { direction: 'response', statusCode: answer.statusCode, requestMethod: req.method })
    // This proxy's Via on the answer too (RFC 9110 §7.6.3).
    writeHead(res, answer.statusCode, forwarding.response(answer, filtered.headers))
    // An upstream body cut short cuts the client's response too.
    answer.body.on('error', () => res.destroy()).pipe(res)
  } catch {
    if (res.headersSent) res.destroy()
    else res.writeHead(502, { Connection: 'close' }).end()
  }
})

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
