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
  /** Extra header names to remove, matched case-insensitively. */
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
  /** Details of the decision, computed lazily from the same input. */
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
 * `strip`/`protect`) at creation rather than per call.
 */
export function createFilter(options?: FilterOptions): Filter

/** The fixed hop-by-hop header names removed from every message (RFC 9110 §7.6.1 and friends). */
export const HOP_BY_HOP_HEADERS: readonly string[]

/** The default `protect` list. */
export const DEFAULT_PROTECTED_HEADERS: readonly string[]
