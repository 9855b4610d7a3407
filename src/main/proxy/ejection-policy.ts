import type { FailureStreak } from './failure-detector'

/** Passive health settings (`proxy.passiveHealth` in the config; reasons there). */
export interface PassiveHealthOptions {
  /** Consecutive failures (connect error, reset, timeout, 5xx) that eject a backend. 0 disables. */
  failureThreshold: number
  /** A streak must build up within this window. */
  failureWindowMs: number
  /** Timeouts with no success in between that eject, whatever the window. 0 disables. */
  timeoutThreshold: number
  /** First ejection; each further one doubles it, up to `maxEjectionMs`. */
  baseEjectionMs: number
  maxEjectionMs: number
  /** Probe timeout once an ejection expires. */
  probeTimeoutMs: number
  /** Path the probe GETs; any status below 500 re-admits the backend. */
  probePath: string
}

export const defaultPassiveHealth: PassiveHealthOptions = {
  failureThreshold: 5,
  failureWindowMs: 10_000,
  timeoutThreshold: 2,
  baseEjectionMs: 5_000,
  maxEjectionMs: 120_000,
  probeTimeoutMs: 2_000,
  probePath: '/'
}

export type EjectionDecision =
  | { eject: true; durationMs: number; reason: string }
  | { eject: false; reason: string }

interface Record {
  /** Ejections in a row without a calm period in between; sets the next duration. */
  level: number
  ejected: boolean
  /** When the backend was last re-admitted (for the calm-period reset). */
  admittedAt: number
}

/**
 * Decides ejections from failure streaks. Pure; the adapter (PassiveHealth) owns timers and
 * probes. Rules: an ejection lasts base × 2^(level) capped at max; the level goes back to 0
 * after a backend stayed in for `maxEjectionMs` since its last re-admission. The last backend
 * still eligible is never ejected for a streak of 5xx answers alone: it is reachable, and a 5xx
 * from it is more useful to a client than our 503. A streak with connection failures can eject
 * it (then clients get 503 + Retry-After instead of 502s).
 */
export class EjectionPolicy {
  private readonly records = new Map<string, Record>()

  constructor(
    private readonly opts: PassiveHealthOptions,
    private readonly now: () => number = Date.now
  ) {}

  decide(streak: FailureStreak, otherEligible: number): EjectionDecision {
    const r = this.recordOf(streak.id)
    const what = `${streak.failures} consecutive failures (last: ${streak.lastKind})`
    if (r.ejected) return { eject: false, reason: `${what}; already ejected` }
    if (streak.only5xx && otherEligible === 0) {
      return { eject: false, reason: `${what}; kept as the last healthy backend` }
    }
    if (this.now() - r.admittedAt >= this.opts.maxEjectionMs) r.level = 0
    const durationMs = Math.min(this.opts.maxEjectionMs, this.opts.baseEjectionMs * 2 ** r.level)
    r.level++
    r.ejected = true
    return { eject: true, durationMs, reason: `${what}; ejected for ${formatDuration(durationMs)}` }
  }

  /** The probe after an ejection failed: eject again, for longer. */
  probeFailed(id: string): number {
    const r = this.recordOf(id)
    const durationMs = Math.min(this.opts.maxEjectionMs, this.opts.baseEjectionMs * 2 ** r.level)
    r.level++
    r.ejected = true
    return durationMs
  }

  admitted(id: string): void {
    const r = this.recordOf(id)
    r.ejected = false
    r.admittedAt = this.now()
  }

  isEjected(id: string): boolean {
    return this.records.get(id)?.ejected ?? false
  }

  forget(id: string): void {
    this.records.delete(id)
  }

  private recordOf(id: string): Record {
    let r = this.records.get(id)
    if (r === undefined) {
      r = { level: 0, ejected: false, admittedAt: -Infinity }
      this.records.set(id, r)
    }
    return r
  }
}

/** "300 ms", "5 s", "2 min": how long an ejection lasts, for event texts and the dashboard. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`
  return `${Math.round(ms / 60_000)} min`
}
