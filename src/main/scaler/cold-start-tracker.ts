/**
 * Measures this machine's cold start: the time from a scale-up request until the requested number
 * of replicas is observed ready, as the median of the last few scale-ups (one slow image pull
 * should not double every later forecast horizon). Pure: fed with observation times, no clock.
 *
 * A scale-up is known either because the autoscaler says so (`requested`) or, for scale-ups made
 * by hand, because the observed desired count rose above the ready count; the latter starts the
 * clock at the first observation that shows it, so it undercounts by at most one tick.
 */

export interface ColdStartTrackerOptions {
  /** How many recent measurements the median is taken over; default 5. */
  keep?: number
  /** A scale-up not ready after this long is a failure, not a cold start: dropped. Default 10 min. */
  maxWaitMs?: number
}

interface Pending {
  since: number
  target: number
  /** Requested by the autoscaler: the engine's desired count may lag a tick behind, so it is not checked. */
  explicit: boolean
}

export class ColdStartTracker {
  private readonly keep: number
  private readonly maxWaitMs: number
  private readonly recent: number[] = []
  private pending: Pending | null = null
  private lastDesired: number | null = null
  private lastReady = 0

  constructor(opts: ColdStartTrackerOptions = {}) {
    this.keep = Math.max(1, Math.floor(opts.keep ?? 5))
    this.maxWaitMs = opts.maxWaitMs ?? 600_000
  }

  /** The autoscaler asked for `target` replicas at `at`. Only a rise above the ready count is timed. */
  requested(at: number, target: number): void {
    if (target <= this.lastReady) {
      this.pending = null
      return
    }
    // A second scale-up while the first is still starting keeps the first start time: the user
    // has been waiting since then.
    const since = this.pending !== null && this.pending.target < target ? this.pending.since : at
    this.pending = { since, target, explicit: true }
  }

  /** The request failed or was superseded: nothing to measure. */
  cancel(): void {
    this.pending = null
  }

  /** One observation of the service: `ready` replicas serving, `desired` requested. */
  observe(at: number, ready: number, desired: number): void {
    const prevDesired = this.lastDesired
    this.lastDesired = desired
    this.lastReady = ready
    const p = this.pending
    if (p !== null) {
      if (ready >= p.target) {
        this.record(at - p.since)
        this.pending = null
      } else if (at - p.since > this.maxWaitMs || (!p.explicit && desired < p.target)) {
        this.pending = null
      }
      return
    }
    if (prevDesired !== null && desired > prevDesired && desired > ready) {
      this.pending = { since: at, target: desired, explicit: false }
    }
  }

  /** Median of the recent measurements (ms); null before the first. */
  medianMs(): number | null {
    if (this.recent.length === 0) return null
    const xs = [...this.recent].sort((a, b) => a - b)
    const mid = xs.length >> 1
    return xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2
  }

  /** The recent measurements, oldest first. */
  samples(): readonly number[] {
    return this.recent
  }

  private record(ms: number): void {
    this.recent.push(Math.max(0, ms))
    if (this.recent.length > this.keep) this.recent.shift()
  }
}
