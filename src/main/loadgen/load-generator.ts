/**
 * Drives traffic through the proxy so a user can watch the fleet scale.
 *
 * Open loop: requests leave on the profile's schedule (rate-schedule.ts) whether or not earlier
 * ones have answered, because a closed loop of N busy clients slows down with the server and
 * hides exactly the overload the autoscaler should see. In-flight requests are capped; an arrival
 * that finds the cap reached is not queued (a queue would turn into a burst later) but counted as
 * an error of kind 'overload'.
 *
 * Resources: one keep-alive agent per run, whose every socket is tracked from creation; stop()
 * aborts in-flight requests, destroys the agent and resolves once each socket has closed. A run
 * that reaches its end stops sending, lets in-flight requests finish (each has a deadline), then
 * releases the agent the same way.
 */
import http from 'node:http'
import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { Duplex } from 'node:stream'
import { PrescalError } from '../../shared/errors'
import type { LatencyQuantiles } from '../../shared/types'
import { LOAD_LIMITS, loadProfileSchema, type LoadProfile } from './load-profile-schema'
import { compileSchedule, type RateSchedule } from './rate-schedule'
import { RecentWindow } from './recent-window'

export interface LoadGeneratorOptions {
  /** Base URL, http only, loopback only (the proxy), e.g. "http://127.0.0.1:8080". */
  url: string
  /** Hard cap on a profile's peak rate (req/s); default and upper bound 2000. */
  maxRps?: number
  /** Hard cap on a profile's duration; default and upper bound 30 min. */
  maxDurationMs?: number
  /** Requests in flight at most; default 512. */
  maxInFlight?: number
  /** Request path (and query) when start() names none; default the URL's path, else "/". */
  path?: string
  /** Deadline per request (connect + response + body); default 10 s. Counted as kind 'timeout'. */
  requestTimeoutMs?: number
}

/**
 * Counters are for the current (or last) run and reset on start(). `sent` counts requests put on
 * the wire; arrivals skipped at the in-flight cap count only as errors ('overload'). `ok` is a
 * 1xx–3xx answer; errors by kind: 'overload', 'refused', 'reset', 'timeout', 'http_<status>' (≥ 400)
 * or another lowercased socket error code. Requests aborted by stop() count as neither.
 * `achievedRps` is requests sent during the last second; latencies are of answers received in it.
 */
export type { LoadStatsView as LoadStats } from '../../shared/autoscale'
import type { LoadStatsView as LoadStats } from '../../shared/autoscale'

interface Run {
  schedule: RateSchedule
  path: string
  t0: number
  /** Arrivals consumed so far (sent + overload). */
  issued: number
  issuing: boolean
  inFlight: number
  timer: NodeJS.Timeout | null
  agent: http.Agent
  abort: AbortController
  sockets: Set<Duplex>
  released: Promise<void> | null
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', '::', '[::]'])
/** Timer granularity: late enough to batch arrivals at 2000 req/s, early enough to keep the edges of a step. */
const MAX_SLEEP_MS = 20

/** A keep-alive agent that hands every socket it creates to `track`, before any request sees it. */
class TrackingAgent extends http.Agent {
  constructor(
    opts: http.AgentOptions,
    private readonly track: (s: Duplex) => void
  ) {
    super(opts)
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void
  ): Duplex | null | undefined {
    const s = super.createConnection(options, callback)
    if (s) this.track(s)
    return s
  }
}

function positive(value: number | undefined, fallback: number, max: number, name: string): number {
  const v = value ?? fallback
  if (!(v > 0) || v > max) throw new PrescalError('INVALID_ARGUMENT', `${name} must be in (0, ${max}], got ${value}`)
  return v
}

export class LoadGenerator {
  private readonly host: string
  private readonly port: number
  private readonly path: string
  private readonly maxRps: number
  private readonly maxDurationMs: number
  private readonly maxInFlight: number
  private readonly timeoutMs: number
  private run: Run | null = null
  private kind: LoadProfile['kind'] | null = null
  private startedAt: number | null = null
  private sent = 0
  private ok = 0
  private errors = 0
  private errorsByKind: Record<string, number> = {}
  private readonly sentWindow = new RecentWindow(1000, 4 * LOAD_LIMITS.maxRps)
  private readonly latencyWindow = new RecentWindow(1000, 4 * LOAD_LIMITS.maxRps)
  private closed = false

  /** Throws INVALID_ARGUMENT for a URL that is not http://<loopback>[:port] or limits out of range. */
  constructor(opts: LoadGeneratorOptions) {
    let url: URL
    try {
      url = new URL(opts.url)
    } catch (err) {
      throw new PrescalError('INVALID_ARGUMENT', `load generator URL "${opts.url}" is not a URL`, { cause: err })
    }
    // A load generator aimed at someone else's server is a denial-of-service tool: loopback only.
    if (url.protocol !== 'http:' || !(LOOPBACK.has(url.hostname) || url.hostname.startsWith('127.'))) {
      throw new PrescalError('INVALID_ARGUMENT', `load generator URL must be http:// on this machine (loopback), got ${opts.url}`)
    }
    this.host = url.hostname.replace(/^\[|\]$/g, '')
    this.port = url.port === '' ? 80 : Number(url.port)
    const path = opts.path ?? (url.pathname + url.search || '/')
    this.path = checkedPath(path.startsWith('/') ? path : `/${path}`)
    this.maxRps = positive(opts.maxRps, LOAD_LIMITS.maxRps, LOAD_LIMITS.maxRps, 'maxRps')
    this.maxDurationMs = positive(opts.maxDurationMs, LOAD_LIMITS.maxDurationMs, LOAD_LIMITS.maxDurationMs, 'maxDurationMs')
    this.maxInFlight = Math.floor(positive(opts.maxInFlight, 512, 10_000, 'maxInFlight'))
    this.timeoutMs = positive(opts.requestTimeoutMs, 10_000, 600_000, 'requestTimeoutMs')
  }

  /**
   * Validates `profile` (INVALID_ARGUMENT naming the field, also when it exceeds this generator's
   * maxRps / maxDurationMs) and `path` (INVALID_ARGUMENT unless it starts with "/" and has no
   * whitespace), stops a running run at once (without waiting for its sockets) and starts sending
   * to `path` (default: the one given at construction). Throws CLOSED after close().
   */
  start(profile: LoadProfile, path: string = this.path): void {
    if (this.closed) throw new PrescalError('CLOSED', 'the load generator is closed')
    checkedPath(path)
    const parsed = loadProfileSchema.safeParse(profile)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
      throw new PrescalError('INVALID_ARGUMENT', `invalid load profile: ${where}${issue?.message ?? 'bad input'}`)
    }
    const p = parsed.data
    if (p.durationMs > this.maxDurationMs) {
      throw new PrescalError('INVALID_ARGUMENT', `durationMs ${p.durationMs} is above this generator's limit of ${this.maxDurationMs} ms`)
    }
    const schedule = compileSchedule(p)
    if (schedule.peakRps > this.maxRps + 1e-9) {
      throw new PrescalError('INVALID_ARGUMENT', `the profile peaks at ${Math.round(schedule.peakRps)} req/s, above this generator's limit of ${this.maxRps} req/s`)
    }
    if (this.run !== null) void this.teardown(this.run)
    this.kind = p.kind
    this.startedAt = Date.now()
    this.sent = 0
    this.ok = 0
    this.errors = 0
    this.errorsByKind = {}
    this.sentWindow.clear()
    this.latencyWindow.clear()
    const sockets = new Set<Duplex>()
    const run: Run = {
      schedule,
      path,
      t0: performance.now(),
      issued: 0,
      issuing: true,
      inFlight: 0,
      timer: null,
      agent: new TrackingAgent({ keepAlive: true, maxSockets: this.maxInFlight }, (s) => {
        sockets.add(s)
        s.once('close', () => sockets.delete(s))
      }),
      abort: new AbortController(),
      sockets,
      released: null
    }
    this.run = run
    this.pump(run)
  }

  /** Stops sending, aborts in-flight requests, clears the timer; resolves once every socket has closed. */
  async stop(): Promise<void> {
    const run = this.run
    if (run === null) return
    await this.teardown(run)
  }

  stats(): LoadStats {
    const now = performance.now()
    const run = this.run
    const running = run !== null && run.issuing
    return {
      running,
      profile: this.kind,
      startedAt: this.startedAt,
      targetRps: running ? run.schedule.rateAt(now - run.t0) : 0,
      achievedRps: this.sentWindow.count(now),
      sent: this.sent,
      ok: this.ok,
      errors: this.errors,
      errorsByKind: { ...this.errorsByKind },
      latencyMs: this.latencyWindow.quantiles(now)
    }
  }

  /** stop(), then refuses further starts. Idempotent. */
  async close(): Promise<void> {
    this.closed = true
    await this.stop()
  }

  private pump(run: Run): void {
    run.timer = null
    if (!run.issuing) return
    const elapsed = performance.now() - run.t0
    const end = run.schedule.endMs
    const due = run.schedule.dueBy(Math.min(elapsed, end))
    while (run.issued < due) {
      run.issued++
      if (run.inFlight >= this.maxInFlight) this.fail('overload')
      else this.send(run)
    }
    if (elapsed >= end) {
      this.finishSending(run)
      return
    }
    const next = run.schedule.arrivalAt(run.issued + 1)
    const sleep = Math.min(MAX_SLEEP_MS, end - elapsed, Math.max(0, next - elapsed))
    run.timer = setTimeout(() => this.pump(run), Math.max(1, Math.ceil(sleep)))
  }

  private send(run: Run): void {
    this.sent++
    run.inFlight++
    const startedAt = performance.now()
    this.sentWindow.add(startedAt)
    let done = false
    const finish = (kind: string | null, answered: boolean): void => {
      if (done) return
      done = true
      run.inFlight--
      // Requests cut off by stop() or a replacing start() are the user's doing, not the server's.
      if (!run.abort.signal.aborted) {
        const now = performance.now()
        if (answered) this.latencyWindow.add(now, now - startedAt)
        if (kind === null) this.ok++
        else this.fail(kind)
      }
      if (!run.issuing && run.inFlight === 0) void this.release(run)
    }
    const req = http.request({
      host: this.host,
      port: this.port,
      path: run.path,
      method: 'GET',
      agent: run.agent,
      signal: run.abort.signal,
      headers: { 'user-agent': 'prescal-loadgen' }
    })
    const timer = setTimeout(() => {
      const err = Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })
      req.destroy(err)
    }, this.timeoutMs)
    req.once('close', () => clearTimeout(timer))
    req.on('response', (res) => {
      const status = res.statusCode ?? 0
      res.on('error', (err) => finish(kindOf(err), false))
      res.once('end', () => finish(status >= 400 ? `http_${status}` : null, true))
      res.once('close', () => {
        if (!res.complete) finish('reset', false)
      })
      res.resume()
    })
    req.on('error', (err) => finish(kindOf(err), false))
    req.end()
  }

  private fail(kind: string): void {
    this.errors++
    this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + 1
  }

  /** The schedule is over: send nothing more, let in-flight requests finish, then release. */
  private finishSending(run: Run): void {
    run.issuing = false
    if (run.timer !== null) clearTimeout(run.timer)
    run.timer = null
    if (run.inFlight === 0) void this.release(run)
  }

  private teardown(run: Run): Promise<void> {
    run.issuing = false
    if (run.timer !== null) clearTimeout(run.timer)
    run.timer = null
    run.abort.abort()
    return this.release(run)
  }

  /** Destroys the agent (every socket it made) and resolves when all of them have closed. */
  private release(run: Run): Promise<void> {
    if (run.released !== null) return run.released
    run.agent.destroy()
    for (const s of run.sockets) s.destroy()
    run.released = new Promise<void>((resolve) => {
      const pending = [...run.sockets].filter((s) => !(s as Socket).closed)
      if (pending.length === 0) return resolve()
      let left = pending.length
      for (const s of pending) {
        s.once('close', () => {
          if (--left === 0) resolve()
        })
      }
    })
    void run.released.then(() => {
      if (this.run === run) this.run = null
    })
    return run.released
  }
}

/** The same rule as the startLoad command's schema, for callers that skip the contract. */
function checkedPath(path: string): string {
  if (!/^\/\S*$/.test(path) || path.length > 2000) {
    throw new PrescalError('INVALID_ARGUMENT', `load path must start with "/" and contain no spaces, got "${path.slice(0, 100)}"`)
  }
  return path
}

function kindOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused'
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset'
    case 'ETIMEDOUT':
      return 'timeout'
    case undefined:
      return 'error'
    default:
      return code.toLowerCase()
  }
}
