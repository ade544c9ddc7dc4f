// Every export of hop-by-hop used with the types a caller has, and the mistakes the declarations
// must refuse (each `@ts-expect-error` fails the check if the line below it compiles).

import * as http from 'node:http'
import * as http2 from 'node:http2'
import type { Duplex } from 'node:stream'
import {
  filterHeaders,
  filterRequest,
  filterResponse,
  createFilter,
  HopByHopError,
  HOP_BY_HOP_HEADERS,
  DEFAULT_PROTECTED_HEADERS,
  attach,
  plugin,
  middleware,
  writeHead,
  relay,
  relayUpgrade,
  forward,
  forwardUpgrade,
  replyFromHooks,
  fastifyProxyOptions,
  forwardHeaders,
  createForwarding,
  requestPath,
} from 'hop-by-hop'
import type {
  FilterResult,
  FilterResultJSON,
  Diagnostics,
  FilterOptions,
  ForwardingOptions,
  ForwardOptions,
  AttachOptions,
  HopByHopErrorCode,
  HopByHopStatusCode,
  ReplyFromHooks,
  FastifyProxyOptions,
  FastifyProxyRegisterOptions,
  ForwardedRequest,
  Filter,
  Forwarding,
} from 'hop-by-hop'
import * as hopByHop from 'hop-by-hop'

declare const req: http.IncomingMessage
declare const res: http.ServerResponse
declare const upstreamRes: http.IncomingMessage
declare const socket: Duplex
declare const head: Buffer
declare const clientRequest: http.ClientRequest

// The filter.
const result: FilterResult = filterHeaders(['Connection', 'close', 'A', 'b'])
const headers: string[] = result.headers
const keepAlive: boolean = result.keepAlive
const upgrade: string | null = result.upgrade
const diagnostics: Diagnostics = result.diagnostics
const json: FilterResultJSON = result.toJSON()
const removed: string[] = json.diagnostics.removed
const timeout: number | null = diagnostics.timeout
filterHeaders(req.rawHeaders, { strict: true, protect: [], strip: ['X-Internal'], direction: 'response', statusCode: 204, requestMethod: 'HEAD' })
filterHeaders(Object.freeze(['A', 'b']), { httpVersion: req.httpVersion, proxy: false, upgrade: true })
filterRequest(req)
filterRequest(req, { upgrade: true })
filterRequest({ rawHeaders: ['Host', 'a'], httpVersion: '1.1' })
filterResponse(upstreamRes, { strict: true })
filterResponse({ rawHeaders: [], httpVersion: '1.1', statusCode: 200, req: { method: 'HEAD' } })
const filter: Filter = createFilter({ strict: true })
filter(req.rawHeaders)
filter.request(req)
filter.response(upstreamRes)
const names: readonly string[] = HOP_BY_HOP_HEADERS.concat(DEFAULT_PROTECTED_HEADERS)

// @ts-expect-error a typo in an option name
filterHeaders([], { strct: true })
// @ts-expect-error a typo in an option name
createFilter({ protcet: ['X-A'] })
// @ts-expect-error an unknown option
filterRequest(req, { bogus: 1 })
// @ts-expect-error an option of forwardHeaders, not of the filter
filterHeaders([], { trust: 'loopback' })
// @ts-expect-error a boolean option given a string
filterHeaders([], { strict: 'yes' })
// @ts-expect-error direction is 'request' or 'response'
filterHeaders([], { direction: 'inbound' })
// @ts-expect-error strip is a list of names
filterHeaders([], { strip: 'X-A' })
// @ts-expect-error rawHeaders is a flat array, not a string
filterHeaders('Connection: close')
// @ts-expect-error rawHeaders holds strings
filterHeaders([1, 2])
// @ts-expect-error filterRequest takes the message, not its rawHeaders
filterRequest(['Connection', 'close'])
// @ts-expect-error diagnostics is read-only
result.diagnostics = diagnostics
// @ts-expect-error the constant lists are read-only
HOP_BY_HOP_HEADERS.push('X')

// The proxy's own fields.
const forwarded: string[] = forwardHeaders(req, result.headers, { trust: 'loopback', forwarded: 'both', via: 'edge-1', host: 'upstream:8080', framing: false })
forwardHeaders(req, result.headers, { trust: ['10.0.0.0/8'] })
forwardHeaders(req, result.headers, { trust: (address, hop) => address === '127.0.0.1' && hop < 2 })
forwardHeaders(req, result.headers, { trust: 1, via: false, forwarded: false })
const forwarding: Forwarding = createForwarding({ via: 'x' })
forwarding.request(req, result.headers)
forwarding.response(upstreamRes, filterResponse(upstreamRes).headers)
// @ts-expect-error a typo in an option name
forwardHeaders(req, [], { trsut: 'loopback' })
// @ts-expect-error a typo next to a valid option
createForwarding({ via: 'x', viaa: 1 })
// @ts-expect-error a filter option is not a forwarding option
createForwarding({ strict: true })
// @ts-expect-error forwarded is one of four values
forwardHeaders(req, [], { forwarded: 'rfc7239' })
// @ts-expect-error filtered is a flat array, not a string
forwardHeaders(req, 'A: b')
// @ts-expect-error req is a message
forwardHeaders(null, [])

// The request target in origin form, from req.url (optional in IncomingMessage's type) or Express's originalUrl.
const path: string = requestPath(req.url ?? '/')
requestPath('http://a.example/x?y=1')
const asterisk: string = requestPath('*', req.method ?? 'GET')
// @ts-expect-error the method is a string
requestPath('/', 1)
// @ts-expect-error the target is the string, not the request
requestPath(req)
// @ts-expect-error IncomingMessage's url may be undefined
requestPath(req.url)

// HopByHopError: the runtime constructor (code, message, statusCode?).
const error = new HopByHopError('ERR_HOP_BY_HOP_BODY_CONSUMED', 'the body was read by a parser', 500)
const fallback = new HopByHopError('ERR_HOP_BY_HOP_PROTECTED', 'Connection nominates Host')
const code: HopByHopErrorCode = error.code
const status: HopByHopStatusCode = fallback.statusCode
const asError: Error = error
if (code === 'ERR_HOP_BY_HOP_HEAD_TRUNCATED' && status === 431) console.log(asError.message)
// @ts-expect-error the message comes second, the code first
new HopByHopError('a message')
// @ts-expect-error a code the package never makes
new HopByHopError('ERR_SOMETHING', 'x')
// @ts-expect-error statusCode is one of the answers the package sends
new HopByHopError('ERR_HOP_BY_HOP_PROTECTED', 'x', 418)
// @ts-expect-error a code the package never makes cannot be compared
if (error.code === 'ERR_HOP_BY_HOP_TYPO') console.log(error)

// Integrations.
const app = middleware({ strict: true, trust: 'loopback', via: 'edge-1', framing: true })
app(req, res, (failure?: unknown) => console.log(failure))
// @ts-expect-error a typo in an option name
middleware({ trsut: 'loopback' })
// @ts-expect-error the filter's message options are not middleware options
middleware({ direction: 'response' })

const server: http.Server = http.createServer()
const relayed: http.ClientRequest = relay(req, res, clientRequest, { strict: true, via: false })
const upgraded: http.ClientRequest = relayUpgrade(req, socket, head, clientRequest)
// @ts-expect-error relay takes the upstream ClientRequest, not a URL
relay(req, res, 'http://127.0.0.1:3000')

const fwdOptions: ForwardOptions = { agent: new http.Agent({ keepAlive: true }), strict: true, trust: 'loopback' }
// @ts-expect-error forward()'s upstream request is Node's: its body is always framed
forward(req, res, 'http://127.0.0.1:3000', { framing: false })
const forwardReturns: void = forward(req, res, 'http://127.0.0.1:3000', fwdOptions)
forward(req, res, new URL('https://example.com/base/'))
server.on('upgrade', (request, upgradeSocket, upgradeHead) => forwardUpgrade(request, upgradeSocket, upgradeHead, 'ws://127.0.0.1:3000'))
forwardUpgrade(req, socket, head, new URL('wss://example.com'), { agent: new http.Agent() })
// @ts-expect-error target is a URL or a string
forward(req, res, 3000)
// @ts-expect-error agent is an http.Agent
forward(req, res, 'http://127.0.0.1:3000', { agent: true })
// @ts-expect-error a typo in an option name
forward(req, res, 'http://127.0.0.1:3000', { agnet: new http.Agent() })
forward(req, res, 'http://127.0.0.1:3000', { timeout: 30_000 })
relay(req, res, clientRequest, { timeout: 30_000 })
// @ts-expect-error timeout is a number of milliseconds
forward(req, res, 'http://127.0.0.1:3000', { timeout: '30s' })
const gatewayTimeout: HopByHopStatusCode = 504
// @ts-expect-error forwardUpgrade takes the head Buffer
forwardUpgrade(req, socket, 'http://127.0.0.1:3000', 'http://127.0.0.1:3000')

const attachOptions: AttachOptions = { strict: true, trust: 'loopback', forwarded: 'forwarded', via: 'edge-1', host: 'upstream' }
const installer: (proxyServer: hopByHop.HttpProxyServer) => void = plugin(attachOptions)
plugin()
// @ts-expect-error http-proxy writes the framing itself: not an attach option
plugin({ framing: false })
// @ts-expect-error a typo in an option name
plugin({ strcit: true })
// @ts-expect-error attach takes an http-proxy server
attach({}, attachOptions)

const hooks: ReplyFromHooks = replyFromHooks({ trust: 'loopback', via: 'edge-1', strict: true })
const outgoing = hooks.rewriteRequestHeaders({ raw: req }, req.headers)
declare const h2Headers: http2.IncomingHttpHeaders
const incoming = hooks.rewriteHeaders(h2Headers)
hooks.rewriteHeaders(upstreamRes.headers, { raw: req })
console.log(outgoing.host, incoming['content-type'])
// @ts-expect-error reply-from's client writes the framing itself
replyFromHooks({ framing: false })

const proxyChoices: FastifyProxyOptions = { trust: 'loopback', forwarded: 'both', via: 'edge-1', strict: true, protect: [], strip: ['X-Internal'], host: 'api.internal' }
const proxyOptions: FastifyProxyRegisterOptions = fastifyProxyOptions(proxyChoices)
const replyOptions: ReplyFromHooks = proxyOptions.replyOptions
declare const fastifyReply: { raw: http.ServerResponse; hijack(): void }
const checked: Promise<void> = proxyOptions.preHandler({ raw: req, headers: req.headers }, fastifyReply)
const wsHeaders = proxyOptions.wsClientOptions.rewriteRequestHeaders(proxyOptions.wsClientOptions.headers, { raw: req, headers: req.headers })
console.log(replyOptions.rewriteHeaders(upstreamRes.headers).via, checked, wsHeaders['x-forwarded-for'])
fastifyProxyOptions()
// @ts-expect-error a typo in an option name
fastifyProxyOptions({ stirct: true })
// @ts-expect-error undici and ws write the framing themselves
fastifyProxyOptions({ framing: false })
// @ts-expect-error @fastify/http-proxy's own option, not one of these
fastifyProxyOptions({ upstream: 'http://127.0.0.1:3000' })

// writeHead keeps the response type.
const written: http.ServerResponse = writeHead(res, 200, filterResponse(upstreamRes).headers)
// @ts-expect-error headers are a flat list
writeHead(res, 200, { 'content-type': 'text/plain' })

// A node:http request after middleware().
declare const afterMiddleware: ForwardedRequest
const upstreamHeaders: string[] = afterMiddleware.forward.headers

// The removed exports are gone.
// @ts-expect-error replaced by plugin()/attach()
hopByHop.onProxyReq
// @ts-expect-error replaced by plugin()/attach()
hopByHop.onProxyRes
// @ts-expect-error replaced by plugin()/attach()
hopByHop.createProxyHandlers

export { headers, keepAlive, upgrade, removed, timeout, names, forwarded, relayed, upgraded, forwardReturns, installer, written, upstreamHeaders }
export type { FilterOptions, ForwardingOptions }
