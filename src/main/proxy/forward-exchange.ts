import http from 'node:http'
import type { Duplex } from 'node:stream'
import type { PoolMember } from './backend-pool'
import type { BalancingStrategy } from './balancing-strategy'
import type { ClientSide, ClientSideListener } from './client-side'
import type { FailureKind } from './failure-detector'
import { buildResponseHeaders } from './hop-by-hop'
import type { PoolView, StatsSink } from './proxy-ports'
import type { RawRequest, RawResponseHandler, RawUpstreamPool } from './raw-upstream'

/** What one exchange needs from the server that owns it. */
export interface ExchangeContext {
  readonly pool: PoolView
  readonly strategy: BalancingStrategy
  readonly stats: StatsSink
  readonly upstreamTimeoutMs: number
  /** A client paused (backpressure) this long without taking a byte is cut off. */
  readonly clientSendTimeoutMs: number
  /** True once the server is closing (error answers then close the connection). */
  readonly closing: boolean
  agentFor(member: PoolMember): http.Agent
  /** The lean client's pool for bodiless requests; null to use http.request for everything. */
  rawPoolFor(member: PoolMember): RawUpstreamPool | null
  /** Called exactly once per exchange, after its in-flight count was released. */
  exchangeEnded(): void
  /** Passive health: the backend answered below 500. */
  succeeded(id: string): void
  /** Passive health: the backend failed this request. */
  failed(id: string, kind: FailureKind): void
}

// Requests that may be sent twice (RFC 9110 §9.2.2 idempotent methods), and only without a body:
// a streamed body is consumed and cannot be replayed, so a POST (or PUT) whose body was sent is
// never retried.
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'])

// The exchange is reached from event handlers through this property instead of a closure per
// listener: handlers are module-level functions, so a request allocates no functions and a
// pooled upstream socket never holds a reference to a finished exchange.
const kExchange = Symbol('prescal.exchange')
interface Tagged {
  [kExchange]?: ForwardExchange
}

/**
 * One client request forwarded to a backend: sends it (bodiless requests through the lean
 * raw-socket client, requests with a body through http.request), retries once when an
 * idempotent bodiless request got no response byte, streams the answer back, and maps
 * failures to 502 (unreachable / broken) and 504 (no response within `upstreamTimeoutMs`).
 * Invariant: every `pool.acquire` is matched by exactly one `pool.release`, and the exchange
 * ends (stats recorded, `exchangeEnded` called) exactly once, when the client side reports the
 * response over: after a normal finish, or when the client went away.
 */
export class ForwardExchange implements RawResponseHandler, ClientSideListener {
  private upstreamReq: http.ClientRequest | null = null
  /** The running raw (lean client) attempt, null when none or finished. */
  private raw: RawRequest | null = null
  /** The raw attempt's response head went to the client. */
  private rawHead = false
  private rawHeadString: string | null = null
  private upstreamRes: http.IncomingMessage | null = null
  /** Backend id whose in-flight count this exchange holds, null when released. */
  private acquired: string | null = null
  /** Retried on another backend (at most once). */
  private retried = false
  /** Retried on a fresh connection after a reused one broke (at most once). */
  private raceRetried = false
  private sentAt = 0
  private ended = false
  /** Status the client was (or is being) answered with; null while waiting for the backend. */
  private status: number | null = null
  /** The backend failed after its headers went to the client: counted as 5xx, not as an abort. */
  private brokenMidStream = false
  /** The backend is paused because the client is not taking the body (backpressure). */
  private waitingForClient = false
  /** When the current wait for the client began (performance.now()). */
  private waitingSince = 0

  constructor(
    private readonly ctx: ExchangeContext,
    private readonly client: ClientSide,
    private member: PoolMember,
    /** The request target sent upstream (origin form). */
    private readonly path: string,
    /** Upstream request headers (flat rawHeaders form), computed once for every attempt. */
    private readonly headers: string[],
    private readonly hasBody: boolean,
    private readonly startedAt: number
  ) {}

  start(): void {
    this.client.attach(this)
    this.send()
  }

  /** `fresh`: bypass the keep-alive pool (retry after a reused socket broke). */
  private send(fresh = false): void {
    const m = this.member
    this.ctx.pool.acquire(m.id)
    this.acquired = m.id
    this.ctx.stats.touch(m.id)
    this.sentAt = performance.now()
    const rawPool = this.hasBody ? null : this.ctx.rawPoolFor(m)
    if (rawPool !== null) {
      const method = this.client.method
      this.rawHeadString ??= requestHead(method, this.path, this.headers)
      this.raw = rawPool.request(this.rawHeadString, method === 'HEAD', this, this.ctx.upstreamTimeoutMs, fresh)
      return
    }
    let req: http.ClientRequest
    try {
      req = http.request({
        host: m.host,
        port: m.port,
        method: this.client.method,
        path: this.path,
        headers: this.headers,
        // agent: false opens a one-off connection (Connection: close), never a pooled one.
        agent: fresh ? false : this.ctx.agentFor(m),
        // Socket idle timeout: covers connect, waiting for headers and a stalled body; it is
        // reset to the agent's keep-alive timeout when the socket returns to the pool.
        timeout: this.ctx.upstreamTimeoutMs
      })
    } catch (err) {
      // node:http's client is stricter than its server parser (e.g. some bytes in the path).
      this.answer(400, `Bad Request: cannot forward this request (${(err as Error).message})`)
      return
    }
    ;(req as Tagged)[kExchange] = this
    req.on('response', onUpstreamResponse)
    req.on('error', onUpstreamError)
    req.on('timeout', onUpstreamTimeout)
    req.on('upgrade', onUpstreamUpgrade)
    this.upstreamReq = req
    if (this.hasBody) this.client.pipeBody(req)
    else req.end()
  }

  /** @internal */
  handleResponse(req: http.ClientRequest, res: http.IncomingMessage): void {
    if (req !== this.upstreamReq || this.ended) {
      res.destroy()
      return
    }
    this.upstreamRes = res
    ;(res as Tagged)[kExchange] = this
    res.on('error', onUpstreamBodyError)
    const status = res.statusCode ?? 502
    const id = this.member.id
    this.ctx.strategy.observe?.(id, performance.now() - this.sentAt)
    if (status >= 500) this.ctx.failed(id, '5xx')
    else this.ctx.succeeded(id)
    try {
      this.client.writeHead(status, res.statusMessage ?? '', buildResponseHeaders(res.rawHeaders))
    } catch (err) {
      // A header the backend sent that node:http refuses to write (should not pass its parser).
      this.upstreamRes = null
      req.destroy()
      this.answer(502, `Bad Gateway: invalid response from backend (${(err as Error).message})`)
      return
    }
    this.status = status
    // A lean pipe: module-level handlers, no per-request closures or pipe bookkeeping.
    res.on('data', onUpstreamData)
    res.on('end', onUpstreamEnd)
  }

  /** @internal Raw attempt: the backend's status line and headers. */
  onHead(status: number, statusMessage: string, rawHeaders: string[]): void {
    if (this.ended) return
    const id = this.member.id
    this.ctx.strategy.observe?.(id, performance.now() - this.sentAt)
    if (status >= 500) this.ctx.failed(id, '5xx')
    else this.ctx.succeeded(id)
    try {
      this.client.writeHead(status, statusMessage, buildResponseHeaders(rawHeaders))
    } catch (err) {
      this.raw?.abort()
      this.raw = null
      this.answer(502, `Bad Gateway: invalid response from backend (${(err as Error).message})`)
      return
    }
    this.rawHead = true
    this.status = status
  }

  /** @internal Raw attempt: a body chunk; false pauses the backend until the client drains. */
  onBody(chunk: Buffer): boolean {
    if (this.ended || this.client.write(chunk)) return true
    this.waitForClient()
    return false
  }

  /** @internal Raw attempt: the response is complete. */
  onEnd(): void {
    this.raw = null
    if (!this.ended && this.rawHead) this.client.end()
  }

  /** @internal Raw attempt failed: connect error, reset, or a malformed response. */
  onError(code: string, reusedSocket: boolean): void {
    this.raw = null
    if (this.ended) return
    if (this.rawHead) {
      this.failMidStream()
      return
    }
    if (this.status !== null) return
    if (!reusedSocket) this.ctx.failed(this.member.id, code === 'ECONNREFUSED' ? 'connect' : 'reset')
    if (this.tryRetry(reusedSocket)) return
    this.answer(502, unreachable(this.member.name ?? this.member.id, code))
  }

  /** @internal Raw attempt: no socket activity for upstreamTimeoutMs; true keeps waiting. */
  onTimeout(): boolean {
    if (!this.ended && this.rawHead && this.stillWaitingForClient()) return true
    this.raw = null
    if (this.ended) return false
    if (this.rawHead) {
      this.timedOutMidStream()
      return false
    }
    this.ctx.failed(this.member.id, 'timeout')
    this.answer(504, `Gateway Timeout: backend ${this.member.name ?? this.member.id} did not answer in ${this.ctx.upstreamTimeoutMs} ms`)
    return false
  }

  /** @internal */
  relayChunk(res: http.IncomingMessage, chunk: Buffer): void {
    if (res !== this.upstreamRes || this.ended) return
    if (!this.client.write(chunk)) {
      this.waitForClient()
      res.pause()
    }
  }

  /** @internal */
  relayEnd(res: http.IncomingMessage): void {
    if (res !== this.upstreamRes || this.ended) return
    // The answer is complete: whatever the backend does on that socket now (e.g. bytes after a
    // 204, which node:http reports as a parse error) is not this client's business.
    this.upstreamRes = null
    this.upstreamReq = null
    this.client.end()
  }

  /** Client side: the client caught up, let the backend's body flow again. */
  relayDrain(): void {
    if (this.ended) return
    this.waitingForClient = false
    this.upstreamRes?.resume()
    this.raw?.resume()
  }

  /** @internal Upstream request error: connect failure, reset, or our own destroy(). */
  handleUpstreamError(req: http.ClientRequest, err: NodeJS.ErrnoException): void {
    if (req !== this.upstreamReq || this.ended) return
    if (this.upstreamRes !== null) {
      // After a complete answer (bytes after a 204, say): the answer stands, its 'end' follows.
      if (!this.upstreamRes.complete) this.failMidStream()
      return
    }
    if (this.status !== null) return // already answered (504), this is the destroy() echo
    // A reused keep-alive socket the backend closed as we wrote says nothing about its health.
    if (!req.reusedSocket) this.ctx.failed(this.member.id, err.code === 'ECONNREFUSED' ? 'connect' : 'reset')
    if (this.tryRetry(req.reusedSocket)) return
    this.answer(502, unreachable(this.member.name ?? this.member.id, err.code ?? err.message))
  }

  /** @internal No upstream socket activity for upstreamTimeoutMs. */
  handleUpstreamTimeout(req: http.ClientRequest): void {
    if (req !== this.upstreamReq || this.ended) return
    if (this.upstreamRes !== null) {
      if (this.stillWaitingForClient()) {
        req.setTimeout(this.ctx.upstreamTimeoutMs) // look again then
        return
      }
      this.timedOutMidStream()
      return
    }
    this.ctx.failed(this.member.id, 'timeout')
    this.answer(504, `Gateway Timeout: backend ${this.member.name ?? this.member.id} did not answer in ${this.ctx.upstreamTimeoutMs} ms`)
    req.destroy()
  }

  /** @internal The backend's response body broke off. */
  handleUpstreamBodyError(res: http.IncomingMessage): void {
    if (res !== this.upstreamRes || this.ended) return
    this.failMidStream()
  }

  /** Client side: the response is over, finished normally or because the client went away. */
  end(): void {
    if (this.ended) return
    this.ended = true
    const completed = this.client.finished
    if (!completed) {
      // The client is gone: stop the backend's work at once rather than let it finish for no one.
      this.upstreamReq?.destroy()
      this.upstreamRes?.destroy()
      this.raw?.abort()
    }
    this.raw = null
    const backendId = this.member.id
    if (this.acquired !== null) {
      this.ctx.pool.release(this.acquired)
      this.acquired = null
    }
    if (completed && this.status !== null) {
      this.ctx.stats.record(backendId, this.status, performance.now() - this.startedAt)
    } else if (this.brokenMidStream) {
      this.ctx.stats.record(backendId, 502, performance.now() - this.startedAt)
    }
    // Client aborts are not counted: nothing was completed, for anyone.
    this.ctx.exchangeEnded()
  }

  /**
   * Retries only an idempotent bodiless request, only before any response byte (callers check).
   * A reused keep-alive socket that broke (the backend closed it as we wrote: the keep-alive
   * race) is retried once on a fresh connection to the same backend. Any other failure, that
   * fresh attempt's included (the backend died rather than closed an idle socket), is retried
   * once on another backend.
   */
  private tryRetry(reusedSocket: boolean): boolean {
    if (this.hasBody || !RETRYABLE_METHODS.has(this.client.method)) return false
    const pool = this.ctx.pool
    const failedId = this.member.id
    let next: PoolMember | undefined
    let fresh = false
    if (reusedSocket && !this.raceRetried && pool.isEligible(failedId)) {
      next = this.member
      fresh = true
      this.raceRetried = true
    } else if (!this.retried) {
      next = this.ctx.strategy.pick(pool.eligibleView(), new Set([failedId]))
      if (next !== undefined) this.retried = true
    }
    if (next === undefined) return false
    if (this.acquired !== null) {
      pool.release(this.acquired)
      this.acquired = null
    }
    this.member = next
    this.send(fresh)
    return true
  }

  private answer(status: number, text: string): void {
    this.status = status
    // Close when part of the body is still unread on the socket (see sendPlainError).
    const close = this.ctx.closing || (this.hasBody && !this.client.requestComplete)
    this.client.sendError(status, text, close)
  }

  private waitForClient(): void {
    if (this.waitingForClient) return
    this.waitingForClient = true
    this.waitingSince = performance.now()
  }

  /**
   * The backend is paused for the client, which has not had clientSendTimeoutMs yet: a slow
   * reader's kernel buffers drain in bursts seconds apart ('drain' comes only once a third or so
   * of a multi-MB send buffer is free), so upstreamTimeoutMs is no measure of a stall here.
   */
  private stillWaitingForClient(): boolean {
    return this.waitingForClient && performance.now() - this.waitingSince < this.ctx.clientSendTimeoutMs
  }

  /**
   * The body stalled for upstreamTimeoutMs. If the backend was paused because the client took
   * no byte for clientSendTimeoutMs, the client is the one stalling (nginx's send_timeout): it is
   * cut off like a client that left, and the backend is not blamed. Otherwise the backend stalled.
   */
  private timedOutMidStream(): void {
    if (this.waitingForClient) this.cutBothSides()
    else this.failMidStream()
  }

  private failMidStream(): void {
    if (!this.brokenMidStream) this.ctx.failed(this.member.id, 'reset')
    this.brokenMidStream = true
    this.cutBothSides()
  }

  /** Headers already went out: cutting the connection is the only way to tell the client. */
  private cutBothSides(): void {
    // Detached first: the errors their destruction echoes are already accounted for.
    const req = this.upstreamReq
    this.upstreamReq = null
    this.upstreamRes = null
    req?.destroy()
    this.raw?.abort()
    this.raw = null
    this.client.destroy()
  }
}

/** `METHOD path HTTP/1.1` and the header lines, as one string for one write. */
function requestHead(method: string, path: string, headers: readonly string[]): string {
  let head = `${method} ${path} HTTP/1.1\r\n`
  for (let i = 0; i + 1 < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`
  return `${head}\r\n`
}

function exchangeOf(emitter: unknown): ForwardExchange | undefined {
  return (emitter as Tagged)[kExchange]
}

function onUpstreamResponse(this: http.ClientRequest, res: http.IncomingMessage): void {
  const ex = exchangeOf(this)
  if (ex) ex.handleResponse(this, res)
  else res.destroy()
}

function onUpstreamError(this: http.ClientRequest, err: NodeJS.ErrnoException): void {
  exchangeOf(this)?.handleUpstreamError(this, err)
}

/**
 * A 101 to a request that asked for no upgrade (Upgrade requests are tunnelled elsewhere): a
 * protocol error, as on the raw path. Without this listener node:http drops the socket silently
 * and the client would wait forever.
 */
function onUpstreamUpgrade(this: http.ClientRequest, _res: http.IncomingMessage, socket: Duplex): void {
  socket.destroy()
  const err: NodeJS.ErrnoException = new Error('101 Switching Protocols without an Upgrade request')
  err.code = 'HPE_UNEXPECTED_UPGRADE'
  const ex = exchangeOf(this)
  if (ex) ex.handleUpstreamError(this, err)
}

function onUpstreamTimeout(this: http.ClientRequest): void {
  const ex = exchangeOf(this)
  if (ex) ex.handleUpstreamTimeout(this)
  else this.destroy()
}

function onUpstreamBodyError(this: http.IncomingMessage): void {
  exchangeOf(this)?.handleUpstreamBodyError(this)
}

function onUpstreamData(this: http.IncomingMessage, chunk: Buffer): void {
  exchangeOf(this)?.relayChunk(this, chunk)
}

function onUpstreamEnd(this: http.IncomingMessage): void {
  exchangeOf(this)?.relayEnd(this)
}

/** The 502 text for a backend that failed before any response: llhttp's HPE_* codes mean it did answer, badly. */
function unreachable(name: string, code: string): string {
  return code.startsWith('HPE_')
    ? `Bad Gateway: backend ${name} sent an invalid response (${code})`
    : `Bad Gateway: backend ${name} unreachable (${code})`
}
