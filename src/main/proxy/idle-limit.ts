/** Shorter closes than this say a backend restarted, not what its keep-alive timeout is. */
const MIN_OBSERVED_MS = 100
/** A learned limit is forgotten after this, in case it came from a restart after all. */
const LEARNED_FOR_MS = 60_000

/**
 * How long an upstream socket to one backend may sit idle and still be reused. Starts at the
 * configured `keepAliveIdleMs`. A backend that closes idle sockets sooner without saying so (no
 * `Keep-Alive: timeout` hint; gunicorn's 2 s, say) teaches it: the first idle socket it closes
 * shows its timeout T, and from then on sockets idle for T minus a margin (a quarter, at most
 * 1 s) are not reused. Without this, a request sent just as the backend closes fails; a GET is
 * retried, but a POST becomes a 502. Pure: the clock is injected.
 */
export class IdleLimit {
  private learnedMs = Infinity
  private learnedAt = -Infinity

  constructor(
    private readonly configuredMs: number,
    private readonly now: () => number = () => performance.now()
  ) {}

  current(): number {
    if (this.learnedMs === Infinity) return this.configuredMs
    if (this.now() - this.learnedAt > LEARNED_FOR_MS) this.learnedMs = Infinity
    return Math.min(this.configuredMs, this.learnedMs)
  }

  /** The backend closed a socket that had been idle for `idleMs`. */
  closedByBackend(idleMs: number): void {
    if (idleMs < MIN_OBSERVED_MS) return
    const limit = idleMs - Math.min(1_000, idleMs / 4)
    if (limit <= this.current()) {
      this.learnedMs = limit
      this.learnedAt = this.now()
    }
  }
}
