import { availableParallelism } from 'node:os'
import { PrescalError } from '../../shared/errors'
import type { BackendPool } from './backend-pool'
import type { BalancingName, BalancingStrategy } from './balancing-strategy'
import { defaultPassiveHealth, type PassiveHealthOptions } from './ejection-policy'
import { FailureDetector } from './failure-detector'
import { PassiveHealth, type EjectionListener } from './passive-health'
import { ProxyListener } from './proxy-listener'
import { GroupedStrategy } from './grouped-strategy'
import { TrafficStats, type ProxyTick } from './traffic-stats'
import { resolveWorkerEntry, WorkerGroup } from './worker-group'

export type { BackendTickStats, ProxyTick } from './traffic-stats'
export type { BalancingName } from './balancing-strategy'
export type { PassiveHealthOptions } from './ejection-policy'

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
  /** Balancing choice (`proxy.balancing`); round robin by default. */
  balancing?: BalancingName
  /** A custom strategy instance (tests); implies workers = 0, since it cannot cross threads. */
  strategy?: BalancingStrategy
  /**
   * Proxy threads: each a listener on the same port (SO_REUSEPORT). Default: the number of
   * cores; 'auto' is the same; 0 serves in the main thread.
   */
  workers?: number | 'auto'
  /** A client must send its complete headers within this; else 408 and close. Default 10000. */
  headersTimeoutMs?: number
  /**
   * A client that takes no byte of its answer for this long is cut off (nginx's send_timeout),
   * and the backend is not blamed. Default 60000.
   */
  clientSendTimeoutMs?: number
  /** Open client connections beyond this get 503 + close; 0 = no limit (default). Counted over all workers. */
  maxConnections?: number
  /** Passive health (ejection of failing backends); missing fields take the defaults. */
  passiveHealth?: Partial<PassiveHealthOptions>
  /** Told about every ejection and re-admission, for the event log. */
  onEjection?: EjectionListener
  /** Worker entry file override (a build that emits it elsewhere). */
  workerEntry?: string
  /** Told when workers cannot run (entry not found: serving in-process) or one crashed and was replaced. */
  onWarning?: (message: string) => void
}

const DEFAULT_HEADERS_TIMEOUT_MS = 10_000
const DEFAULT_CLIENT_SEND_TIMEOUT_MS = 60_000

/**
 * The HTTP/1.1 reverse proxy: accepts client requests and forwards each to one eligible backend
 * of the pool (strategy: round robin by default), keep-alive on both sides, bodies streamed both
 * ways, served by `workers` threads sharing the port (or in-process with workers = 0; both
 * behave the same from outside, and `takeTick()` reports the same numbers).
 * - No eligible backend: 503 with Retry-After. Backend unreachable: 502 (idempotent bodiless
 *   requests are retried once first: on a fresh connection when a reused keep-alive socket broke,
 *   else on another backend). No response headers in time: 504.
 * - Ambiguous request framing (Content-Length with Transfer-Encoding, conflicting lengths): 400,
 *   never forwarded. Unparseable requests: 400 / 431 and the connection is closed; headers not
 *   complete within `headersTimeoutMs`: 408. Over `maxConnections`: 503 and close. CONNECT: 501.
 * - Upgrade (WebSocket) requests are tunnelled; a non-101 answer is passed through unchanged.
 * - A client that goes away cancels its upstream request at once.
 * - Backends failing repeatedly are ejected for a while (see PassiveHealth) and `onEjection` hears it.
 * `close()` releases every socket, timer, listener and thread it created.
 */
export class ProxyServer {
  private readonly pool: BackendPool
  private readonly health: PassiveHealth
  private readonly healthOpts: PassiveHealthOptions
  private listener: ProxyListener | null = null
  private group: WorkerGroup | null = null
  private readonly stats = new TrafficStats()
  private closePromise: Promise<void> | null = null
  private startPromise: Promise<{ host: string; port: number }> | null = null
  private readonly workerCount: number

  constructor(private readonly opts: ProxyServerOptions) {
    this.pool = opts.pool
    this.healthOpts = { ...defaultPassiveHealth, ...opts.passiveHealth }
    this.health = new PassiveHealth(this.pool, this.healthOpts, opts.onEjection)
    const w = opts.workers ?? 'auto'
    this.workerCount = opts.strategy !== undefined ? 0 : w === 'auto' ? availableParallelism() : Math.max(0, Math.floor(w))
  }

  /** Threads serving requests: 0 when in-process (also after a fallback). Valid after start(). */
  get workers(): number {
    return this.group === null ? 0 : this.workerCount
  }

  /**
   * Listens; resolves with the bound address. Rejects with PrescalError PROXY_LISTEN_FAILED
   * (message names the address and says to change `listen` in the config) when the address is
   * taken or not allowed, CLOSED after close(). A second call returns the first call's promise.
   */
  start(): Promise<{ host: string; port: number }> {
    if (this.closePromise !== null) {
      return Promise.reject(new PrescalError('CLOSED', 'The proxy was closed; create a new one to listen again.'))
    }
    this.startPromise ??= this.doStart().catch((err: unknown) => {
      this.startPromise = null
      throw err
    })
    return this.startPromise
  }

  private async doStart(): Promise<{ host: string; port: number }> {
    const o = this.opts
    const h = this.healthOpts
    const settings = {
      host: o.host,
      port: o.port,
      upstreamTimeoutMs: o.upstreamTimeoutMs,
      keepAliveIdleMs: o.keepAliveIdleMs ?? 4_000,
      retryAfterSeconds: o.retryAfterSeconds ?? 1,
      headersTimeoutMs: o.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
      clientSendTimeoutMs: o.clientSendTimeoutMs ?? DEFAULT_CLIENT_SEND_TIMEOUT_MS,
      maxConnections: o.maxConnections ?? 0,
      balancing: o.balancing ?? 'round-robin',
      failureThreshold: h.failureThreshold,
      failureWindowMs: h.failureWindowMs,
      timeoutThreshold: h.timeoutThreshold
    }
    if (this.workerCount > 0) {
      const entry = resolveWorkerEntry(o.workerEntry)
      if (entry !== null) {
        this.group = new WorkerGroup(
          this.pool,
          this.workerCount,
          settings,
          entry,
          (s) => this.health.report(s),
          (m) => o.onWarning?.(m)
        )
        try {
          return await this.group.start()
        } catch (err) {
          this.group = null
          throw err
        }
      }
      o.onWarning?.('Proxy worker entry (proxy-worker.js) not found: serving in the main thread.')
    }
    this.listener = new ProxyListener({
      ...settings,
      reusePort: false,
      pool: this.pool,
      stats: this.stats,
      strategy:
        o.strategy ??
        new GroupedStrategy(settings.balancing, (g) => this.pool.balancingOf(g), (id) => this.pool.inFlight(id)),
      detector: h.failureThreshold > 0 ? new FailureDetector(h.failureThreshold, h.failureWindowMs, h.timeoutThreshold) : null,
      onStreak: (s) => this.health.report(s)
    })
    try {
      return await this.listener.start()
    } catch (err) {
      this.listener = null
      throw err
    }
  }

  /**
   * Counters since the previous call (completed requests by status class, latency quantiles)
   * with the current in-flight counts; resets the per-tick counters. A backend with no traffic
   * this tick and nothing in flight is absent from `perBackend`. Same shape and meaning with
   * or without workers.
   */
  takeTick(): ProxyTick {
    if (this.group !== null) return this.group.takeTick()
    this.listener?.pruneAgents()
    return this.stats.take((id) => this.pool.inFlight(id), this.listener?.inFlight ?? 0)
  }

  /**
   * Stops accepting, lets in-flight requests finish for up to `timeoutMs` (default 5000), then
   * destroys the connections left, destroys every upstream agent, stops the worker threads and
   * resolves once everything is closed. Idempotent; never rejects.
   */
  close(timeoutMs = 5_000): Promise<void> {
    this.closePromise ??= this.doClose(timeoutMs)
    return this.closePromise
  }

  private async doClose(timeoutMs: number): Promise<void> {
    if (this.startPromise) await this.startPromise.catch(() => undefined)
    this.health.close()
    await Promise.all([this.listener?.close(timeoutMs), this.group?.close(timeoutMs)])
  }
}
