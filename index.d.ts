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

/** Error thrown for protocol violations that a server should answer with 400. */
export class HopByHopError extends Error {
  /** One of `ERR_HOP_BY_HOP_PROTECTED`, `ERR_HOP_BY_HOP_INVALID_TOKEN`, `ERR_HOP_BY_HOP_AMBIGUOUS_LENGTH`, `ERR_HOP_BY_HOP_INVALID_UPGRADE`. */
  code: string
  /** Always 400. */
  statusCode: 400
}

/** Filter a flat `rawHeaders` array. Throws `TypeError`/`RangeError` for bad input. */
export function filterHeaders(rawHeaders: RawHeaders, options?: FilterOptions): FilterResult

/** Filter a request received by a server; reads `rawHeaders` and `httpVersion`. */
export function filterRequest(req: Pick<IncomingMessage, 'rawHeaders' | 'httpVersion'>, options?: FilterOptions): FilterResult

/**
 * Filter a response received from an upstream; reads `rawHeaders`, `httpVersion` and `statusCode`.
 * `options.requestMethod` defaults to `res.req.method` when present.
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
   * (`xfwd` entries, `changeOrigin` Host). A request the filter refuses is aborted with the
   * {@link HopByHopError} (statusCode 400), which http-proxy hands to its `'error'` listeners.
   */
  onProxyReq(proxyReq: import('node:http').ClientRequest, req: IncomingMessage, res: import('node:http').ServerResponse): void
  /**
   * http-proxy `proxyRes` listener (also http-proxy-middleware `on.proxyRes`): removes the upstream's
   * hop-by-hop and nominated fields before http-proxy copies the headers, stops http-proxy's
   * `setConnection` pass from overriding the client connection's keep-alive decision, and closes an
   * HTTP/1.0 keep-alive client after the response. With `strict`, a refused upstream response is
   * answered with 502.
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
export function createProxyHandlers(options?: FilterOptions): ProxyHandlers

/**
 * Attach the listeners to an http-proxy server, plus web and ws passes that answer 400 for a
 * refused request before anything is sent upstream and that filter requests with
 * `Expect: 100-continue` (for which http-proxy emits no `proxyReq`). Turns on http-proxy's
 * `preserveHeaderKeyCase` unless it is set. Also usable as an http-proxy-middleware plugin:
 * `plugins: [(proxyServer) => attach(proxyServer, options)]`.
 */
export function attach(proxyServer: HttpProxyServerLike, options?: FilterOptions): ProxyHandlers

/** A request after {@link middleware} ran. */
export interface ForwardedRequest extends IncomingMessage {
  /** The {@link filterRequest} result: `forward.headers` is what to send upstream. */
  forward: FilterResult
}

/**
 * Express (or connect-style) middleware: sets `req.forward` to the {@link filterRequest} result and
 * closes the client connection after the response when `forward.keepAlive` is false (client
 * `Connection: close`, or an HTTP/1.0 client asking for keep-alive, RFC 9112 §9.3). A
 * {@link HopByHopError} is answered with 400 and the chain stops. Throws for bad options.
 */
export function middleware(
  options?: FilterOptions,
): (req: IncomingMessage, res: import('node:http').ServerResponse, next: (error?: unknown) => void) => void

/**
 * Write a status and a flat header list (such as `filterResponse(upstream).headers`) without losing
 * duplicate lines, even after headers were set with `setHeader` (where Node's
 * `res.writeHead(status, flatArray)` keeps only the last line per name). Lines of one name keep
 * their order and the case of the first; headers set earlier stay unless the list has the same
 * name. Returns `res`. Throws TypeError for a non-array, RangeError for an odd length.
 */
export function writeHead<R extends HeaderWritable>(res: R, statusCode: number, headers: RawHeaders): R
