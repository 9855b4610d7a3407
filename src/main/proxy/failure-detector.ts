/** Why a request counted against its backend. */
export type FailureKind = 'connect' | 'reset' | 'timeout' | '5xx'

export interface FailureStreak {
  id: string
  failures: number
  /** True when every failure of the streak was a 5xx answer (the backend is reachable). */
  only5xx: boolean
  lastKind: FailureKind
}

/**
 * Consecutive failures per backend, as seen by one proxy thread. A success resets the streak;
 * so does a gap longer than `windowMs` since the streak began (old failures say little about
 * now). `failure()` returns the streak once it reaches `threshold`, then starts over, so a
 * failing backend is reported once per `threshold` failures, not once per request. Pure: the
 * clock is injected. Memory: one entry per backend with a live streak.
 */
export class FailureDetector {
  private readonly streaks = new Map<string, { n: number; since: number; only5xx: boolean }>()

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now
  ) {}

  success(id: string): void {
    if (this.streaks.size !== 0) this.streaks.delete(id)
  }

  failure(id: string, kind: FailureKind): FailureStreak | null {
    const t = this.now()
    let s = this.streaks.get(id)
    if (s === undefined || t - s.since > this.windowMs) {
      s = { n: 0, since: t, only5xx: true }
      this.streaks.set(id, s)
    }
    s.n++
    if (kind !== '5xx') s.only5xx = false
    if (s.n < this.threshold) return null
    this.streaks.delete(id)
    return { id, failures: s.n, only5xx: s.only5xx, lastKind: kind }
  }
}
