'use strict'
// http-proxy (1.18) and http-proxy-middleware integration.
//
// http-proxy copies every request header to the upstream (common.setupOutgoing) and every
// upstream response header back to the client (web-outgoing writeHeaders). A proxy must instead
// drop the connection-specific fields of each hop and send its own (RFC 9110 §7.6.1).
//
// Only a pass can do that for every request: http-proxy renders the header block of a request
// with `Expect` in the ClientRequest constructor and then emits no `proxyReq` event, and its
// WebSocket path writes the handshake before any listener could refuse it. attach() therefore
// installs passes that run before http-proxy opens the upstream request: they refuse a bad
// request (400, 431, 500) before anything is sent, and hand setupOutgoing the filtered headers,
// in the client's case, as the headers it copies. Listeners then only finish what a pass cannot
// see: the upstream response, the body of a request a body parser already read, trailers.

const { IncomingMessage } = require('node:http')
const { Readable } = require('node:stream')
const { createFilter } = require('../filter/index.js')
const { Forwarding } = require('../proxy/forwarding.js')
const { assertDecodedBody, assertNotSwitching, assertOfferedProtocol, assertUpgradeRequest } = require('../proxy/guards.js')
const { refuse, refuseSocket } = require('../proxy/respond.js')
const { acceptsTrailers, announcedTrailers, mayHaveTrailers, passTrailers } = require('../proxy/trailers.js')
const { forwardInformational, forwardInformationalToSocket } = require('../proxy/informational.js')
const { bodyConsumed, clientFraming, replayedBody, replayHeaders, withContentLength } = require('../proxy/body.js')
const { isName, findLine, nameBucket, SeenBuckets, BUCKETS } = require('../proxy/names.js')
const { headersUnread, setHeadersFromLines, CAN_RESPELL, respellHeaders, appendOwnHeader } = require('../proxy/message-headers.js')
const { fetchPath, invalidArgType, invalidArgValue, unexpectedUpgrade, upstreamIncomplete } = require('../errors.js')
const { PROXY_FILTER_OPTIONS, FORWARDING_OPTIONS, checkOptions, pick } = require('../options.js')

// The filter's per-proxy rules and the proxy's own fields. `framing` is not one: the upstream
// request is Node's ClientRequest, whose framing this module sets itself; the filter's other
// options (direction, upgrade, ...) are decided per message.
const ATTACH_OPTIONS = Object.freeze([...PROXY_FILTER_OPTIONS, ...FORWARDING_OPTIONS.filter((name) => name !== 'framing')])

/**
 * A flat list (its lines before element `end`) as the headers object setupOutgoing copies: one
 * key per name, spelt as its first line (Node's ClientRequest writes a key as spelt), repeated
 * lines as an array.
 */
function headersObject(flat, end = flat.length) {
  seen.start()
  const object = {}
  for (let i = 0; i < end; i += 2) {
    const bucket = nameBucket(flat[i])
    const name = spelling(flat[i], bucket)
    const first = seen.earlierLine(flat, i, bucket)
    if (first === -1) object[name] = flat[i + 1]
    else object[flat[first]] = [].concat(object[flat[first]], flat[i + 1])
  }
  return object
}

const seen = new SeenBuckets()

// The last spelling of a name seen in each bucket. Each request brings new strings from Node's
// parser, and V8 looks a new string up in its string table (hashing it whole) the first time it
// is used as a property key; the same spelling from an earlier request already was, so it is
// used instead, after one comparison.
const SPELLINGS = new Array(BUCKETS).fill('')
function spelling(name, bucket) {
  const known = SPELLINGS[bucket]
  if (known === name) return known
  SPELLINGS[bucket] = name
  return name
}

/** The list without the lines named `lower`. */
function withoutLines(flat, lower) {
  const out = []
  for (let i = 0; i < flat.length; i += 2) if (!isName(flat[i], lower)) out.push(flat[i], flat[i + 1])
  return out
}

/**
 * http-proxy's passes run synchronously, and its stream pass copies req.headers into the
 * upstream request (setupOutgoing) before it returns. Those are the filtered headers during that
 * call; the client's own object is back before any other code runs. `exchange`, when given,
 * stops catching the request's pipe then too (see catchPipe).
 */
function lendHeaders(req, headers, exchange) {
  if (req instanceof IncomingMessage && !Object.hasOwn(req, 'headers')) {
    // Node's own accessor stores the object in the request's existing slot: no property is
    // added or removed, so the request keeps its hidden class (an Express request, which
    // carries many more properties, otherwise moved to a new one twice per request). Node's
    // server has already built the client's object, so reading it costs nothing.
    const own = req.headers
    req.headers = headers
    queueMicrotask(() => {
      if (exchange !== undefined) exchange.catchesPipe = false // options.buffer was piped instead
      req.headers = own
      justPrepared = undefined
    })
    return
  }
  // An own property shadows the prototype's accessor, which HTTP/2's compatibility request has
  // without a setter; deleting it gives the client's own object back.
  const own = Object.getOwnPropertyDescriptor(req, 'headers')
  Object.defineProperty(req, 'headers', { value: headers, configurable: true, enumerable: true, writable: true })
  queueMicrotask(() => {
    if (exchange !== undefined) exchange.catchesPipe = false
    justPrepared = undefined
    if (own === undefined) delete req.headers
    else Object.defineProperty(req, 'headers', own)
  })
}

/**
 * Catch the upstream request (`pipe`: the property descriptor of pipeToUpstream): it is the
 * argument of http-proxy's `req.pipe(proxyReq)` in the stream pass, for every request, also
 * those without a `proxyReq` event. For a call whose options are the server's own; one with
 * options of its own is caught through them (UpstreamCatcher). The function is one per
 * attach(), never a closure per request: V8 tracks a function-valued field as a constant of the
 * object's hidden class, and a new closure on every request made it build new hidden classes
 * until the old space filled (a full GC every few hundred requests, which had cost more than all
 * the filtering). It stays on the request once set, not enumerable, passing later pipes to
 * Readable's own: an own property deleted again turned every request into a slow
 * dictionary-mode object, for Node's and http-proxy's code as much as for this package's.
 */
function catchPipe(req, exchange, pipe) {
  exchange.catchesPipe = true
  if (req.pipe !== pipe.value) Object.defineProperty(req, 'pipe', pipe)
}

/**
 * With http-proxy's `followRedirects` option, proxyReq is a follow-redirects RedirectableRequest:
 * a Writable that creates one ClientRequest per hop (`_currentRequest`) from `_options.headers`
 * (the filtered headers), re-emits each one's 'socket' event (so http-proxy emits proxyReq again
 * for every redirect, whose request follow-redirects has already ended) and forwards getHeader
 * to it, but has no headersSent of its own, does not forward 'upgrade', and before
 * follow-redirects 1.15.3 has only Writable's destroy, which leaves the ClientRequest running.
 */
function isRedirectable(proxyReq) {
  return proxyReq._currentRequest != null && typeof proxyReq._options?.headers === 'object'
}

/** The ClientRequest of the current hop. */
function currentRequest(proxyReq) {
  return isRedirectable(proxyReq) ? proxyReq._currentRequest : proxyReq
}

/** Set a header in follow-redirects' template for later hops, whatever its spelling there. */
function setTemplateHeader(template, name, value) {
  const lower = name.toLowerCase()
  for (const key of Object.keys(template)) if (key.toLowerCase() === lower) delete template[key]
  template[name] = value
}

/** RFC 9110 §10.1.4: a sender of TE must also send the `te` connection option. */
function connectionValue(option, te) {
  return te ? `${option}, te` : option
}

/**
 * Remove the upstream fields the filter dropped from http-proxy's copy (proxyRes.headers). The
 * kept lines are the received ones in order, the very name strings, so one walk finds the
 * dropped lines; a dropped name goes unless a kept line has it too.
 */
function dropResponseFields(headers, rawHeaders, kept) {
  if (kept.length === rawHeaders.length) return // nothing dropped
  let k = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]
    if (k < kept.length && kept[k] === name) {
      k += 2
      continue
    }
    const lower = name.toLowerCase()
    if (findLine(kept, lower) === -1) delete headers[lower]
  }
}

/**
 * http-proxy's setConnection pass runs after the proxyRes event and writes the client's own
 * Connection value into the response (or `keep-alive` when the upstream sent none); a Connection
 * header set on a ServerResponse overrides Node's keep-alive decision. A non-enumerable accessor
 * makes setConnection see a value, ignores its assignment, and keeps writeHeaders (which copies
 * Object.keys) from sending it, so Node writes the proxy's own Connection/Keep-Alive.
 */
function pinConnection(headers, keepAlive) {
  Object.defineProperties(headers, (keepAlive ? PINNED_KEEP_ALIVE : PINNED_CLOSE).descriptors)
}

function ignoreAssignment() {}

/**
 * The pinned Connection accessor, as descriptors for an object someone has read already, and on
 * a prototype for a headers object built here (see setHeadersFromLines), which then is a plain
 * object to everyone but has the accessor without a defineProperty per response.
 */
function pinnedConnection(value) {
  const descriptors = Object.freeze({
    connection: Object.freeze({ configurable: true, enumerable: false, get: () => value, set: ignoreAssignment }),
  })
  return Object.freeze({ descriptors, prototype: Object.freeze(Object.create(Object.prototype, descriptors)) })
}

const PINNED_KEEP_ALIVE = pinnedConnection('keep-alive')
const PINNED_CLOSE = pinnedConnection('close')

/**
 * Close the client connection after this response when the filter says so, e.g. for an
 * HTTP/1.0 client that asked for keep-alive (RFC 9112 §9.3: a proxy must not keep a persistent
 * connection with an HTTP/1.0 client). Node's own reasons to close still apply otherwise.
 */
function applyClientKeepAlive(res, keepAlive) {
  if (!keepAlive) res.shouldKeepAlive = false
}

/**
 * Drop an upstream message from a listener's failure path, which must not throw in turn: with
 * http-proxy-3's fetch path proxyRes is a fetch Response, which has no destroy().
 */
function destroyQuietly(stream) {
  if (typeof stream?.destroy === 'function') stream.destroy()
}

/**
 * The client left before its answer was complete: nobody waits for the upstream any more. http-proxy
 * 1.x listens only for the request's 'aborted', which a request that came whole never emits, so an
 * upstream that has not answered yet, or streams events, would hold its connection (a keep-alive
 * agent's) for good. follow-redirects before 1.15.3 did not pass destroy() on to the current
 * hop's request: that one goes first. 'close' comes once: on(), without once()'s wrapper.
 */
function abandonWhenClientLeaves(res, proxyReq) {
  res.on('close', () => {
    if (res.writableFinished) return
    const request = currentRequest(proxyReq)
    if (request !== proxyReq) destroyQuietly(request)
    destroyQuietly(proxyReq)
  })
}

function isResponse(res) {
  return typeof res?.writeHead === 'function'
}

/** The answer for a refused request: the HopByHopError's own (400, 431, 500), 500 for anything else. */
function requestStatus(error) {
  return error.statusCode ?? 500
}

/**
 * Fail the upstream request from a listener: answer the client here (http-proxy's own 'error'
 * listeners, like http-proxy-middleware's, then find the response sent), and abort the upstream
 * request with the error, which http-proxy hands to its 'error' listeners. Throwing instead
 * would be an uncaught exception.
 */
function failUpstream(proxyReq, res, statusCode, error) {
  try {
    if (isResponse(res)) refuse(res, statusCode, error)
  } catch {
    res.destroy() // the answer could not be written: a cut connection is the answer left
  } finally {
    destroyUpstream(proxyReq, error)
  }
}

/**
 * Abort the upstream request with `error` for http-proxy's 'error' listeners. A
 * RedirectableRequest's current ClientRequest is destroyed first, quietly: follow-redirects would
 * forward its 'socket hang up' as a second error, and before 1.15.3 its destroy would not reach it.
 */
function destroyUpstream(proxyReq, error) {
  const request = currentRequest(proxyReq)
  if (request !== proxyReq && !request.destroyed) {
    request.removeAllListeners('error')
    request.on('error', () => {})
    request.destroy()
  }
  proxyReq.destroy(error)
}

/**
 * The body a body parser already read goes upstream again, once, when http-proxy's pipe of the
 * ended request would end the upstream request, and only if nobody else wrote one (hpm's
 * fixRequestBody writes it in a proxyReq listener). It waits for the 'socket' event, after which
 * the proxyReq listeners have run whatever order they were registered in. The request's `write`
 * and `end` become the two functions below, the same for every request, with the state in a
 * BodyReplay: a new closure per request in those fields would be a new constant of the
 * ClientRequest's hidden class every time (see relay.js, Failure).
 */
function replayBody(proxyReq, body) {
  const replay = new BodyReplay(proxyReq, body)
  proxyReq[REPLAY] = replay
  proxyReq.write = writeOnce
  proxyReq.end = endAfterListeners
  // Registered after http-proxy's own 'socket' listener, which emits proxyReq.
  proxyReq.once('socket', () => {
    replay.listenersRan = true
    if (replay.endArgs !== undefined) endReplayed(proxyReq, replay)
  })
}

const REPLAY = Symbol('hop-by-hop body replay')

/** The state of replayBody on one upstream request. */
class BodyReplay {
  constructor(proxyReq, body) {
    this.body = body
    // The request's own write and end.
    this.write = proxyReq.write
    this.end = proxyReq.end
    // Whether someone else wrote a body; whether the proxyReq listeners ran.
    this.written = false
    this.listenersRan = false
    // The arguments of the first end(), once it came.
    this.endArgs = undefined
  }
}

function writeOnce(chunk, ...rest) {
  const replay = this[REPLAY]
  if (chunk != null && chunk.length > 0) replay.written = true
  return replay.write.call(this, chunk, ...rest)
}

function endAfterListeners(...args) {
  const replay = this[REPLAY]
  if (replay.endArgs !== undefined) return this
  // An end(chunk) by someone else carries their body, not ours.
  if (typeof args[0] !== 'function' && args[0] != null && args[0].length > 0) replay.written = true
  replay.endArgs = args
  if (replay.listenersRan) endReplayed(this, replay)
  return this
}

function endReplayed(proxyReq, replay) {
  if (proxyReq.destroyed || proxyReq.writableEnded) return
  replay.end.call(proxyReq, ...(replay.written ? replay.endArgs : [replay.body]))
}

/**
 * An upstream answer that ends incomplete (a reset, a body Node's client cannot parse, one shorter
 * than its Content-Length) must not reach the client as a complete one, nor leave it waiting for
 * bytes that will never come. Nothing of it sent yet: the answer is a 502, from http-proxy's
 * 'error' listeners (the README's, hpm's) or from here when they gave none. Part of it sent: the
 * client's connection is cut.
 */
function cutWhenIncomplete(proxyRes, res, selfHandled) {
  // The socket is held here: an 'error' listener may already have ended the response short, which
  // releases the socket from `res` for the next request.
  const socket = res.socket
  // The upstream's error, when it came before any of its answer went out; or whether it came
  // after part of it had.
  let failure = null
  let cutting = false
  // 'close' follows every end of an upstream response, 'aborted' included (Node >= 16): one
  // listener, and no once() wrapper, since it comes once.
  proxyRes.on('close', () => {
    if (res.destroyed || res.writableFinished) return
    if (cutting) {
      cut(res, socket)
    } else if (failure !== null) {
      // The 'error' listeners' to answer; one that waits for something may take a moment.
      // Unless the 'error' event reached the server's listeners, whose wait is under way (or was
      // taken over by a retry): the error of a proxy.web() with a callback does not.
      if (!res.headersSent && res[PENDING_ANSWER] === undefined) answerLater(res, failure)
    } else if (!proxyRes.complete) {
      if (res.headersSent) {
        cut(res, socket)
      } else if (selfHandled) {
        // The program's listener writes the answer and may have dropped this one itself
        // (proxyRes.destroy()) to answer otherwise: it has the same moment as an 'error' listener.
        if (res[PENDING_ANSWER] === undefined) answerLater(res, upstreamIncomplete())
      } else {
        // A clean close after the head: Node's client reports no error, and nobody answers.
        withdrawUpstreamHead(res, proxyRes.headers)
        refuse(res, 502, upstreamIncomplete())
      }
    }
  })
  // A body Node's client cannot parse (a bad chunk size, framing in the trailer section, bytes
  // after a complete answer) or a reset fails the upstream request before 'close', and
  // http-proxy's 'error' listeners answer and end the response. Prepended, so that they find it in
  // a state where that is right: the pipe stops first (or it writes the body parsed so far after
  // their end: an ERR_STREAM_WRITE_AFTER_END that nobody listens for, which ends the process); an
  // answer of which nothing went out is taken back, so that theirs is not the failed one; and one
  // under way can only be cut, since their end() would close its chunked body and make the part
  // look whole. Not cut here: http-proxy reports an upstream reset as the client's
  // ('econnreset', not 'error') once the client's socket is destroyed.
  proxyRes.req?.prependListener('error', (error) => {
    try {
      proxyRes.unpipe(res)
      if (res.writableFinished) return
      if (res.headersSent) {
        res.end = cutInsteadOfEnding
        cutting = true
      } else {
        withdrawUpstreamHead(res, proxyRes.headers)
        failure = error
      }
    } catch {
      cut(res, socket)
    }
  })
}

/**
 * How long the 'error' listeners have to answer an upstream failure before attach() answers 502
 * itself: a listener that only logs (a common http-proxy-middleware `on.error`) would otherwise
 * leave the client waiting for good, and one that looks something up first still has its say.
 */
const UNANSWERED_ERROR_MS = 1000

// On a response whose upstream failed (failures only): the timer of answerLater(), or null once
// it fired or a new proxy.web() on the response (a listener's retry on another target) took the
// answer over.
const PENDING_ANSWER = Symbol('hop-by-hop pending 502')

function answerLater(res, failure) {
  res[PENDING_ANSWER] = setTimeout(answerUnanswered, UNANSWERED_ERROR_MS, res, failure).unref()
}

/** A response answerLater() was to answer is another call's now. */
function cancelPendingAnswer(res) {
  const timer = res[PENDING_ANSWER]
  if (timer === undefined || timer === null) return
  clearTimeout(timer)
  res[PENDING_ANSWER] = null
}

function answerUnanswered(res, failure) {
  res[PENDING_ANSWER] = null
  if (res.headersSent || res.destroyed) return
  refuse(res, 502, failure)
  ignoreLaterAnswers(res)
}

// On a self-handled upstream answer, filtered before its 'proxyRes' event, which finds it done.
const FILTERED = Symbol('hop-by-hop filtered')

// The response of the web call prepared in the current turn (until lendHeaders' microtask): an
// 'error' listener added before attach()'s that retried at once, proxy.web() on the same
// response, has prepared it before attach()'s listener runs, which then leaves it to the retry.
let justPrepared

// What a listener that answers after attach() did would call on the response.
const ANSWERING_METHODS = ['writeHead', 'setHeader', 'setHeaders', 'appendHeader', 'removeHeader', 'write', 'end', 'flushHeaders']

/**
 * attach() answered in the program's stead: a listener still at work (a slow lookup) would throw
 * ERR_HTTP_HEADERS_SENT, or emit a write after the end, out of a timer or a promise, where
 * nothing catches it and the process ends. Its answer is dropped instead.
 */
function ignoreLaterAnswers(res) {
  for (const name of ANSWERING_METHODS) res[name] = ignoreLateAnswer
}

function ignoreLateAnswer(...args) {
  // write(chunk, cb) and end(chunk, cb) still call back, as Node would once the data is gone.
  const callback = args[args.length - 1]
  if (typeof callback === 'function') process.nextTick(callback)
  return this
}

/**
 * http-proxy's 'error' event on a web request (the upstream refused the connection, reset it, or
 * outlasted proxyTimeout): a client nobody answers waits for good. With no 'error' listener of
 * the program's, http-proxy and http-proxy-3 throw the error out of a socket event, which ends
 * the process, and with one that only logs the client waits. So attach() answers 502 at once when
 * the program has no listener, and UNANSWERED_ERROR_MS later when its listeners have not
 * answered. A WebSocket's socket (no writeHead) is ended by http-proxy itself.
 */
function answerWhenUnanswered(proxyServer, error, res) {
  if (res === justPrepared && res !== undefined) return
  if (res === undefined || res === null) {
    // An error of no request (proxy.web() without a target): http-proxy's onError throws it to
    // the caller when nobody listens, which this listener must not change.
    if (!hasProgramErrorListener(proxyServer)) throw error
    return
  }
  if (!isResponse(res)) return
  if (hasProgramErrorListener(proxyServer)) answerLater(res, error)
  else answerUnanswered(res, error)
}

/** Whether an 'error' listener other than http-proxy's own onError and attach()'s is installed. */
function hasProgramErrorListener(proxyServer) {
  const listeners = proxyServer.listeners('error')
  // attach()'s own, and onError (a method of http-proxy 1.x, a field of http-proxy-3) when there.
  const installed = listeners.includes(proxyServer.onError) ? 2 : 1
  return listeners.length > installed
}

function cut(res, socket) {
  res.destroy()
  socket?.destroy()
}

/** end() of a response whose body was under way when the upstream failed. */
function cutInsteadOfEnding() {
  this.destroy()
  return this
}

/**
 * Take back what http-proxy copied of an upstream answer that failed before any of it was sent:
 * the fields (its writeHeaders pass sets Object.keys of `headers`, Trailer included), the status
 * code and the status text, which Node's writeHead keeps when given none. The client is owed the
 * proxy's own answer, a 502, not one with the upstream's status, reason phrase and cookies.
 * Connection was never copied (pinConnection): the keep-alive decision is in res.shouldKeepAlive.
 */
function withdrawUpstreamHead(res, headers) {
  for (const name of Object.keys(headers)) res.removeHeader(name)
  res.statusCode = 502
  res.statusMessage = undefined
}

/** RFC 9110 §7.6.3: a proxy appends its own Via, here under the upstream's spelling or `Via`. */
function appendVia(headers, rawHeaders, own) {
  if (own === null) return
  const at = findLine(rawHeaders, 'via')
  const spelling = at === -1 ? 'Via' : rawHeaders[at]
  const upstream = headers.via
  if (upstream !== undefined) delete headers.via
  headers[spelling] = upstream === undefined ? own : `${upstream}, ${own}`
}

/**
 * appendVia for an object of lower-case keys only: after the upstream's Via under its key (which
 * gets the upstream's spelling with the other names), or as `Via`.
 */
function addVia(headers, own) {
  const upstream = headers.via
  if (upstream === undefined) headers.Via = own
  else headers.via = `${upstream}, ${own}`
}

/**
 * What one attach() knows of one client request, kept on the request under that attach()'s own
 * symbol (a property of the request, not a WeakMap entry: one per request is cheaper for V8's
 * collector, and there is no lookup).
 */
class Exchange {
  constructor(result) {
    this.result = result
    // Set by the web pass: the upstream request was prepared (filtered head, body, keep-alive).
    this.prepared = false
    this.res = undefined
    // The upstream request, from the stream pass's pipe.
    this.proxyReq = undefined
    this.body = undefined
    // The upstream head, and where the proxy's own lines in it begin (see appendOwnLines).
    this.lines = undefined
    this.ownLinesFrom = 0
    this.te = false
    this.chunked = false
    // With http-proxy's `forward` option, the stream pass pipes the request into a copy to the
    // forward server first: that pipe is not the upstream request's.
    this.copyPending = false
    // Whether the request's next pipe is the stream pass's (see catchPipe).
    this.catchesPipe = false
    // The ws pass: the spelling of the handshake's Connection key.
    this.spelling = undefined
    // Interim (1xx) answers passed on to the client.
    this.interimSent = 0
    // http-proxy's selfHandleResponse: the program's 'proxyRes' listener writes the response.
    this.selfHandled = false
  }
}

/**
 * What attach() hands http-proxy's stream pass as `options.buffer` when the options were made for
 * the call (http-proxy-middleware passes its own; http-proxy-3 copies them every time): the pass
 * pipes it, instead of the request, into the upstream request, and it pipes the request there
 * itself (AttachedFilter#pipeFrom). So the client request gets no property of the package's: one
 * added to Express's request, whose prototype Express sets on every request, costs about a
 * microsecond on Node 20 and 22.
 */
class UpstreamCatcher {
  constructor(filter, req, exchange) {
    this.filter = filter
    this.req = req
    this.exchange = exchange
  }

  pipe(destination, options) {
    return this.filter.pipeFrom(this.req, this.exchange, destination, options)
  }
}

/**
 * The passes and listeners of one attach(): one instance per proxy server, its methods installed
 * bound. Every pass and listener answers its failures (a refusal, a 502, a destroyed socket)
 * instead of throwing into http-proxy or its emitter.
 */
class AttachedFilter {
  constructor(options = {}, respell = false) {
    this.host = options.host
    // Whether the response's names get the upstream's spelling here (see attach()).
    this.respell = respell
    // http-proxy's web path cannot tunnel an upgrade (its ClientRequest has no 'upgrade' listener,
    // so Node would drop a 101); WebSocket handshakes take the ws path, filtered with upgrade: true.
    const choices = pick(options, PROXY_FILTER_OPTIONS)
    this.filter = createFilter({ ...choices, upgrade: false })
    this.upgradeFilter = createFilter({ ...choices, upgrade: true })
    this.forwarding = new Forwarding(options)
    // The Exchange of a client request, and the marker of a ClientRequest that refuses a 101.
    this.slot = Symbol('hop-by-hop attach()')
    // Whether FORCE_FETCH_PATH can matter (http-proxy-3); install() looks.
    this.fetchCapable = true
    this.serverOptions = undefined
    // The response of a call with http-proxy's `forward` option -> that option's URL, which
    // http-proxy's 'error' event names when the copy to the forward server fails.
    this.copies = new WeakMap()
    const self = this
    // One function per attach(), installed as req.pipe for the stream pass (see catchPipe).
    this.pipeToUpstream = function pipeToUpstream(destination, options) {
      return self.pipeFrom(this, this[self.slot], destination, options)
    }
    // Not enumerable: Object.keys, JSON and console.log show the request as before.
    this.pipeProperty = Object.freeze({ value: this.pipeToUpstream, writable: true, configurable: true, enumerable: false })
    // 'upgrade' of an upstream ClientRequest (see guardUpgrade), `this` being that request.
    this.refuseUpstreamUpgrade = function refuseUpstreamUpgrade(proxyRes, socket) {
      socket.destroy()
      const exchange = this[self.slot]
      failUpstream(exchange.proxyReq, exchange.res, 502, unexpectedUpgrade())
    }
    // 'information' of an upstream ClientRequest: an interim answer, passed on (RFC 9110 §15.2).
    this.passInformational = function passInformational(info) {
      const exchange = this[self.slot]
      if (exchange?.res !== undefined) forwardInformational(exchange.res.req, exchange.res, info, self.filter, self.forwarding, exchange)
    }
  }

  /** Installs the passes and listeners on `proxyServer`. */
  install(proxyServer) {
    this.fetchCapable = hasFetchPath(proxyServer)
    // The server's own options object, which http-proxy hands the passes of a call without options.
    this.serverOptions = proxyServer.options
    proxyServer.before('web', 'stream', this.gate.bind(this))
    proxyServer.before('ws', 'checkMethodAndHeader', this.gateWs.bind(this))
    proxyServer.before('ws', 'stream', this.prepareWs.bind(this))
    // The head is already filtered when proxyReq fires, so these listeners may run in any order
    // with hpm's fixRequestBody and others (http-proxy's emitter, eventemitter3, cannot prepend).
    proxyServer.on('proxyReq', this.onProxyReq.bind(this))
    proxyServer.on('proxyRes', this.onProxyRes.bind(this))
    proxyServer.on('proxyReqWs', this.onProxyReqWs.bind(this))
    proxyServer.on('error', (error, req, res, url) => {
      // A failed copy to the `forward` server is not the client's answer: the target's is.
      if (url === undefined || this.copies.get(res) !== url) answerWhenUnanswered(proxyServer, error, res)
    })
  }

  /** The request's Exchange, made with `filter`'s result the first time (one filtering per request). */
  exchange(req, filter) {
    let exchange = this.exchangeOf(req)
    if (exchange === undefined) {
      exchange = new Exchange(filter.request(req))
      req[this.slot] = exchange // a symbol key: no name, Object.keys or JSON ever shows
    }
    return exchange
  }

  /** The Exchange kept on the client request (the ws path, and web calls without options of their own). */
  exchangeOf(req) {
    return req[this.slot]
  }

  /**
   * The Exchange of an upstream request or of a hop of follow-redirects (a ClientRequest whose
   * `_redirectable` is the RedirectableRequest http-proxy piped into), else the client request's.
   */
  upstreamExchange(request, req) {
    return request?.[this.slot] ?? request?._redirectable?.[this.slot] ?? this.exchangeOf(req)
  }

  /** Whether the client connection stays open after this answer, by the request's Exchange. */
  clientKeepAlive(exchange) {
    return exchange !== undefined && exchange.prepared && exchange.result.keepAlive
  }

  /**
   * The upstream head: the filter's output plus the proxy's own fields, framed for the body the
   * proxy sends (RFC 9112 §6.1): a replayed `body` by its length, a chunked one chunked again
   * (Forwarding), else the client's Content-Length, even when the client nominated it
   * (`protect: []`): an unframed body would be read as the next request.
   */
  upstreamHeaders(req, result, body, framing) {
    return this.framed(this.forwarding.request(req, result.headers), body, framing)
  }

  /** `forwarded` framed for the body the proxy sends; the very list when it needs no change. */
  framed(forwarded, body, framing) {
    // Body parsers decode gzip and deflate: the bytes sent again are the decoded ones.
    if (body !== undefined) return replayHeaders(forwarded, body.length)
    // From rawHeaders: http-proxy's deleteLength pass rewrites req.headers of a chunked DELETE.
    if (framing.length !== undefined && !framing.chunked) return withContentLength(forwarded, framing.length)
    return forwarded
  }

  /**
   * web pass before 'stream': refuse, or prepare the upstream request. A pass that throws would
   * throw out of proxy.web() into the server's request listener, so every failure is an answer.
   */
  gate(req, res, callOptions) {
    try {
      if (this.usesFetch(callOptions)) throw fetchPath()
      this.prepareWeb(req, res, callOptions)
      return false
    } catch (error) {
      refuse(res, requestStatus(error), error)
      return true // halts http-proxy's passes: nothing is sent upstream
    }
  }

  /**
   * Whether http-proxy-3 takes its fetch path for this call: `callOptions` are the server's options
   * merged with the call's (proxy.web(req, res, { fetch })); or FORCE_FETCH_PATH=true, which
   * http-proxy-3 reads on every call (so is it here, but only for a server that has that path).
   */
  usesFetch(callOptions) {
    if (callOptions?.fetch || callOptions?.fetchOptions) return true
    return this.fetchCapable && process.env.FORCE_FETCH_PATH === 'true'
  }

  prepareWeb(req, res, callOptions) {
    cancelPendingAnswer(res)
    justPrepared = res
    // Options made for this call can carry the catch of the upstream request (see UpstreamCatcher):
    // then the request itself gets no property of the package's.
    const catcher = this.catchesThroughOptions(callOptions)
    // The Exchange then lives on the upstream request, one per call: looking for an earlier one
    // on Express's request (a miss walks its long prototype chain) costs more than it saves.
    const exchange = catcher ? new Exchange(this.filter.request(req)) : this.exchange(req, this.filter)
    const result = exchange.result
    const body = bodyConsumed(req) ? replayedBody(req) : undefined
    const framing = clientFraming(req.rawHeaders)
    const forwarded = this.forwarding.request(req, result.headers)
    const ownLinesFrom = this.forwarding.ownLinesFrom
    const lines = this.framed(forwarded, body, framing)
    exchange.prepared = true
    exchange.res = res
    exchange.body = body
    exchange.te = findLine(result.headers, 'te') !== -1
    exchange.chunked = framing.chunked
    exchange.lines = lines
    exchange.ownLinesFrom = lines === forwarded && setsOwnLinesInPipe(callOptions, result.headers) ? ownLinesFrom : lines.length
    exchange.copyPending = Boolean(callOptions?.forward) && !callOptions.buffer
    // One URL object for both tells no failure from the other: each is then the client's.
    if (callOptions?.forward && callOptions.forward !== callOptions.target) this.copies.set(res, callOptions.forward)
    exchange.selfHandled = Boolean(callOptions?.selfHandleResponse)
    if (catcher) {
      exchange.catchesPipe = true
      callOptions.buffer = new UpstreamCatcher(this, req, exchange)
    } else {
      catchPipe(req, exchange, this.pipeProperty)
    }
    lendHeaders(req, headersObject(lines, exchange.ownLinesFrom), exchange)
  }

  /**
   * Whether the stream pass's `options` were made for this call (http-proxy merges the server's
   * options with the call's into a new object, http-proxy-3 always) and name no `buffer` of the
   * program's: then `options.buffer` can catch the upstream request.
   */
  catchesThroughOptions(callOptions) {
    return callOptions !== null && typeof callOptions === 'object' && callOptions !== this.serverOptions && callOptions.buffer === undefined
  }

  /**
   * The client request piped into `destination` by the stream pass (`req.pipe` or
   * `options.buffer.pipe`): the forward server's copy, or the upstream request, which gets the
   * proxy's own lines before the pipe and what it needs for its body, keep-alive and a stray 101
   * after. Any other pipe is Readable's own.
   */
  pipeFrom(req, exchange, destination, options) {
    if (exchange === undefined || !exchange.catchesPipe) return Readable.prototype.pipe.call(req, destination, options)
    if (exchange.copyPending) {
      // The forward server's copy; the upstream request is piped next, if there is a target.
      exchange.copyPending = false
      const piped = Readable.prototype.pipe.call(req, destination, options)
      this.wireBody(destination, req, exchange)
      return piped
    }
    exchange.catchesPipe = false
    try {
      this.appendOwnLines(destination, exchange)
    } catch (error) {
      failUpstream(destination, exchange.res, 500, error)
      return destination
    }
    const piped = Readable.prototype.pipe.call(req, destination, options)
    this.wireRequest(destination, req, exchange)
    return piped
  }

  /**
   * The proxy's own lines go on the upstream request itself, in the same order after the
   * client's, as the stream pass pipes into it. setupOutgoing's copy of the lent headers, and
   * the ClientRequest's, then hold only the client's fields: with the proxy's four more, a usual
   * browser request outgrew the number of properties V8 keeps in an object's fast mode, and
   * both objects became hash tables (whose keys Object.keys sorts) on every request. They go
   * under lower-case names, spelt afterwards (appendOwnHeader).
   */
  appendOwnLines(proxyReq, exchange) {
    const lines = exchange.lines
    for (let i = exchange.ownLinesFrom; i < lines.length; i += 2) appendOwnHeader(proxyReq, lines[i], lines[i + 1])
  }

  /** What the stream pass's upstream request needs for its body, keep-alive and a stray 101. */
  wireRequest(proxyReq, req, exchange) {
    const res = exchange.res
    exchange.proxyReq = proxyReq
    applyClientKeepAlive(res, exchange.result.keepAlive)
    abandonWhenClientLeaves(res, proxyReq)
    const request = currentRequest(proxyReq)
    // The proxyReq and proxyRes listeners find the Exchange from the upstream request.
    if (request !== proxyReq) proxyReq[this.slot] = exchange
    this.guardUpgrade(request, exchange)
    this.wireBody(proxyReq, req, exchange)
    // Under selfHandleResponse the program's 'proxyRes' listener writes the response, and one added
    // before attach() (http-proxy-middleware adds `on.proxyRes` before its plugins) runs first:
    // the answer is filtered before the event, from the upstream request's 'response', whose
    // listener here comes before http-proxy's own.
    if (exchange.selfHandled) {
      proxyReq.once('response', (proxyRes) => {
        proxyRes[FILTERED] = true
        this.answerFiltered(proxyRes, req, res)
      })
    }
  }

  /**
   * The body of `outgoing`, the upstream request or the forward server's copy: the one a body
   * parser read, sent again, or the piped one's trailers.
   */
  wireBody(outgoing, req, exchange) {
    if (exchange.body !== undefined) {
      replayBody(outgoing, exchange.body)
      return
    }
    // No guard against a body the head does not declare (relay() has one): such a body only
    // follows a head Node cut, and filterRequest refused every head that may be cut with 431.
    // Request trailers go on, filtered, before http-proxy's pipe ends the upstream request.
    if (exchange.chunked) {
      req.prependListener('end', () => passTrailers(currentRequest(outgoing), req.rawTrailers, req.rawHeaders))
    }
  }

  // Node's client emits no 'response' and no 'error' for a 101 nobody listens for: without
  // this listener the client would wait for an answer until its own timeout. On the
  // ClientRequest of every hop, since follow-redirects does not forward 'upgrade'. The listener
  // is one function per attach() that finds the exchange on the request: no closure per request.
  // Interim (1xx) answers, which http-proxy drops, go on to the client the same way.
  guardUpgrade(request, exchange) {
    if (request[this.slot] !== undefined) return
    request[this.slot] = exchange
    request.on('upgrade', this.refuseUpstreamUpgrade)
    request.on('information', this.passInformational)
  }

  /** ws pass before 'checkMethodAndHeader', which would close a bad handshake without a word. */
  gateWs(req, socket) {
    try {
      assertUpgradeRequest(req, this.exchange(req, this.upgradeFilter).result)
      return false
    } catch (error) {
      refuseSocket(socket, requestStatus(error), error)
      return true
    }
  }

  /** ws pass before 'stream' (after http-proxy's XHeaders): the filtered handshake. */
  prepareWs(req, socket) {
    try {
      lendHeaders(req, this.handshakeHeaders(req))
      return false
    } catch (error) {
      refuseSocket(socket, requestStatus(error), error)
      return true
    }
  }

  /**
   * Connection goes under the key setupOutgoing looks for, else without an agent it would
   * replace `upgrade` with `close`; the proxyReqWs listener gives it back its spelling.
   */
  handshakeHeaders(req) {
    const exchange = this.exchange(req, this.upgradeFilter)
    const framing = clientFraming(req.rawHeaders)
    const headers = headersObject(this.upstreamHeaders(req, exchange.result, undefined, framing))
    for (const key of Object.keys(headers)) {
      if (key !== 'connection' && key.toLowerCase() === 'connection') {
        headers.connection = headers[key]
        delete headers[key]
        exchange.spelling = key
      }
    }
    return headers
  }

  onProxyReq(proxyReq, req, res) {
    // Anything thrown here would be an uncaught exception: this runs in an event listener (with
    // followRedirects, in the 'socket' event of a ClientRequest, whose flush it would also skip).
    try {
      this.finishProxyReq(proxyReq, req, res)
    } catch (error) {
      failUpstream(proxyReq, res, requestStatus(error), error)
    }
  }

  /**
   * The head was filtered by the pass; what is left is what only the ClientRequest knows. Without
   * an agent, setupOutgoing replaced the Connection option with `close`, which must still name
   * `te` when TE goes on (RFC 9110 §10.1.4); with one, `Connection: te` stands, as on the other
   * paths, and means keep-alive in HTTP/1.1. Later redirect hops need the 101 guard.
   */
  finishProxyReq(proxyReq, req, res) {
    const exchange = this.upstreamExchange(proxyReq, req)
    if (exchange === undefined || !exchange.prepared) {
      // Emitted without the pass having run (e.g. someone emits proxyReq by hand): refuse rather
      // than forward unfiltered headers.
      failUpstream(proxyReq, res, 500, new Error('hop-by-hop: the request did not go through the attach() passes'))
      return
    }
    if (exchange.proxyReq === undefined) {
      // options.buffer was piped instead of the request, so wireRequest did not run.
      exchange.proxyReq = proxyReq
      abandonWhenClientLeaves(res, proxyReq)
    }
    const request = currentRequest(proxyReq)
    this.guardUpgrade(request, exchange)
    if (request.headersSent) return
    // The `host` option wins over http-proxy's changeOrigin, which setupOutgoing applied last.
    if (this.host !== undefined) setUpstreamHeader(proxyReq, request, 'Host', this.host)
    if (exchange.te && !request.shouldKeepAlive) setUpstreamHeader(proxyReq, request, 'Connection', connectionValue('close', true))
  }

  onProxyRes(proxyRes, req, res) {
    // A self-handled answer was filtered before the event (see wireRequest).
    if (proxyRes[FILTERED] !== true) this.answerFiltered(proxyRes, req, res)
  }

  answerFiltered(proxyRes, req, res) {
    // Never throw into http-proxy's event: a failure (a head Node cut, or strict) is a 502 and a
    // dropped upstream connection. http-proxy skips its passes once headers are sent.
    try {
      this.filterProxyRes(proxyRes, req, res)
    } catch (error) {
      destroyQuietly(proxyRes)
      refuse(res, 502, error)
      // A selfHandleResponse listener still runs and writes (see ignoreLaterAnswers).
      ignoreLaterAnswers(res)
    }
  }

  filterProxyRes(proxyRes, req, res) {
    const result = this.filter.response(proxyRes)
    assertNotSwitching(proxyRes)
    assertDecodedBody(proxyRes, req.method)
    const exchange = this.upstreamExchange(proxyRes.req, req)
    // http-proxy's selfHandleResponse: the program's 'proxyRes' listener writes the response.
    const selfHandled = exchange?.selfHandled === true
    cutWhenIncomplete(proxyRes, res, selfHandled)
    const rawHeaders = proxyRes.rawHeaders
    const keepAlive = this.clientKeepAlive(exchange)
    const via = this.forwarding.responseVia(proxyRes)
    let headers
    if (headersUnread(proxyRes)) {
      // Nobody has read proxyRes.headers: Node's object of the kept lines, Connection pinned.
      headers = setHeadersFromLines(proxyRes, result.headers, (keepAlive ? PINNED_KEEP_ALIVE : PINNED_CLOSE).prototype)
      if (via !== null) addVia(headers, via)
    } else {
      headers = proxyRes.headers
      dropResponseFields(headers, rawHeaders, result.headers)
      appendVia(headers, rawHeaders, via)
      pinConnection(headers, keepAlive)
    }
    if (acceptsTrailers(req) && mayHaveTrailers(proxyRes.statusCode, req.method, rawHeaders)) {
      const trailer = announcedTrailers(rawHeaders)
      // Announced only when http-proxy writes the response. Under selfHandleResponse the
      // program's listener copies proxyRes.headers (http-proxy-middleware's responseInterceptor
      // does) onto a response it frames itself, often by Content-Length, and Node throws
      // ERR_HTTP_TRAILER_INVALID on a Trailer field there, outside any listener's try: the
      // process ends. Trailers are still passed; Node writes them if that response is chunked.
      if (trailer !== undefined && !selfHandled) {
        headers.trailer = trailer
      }
      // Before http-proxy's pipe, whose own 'end' listener ends the response.
      proxyRes.once('end', () => passTrailers(res, proxyRes.rawTrailers, rawHeaders))
    }
    applyClientKeepAlive(res, keepAlive)
    // http-proxy's last passes set the headers under their lower-case names; its pipe into the
    // response comes next and emits 'pipe' before any byte is written.
    if (this.respell) res.on('pipe', respellOnPipe)
  }

  onProxyReqWs(proxyReq, req, socket) {
    // Never throw from the listener; http-proxy's ws path uses a plain ClientRequest. Registered
    // before http-proxy's own 'response'/'upgrade' listeners (added after this event), so the
    // headers are cleaned before it writes them to the client.
    try {
      this.restoreConnectionSpelling(proxyReq, req)
      // Interim answers before the 101 go on the client's socket. One closure per handshake:
      // plain requests share passInformational.
      const sent = this.exchangeOf(req) ?? { interimSent: 0 }
      proxyReq.on('information', (info) => forwardInformationalToSocket(req, socket, info, this.filter, this.forwarding, sent))
      proxyReq.once('upgrade', (proxyRes, proxySocket) => this.filterWsResponse(req, proxyRes, proxySocket, socket, true))
      proxyReq.once('response', (proxyRes) => this.filterWsResponse(req, proxyRes, undefined, socket, false))
    } catch (error) {
      destroyUpstream(proxyReq, error)
    }
  }

  restoreConnectionSpelling(proxyReq, req) {
    const spelling = this.exchangeOf(req)?.spelling
    const connection = proxyReq.getHeader('connection')
    if (spelling !== undefined && !proxyReq.headersSent && connection !== undefined) {
      proxyReq.removeHeader('connection')
      proxyReq.setHeader(spelling, connection)
    }
  }

  /**
   * http-proxy's ws stream pass writes the upstream answer (101 or not) from proxyRes.headers,
   * with their names as keys: the filtered lines go there in the upstream's case, plus Via.
   */
  filterWsResponse(req, proxyRes, proxySocket, socket, upgrade) {
    let result
    try {
      result = this.filter.response(proxyRes)
      if (upgrade) assertOfferedProtocol(req, proxyRes)
      else assertNotSwitching(proxyRes)
      // http-proxy's ws path takes GET handshakes only (checkMethodAndHeader).
      assertDecodedBody(proxyRes, 'GET')
    } catch {
      destroyQuietly(proxySocket)
      destroyQuietly(proxyRes)
      socket.destroy()
      return
    }
    let lines = this.forwarding.response(proxyRes, result.headers)
    if (!upgrade) lines = withoutLines(lines, 'connection').concat('Connection', 'close')
    const headers = proxyRes.headers
    for (const key of Object.keys(headers)) delete headers[key]
    Object.assign(headers, headersObject(lines))
  }
}

/**
 * Whether the stream pass pipes the client's request into a ClientRequest whose head is still
 * open: not with `buffer` (another stream is piped), `forward` (another request is piped
 * first), `followRedirects` (later hops are built from the copied headers alone), nor for a
 * request with Expect, whose head Node writes in the ClientRequest constructor.
 */
function setsOwnLinesInPipe(callOptions, filtered) {
  if (callOptions?.buffer || callOptions?.forward || callOptions?.followRedirects) return false
  return findLine(filtered, 'expect') === -1
}

/** A response's 'pipe' listener (`this` is the response): the names as the upstream spelt them. */
function respellOnPipe(source) {
  respellHeaders(this, source?.rawHeaders)
}

/** A header of the current hop's ClientRequest, and of follow-redirects' template for later hops. */
function setUpstreamHeader(proxyReq, request, name, value) {
  request.setHeader(name, value)
  if (isRedirectable(proxyReq)) setTemplateHeader(proxyReq._options.headers, name, value)
}

const ATTACHED = new WeakSet()
const FETCH_OPTIONS = ['fetch', 'fetchOptions']

/**
 * Whether the server's web passes may send with fetch() (http-proxy-3 does, when an option or
 * FORCE_FETCH_PATH says so); http-proxy 1.x's passes never mention it. Unknown is yes.
 */
function hasFetchPath(proxyServer) {
  const passes = proxyServer.webPasses
  if (!Array.isArray(passes) || passes.length === 0) return true
  return passes.some((pass) => typeof pass !== 'function' || /fetch/i.test(Function.prototype.toString.call(pass)))
}

function checkProxyServer(proxyServer) {
  const isServer = proxyServer !== null && typeof proxyServer === 'object' && typeof proxyServer.before === 'function' &&
    typeof proxyServer.on === 'function' && proxyServer.options !== null && typeof proxyServer.options === 'object'
  if (!isServer) throw invalidArgType('proxyServer', 'an http-proxy server (httpProxy.createProxyServer())', proxyServer)
  if (ATTACHED.has(proxyServer)) throw invalidArgValue('proxyServer', '[ProxyServer]', 'already has hop-by-hop attached (a second attach would filter twice and add a second Via)', TypeError)
  // http-proxy-3 (Vite 7+) sends with fetch() when either is set, and the passes cannot filter
  // that path's answer: refused here rather than looking attached.
  for (const name of FETCH_OPTIONS) {
    const value = proxyServer.options[name]
    if (value !== undefined && value !== null && value !== false) {
      throw invalidArgValue(`proxyServer.options.${name}`, value, 'makes http-proxy-3 send with fetch(), which hop-by-hop does not filter', TypeError)
    }
  }
}

/**
 * Install the passes and listeners on an http-proxy server. The passes answer 400/431 for a
 * request the filter refuses, and 500 for a body a body parser read and that cannot be sent
 * again, before anything is sent upstream. The client sees the upstream's header case (unless the
 * program sets http-proxy's preserveHeaderKeyCase itself). Returns the proxy server.
 */
function attach(proxyServer, options) {
  checkProxyServer(proxyServer)
  checkOptions(options, ATTACH_OPTIONS, 'attach()')
  // The client sees the upstream's header case. http-proxy's preserveHeaderKeyCase lower-cases
  // every received name into a map and sets every header a second time under its spelling,
  // which costs more than the filtering: attach() respells the names in place instead, where
  // this Node allows, unless the program chose preserveHeaderKeyCase itself.
  const respell = proxyServer.options.preserveHeaderKeyCase === undefined && CAN_RESPELL
  if (!respell) proxyServer.options.preserveHeaderKeyCase ??= true
  new AttachedFilter(options, respell).install(proxyServer)
  ATTACHED.add(proxyServer)
  return proxyServer
}

/**
 * An http-proxy-middleware plugin: `createProxyMiddleware({ target, plugins: [plugin()] })`.
 * Options are checked here, when the app is built. hpm's own options (its second argument) are
 * not this package's.
 */
function plugin(options) {
  checkOptions(options, ATTACH_OPTIONS, 'plugin()')
  // Compiled once here so that a bad value (options.trust, options.strict) throws now too.
  new AttachedFilter(options)
  return function hopByHopPlugin(proxyServer) {
    attach(proxyServer, options)
  }
}

module.exports = { attach, plugin, ATTACH_OPTIONS }
