/** Why a request counted against its backend. */
export type FailureKind = 'connect' | 'reset' | 'timeout' | '5xx'

export interface FailureStreak {
  id: string
  failures: number
  /** True when every failure of the streak was a 5xx answer (the backend is reachable). */
  only5xx: boolean
  lastKind: FailureKind
}

interface Streak {
  n: number
  since: number
  only5xx: boolean
  /** Timeouts since the last success; the window does not clear them. */
  timeouts: number
}

/**
 * Consecutive failures per backend, as seen by one proxy thread. A success resets the streak;
 * so does a gap longer than `windowMs` since the streak began (old failures say little about
 * now). `failure()` returns the streak once it reaches `threshold`, then starts over, so a
 * failing backend is reported once per `threshold` failures, not once per request.
 *
 * Timeouts are also counted on their own, across windows: each one takes the whole upstream
 * timeout to arrive, so a backend that accepts requests and answers none could never gather
 * `threshold` of them inside the window. `timeoutThreshold` timeouts with no success in between
 * report the streak (0 turns this off). Pure: the clock is injected. Memory: one entry per
 * backend with a live streak.
 */
export class FailureDetector {
  private readonly streaks = new Map<string, Streak>()

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
    private readonly timeoutThreshold: number,
    private readonly now: () => number = Date.now
  ) {}

  success(id: string): void {
    if (this.streaks.size !== 0) this.streaks.delete(id)
  }

  failure(id: string, kind: FailureKind): FailureStreak | null {
    const t = this.now()
    let s = this.streaks.get(id)
    if (s === undefined) {
      s = { n: 0, since: t, only5xx: true, timeouts: 0 }
      this.streaks.set(id, s)
    } else if (t - s.since > this.windowMs) {
      s.n = 0
      s.since = t
      s.only5xx = true
    }
    s.n++
    if (kind !== '5xx') s.only5xx = false
    if (kind === 'timeout') s.timeouts++
    const timedOut = this.timeoutThreshold > 0 && s.timeouts >= this.timeoutThreshold
    if (s.n < this.threshold && !timedOut) return null
    this.streaks.delete(id)
    return { id, failures: Math.max(s.n, s.timeouts), only5xx: s.only5xx, lastKind: kind }
  }
}

/**
 * Timeouts per backend counted over every proxy thread, in the main thread: with worker threads
 * each keeping its own streak, a backend that answers nothing would take `threshold` timeouts
 * *per thread* (each one `upstreamTimeoutMs` of a client waiting) to be ejected. Workers report
 * each timeout; while a backend has any, they are asked to report its next success, which
 * clears it (`watching`). Pure.
 */
export class TimeoutTally {
  private readonly counts = new Map<string, number>()

  constructor(private readonly threshold: number) {}

  /** A thread saw a timeout. Returns the streak to report when it makes `threshold`. */
  timedOut(id: string): FailureStreak | null {
    if (this.threshold <= 0) return null
    const n = (this.counts.get(id) ?? 0) + 1
    if (n < this.threshold) {
      this.counts.set(id, n)
      return null
    }
    this.counts.delete(id)
    return { id, failures: n, only5xx: false, lastKind: 'timeout' }
  }

  /** A thread saw the backend answer: its timeouts are not consecutive any more. */
  answered(id: string): void {
    this.counts.delete(id)
  }

  /** True while a success of this backend should be reported. */
  watching(id: string): boolean {
    return this.counts.has(id)
  }

  /** Every backend watched now (for a thread that starts later). */
  watched(): string[] {
    return [...this.counts.keys()]
  }
}
