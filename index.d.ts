import type { IncomingMessage } from 'node:http'

/** A flat header list as in `IncomingMessage.rawHeaders`: name, value, name, value, ... */
export type RawHeaders = readonly string[]

/** Options of {@link filterHeaders}, {@link filterRequest}, {@link filterResponse} and {@link createFilter}. */
export interface FilterOptions {
  /** The message's HTTP version as in `msg.httpVersion`: `'1.0'`, `'1.1'`, `'2.0'` or `'2'`. Default `'1.1'`. */
  httpVersion?: string
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

/**
 * What the proxy adds after filtering (see {@link forwardHeaders}). Taken by {@link middleware},
 * {@link createProxyHandlers}, {@link attach}, {@link relay} and {@link relayUpgrade} too.
 */
export interface ForwardingOptions {
  /**
   * Whose forwarding fields (`Forwarded`, `X-Forwarded-For/-Host/-Proto/-Port/-Prefix`, `X-Real-IP`)
   * are believed, in Express's `trust proxy` forms: `true`, `false`, a hop count, addresses or CIDR
   * ranges (also `'loopback'`, `'linklocal'`, `'uniquelocal'`) as a comma-separated string or an
   * array, or `(address, hop) => boolean`. From an untrusted peer they are dropped and replaced;
   * from a trusted one the chain is extended, back to the first hop not trusted. Default: trust
   * nothing.
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

/** The end-to-end part of a message and the connection decision. */
export interface FilterResult {
  /** A new flat array of the end-to-end header lines, in original order, case and duplicates. */
  headers: string[]
  /** Whether the connection the message arrived on may stay open (RFC 9112 §9.3, §6.1, §6.3). */
  keepAlive: boolean
  /** The protocol of a valid upgrade (request or 101 response), otherwise `null`. */
  upgrade: string | null
  /** Details of the decision, computed on first access from a snapshot of the input taken when filtering. */
  readonly diagnostics: Diagnostics
}

/**
 * A message a proxy must refuse; `statusCode` is the answer to send. Codes:
 * - `ERR_HOP_BY_HOP_PROTECTED`, `ERR_HOP_BY_HOP_INVALID_TOKEN`, `ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH`
 *   (with `strict`), `ERR_HOP_BY_HOP_INVALID_UPGRADE`: 400 for a request, 502 for a response;
 * - `ERR_HOP_BY_HOP_HEAD_TRUNCATED` ({@link filterRequest}/{@link filterResponse}): the head reached
 *   the number of lines Node's parser keeps (`maxHeadersCount`, default 1000), so lines past it,
 *   framing included, may be missing: 431 for a request, 502 for a response;
 * - `ERR_HOP_BY_HOP_UNDECLARED_BODY` (400), `ERR_HOP_BY_HOP_AFTER_CLOSE` (400) and
 *   `ERR_HOP_BY_HOP_UNEXPECTED_UPGRADE` (502), from the integrations and {@link relay}.
 */
export class HopByHopError extends Error {
  code: string
  /** 400, 431 or 502. */
  statusCode: 400 | 431 | 502
}

/** Filter a flat `rawHeaders` array. Throws `TypeError`/`RangeError` for bad input. */
export function filterHeaders(rawHeaders: RawHeaders, options?: FilterOptions): FilterResult

/**
 * Filter a request received by a server; reads `rawHeaders` and `httpVersion`. Throws a
 * {@link HopByHopError} with statusCode 431 when the head reached the limit of lines Node keeps
 * (`ERR_HOP_BY_HOP_HEAD_TRUNCATED`): never forward such a head.
 *
 * The names of an `http.IncomingMessage` are trusted to be tokens, as Node's parser only hands
 * over (it answers 400 to anything else, also with `insecureHTTPParser`); names that cannot be
 * hop-by-hop are then kept without being read. Any other object gets every name checked. Code
 * that puts names of unknown origin into an IncomingMessage's `rawHeaders` should call
 * {@link filterHeaders} on them instead.
 */
export function filterRequest(req: Pick<IncomingMessage, 'rawHeaders' | 'httpVersion'>, options?: FilterOptions): FilterResult

/**
 * Filter a response received from an upstream; reads `rawHeaders`, `httpVersion` and `statusCode`.
 * `options.requestMethod` defaults to `res.req.method` when present. Throws a {@link HopByHopError}
 * with statusCode 502 when the head reached the limit of lines Node's client keeps. Trusts the
 * names of an `http.IncomingMessage` like {@link filterRequest}.
 */
export function filterResponse(
  res: Pick<IncomingMessage, 'rawHeaders' | 'httpVersion' | 'statusCode'> & { req?: { method?: string } },
  options?: FilterOptions,
): FilterResult

/** A filter with its options validated and encoded once (see {@link createFilter}). */
export interface Filter {
  /** Filters like `filterHeaders(rawHeaders, options)`. */
  (rawHeaders: RawHeaders): FilterResult
  /** Filters like `filterRequest(req, options)`. */
  request(req: Pick<IncomingMessage, 'rawHeaders' | 'httpVersion'>): FilterResult
  /** Filters like `filterResponse(res, options)`. */
  response(
    res: Pick<IncomingMessage, 'rawHeaders' | 'httpVersion' | 'statusCode'> & { req?: { method?: string } },
  ): FilterResult
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

// Integrations (lib/http-proxy.js, lib/express.js)

/** A response that {@link writeHead} can write to: node:http `ServerResponse` or `Http2ServerResponse`. */
export interface HeaderWritable {
  setHeader(name: string, value: string | readonly string[]): unknown
  writeHead(statusCode: number): unknown
}

/** Listeners for http-proxy events, bound to one set of core options. */
export interface ProxyHandlers {
  /**
   * http-proxy `proxyReq` listener (also http-proxy-middleware `on.proxyReq`): removes the client's
   * hop-by-hop and nominated fields from the outgoing request, keeps `TE: trailers`, writes the
   * proxy's own `Connection` and body framing, and keeps what http-proxy itself added
   * (`xfwd` entries, `changeOrigin` Host). A request the filter refuses (400, or 431 for a head Node
   * may have cut) is answered here and the upstream request aborted with the {@link HopByHopError},
   * which http-proxy hands to its `'error'` listeners (check `res.headersSent` there). Also answers
   * 502 to a 101 for this plain request, and refuses a body the head did not declare.
   */
  onProxyReq(proxyReq: import('node:http').ClientRequest, req: IncomingMessage, res: import('node:http').ServerResponse): void
  /**
   * http-proxy `proxyRes` listener (also http-proxy-middleware `on.proxyRes`): removes the upstream's
   * hop-by-hop and nominated fields before http-proxy copies the headers, stops http-proxy's
   * `setConnection` pass from overriding the client connection's keep-alive decision, and closes an
   * HTTP/1.0 keep-alive client after the response. A response head Node may have cut, or one that
   * `strict` refuses, is answered with 502.
   */
  onProxyRes(proxyRes: IncomingMessage, req: IncomingMessage, res: import('node:http').ServerResponse): void
  /**
   * http-proxy `proxyReqWs` listener: filters a WebSocket handshake with `upgrade: true` (the upstream
   * gets `Connection: upgrade`) and the upstream's 101 answer before http-proxy writes it.
   */
  onProxyReqWs(proxyReq: import('node:http').ClientRequest, req: IncomingMessage, socket: import('node:stream').Duplex): void
}

/**
 * An http-proxy 1.x `ProxyServer`. Besides `on`, {@link attach} uses its `before()` method and its
 * `options` object, which exist at run time but are not in `@types/http-proxy`.
 */
export interface HttpProxyServerLike {
  on(event: string, listener: (...args: any[]) => void): unknown
}

/** {@link ProxyHandlers.onProxyReq} with default options. */
export function onProxyReq(proxyReq: import('node:http').ClientRequest, req: IncomingMessage, res: import('node:http').ServerResponse): void

/** {@link ProxyHandlers.onProxyRes} with default options. */
export function onProxyRes(proxyRes: IncomingMessage, req: IncomingMessage, res: import('node:http').ServerResponse): void

/** http-proxy listeners that filter with `options`; throws for bad options. */
export function createProxyHandlers(options?: FilterOptions & ForwardingOptions): ProxyHandlers

/**
 * Attach the listeners to an http-proxy server, plus web and ws passes that answer a refused
 * request (400, 431) before anything is sent upstream, drop requests pipelined behind one after
 * which the connection closes, and filter requests with
 * `Expect: 100-continue` (for which http-proxy emits no `proxyReq`). Turns on http-proxy's
 * `preserveHeaderKeyCase` unless it is set. Also usable as an http-proxy-middleware plugin:
 * `plugins: [(proxyServer) => attach(proxyServer, options)]`.
 */
export function attach(proxyServer: HttpProxyServerLike, options?: FilterOptions & ForwardingOptions): ProxyHandlers

/** A request after {@link middleware} ran. */
export interface ForwardedRequest extends IncomingMessage {
  /** The {@link filterRequest} result: `forward.headers` is what to send upstream. */
  forward: FilterResult
}

/**
 * Express (or connect-style) middleware: sets `req.forward` to the {@link filterRequest} result,
 * whose `headers` are then the finished list to send upstream ({@link forwardHeaders}), and
 * closes the client connection after the response when `forward.keepAlive` is false (client
 * `Connection: close`, or an HTTP/1.0 client asking for keep-alive, RFC 9112 §9.3). A
 * {@link HopByHopError} is answered with its statusCode (400, or 431 for a head Node may have cut),
 * and so is a request pipelined behind one after which the connection closes (RFC 9112 §9.6); the
 * chain stops. Throws for bad options.
 */
export function middleware(
  options?: FilterOptions & ForwardingOptions,
): (req: IncomingMessage, res: import('node:http').ServerResponse, next: (error?: unknown) => void) => void

/**
 * Write a status and a flat header list (such as `filterResponse(upstream).headers`) without losing
 * duplicate lines, even after headers were set with `setHeader` (where Node's
 * `res.writeHead(status, flatArray)` keeps only the last line per name). Lines of one name keep
 * their order and the case of the first; headers set earlier stay unless the list has the same
 * name. Returns `res`. Throws TypeError for a non-array, RangeError for an odd length.
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
export function relay(
  req: IncomingMessage,
  res: import('node:http').ServerResponse,
  upstreamRequest: import('node:http').ClientRequest,
  options?: FilterOptions & ForwardingOptions,
): import('node:http').ClientRequest

/**
 * The same for a server's `upgrade` event: `upstreamRequest` carries
 * `filterRequest(req, { upgrade: true }).headers`. A 101 from the upstream is filtered and the two
 * sockets joined (with `head` sent on); any other answer is passed on and the connection closed;
 * failures are answered 502 on the socket. Returns `upstreamRequest`.
 */
export function relayUpgrade(
  req: IncomingMessage,
  socket: import('node:stream').Duplex,
  head: Buffer,
  upstreamRequest: import('node:http').ClientRequest,
  options?: FilterOptions & ForwardingOptions,
): import('node:http').ClientRequest

/**
 * The request headers to send upstream: `filtered` (a filter's output for `req`) with Host, the
 * forwarding fields (see {@link ForwardingOptions.trust}), `Via`, the body framing of the next hop
 * (`Transfer-Encoding: chunked` for a chunked or HTTP/2 body of unknown length, with its `Trailer`
 * announcement), and `te` named in `Connection` when `TE: trailers` goes on (RFC 9110 §10.1.4). For
 * an HTTP/2 request, cookie crumbs become one `Cookie` line and `:authority` the Host. A new array;
 * `filtered` is not changed. Throws TypeError/RangeError for bad options.
 */
export function forwardHeaders(
  req: Pick<IncomingMessage, 'rawHeaders' | 'httpVersion' | 'httpVersionMajor' | 'socket'>,
  filtered: RawHeaders,
  options?: ForwardingOptions,
): string[]

/** {@link forwardHeaders} with its options validated once, and the response side (`Via`). */
export interface Forwarding {
  request(req: Pick<IncomingMessage, 'rawHeaders' | 'httpVersion' | 'httpVersionMajor' | 'socket'>, filtered: RawHeaders): string[]
  /** `filtered` (a filter's output for an upstream response) with this proxy's `Via`. */
  response(res: Pick<IncomingMessage, 'httpVersion'>, filtered: RawHeaders): string[]
}

/** Validates `options` once; throws TypeError/RangeError naming the option at fault. */
export function createForwarding(options?: ForwardingOptions): Forwarding
