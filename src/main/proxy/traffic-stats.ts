import type { LatencyQuantiles } from '../../shared/types'
import { LatencyRecorder } from './latency-recorder'

/** One tick's counters for a backend (or for the whole proxy). */
export interface BackendTickStats {
  count: number
  s2xx: number
  s3xx: number
  s4xx: number
  s5xx: number
  inFlight: number
  latencyMs: LatencyQuantiles
}

/** What `ProxyServer.takeTick()` returns. */
export interface ProxyTick {
  total: BackendTickStats
  perBackend: Map<string, BackendTickStats>
}

class Counters {
  count = 0
  s2xx = 0
  s3xx = 0
  s4xx = 0
  s5xx = 0
  readonly latency = new LatencyRecorder()

  add(status: number, durationMs: number): void {
    this.count++
    if (status >= 500) this.s5xx++
    else if (status >= 400) this.s4xx++
    else if (status >= 300) this.s3xx++
    else if (status >= 200) this.s2xx++
    this.latency.record(durationMs)
  }

  take(inFlight: number): BackendTickStats {
    const out: BackendTickStats = {
      count: this.count,
      s2xx: this.s2xx,
      s3xx: this.s3xx,
      s4xx: this.s4xx,
      s5xx: this.s5xx,
      inFlight,
      latencyMs: this.latency.take()
    }
    this.count = this.s2xx = this.s3xx = this.s4xx = this.s5xx = 0
    return out
  }
}

/**
 * Per-tick request counters, total and per backend. Pure: the caller supplies durations and the
 * current in-flight counts. Memory stays bounded: a backend's entry is dropped after a tick in
 * which it had no completed request and nothing in flight.
 */
export class TrafficStats {
  private readonly total = new Counters()
  private readonly perBackend = new Map<string, Counters>()

  /** Makes sure `id` is reported next tick even if nothing completes (it has work in flight). */
  touch(id: string): void {
    if (!this.perBackend.has(id)) this.perBackend.set(id, new Counters())
  }

  /**
   * One completed request. `backendId` is null for answers no backend was involved in (503
   * without an eligible backend, 400 for bad framing): they count in the total only.
   */
  record(backendId: string | null, status: number, durationMs: number): void {
    this.total.add(status, durationMs)
    if (backendId === null) return
    let c = this.perBackend.get(backendId)
    if (c === undefined) {
      c = new Counters()
      this.perBackend.set(backendId, c)
    }
    c.add(status, durationMs)
  }

  /** The counters since the previous call; resets them. */
  take(inFlightOf: (id: string) => number, totalInFlight: number): ProxyTick {
    const perBackend = new Map<string, BackendTickStats>()
    for (const [id, c] of this.perBackend) {
      const inFlight = inFlightOf(id)
      const stats = c.take(inFlight)
      perBackend.set(id, stats)
      if (stats.count === 0 && inFlight === 0) this.perBackend.delete(id)
    }
    return { total: this.total.take(totalInFlight), perBackend }
  }
}
