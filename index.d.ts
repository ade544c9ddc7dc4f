import type { Agent, ClientRequest, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { IncomingHttpHeaders as IncomingHttp2Headers, Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import type { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'

/** A flat header list as in `IncomingMessage.rawHeaders`: name, value, name, value, ... */
export type RawHeaders = readonly string[]

// Every options type below lists its names exactly (no index signature), as the functions do at
// run time: a misspelt option is a compile error here and a TypeError (ERR_INVALID_ARG_VALUE) there.

/** Options of {@link filterHeaders}, {@link filterRequest}, {@link filterResponse} and {@link createFilter}. */
export interface FilterOptions {
  /** The message's HTTP version as in `msg.httpVersion`: `'1.0'`, `'1.1'`, `'2.0'` or `'2'`. Default `'1.1'`. */
  httpVersion?: '1.0' | '1.1' | '2.0' | '2' | (string & {})
  /** Whether the headers belong to a request or a response. Default `'request'`. */
  direction?: 'request' | 'response'
  /** Whether the recipient of the message (the caller) is a proxy. Default `true`. */
  proxy?: boolean
  /** Response status code (100–999); enables the RFC 9112 §6.3 message-length check. */
  statusCode?: number
  /** Method of the request this response answers; `'HEAD'` and `'CONNECT'` change the framing. */
  requestMethod?: string
  /**
   * Extra header names to remove, matched case-insensitively. A stripped name is removed even where a rule
   * would keep it (a request's `TE: trailers`, a forwarded `Upgrade`); its value still counts for the decisions.
   */
  strip?: readonly string[]
  /**
   * Header names that a `Connection` nomination never removes; the nomination is only reported.
   * Default: Host, Content-Length, Forwarded, X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto,
   * X-Forwarded-Port, X-Real-IP. `[]` turns the defence off.
   */
  protect?: readonly string[]
  /** Keep a valid HTTP/1.1 upgrade: the output keeps `Upgrade` and gains one `Connection: upgrade`. Default `false`. */
  upgrade?: boolean
  /** Throw a {@link HopByHopError} for suspicious input instead of repairing it. Default `false`. */
  strict?: boolean
}

/** What the proxy adds after filtering (see {@link forwardHeaders}, {@link createForwarding}). */
export interface ForwardingOptions {
  /**
   * Whose forwarding fields (`Forwarded`, `X-Forwarded-For/-Host/-Proto/-Port/-Prefix`, `X-Real-IP`)
   * and client-address fields (`X-Client-IP`, `True-Client-IP`, `CF-Connecting-IP`,
   * `Fastly-Client-IP`, `X-Cluster-Client-IP`, `X-AppEngine-User-IP`, `X-Forwarded`,
   * `Forwarded-For`) are believed, in Express's `trust proxy` forms: `true`, `false`, a hop count,
   * addresses or CIDR ranges (also `'loopback'`, `'linklocal'`, `'uniquelocal'`) as a
   * comma-separated string or an array, or `(address, hop) => boolean`. From an untrusted peer they
   * are dropped (the standard ones replaced by the proxy's own); from a trusted one the chain is
   * extended, back to the first hop not trusted, and the others pass as sent. Default: trust nothing.
   */
  trust?: boolean | number | string | readonly string[] | ((address: string, hop: number) => boolean)
  /** Which family to write: `'x-forwarded'` (default), `'forwarded'` (RFC 7239), `'both'`, or `false`. */
  forwarded?: 'x-forwarded' | 'forwarded' | 'both' | false
  /** `Via` (RFC 9110 §7.6.3) on requests and responses: `true` (default, pseudonym `hop-by-hop`), a pseudonym, or `false`. */
  via?: boolean | string
  /** The Host to send upstream (the client's then goes in `X-Forwarded-Host`). Default: keep the client's. */
  host?: string
  /**
   * Write the next hop's framing (`Transfer-Encoding: chunked`, `Trailer`) and `Connection: te`. Default
   * `true`; `false` for clients that write those themselves and refuse them from you (undici, fetch).
   */
  framing?: boolean
}

/** The filter options an integration takes; the others come from the message it handles. */
export interface ProxyFilterOptions {
  /** See {@link FilterOptions.strict}. */
  strict?: boolean
  /** See {@link FilterOptions.protect}. */
  protect?: readonly string[]
  /** See {@link FilterOptions.strip}. */
  strip?: readonly string[]
}

/** Options of {@link middleware}, {@link relay} and {@link relayUpgrade}. */
export interface MiddlewareOptions extends ProxyFilterOptions, ForwardingOptions {}

/** Options of {@link relay} and {@link relayUpgrade}. */
export interface RelayOptions extends ProxyFilterOptions, ForwardingOptions {
  /**
   * Milliseconds the upstream connection may stay idle, connecting included (an integer, 0 to
   * 2147483647), before the upstream request is given up: the client gets 504
   * (`ERR_HOP_BY_HOP_UPSTREAM_TIMEOUT`) while no answer has come, and a cut connection in the
   * middle of one. Not timed: the upstream waiting for a slow client to read, and a tunnel the
   * upstream switched to. Default: 0, no limit, as Node's own client.
   */
  timeout?: number
}

/** Options of {@link attach} and {@link plugin}: http-proxy writes the framing itself, so no `framing`. */
export interface AttachOptions extends ProxyFilterOptions, Omit<ForwardingOptions, 'framing'> {}

/**
 * Options of {@link forward} and {@link forwardUpgrade}: their upstream request is Node's, whose
 * body must be framed, so no `framing`.
 */
export interface ForwardOptions extends ProxyFilterOptions, Omit<ForwardingOptions, 'framing'> {
  /** The agent of the upstream requests (e.g. `new http.Agent({ keepAlive: true })`). Default: Node's global agent. */
  agent?: Agent
  /** As {@link RelayOptions.timeout}. */
  timeout?: number
}

/** Options of {@link replyFromHooks}: reply-from's client writes the framing itself, so no `framing`. */
export interface ReplyFromOptions extends ProxyFilterOptions, Omit<ForwardingOptions, 'framing'> {}

/** Options of {@link fastifyProxyOptions}: those of {@link replyFromHooks} (undici and ws frame the body). */
export interface FastifyProxyOptions extends ReplyFromOptions {}

/** What the filter saw, computed on first access. */
export interface Diagnostics {
  /** Connection options nominated by the message, lowercased, in order, without duplicates. */
  nominated: string[]
  /** Names of the removed header lines, as they appeared, in order (duplicates kept). */
  removed: string[]
  /** Nominated names that `protect` kept, lowercased. */
  protected: string[]
  /** `Connection` list elements that are not valid tokens, as they appeared. */
  invalid: string[]
  /** `Keep-Alive: timeout=N`, or `null`. */
  timeout: number | null
  /** `Keep-Alive: max=N`, or `null`. */
  max: number | null
  /** The `:authority` pseudo-header of HTTP/2 input, or `null`. */
  authority: string | null
}

/** A {@link FilterResult} as `JSON.stringify` writes it. */
export interface FilterResultJSON {
  headers: string[]
  keepAlive: boolean
  upgrade: string | null
  diagnostics: Diagnostics
}

/**
 * The end-to-end part of a message and the connection decision. `JSON.stringify` and
 * `console.log` show `diagnostics` too (computed then).
 */
export interface FilterResult {
  /** A new flat array of the end-to-end header lines, in original order, case and duplicates. */
  headers: string[]
  /** Whether the connection the message arrived on may stay open (RFC 9112 §9.3, §6.1, §6.3). */
  keepAlive: boolean
  /** The protocol of a valid upgrade (request or 101 response), otherwise `null`. */
  upgrade: string | null
  /** Details of the decision, computed on first access from a snapshot of the input taken when filtering. */
  readonly diagnostics: Diagnostics
  /** The fields and the diagnostics, for `JSON.stringify`. */
  toJSON(): FilterResultJSON
}

/**
 * The codes of {@link HopByHopError}:
 * - `ERR_HOP_BY_HOP_PROTECTED`, `ERR_HOP_BY_HOP_INVALID_TOKEN`, `ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH`
 *   (with `strict`), `ERR_HOP_BY_HOP_INVALID_UPGRADE`: 400 for a request, 502 for a response;
 * - `ERR_HOP_BY_HOP_HEAD_TRUNCATED` ({@link filterRequest}/{@link filterResponse}): the head reached
 *   the number of lines Node's parser keeps (`maxHeadersCount`, default 1000), so lines past it,
 *   framing included, may be missing: 431 for a request, 502 for a response;
 * - `ERR_HOP_BY_HOP_UNDECLARED_BODY` (400): a body the request head does not declare;
 * - `ERR_HOP_BY_HOP_AFTER_CLOSE` (400, also {@link filterRequest} on a request of Node's server): a
 *   request pipelined behind one after which the connection closes;
 * - `ERR_HOP_BY_HOP_HOST_MISMATCH` (400, the forwarding fields: {@link forwardHeaders} and every
 *   wiring): an absolute-form request target (`GET http://a.example/`), or an HTTP/2 request's
 *   `:authority`, and a Host field that names another host;
 * - `ERR_HOP_BY_HOP_PEER_UNKNOWN` (400, the forwarding fields): the client's connection closed before
 *   the request was forwarded, and its address with it, so no X-Forwarded-For or Forwarded could
 *   name the client (not with `forwarded: false`);
 * - `ERR_HOP_BY_HOP_TRANSFER_CODING` (502, {@link relay}, {@link forward}, their upgrade forms,
 *   {@link attach}): an upstream body in a transfer coding Node leaves undecoded;
 * - `ERR_HOP_BY_HOP_UNEXPECTED_UPGRADE` (502): a 101 to a request that did not ask to upgrade, or
 *   to a protocol the request's Upgrade did not offer;
 * - `ERR_HOP_BY_HOP_BODY_CONSUMED` (500): a body parser read the body and it cannot be sent again;
 * - `ERR_HOP_BY_HOP_FETCH_PATH` (502): http-proxy-3 would send this request with fetch(), whose
 *   answer cannot be filtered: it is not forwarded;
 * - `ERR_HOP_BY_HOP_NOT_AN_UPGRADE` (400, {@link forwardUpgrade}, {@link relayUpgrade}, {@link attach}'s
 *   WebSocket path, {@link fastifyProxyOptions}): not a valid HTTP/1.1 upgrade;
 * - `ERR_HOP_BY_HOP_UPGRADE_CONTENT` (400, the same): an upgrade request that declares content,
 *   which Node hands over unread after the head, as the new protocol's first bytes;
 * - `ERR_HOP_BY_HOP_REQUEST_TARGET` (400, {@link requestPath}, {@link forward}): a request target that
 *   is neither origin-form nor absolute-form http(s) with a host (`a/b`, CONNECT's `host:443`,
 *   `ftp://h/`, `http:///x`), `*` on a method other than OPTIONS, or `OPTIONS *` for a
 *   {@link forward} target with a path or query;
 * - `ERR_HOP_BY_HOP_UPSTREAM_INCOMPLETE` (502, {@link relay}, {@link forward}, {@link attach}): the
 *   upstream closed its connection after its answer's head, before any of the answer went out;
 * - `ERR_HOP_BY_HOP_UPSTREAM_TIMEOUT` (504, {@link relay}, {@link forward} and their upgrade forms,
 *   with `timeout`): the upstream sent nothing for that long before its answer.
 */
export type HopByHopErrorCode =
  | 'ERR_HOP_BY_HOP_PROTECTED'
  | 'ERR_HOP_BY_HOP_INVALID_TOKEN'
  | 'ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH'
  | 'ERR_HOP_BY_HOP_INVALID_UPGRADE'
  | 'ERR_HOP_BY_HOP_HEAD_TRUNCATED'
  | 'ERR_HOP_BY_HOP_UNDECLARED_BODY'
  | 'ERR_HOP_BY_HOP_AFTER_CLOSE'
  | 'ERR_HOP_BY_HOP_TRANSFER_CODING'
  | 'ERR_HOP_BY_HOP_HOST_MISMATCH'
  | 'ERR_HOP_BY_HOP_PEER_UNKNOWN'
  | 'ERR_HOP_BY_HOP_UNEXPECTED_UPGRADE'
  | 'ERR_HOP_BY_HOP_BODY_CONSUMED'
  | 'ERR_HOP_BY_HOP_FETCH_PATH'
  | 'ERR_HOP_BY_HOP_NOT_AN_UPGRADE'
  | 'ERR_HOP_BY_HOP_UPGRADE_CONTENT'
  | 'ERR_HOP_BY_HOP_REQUEST_TARGET'
  | 'ERR_HOP_BY_HOP_UPSTREAM_INCOMPLETE'
  | 'ERR_HOP_BY_HOP_UPSTREAM_TIMEOUT'

/** The answer to send for a {@link HopByHopError}. */
export type HopByHopStatusCode = 400 | 431 | 500 | 502 | 504

/**
 * A message a proxy must refuse; `statusCode` is the answer to send (see {@link HopByHopErrorCode}).
 * Bad arguments are not HopByHopErrors but TypeError/RangeError with Node's codes
 * (`ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE`, `ERR_INVALID_HTTP_TOKEN`).
 */
export class HopByHopError extends Error {
  /** @param statusCode Default 400. */
  constructor(code: HopByHopErrorCode, message: string, statusCode?: HopByHopStatusCode)
  name: 'HopByHopError'
  code: HopByHopErrorCode
  statusCode: HopByHopStatusCode
}

/**
 * Filter a flat `rawHeaders` array. Throws a TypeError/RangeError naming the element or option at
 * fault (an unknown option name included), or a {@link HopByHopError}.
 */
export function filterHeaders(rawHeaders: RawHeaders, options?: FilterOptions): FilterResult

/** What {@link filterRequest} reads of a request. */
export type RequestLike = Pick<IncomingMessage, 'rawHeaders' | 'httpVersion'>

/** What {@link filterResponse} reads of a response; `req.method` is the default `requestMethod`. */
export type ResponseLike = Pick<IncomingMessage, 'rawHeaders' | 'httpVersion' | 'statusCode'> & { req?: { method?: string } }

/**
 * Filter a request received by a server; reads `rawHeaders` and `httpVersion`. Throws a
 * {@link HopByHopError} with statusCode 431 when the head reached the limit of lines Node keeps
 * (`ERR_HOP_BY_HOP_HEAD_TRUNCATED`): never forward such a head. For a request of Node's server,
 * also reads `req.socket` and throws one with statusCode 400 (`ERR_HOP_BY_HOP_AFTER_CLOSE`) when
 * the request was pipelined behind one after whose answer the connection closes (RFC 9112 §9.6).
 *
 * The names of an `http.IncomingMessage` are trusted to be tokens, as Node's parser only hands
 * over (it answers 400 to anything else, also with `insecureHTTPParser`); names that cannot be
 * hop-by-hop are then kept without being read. Any other object gets every name checked. Code
 * that puts names of unknown origin into an IncomingMessage's `rawHeaders` should call
 * {@link filterHeaders} on them instead.
 */
export function filterRequest(req: RequestLike, options?: FilterOptions): FilterResult

/**
 * Filter a response received from an upstream; reads `rawHeaders`, `httpVersion` and `statusCode`.
 * `options.requestMethod` defaults to `res.req.method` when present. Throws a {@link HopByHopError}
 * with statusCode 502 when the head reached the limit of lines Node's client keeps. Trusts the
 * names of an `http.IncomingMessage` like {@link filterRequest}.
 */
export function filterResponse(res: ResponseLike, options?: FilterOptions): FilterResult

/** A filter with its options validated and encoded once (see {@link createFilter}). */
export interface Filter {
  /** Filters like `filterHeaders(rawHeaders, options)`. */
  (rawHeaders: RawHeaders): FilterResult
  /** Filters like `filterRequest(req, options)`. */
  request(req: RequestLike): FilterResult
  /** Filters like `filterResponse(res, options)`. */
  response(res: ResponseLike): FilterResult
}

/**
 * Validates and encodes `options` once, for hot paths; throws for bad options (including names in
 * `strip`/`protect`) at creation rather than per call. The `strip`/`protect` names still cross into
 * the native code on every call.
 */
export function createFilter(options?: FilterOptions): Filter

/**
 * The fixed hop-by-hop header names (RFC 9110 §7.6.1, RFC 9113 §8.2.2), removed from every message besides
 * `Connection` itself, except a request's `TE: trailers` and the `Upgrade` of a forwarded upgrade.
 */
export const HOP_BY_HOP_HEADERS: readonly string[]

/** The default `protect` list. */
export const DEFAULT_PROTECTED_HEADERS: readonly string[]

// Integrations

/** A response that {@link writeHead} can write to: node:http `ServerResponse` or `Http2ServerResponse`. */
export interface HeaderWritable {
  setHeader(name: string, value: string | readonly string[]): unknown
  writeHead(statusCode: number): unknown
}

/**
 * An http-proxy 1.x `ProxyServer` (`httpProxy.createProxyServer()`, or the one http-proxy-middleware
 * hands its plugins). {@link attach} also uses its `before()` method and `options` object, which
 * exist at run time but are not in `@types/http-proxy`, and refuses any other object.
 */
export interface HttpProxyServer extends EventEmitter {}

/**
 * Attach hop-by-hop to an http-proxy server: passes that answer a refused request (400, 431; 500
 * for a body a body parser read and that cannot be sent again) before anything is sent upstream,
 * and listeners that filter the request, the response and WebSocket handshakes, add the proxy's
 * own fields, and never throw into the emitter. The client sees the upstream's header case, as
 * with http-proxy's `preserveHeaderKeyCase`, unless the program sets that option itself (then
 * http-proxy's choice stands). Attaching twice to one server throws. Returns `proxyServer`.
 */
export function attach<S extends HttpProxyServer>(proxyServer: S, options?: AttachOptions): S

/**
 * An http-proxy-middleware plugin: `createProxyMiddleware({ target, plugins: [plugin(options)] })`.
 * Throws for bad options here, when the app is built.
 */
export function plugin(options?: AttachOptions): (proxyServer: HttpProxyServer) => void

/** A request after {@link middleware} ran (node:http or connect style). */
export interface ForwardedRequest extends IncomingMessage {
  /** The {@link filterRequest} result: `forward.headers` is the finished list to send upstream. */
  forward: FilterResult
}

declare global {
  // Express's documented way to add to its Request: its Request extends Express.Request.
  namespace Express {
    interface Request {
      /**
       * Set by hop-by-hop's `middleware()`: the `filterRequest` result whose `headers` are the
       * finished list to send upstream. Only on routes behind `middleware()`.
       */
      forward: FilterResult
    }
  }
}

/**
 * Express (or connect-style) middleware: sets `req.forward` to the {@link filterRequest} result,
 * whose `headers` are then the finished list to send upstream ({@link forwardHeaders}), and
 * closes the client connection after the response when `forward.keepAlive` is false (client
 * `Connection: close`, or an HTTP/1.0 client asking for keep-alive, RFC 9112 §9.3). A
 * {@link HopByHopError} is answered with its statusCode (400, or 431 for a head Node may have cut),
 * and so is a request pipelined behind one after which the connection closes (RFC 9112 §9.6); the
 * chain stops. Behind a body parser, `headers` announce the parsed body that {@link relay} sends
 * again (500 when it cannot). Throws for bad options.
 */
export function middleware(
  options?: MiddlewareOptions,
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void

/**
 * Write a status and a flat header list (such as `filterResponse(upstream).headers`) without losing
 * duplicate lines, even after headers were set with `setHeader` (where Node's
 * `res.writeHead(status, flatArray)` keeps only the last line per name). With no header set yet,
 * the list is written as it is, every line in its place and spelling; after `setHeader`, lines of
 * one name keep their order and the case of the first, and headers set earlier stay unless the
 * list has the same name. Returns `res`. Throws TypeError for a non-array, RangeError for an odd length.
 */
export function writeHead<R extends HeaderWritable>(res: R, statusCode: number, headers: RawHeaders): R

/**
 * The upstream half of a node:http or Express forwarding proxy. Sends the client's body to
 * `upstreamRequest` (built with the filtered headers) and the upstream's answer, filtered with
 * `options` and written with {@link writeHead}, to `res`. Every failure becomes an answer or a cut
 * connection, never a throw: 502 for an upstream error, a response head Node may have cut, or a
 * 101 to this plain request; 400 for a body the request head did not declare (Node's parser
 * honoured framing that is not in `rawHeaders`), which is never written upstream. A client that
 * leaves aborts the upstream request; an upstream body cut short cuts the client's. Returns
 * `upstreamRequest`.
 */
export function relay(req: IncomingMessage, res: ServerResponse, upstreamRequest: ClientRequest, options?: RelayOptions): ClientRequest

/**
 * The same for a server's `upgrade` event: `upstreamRequest` carries
 * `filterRequest(req, { upgrade: true }).headers`. A 101 from the upstream is filtered and the two
 * sockets joined (with `head` sent on); any other answer is passed on and the connection closed;
 * failures are answered 502 on the socket. Returns `upstreamRequest`.
 */
export function relayUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  upstreamRequest: ClientRequest,
  options?: RelayOptions,
): ClientRequest

/**
 * A whole forwarding step for node:http: filters `req`, adds the proxy's own fields, sends it to
 * `target` (an http: or https: URL; the request's path is joined to it) and relays the answer to
 * `res`. A request the filter refuses is answered with its statusCode (400, 431) and never sent;
 * a body a parser already read is sent again (500 when it cannot be). Also takes the requests of
 * an HTTP/2 server (`http2.createServer((req, res) => forward(req, res, target))`): pseudo-headers
 * dropped, `:authority` as Host, cookie crumbs joined. A wrong `target` or option is answered 500
 * and reported once as a process warning (a throw would crash the server); it throws only when
 * `req` or `res` is not one.
 */
export function forward(
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
  target: string | URL,
  options?: ForwardOptions,
): void

/**
 * The same for a server's `upgrade` event (WebSocket): `target` may also be a ws: or wss: URL. A
 * refused handshake is answered on the socket (400, 431) and the connection closed; an upstream
 * that does not switch protocols has its answer passed on, then the connection closes.
 */
export function forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: string | URL, options?: ForwardOptions): void

/** Headers as Node hands them over: HTTP/1 (`req.headers`) or HTTP/2 (with pseudo-headers). */
export type HeadersObject = IncomingHttpHeaders | IncomingHttp2Headers

/** The part of a Fastify request the hooks read. */
export interface ReplyFromRequest {
  raw: IncomingMessage | Http2ServerRequest
}

/** Hooks for `@fastify/reply-from`: `reply.from(url, replyFromHooks())`. */
export interface ReplyFromHooks {
  /**
   * The client's request headers without hop-by-hop and nominated fields, with the proxy's own
   * `X-Forwarded-*` (or `Forwarded`) and `Via`. Throws the {@link HopByHopError} of a request
   * the filter refuses (Fastify answers its `statusCode`; nothing is sent upstream).
   */
  rewriteRequestHeaders(request: ReplyFromRequest, headers: HeadersObject): HeadersObject
  /**
   * The upstream's response headers without hop-by-hop fields and HTTP/2 pseudo-headers, with
   * this proxy's `Via`, and `connection: 'close'` when the client connection must not stay open
   * (an HTTP/1.0 client asking for keep-alive). Never throws.
   */
  rewriteHeaders(headers: HeadersObject, request?: ReplyFromRequest): HeadersObject
}

/** The hooks for `@fastify/reply-from`, with `options` checked once (throws for bad options). */
export function replyFromHooks(options?: ReplyFromOptions): ReplyFromHooks

/** The part of a Fastify request {@link fastifyProxyOptions}' functions read. */
export interface FastifyProxyRequest extends ReplyFromRequest {
  headers: HeadersObject
}

/** The part of a Fastify reply the preHandler uses: it answers a refused request on `raw`. */
export interface FastifyProxyReply {
  raw: ServerResponse | Http2ServerResponse
  hijack(): unknown
}

/** What {@link fastifyProxyOptions} returns: three options of `@fastify/http-proxy`, to spread into its own. */
export interface FastifyProxyRegisterOptions {
  /** {@link replyFromHooks}' hooks, for the plain requests the plugin sends with reply-from. */
  replyOptions: ReplyFromHooks
  /** For the plugin's own WebSocket client (ws): the upstream handshake's headers. */
  wsClientOptions: {
    /** Empty: ws writes Host, Connection, Upgrade and Sec-WebSocket-* itself. */
    headers: Record<string, string>
    /** The client's end-to-end fields, filtered, with this proxy's `X-Forwarded-*` and `Via`. */
    rewriteRequestHeaders(headers: Record<string, string>, request: FastifyProxyRequest): HeadersObject
  }
  /**
   * Filters every request on the plugin's routes before its handler runs, WebSocket handshakes
   * included (which ws would otherwise answer 101 at once). A refused request is answered 400 or
   * 431 (text/plain, `Connection: close`) and nothing is sent upstream; a request after which the
   * connection must close (HTTP/1.0 keep-alive) closes it. A preHandler of your own awaits it
   * first and stops when `reply.sent` is true.
   */
  preHandler(request: FastifyProxyRequest, reply: FastifyProxyReply): Promise<void>
}

/**
 * `@fastify/http-proxy` with hop-by-hop in one line:
 * `app.register(require('@fastify/http-proxy'), { upstream, websocket: true, ...fastifyProxyOptions() })`.
 * Both directions are filtered, the proxy's `X-Forwarded-*` and `Via` go upstream (WebSocket
 * handshakes too) and `Via` to the client. `options` are checked once: an unknown or misspelt
 * option is a TypeError (`ERR_INVALID_ARG_VALUE`) naming it.
 */
export function fastifyProxyOptions(options?: FastifyProxyOptions): FastifyProxyRegisterOptions

/**
 * The request headers to send upstream: `filtered` (a filter's output for `req`) with Host, the
 * forwarding fields (see {@link ForwardingOptions.trust}), `Via`, the body framing of the next hop
 * (`Transfer-Encoding: chunked` for a chunked or HTTP/2 body of unknown length, with its `Trailer`
 * announcement), and `te` named in `Connection` when `TE: trailers` goes on (RFC 9110 §10.1.4). For
 * an HTTP/2 request, cookie crumbs become one `Cookie` line and `:authority` the Host. A new array;
 * `filtered` is not changed. Throws TypeError/RangeError naming the argument or option at fault.
 */
export function forwardHeaders(req: ForwardingRequest, filtered: RawHeaders, options?: ForwardingOptions): string[]

/** What {@link forwardHeaders} reads of a request. */
export type ForwardingRequest = Pick<IncomingMessage, 'rawHeaders' | 'httpVersion' | 'httpVersionMajor' | 'socket'>

/** {@link forwardHeaders} with its options validated once, and the response side (`Via`). */
export interface Forwarding {
  /** Like `forwardHeaders(req, filtered, options)`. */
  request(req: ForwardingRequest, filtered: RawHeaders): string[]
  /** `filtered` (a filter's output for an upstream response) with this proxy's `Via`. */
  response(res: Pick<IncomingMessage, 'httpVersion'>, filtered: RawHeaders): string[]
}

/** Validates `options` once; throws TypeError/RangeError naming the option at fault. */
export function createForwarding(options?: ForwardingOptions): Forwarding

/**
 * The request target to send an origin server, in origin form (RFC 9112 §3.2.1), from `req.url`
 * or Express's `req.originalUrl`: an origin-form target (`/a?b`) is returned as it is; an
 * absolute-form one (`http://a.example/a?b`, §3.2.2, any case of `http`/`https`, userinfo
 * ignored) gives what follows its authority, `/` first when that is empty or a query
 * (`http://a.example?b` is `/?b`). Dot segments and the query stay as sent; a fragment, which no
 * request target has (§3.2), is cut. With `method` (pass `req.method`), the asterisk-form `*` is
 * kept for OPTIONS and refused for any other method, and an OPTIONS of `http://a.example` is sent
 * as `*` (§3.2.4). Throws a {@link HopByHopError} `ERR_HOP_BY_HOP_REQUEST_TARGET` (400) for any
 * other target (authority-form `host:443`, `a/b`, another scheme, an http URI without a host,
 * `''`), and a TypeError (`ERR_INVALID_ARG_TYPE`) for a target or method that is not a string.
 * The host of an absolute-form target is checked against Host by {@link forwardHeaders}.
 */
export function requestPath(target: string, method?: string): string
