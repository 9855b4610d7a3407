/**
 * The long-lived poller: scrapes every target's metrics path once per interval and keeps, per
 * target, health (with the reason of the latest failure), CPU% and resident memory.
 *
 * Leak safety comes from structure, not care: each target has at most one timer or one scrape at a
 * time (the next timer is armed only when the scrape has settled, and a scrape settles only after
 * its socket closed), and close() clears the timers, aborts the scrapes and waits for them.
 */
import { performance } from 'node:perf_hooks'
import { PrescalError } from '../../shared/errors'
import type { FailureReason, Health } from '../../shared/types'
import { cpuPercent, type CpuReading } from './cpu-math'
import {
  initialHealthState,
  observeHealth,
  type HealthObservation,
  type HealthState
} from './health-state'
import { findValue, parsePrometheusText } from './prometheus-parser'
import { scrapeOnce, type ScrapeOutcome } from './scrape'

export interface ScrapeTarget {
  id: string
  host: string
  port: number
  path: string
}

/** What the poller knows about one target; `state()` returns a copy. */
export interface BackendMetricsState {
  health: Health
  /** Reason of the latest failure while consecutiveFailures > 0, else null. */
  failureReason: FailureReason | null
  /** `<reason>: <message>` of the latest failure while consecutiveFailures > 0, else null. */
  healthReason: string | null
  /** Null until two good readings, after a counter reset, after a failed scrape, or without metrics. */
  cpuPercent: number | null
  memoryBytes: number | null
  /**
   * false when the backend answered 404 on the metrics path, or answered a body with neither
   * `process_cpu_seconds_total` nor `process_resident_memory_bytes` (CPU/mem must come from elsewhere).
   */
  hasMetrics: boolean
  /** Loop-clock time the latest scrape attempt (success or failure) completed. */
  lastScrapeAt: number | null
  consecutiveFailures: number
}

export interface HealthTransition {
  id: string
  from: Health
  to: Health
  /** Set when `to` is 'down'. */
  failureReason: FailureReason | null
  message: string
}

export interface ScrapeLoopOptions {
  intervalMs: number
  timeoutMs: number
  maxBodyBytes: number
  failuresBeforeDown: number
  /** Injected clock for timestamps and CPU math, default Date.now. Scheduling uses a monotonic clock. */
  now?: () => number
  onTransition?: (t: HealthTransition) => void
  /** CPU counter went backwards (process restarted). */
  onCounterReset?: (id: string) => void
  /**
   * An active health check instead of a metrics scrape: the path's status alone decides health
   * (see ScrapeOptions.judgeStatus); CPU and memory stay null.
   */
  healthyStatus?: (status: number) => boolean
}

interface Slot {
  readonly target: ScrapeTarget
  health: HealthState
  cpuPercent: number | null
  memoryBytes: number | null
  hasMetrics: boolean
  lastScrapeAt: number | null
  prevCpu: CpuReading | null
  timer: NodeJS.Timeout | null
  abort: AbortController | null
  /** Set when the target was removed/replaced or the loop closed: late results are dropped. */
  retired: boolean
}

const CPU_METRIC = 'process_cpu_seconds_total'
const MEMORY_METRIC = 'process_resident_memory_bytes'

/**
 * Polls a changing set of targets. Listener exceptions are reported as process warnings and never
 * stop polling. `start()` and `setTargets()` after `close()` throw PrescalError('CLOSED').
 */
export class ScrapeLoop {
  private readonly opts: ScrapeLoopOptions
  private readonly now: () => number
  private readonly slots = new Map<string, Slot>()
  /** Every scrape still running, including those of retired slots: close() waits for all. */
  private readonly inFlight = new Set<Promise<void>>()
  private started = false
  private closing: Promise<void> | null = null

  constructor(opts: ScrapeLoopOptions) {
    this.opts = opts
    this.now = opts.now ?? Date.now
  }

  /**
   * Replace the target set. New ids start scraping; removed ids are aborted and forgotten; an id
   * whose host/port/path changed starts over (state reset). With duplicate ids the last one wins.
   */
  setTargets(targets: ScrapeTarget[]): void {
    this.assertOpen('setTargets')
    const wanted = new Map<string, ScrapeTarget>()
    for (const t of targets) wanted.set(t.id, { id: t.id, host: t.host, port: t.port, path: t.path })

    for (const [id, slot] of this.slots) {
      const next = wanted.get(id)
      if (next === undefined || !sameEndpoint(next, slot.target)) {
        this.retire(slot)
        this.slots.delete(id)
      }
    }
    for (const [id, target] of wanted) {
      if (this.slots.has(id)) continue
      const slot = newSlot(target)
      this.slots.set(id, slot)
      if (this.started) this.schedule(slot, 0)
    }
  }

  state(id: string): BackendMetricsState | undefined {
    const slot = this.slots.get(id)
    if (slot === undefined) return undefined
    const failure = slot.health.lastFailure
    return {
      health: slot.health.health,
      failureReason: failure?.reason ?? null,
      healthReason: failure ? `${failure.reason}: ${failure.message}` : null,
      cpuPercent: slot.cpuPercent,
      memoryBytes: slot.memoryBytes,
      hasMetrics: slot.hasMetrics,
      lastScrapeAt: slot.lastScrapeAt,
      consecutiveFailures: slot.health.consecutiveFailures
    }
  }

  /** Starts scraping every current target at once. Idempotent. */
  start(): void {
    this.assertOpen('start')
    if (this.started) return
    this.started = true
    for (const slot of this.slots.values()) this.schedule(slot, 0)
  }

  /** Stops all timers, aborts in-flight scrapes, resolves when every socket is closed. Idempotent. */
  close(): Promise<void> {
    if (this.closing === null) {
      for (const slot of this.slots.values()) this.retire(slot)
      this.slots.clear()
      this.closing = Promise.all([...this.inFlight]).then(() => undefined)
    }
    return this.closing
  }

  private assertOpen(method: string): void {
    if (this.closing !== null) throw new PrescalError('CLOSED', `ScrapeLoop.${method}() after close()`)
  }

  private retire(slot: Slot): void {
    slot.retired = true
    if (slot.timer !== null) clearTimeout(slot.timer)
    slot.timer = null
    slot.abort?.abort()
    slot.abort = null
  }

  private schedule(slot: Slot, delayMs: number): void {
    slot.timer = setTimeout(() => this.scrape(slot), delayMs)
  }

  private scrape(slot: Slot): void {
    slot.timer = null
    const abort = new AbortController()
    slot.abort = abort
    const startedAt = performance.now()
    const { timeoutMs, maxBodyBytes, intervalMs, healthyStatus } = this.opts
    const run = scrapeOnce(slot.target, { timeoutMs, maxBodyBytes, signal: abort.signal, judgeStatus: healthyStatus }).then(
      (outcome) => {
        this.inFlight.delete(run)
        if (slot.retired) return
        slot.abort = null
        // A bug in recording must not stop this target's polling or reject close().
        guard(() => this.record(slot, outcome))
        // Aligned to the interval from this scrape's start; a slow scrape is followed at once.
        this.schedule(slot, Math.max(0, startedAt + intervalMs - performance.now()))
      }
    )
    this.inFlight.add(run)
  }

  private record(slot: Slot, outcome: ScrapeOutcome): void {
    const at = this.now()
    slot.lastScrapeAt = at
    const observation = this.observe(slot, outcome, at)
    if (!observation.ok) {
      slot.cpuPercent = null
      slot.memoryBytes = null
    }
    const before = slot.health
    const { state, transition } = observeHealth(before, observation, this.opts.failuresBeforeDown)
    slot.health = state
    if (transition === null || this.opts.onTransition === undefined) return
    const down = observation.ok ? null : observation
    const message = down
      ? `${down.reason}: ${down.message}`
      : this.opts.healthyStatus !== undefined
        ? `health check ${slot.target.path} passed`
        : slot.hasMetrics
          ? 'metrics scrape succeeded'
          : `answered on ${slot.target.path} without process metrics`
    const listener = this.opts.onTransition
    const event: HealthTransition = {
      id: slot.target.id,
      from: transition.from,
      to: transition.to,
      failureReason: transition.to === 'down' && down ? down.reason : null,
      message
    }
    guard(() => listener(event))
  }

  /** Turns an outcome into a health observation, updating the slot's CPU/memory on success. */
  private observe(slot: Slot, outcome: ScrapeOutcome, at: number): HealthObservation {
    if (!outcome.ok) return outcome
    if (outcome.body === null) {
      slot.hasMetrics = false
      slot.cpuPercent = null
      slot.memoryBytes = null
      slot.prevCpu = null
      return { ok: true }
    }
    const parsed = parsePrometheusText(outcome.body)
    if (!parsed.ok) {
      return { ok: false, reason: 'parse_error', message: `line ${parsed.line}: ${parsed.error}` }
    }
    const cpuSeconds = findValue(parsed.samples, CPU_METRIC)
    const memory = findValue(parsed.samples, MEMORY_METRIC)
    slot.hasMetrics = cpuSeconds !== undefined || memory !== undefined
    slot.memoryBytes = memory !== undefined && Number.isFinite(memory) && memory >= 0 ? memory : null
    if (cpuSeconds === undefined || !Number.isFinite(cpuSeconds)) {
      slot.cpuPercent = null
      slot.prevCpu = null
      return { ok: true }
    }
    const reading: CpuReading = { cpuSeconds, atMs: at }
    const { percent, reset } = cpuPercent(slot.prevCpu, reading)
    slot.cpuPercent = percent
    slot.prevCpu = reading
    const onReset = this.opts.onCounterReset
    if (reset && onReset) guard(() => onReset(slot.target.id))
    return { ok: true }
  }
}

function newSlot(target: ScrapeTarget): Slot {
  return {
    target,
    health: initialHealthState,
    cpuPercent: null,
    memoryBytes: null,
    hasMetrics: false,
    lastScrapeAt: null,
    prevCpu: null,
    timer: null,
    abort: null,
    retired: false
  }
}

function sameEndpoint(a: ScrapeTarget, b: ScrapeTarget): boolean {
  return a.host === b.host && a.port === b.port && a.path === b.path
}

/** A throwing listener is a bug elsewhere; report it without stopping the polling of every backend. */
function guard(call: () => void): void {
  try {
    call()
  } catch (err) {
    process.emitWarning(err instanceof Error ? err : new Error(String(err)), 'ScrapeLoopListenerError')
  }
}
