import http from 'node:http'
import net, { type AddressInfo, type Socket } from 'node:net'
import { PrescalError } from '../../shared/errors'
import type { PoolMember } from './backend-pool'
import type { BalancingStrategy } from './balancing-strategy'
import { NodeClientSide, type ClientSide } from './client-side'
import { answerClientError, refuseUpgrade, sendPlainError } from './error-responses'
import type { FailureDetector, FailureKind, FailureStreak } from './failure-detector'
import { ForwardExchange, type ExchangeContext } from './forward-exchange'
import { FastConnection, type FastLane, type FastResponse } from './fast-connection'
import { buildUpstreamRequestHeaders, hostCount, requestTarget } from './hop-by-hop'
import { holdReading, releaseReading } from './llhttp-binding'
import type { PoolView, StatsSink } from './proxy-ports'
import { RawUpstreamPool } from './raw-upstream'
import { checkRequestFraming, type RequestFraming } from './request-framing'
import { UpgradeTunnel } from './upgrade-tunnel'
import { IdleLimit } from './idle-limit'
import { UpstreamAgent } from './upstream-agent'

/** One proxy thread's settings (ProxyServer fills them from its options). */
export interface ListenerOptions {
  host: string
  port: number
  /** Share the port with the other proxy threads (SO_REUSEPORT; the kernel spreads connections). */
  reusePort: boolean
  pool: PoolView
  stats: StatsSink
  strategy: BalancingStrategy
  upstreamTimeoutMs: number
  keepAliveIdleMs: number
  retryAfterSeconds: number
  headersTimeoutMs: number
  /** A client taking no byte of its answer for this long is cut off (the backend is not blamed). */
  clientSendTimeoutMs: number
  /**
   * Worker threads: timeouts are counted over all threads by the main thread (TimeoutTally);
   * this thread reports each one, and answers of the backends the main thread watches.
   */
  timeouts?: { timedOut(id: string): void; answered(id: string): void }
  /** Open client connections beyond this get a 503 and are closed; 0 = no limit. */
  maxConnections: number
  /** Counts open connections over every thread sharing the limit; returns the new total. */
  countConnections?: (delta: number) => number
  /** Consecutive-failure tracking for passive health; null disables it. */
  detector: FailureDetector | null
  /** A backend reached the failure threshold on this thread. */
  onStreak: (streak: FailureStreak) => void
  /** Bodiless requests through the lean raw-socket client (default); false: http.request for all. */
  leanClient?: boolean
  /**
   * Bodiless requests read and answered on raw sockets (default; see FastConnection), the rest
   * handed to node:http; false: node:http serves every connection.
   */
  fastLane?: boolean
  /** Exchanges in flight on this thread changed (for the cross-thread total). */
  onActive?: (delta: number) => void
}

const CLIENT_KEEP_ALIVE_MS = 5_000
// Whole request (headers + body) from a client; generous for slow uploads, finite for slow-loris.
const REQUEST_TIMEOUT_MS = 300_000
// Per backend. Enough for heavy local load; excess requests queue in the agent rather than
// opening sockets without bound. maxFreeSockets keeps a burst's sockets warm for the next one.
const MAX_SOCKETS_PER_BACKEND = 512
const MAX_FREE_SOCKETS_PER_BACKEND = 256
// An over-limit connection gets its 503 when its request arrives, or is dropped after this.
const OVER_LIMIT_GRACE_MS = 1_000

const kOverLimit = Symbol('prescal.overLimit')
const kPipeline = Symbol('prescal.pipeline')
/**
 * node:http parses every request a client pipelines and emits them all at once. Forwarded at
 * once, one connection could start thousands of backend requests and buffer their answers
 * while the client reads none. So a connection's requests are forwarded one at a time: the
 * next when the previous response is done; those still waiting when the client leaves were
 * never sent anywhere.
 */
interface Pipeline {
  busy: boolean
  waiting: Array<() => void>
  /** Reading held (holdReading): too many requests wait; node:http would parse and keep them all. */
  held: boolean
}
/** Waiting requests at which a connection stops being read (it resumes at half). */
const MAX_WAITING_REQUESTS = 32
interface MaybeOverLimit {
  [kOverLimit]?: boolean
}

interface AgentEntry {
  host: string
  port: number
  agent: http.Agent
}

type State = 'new' | 'starting' | 'listening' | 'closing' | 'closed'

export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/**
 * One HTTP/1.1 listener with its upstream agents: the whole request path of the proxy, run
 * either in the main thread (workers = 0) or once per worker thread. See ProxyServer for the
 * behaviour clients see. `close()` releases every socket, timer and listener it created.
 */
export class ProxyListener {
  /** Parses and answers what the fast lane hands over (with the fast lane off: every connection). */
  private readonly server: http.Server
  /** Accepts connections for the fast lane; null when node:http accepts them itself. */
  private readonly acceptor: net.Server | null
  private readonly fastConnections = new Set<FastConnection>()
  private readonly lane: FastLane
  private readonly agents = new Map<string, AgentEntry>()
  /** Agents whose backend moved to another address: kept until their sockets are gone. */
  private readonly retiredAgents = new Set<http.Agent>()
  private readonly rawPools = new Map<string, RawUpstreamPool>()
  private readonly retiredRawPools = new Set<RawUpstreamPool>()
  /** Per backend address, shared by its raw pool and its agent. */
  private readonly idleLimits = new Map<string, IdleLimit>()
  private readonly lean: boolean
  private readonly tunnels = new Set<UpgradeTunnel>()
  private readonly ctx: ExchangeContext
  private readonly retryAfter: string
  private state: State = 'new'
  private active = 0
  private connections = 0
  private onIdle: (() => void) | null = null
  private closePromise: Promise<void> | null = null
  private startPromise: Promise<{ host: string; port: number }> | null = null
  private fallbackHost: string

  constructor(private readonly opts: ListenerOptions) {
    this.retryAfter = String(opts.retryAfterSeconds)
    this.lean = opts.leanClient !== false && RawUpstreamPool.available()
    this.fallbackHost = formatAddress(opts.host, opts.port)
    this.server = http.createServer({
      keepAliveTimeout: CLIENT_KEEP_ALIVE_MS,
      headersTimeout: opts.headersTimeoutMs,
      requestTimeout: Math.max(REQUEST_TIMEOUT_MS, opts.headersTimeoutMs),
      connectionsCheckingInterval: Math.min(1_000, opts.headersTimeoutMs),
      noDelay: true,
      // handleRequest answers a Host-less HTTP/1.1 request itself, with a body saying why.
      requireHostHeader: false
    })
    this.server.on('request', this.handleRequest)
    this.server.on('clientError', answerClientError)
    this.server.on('upgrade', this.handleUpgrade)
    this.server.on('connect', refuseConnect)
    const fast = opts.fastLane !== false && this.lean
    if (fast) {
      // Same socket options as node:http's own acceptor; half-open so that a client's FIN after its
      // last request does not cut the answer short.
      this.acceptor = net.createServer({ allowHalfOpen: true, noDelay: true }, this.accept)
    } else {
      this.acceptor = null
      if (opts.maxConnections > 0) this.server.prependListener('connection', this.countConnection)
    }
    const self = this
    this.lane = {
      get closing() {
        return self.isClosing()
      },
      headersTimeoutMs: opts.headersTimeoutMs,
      keepAliveMs: CLIENT_KEEP_ALIVE_MS,
      serve: (res, rawHeaders, address) => this.serveFast(res, rawHeaders, address),
      handOff: (socket, bytes) => this.handOff(socket, bytes),
      forget: (conn) => this.fastConnections.delete(conn)
    }
    const detector = opts.detector
    const timeouts = opts.timeouts
    this.ctx = {
      pool: opts.pool,
      strategy: opts.strategy,
      stats: opts.stats,
      upstreamTimeoutMs: opts.upstreamTimeoutMs,
      clientSendTimeoutMs: opts.clientSendTimeoutMs,
      get closing() {
        return self.isClosing()
      },
      agentFor: (m) => this.agentFor(m),
      rawPoolFor: (m) => (this.lean ? this.rawPoolFor(m) : null),
      exchangeEnded: () => this.requestEnded(),
      succeeded:
        detector === null
          ? noop
          : (id: string) => {
              detector.success(id)
              timeouts?.answered(id)
            },
      failed:
        detector === null
          ? noop
          : (id: string, kind: FailureKind) => {
              if (kind === 'timeout') timeouts?.timedOut(id)
              const streak = detector.failure(id, kind)
              if (streak !== null) opts.onStreak(streak)
            }
    }
  }

  /** Exchanges and tunnels running on this listener. */
  get inFlight(): number {
    return this.active
  }

  start(): Promise<{ host: string; port: number }> {
    if (this.state === 'closing' || this.state === 'closed') {
      return Promise.reject(new PrescalError('CLOSED', 'The proxy was closed; create a new one to listen again.'))
    }
    if (this.startPromise) return this.startPromise
    this.state = 'starting'
    const server = this.acceptor ?? this.server
    this.startPromise = new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        server.off('listening', onListening)
        if (this.state === 'starting') this.state = 'new'
        this.startPromise = null
        reject(listenError(this.opts.host, this.opts.port, err))
      }
      const onListening = (): void => {
        server.off('error', onError)
        const addr = server.address() as AddressInfo
        this.fallbackHost = formatAddress(addr.address, addr.port)
        if (this.state === 'starting') this.state = 'listening'
        // node:http starts its header/request timeout checks when it starts listening; behind the
        // acceptor it never listens itself (sockets are handed to it), so it is told it does.
        if (this.acceptor !== null) this.server.emit('listening')
        resolve({ host: addr.address, port: addr.port })
      }
      server.once('error', onError)
      server.once('listening', onListening)
      server.listen({ port: this.opts.port, host: this.opts.host, reusePort: this.opts.reusePort })
    })
    return this.startPromise
  }

  /** Drops agents of departed or moved backends once no request uses them. */
  pruneAgents(): void {
    for (const [id, entry] of this.agents) {
      if (!this.opts.pool.has(id) && isUnused(entry.agent)) {
        entry.agent.destroy()
        this.agents.delete(id)
      }
    }
    for (const agent of this.retiredAgents) {
      if (isUnused(agent)) {
        agent.destroy()
        this.retiredAgents.delete(agent)
      }
    }
    for (const [id, pool] of this.rawPools) {
      if (!this.opts.pool.has(id) && pool.unused) {
        pool.destroy()
        this.rawPools.delete(id)
      }
    }
    for (const pool of this.retiredRawPools) {
      if (pool.unused) {
        pool.destroy()
        this.retiredRawPools.delete(pool)
      }
    }
    const used = new Set<string>()
    for (const { host, port } of [...this.agents.values(), ...this.rawPools.values()]) used.add(`${host}:${port}`)
    for (const key of this.idleLimits.keys()) if (!used.has(key)) this.idleLimits.delete(key)
  }

  /** See ProxyServer.close. Idempotent; never rejects. */
  close(timeoutMs: number): Promise<void> {
    this.closePromise ??= this.doClose(timeoutMs)
    return this.closePromise
  }

  private async doClose(timeoutMs: number): Promise<void> {
    if (this.startPromise) await this.startPromise.catch(() => undefined)
    this.state = 'closing'
    const server = this.acceptor ?? this.server
    // Resolves once every connection it accepted is closed too.
    const closed = new Promise<void>((resolve) => {
      if (!server.listening) resolve()
      else server.close(() => resolve())
    })
    // Not listening, but this stops its timeout checks (and closes its idle connections).
    if (this.acceptor !== null) this.server.close()
    this.server.closeIdleConnections()
    for (const c of this.fastConnections) c.closeIfIdle()
    if (this.active > 0) await this.waitForIdle(timeoutMs)
    this.server.closeAllConnections()
    for (const c of this.fastConnections) c.destroy()
    for (const t of this.tunnels) t.destroy()
    // Requests cut above release their upstream sockets on the 'close' that follows.
    await new Promise<void>((resolve) => setImmediate(resolve))
    for (const { agent } of this.agents.values()) agent.destroy()
    for (const agent of this.retiredAgents) agent.destroy()
    for (const pool of this.rawPools.values()) pool.destroy()
    for (const pool of this.retiredRawPools) pool.destroy()
    this.agents.clear()
    this.retiredAgents.clear()
    this.rawPools.clear()
    this.retiredRawPools.clear()
    await closed
    this.server.off('request', this.handleRequest)
    this.server.off('upgrade', this.handleUpgrade)
    this.state = 'closed'
  }

  private waitForIdle(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs)
      const self = this
      function done(): void {
        clearTimeout(timer)
        self.onIdle = null
        resolve()
      }
      this.onIdle = done
    })
  }

  private requestEnded(): void {
    this.active--
    this.opts.onActive?.(-1)
    if (this.active === 0 && this.onIdle !== null) this.onIdle()
  }

  /** Counts the connection against maxConnections; one over the limit is marked (node:http answers it 503). */
  private readonly countConnection = (socket: Socket): boolean => {
    const count = this.opts.countConnections ?? this.countLocal
    socket.once('close', () => count(-1))
    if (count(1) <= this.opts.maxConnections) return false
    ;(socket as MaybeOverLimit)[kOverLimit] = true
    socket.setTimeout(OVER_LIMIT_GRACE_MS, () => socket.destroy())
    return true
  }

  private readonly accept = (socket: Socket): void => {
    if (this.opts.maxConnections > 0 && this.countConnection(socket)) {
      this.handOff(socket, null)
      return
    }
    this.fastConnections.add(new FastConnection(socket, this.lane))
  }

  /** node:http takes the connection over; `bytes` (already read off the socket) are read again first. */
  private handOff(socket: Socket, bytes: Buffer | null): void {
    // Paused so the bytes put back are not emitted before node:http listens for them.
    socket.pause()
    if (bytes !== null && bytes.length > 0) socket.unshift(bytes)
    this.server.emit('connection', socket)
    socket.resume()
  }

  private readonly countLocal = (delta: number): number => (this.connections += delta)

  private readonly isClosing = (): boolean => this.state === 'closing' || this.state === 'closed'

  private readonly handleRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const startedAt = performance.now()
    const stats = this.opts.stats
    if ((req.socket as MaybeOverLimit)[kOverLimit] === true) {
      sendPlainError(res, 503, 'Service Unavailable: too many connections to the proxy', true, ['Retry-After', this.retryAfter])
      stats.record(null, 503, performance.now() - startedAt)
      return
    }
    const hosts = hostCount(req.rawHeaders)
    if (hosts > 1 || (hosts === 0 && req.httpVersionMajor === 1 && req.httpVersionMinor === 1)) {
      sendPlainError(res, 400, `Bad Request: ${hosts > 1 ? 'more than one Host header' : 'an HTTP/1.1 request needs a Host header'}`, true)
      stats.record(null, 400, performance.now() - startedAt)
      return
    }
    const framing = checkRequestFraming(req.rawHeaders)
    if (!framing.ok) {
      // Never forwarded, and the connection cannot be trusted for a next request either.
      sendPlainError(res, 400, `Bad Request: ${framing.reason}`, true)
      stats.record(null, 400, performance.now() - startedAt)
      return
    }
    const client = new NodeClientSide(req, res, this.isClosing)
    inTurn(req.socket, res, () => this.dispatch(client, req.rawHeaders, req.socket.remoteAddress, framing.body, startedAt))
  }

  private serveFast(res: FastResponse, rawHeaders: string[], clientAddress: string | undefined): void {
    this.dispatch(res, rawHeaders, clientAddress, 'none', performance.now())
  }

  /** Picks a backend and starts the exchange, or answers 503 when none is eligible. */
  private dispatch(
    client: ClientSide,
    rawHeaders: string[],
    clientAddress: string | undefined,
    body: Extract<RequestFraming, { ok: true }>['body'],
    startedAt: number
  ): void {
    const member = this.opts.strategy.pick(this.opts.pool.eligibleView())
    if (member === undefined) {
      client.sendError(503, 'Service Unavailable: no healthy backend', this.isClosing(), ['Retry-After', this.retryAfter])
      this.opts.stats.record(null, 503, performance.now() - startedAt)
      return
    }
    const target = requestTarget(client.url)
    const headers = buildUpstreamRequestHeaders(rawHeaders, { clientAddress, fallbackHost: this.fallbackHost, authority: target.authority })
    // Transfer-Encoding is hop-by-hop and was stripped; a chunked body must stay chunked upstream
    // whatever the method (node:http only chunks POST-like methods by default).
    if (body === 'chunked') headers.push('Transfer-Encoding', 'chunked')
    this.active++
    this.opts.onActive?.(1)
    new ForwardExchange(this.ctx, client, member, target.path, headers, body !== 'none', startedAt).start()
  }

  private readonly handleUpgrade = (req: http.IncomingMessage, socket: Socket, head: Buffer): void => {
    if (hostCount(req.rawHeaders) !== 1) {
      refuseUpgrade(req, socket, 400)
      this.opts.stats.record(null, 400, 0)
      return
    }
    const member = this.isClosing() ? undefined : this.opts.strategy.pick(this.opts.pool.eligibleView())
    if (member === undefined) {
      refuseUpgrade(req, socket, 503)
      this.opts.stats.record(null, 503, 0)
      return
    }
    this.active++
    this.opts.onActive?.(1)
    const tunnel = new UpgradeTunnel(
      { pool: this.opts.pool, stats: this.opts.stats, upstreamTimeoutMs: this.opts.upstreamTimeoutMs, fallbackHost: this.fallbackHost },
      req,
      socket,
      head,
      member,
      () => {
        this.tunnels.delete(tunnel)
        this.requestEnded()
      }
    )
    this.tunnels.add(tunnel)
    tunnel.start()
  }

  private rawPoolFor(m: PoolMember): RawUpstreamPool {
    const pool = this.rawPools.get(m.id)
    if (pool !== undefined && pool.host === m.host && pool.port === m.port) return pool
    if (pool !== undefined) this.retiredRawPools.add(pool)
    const fresh = new RawUpstreamPool(m.host, m.port, this.idleLimitFor(m), MAX_FREE_SOCKETS_PER_BACKEND)
    this.rawPools.set(m.id, fresh)
    return fresh
  }

  private idleLimitFor(m: PoolMember): IdleLimit {
    const key = `${m.host}:${m.port}`
    let limit = this.idleLimits.get(key)
    if (limit === undefined) {
      limit = new IdleLimit(this.opts.keepAliveIdleMs)
      this.idleLimits.set(key, limit)
    }
    return limit
  }

  private agentFor(m: PoolMember): http.Agent {
    const entry = this.agents.get(m.id)
    if (entry !== undefined && entry.host === m.host && entry.port === m.port) return entry.agent
    if (entry !== undefined) this.retiredAgents.add(entry.agent)
    this.pruneAgents()
    const agent = new UpstreamAgent(this.idleLimitFor(m), {
      keepAlive: true,
      keepAliveMsecs: 1_000,
      maxSockets: MAX_SOCKETS_PER_BACKEND,
      maxFreeSockets: MAX_FREE_SOCKETS_PER_BACKEND,
      scheduling: 'lifo',
      // Applies to idle pooled sockets only: a request sets its own timeout while it runs.
      timeout: this.opts.keepAliveIdleMs,
      noDelay: true
    })
    this.agents.set(m.id, { host: m.host, port: m.port, agent })
    return agent
  }
}

function noop(): void {}

function refuseConnect(req: http.IncomingMessage, socket: Socket): void {
  refuseUpgrade(req, socket, 501)
}

function isUnused(agent: http.Agent): boolean {
  for (const _ in agent.sockets) return false
  for (const _ in agent.requests) return false
  return true
}

export function listenError(host: string, port: number, err: NodeJS.ErrnoException): PrescalError {
  const where = formatAddress(host, port)
  let what: string
  if (err.code === 'EADDRINUSE') what = `${where} is already in use by another program`
  else if (err.code === 'EACCES') what = `permission denied to listen on ${where} (ports below 1024 need privileges)`
  else if (err.code === 'EADDRNOTAVAIL') what = `${where} is not an address of this machine`
  else what = `${err.code ?? err.message}`
  return new PrescalError(
    'PROXY_LISTEN_FAILED',
    `The proxy cannot listen on ${where}: ${what}. Change \`listen\` in the config to a free address and port.`,
    { cause: err }
  )
}

/** Runs `start` once every earlier request on `socket` is answered (see Pipeline). */
function inTurn(socket: Socket & { [kPipeline]?: Pipeline }, res: http.ServerResponse, start: () => void): void {
  const pipeline = (socket[kPipeline] ??= { busy: false, waiting: [], held: false })
  const run = (): void => {
    pipeline.busy = true
    res.once('close', () => {
      const next = pipeline.waiting.shift()
      if (pipeline.held && pipeline.waiting.length <= MAX_WAITING_REQUESTS / 2) {
        pipeline.held = false
        releaseReading(socket)
      }
      if (next !== undefined && !socket.destroyed) next()
      else pipeline.busy = false
    })
    start()
  }
  if (!pipeline.busy) return run()
  pipeline.waiting.push(run)
  if (!pipeline.held && pipeline.waiting.length >= MAX_WAITING_REQUESTS) pipeline.held = holdReading(socket)
}
