import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { PrescalError } from '../../shared/errors'
import type { BackendPool, PoolMember } from './backend-pool'
import { answerClientError, refuseUpgrade, sendPlainError } from './error-responses'
import { ForwardExchange, type ExchangeContext } from './forward-exchange'
import { buildUpstreamRequestHeaders } from './hop-by-hop'
import { checkRequestFraming } from './request-framing'
import { RoundRobinStrategy, type BalancingStrategy } from './round-robin-strategy'
import { TrafficStats, type ProxyTick } from './traffic-stats'

export type { BackendTickStats, ProxyTick } from './traffic-stats'

export interface ProxyServerOptions {
  host: string
  port: number
  pool: BackendPool
  /** No response headers within this => 504; also the idle timeout of a response body. */
  upstreamTimeoutMs: number
  /** Retry-After of the 503 sent when no backend is eligible. Default 1. */
  retryAfterSeconds?: number
  /**
   * Idle upstream keep-alive sockets are closed after this long. Default 4000: below the 5 s
   * keep-alive timeout of node:http servers, so we close before the backend does and never send
   * a request into a socket the backend is closing (a backend's `Keep-Alive: timeout=N` hint
   * shortens it further).
   */
  keepAliveIdleMs?: number
  /** Balancing choice; round robin by default. */
  strategy?: BalancingStrategy
}

const CLIENT_KEEP_ALIVE_MS = 5_000
// Slow-loris guards for the listening side; node:http checks them every connectionsCheckingInterval.
const HEADERS_TIMEOUT_MS = 20_000
const REQUEST_TIMEOUT_MS = 300_000
// Per backend. Enough for heavy local load; excess requests queue in the agent rather than
// opening sockets without bound. maxFreeSockets keeps a burst's sockets warm for the next one.
const MAX_SOCKETS_PER_BACKEND = 512
const MAX_FREE_SOCKETS_PER_BACKEND = 256

interface UpstreamAgent {
  host: string
  port: number
  agent: http.Agent
}

type State = 'new' | 'starting' | 'listening' | 'closing' | 'closed'

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/**
 * The HTTP/1.1 reverse proxy: accepts client requests and forwards each to one eligible backend
 * of the pool (round robin), keep-alive on both sides, bodies streamed both ways.
 * - No eligible backend: 503 with Retry-After. Backend unreachable: 502 (GET/HEAD/OPTIONS without
 *   a body are retried once on another backend first). No response headers in time: 504.
 * - Ambiguous request framing (Content-Length with Transfer-Encoding, conflicting lengths): 400,
 *   never forwarded. Unparseable requests: 400 / 431 and the connection is closed. Upgrade and
 *   CONNECT: 501.
 * - A client that goes away cancels its upstream request at once.
 * `close()` releases every socket, timer and listener it created.
 */
export class ProxyServer {
  private readonly server: http.Server
  private readonly pool: BackendPool
  private readonly strategy: BalancingStrategy
  private readonly stats = new TrafficStats()
  private readonly agents = new Map<string, UpstreamAgent>()
  /** Agents whose backend moved to another address: kept until their sockets are gone. */
  private readonly retiredAgents = new Set<http.Agent>()
  private readonly ctx: ExchangeContext
  private readonly retryAfter: string
  private readonly keepAliveIdleMs: number
  private state: State = 'new'
  private active = 0
  private onIdle: (() => void) | null = null
  private closePromise: Promise<void> | null = null
  private startPromise: Promise<{ host: string; port: number }> | null = null
  private fallbackHost: string

  constructor(private readonly opts: ProxyServerOptions) {
    this.pool = opts.pool
    this.strategy = opts.strategy ?? new RoundRobinStrategy()
    this.retryAfter = String(opts.retryAfterSeconds ?? 1)
    this.keepAliveIdleMs = opts.keepAliveIdleMs ?? 4_000
    this.fallbackHost = formatAddress(opts.host, opts.port)
    this.server = http.createServer({
      keepAliveTimeout: CLIENT_KEEP_ALIVE_MS,
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: 1_000,
      noDelay: true
    })
    this.server.on('request', this.handleRequest)
    this.server.on('clientError', answerClientError)
    this.server.on('upgrade', refuseUpgrade)
    this.server.on('connect', refuseUpgrade)
    const self = this
    this.ctx = {
      pool: this.pool,
      strategy: this.strategy,
      stats: this.stats,
      upstreamTimeoutMs: opts.upstreamTimeoutMs,
      get closing() {
        return self.state === 'closing' || self.state === 'closed'
      },
      agentFor: (m) => this.agentFor(m),
      exchangeEnded: () => this.requestEnded()
    }
  }

  /**
   * Listens; resolves with the bound address. Rejects with PrescalError PROXY_LISTEN_FAILED
   * (message names the address and says to change `listen` in the config) when the address is
   * taken or not allowed, CLOSED after close(), CONFLICT when called twice.
   */
  start(): Promise<{ host: string; port: number }> {
    if (this.state === 'closing' || this.state === 'closed') {
      return Promise.reject(new PrescalError('CLOSED', 'The proxy was closed; create a new one to listen again.'))
    }
    if (this.startPromise) return this.startPromise
    this.state = 'starting'
    this.startPromise = new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        this.server.off('listening', onListening)
        if (this.state === 'starting') this.state = 'new'
        this.startPromise = null
        reject(listenError(this.opts.host, this.opts.port, err))
      }
      const onListening = (): void => {
        this.server.off('error', onError)
        const addr = this.server.address() as AddressInfo
        this.fallbackHost = formatAddress(addr.address, addr.port)
        if (this.state === 'starting') this.state = 'listening'
        resolve({ host: addr.address, port: addr.port })
      }
      this.server.once('error', onError)
      this.server.once('listening', onListening)
      this.server.listen(this.opts.port, this.opts.host)
    })
    return this.startPromise
  }

  /**
   * Counters since the previous call (completed requests by status class, latency quantiles)
   * with the current in-flight counts; resets the per-tick counters. A backend with no traffic
   * this tick and nothing in flight is absent from `perBackend`.
   */
  takeTick(): ProxyTick {
    this.pruneAgents()
    return this.stats.take((id) => this.pool.inFlight(id), this.active)
  }

  /**
   * Stops accepting, lets in-flight requests finish for up to `timeoutMs` (default 5000), then
   * destroys the connections left, destroys every upstream agent and resolves once the listener
   * is closed. Idempotent; never rejects.
   */
  close(timeoutMs = 5_000): Promise<void> {
    this.closePromise ??= this.doClose(timeoutMs)
    return this.closePromise
  }

  private async doClose(timeoutMs: number): Promise<void> {
    if (this.startPromise) await this.startPromise.catch(() => undefined)
    this.state = 'closing'
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) resolve()
      else this.server.close(() => resolve())
    })
    this.server.closeIdleConnections()
    if (this.active > 0) await this.waitForIdle(timeoutMs)
    this.server.closeAllConnections()
    // Requests cut above release their upstream sockets on the 'close' that follows.
    await new Promise<void>((resolve) => setImmediate(resolve))
    for (const { agent } of this.agents.values()) agent.destroy()
    for (const agent of this.retiredAgents) agent.destroy()
    this.agents.clear()
    this.retiredAgents.clear()
    await closed
    this.server.off('request', this.handleRequest)
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
    if (this.active === 0 && this.onIdle !== null) this.onIdle()
  }

  private readonly handleRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const startedAt = performance.now()
    const closing = this.state === 'closing' || this.state === 'closed'
    const framing = checkRequestFraming(req.rawHeaders)
    if (!framing.ok) {
      // Never forwarded, and the connection cannot be trusted for a next request either.
      sendPlainError(res, 400, `Bad Request: ${framing.reason}`, true)
      this.stats.record(null, 400, performance.now() - startedAt)
      return
    }
    const member = this.strategy.pick(this.pool.eligible())
    if (member === undefined) {
      sendPlainError(res, 503, 'Service Unavailable: no healthy backend', closing, ['Retry-After', this.retryAfter])
      this.stats.record(null, 503, performance.now() - startedAt)
      return
    }
    const headers = buildUpstreamRequestHeaders(req.rawHeaders, {
      clientAddress: req.socket.remoteAddress,
      fallbackHost: this.fallbackHost
    })
    // Transfer-Encoding is hop-by-hop and was stripped; a chunked body must stay chunked upstream
    // whatever the method (node:http only chunks POST-like methods by default).
    if (framing.body === 'chunked') headers.push('Transfer-Encoding', 'chunked')
    this.active++
    new ForwardExchange(this.ctx, req, res, member, headers, framing.body !== 'none', startedAt).start()
  }

  private agentFor(m: PoolMember): http.Agent {
    const entry = this.agents.get(m.id)
    if (entry !== undefined && entry.host === m.host && entry.port === m.port) return entry.agent
    if (entry !== undefined) this.retiredAgents.add(entry.agent)
    this.pruneAgents()
    const agent = new http.Agent({
      keepAlive: true,
      keepAliveMsecs: 1_000,
      maxSockets: MAX_SOCKETS_PER_BACKEND,
      maxFreeSockets: MAX_FREE_SOCKETS_PER_BACKEND,
      scheduling: 'lifo',
      // Applies to idle pooled sockets only: a request sets its own timeout while it runs.
      timeout: this.keepAliveIdleMs,
      noDelay: true
    })
    this.agents.set(m.id, { host: m.host, port: m.port, agent })
    return agent
  }

  /** Drops agents of departed or moved backends once no request uses them. */
  private pruneAgents(): void {
    for (const [id, entry] of this.agents) {
      if (!this.pool.has(id) && isUnused(entry.agent)) {
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
  }
}

function isUnused(agent: http.Agent): boolean {
  for (const _ in agent.sockets) return false
  for (const _ in agent.requests) return false
  return true
}

function listenError(host: string, port: number, err: NodeJS.ErrnoException): PrescalError {
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
