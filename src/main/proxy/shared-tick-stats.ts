import { BUCKETS, bucketOf, quantilesOf } from './latency-recorder'
import { SLOT_CAPACITY } from './slot-table'
import type { BackendTickStats, ProxyTick } from './traffic-stats'

// One row of Int32 per backend slot, plus one for the total:
// count, 2xx, 3xx, 4xx, 5xx, min, max, touched, then the latency histogram.
const COUNT = 0
const S2XX = 1
const S5XX = 4
const MIN = 5
const MAX = 6
const TOUCHED = 7
const HIST = 8
const STRIDE = HIST + BUCKETS
const TOTAL_ROW = SLOT_CAPACITY
const ACTIVE = (SLOT_CAPACITY + 1) * STRIDE
const CONNECTIONS = ACTIVE + 1
// Durations are kept in µs in Int32 (35 min max). Min is stored inverted (INV - µs) so that a
// zeroed row means "no sample" for both, and both update with the same max-CAS loop.
const INV = 0x7fffffff

export const SHARED_STATS_BYTES = (CONNECTIONS + 1) * 4

/**
 * The per-tick counters of `TrafficStats`, in a SharedArrayBuffer: proxy worker threads
 * `record()` with Atomics, the main thread `take()`s synchronously, so `ProxyServer.takeTick()`
 * returns the same shape and the same numbers whether requests are served in-process or by
 * workers. A request recorded while `take()` runs may be split over two ticks (e.g. its count
 * in this one, its latency in the next); totals over time stay exact.
 */
export class SharedTickStats {
  private readonly a: Int32Array

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(SHARED_STATS_BYTES)) {
    this.a = new Int32Array(buffer)
  }

  /** Makes sure backend `slot` is reported next tick even if nothing completes. */
  touch(slot: number): void {
    const i = slot * STRIDE + TOUCHED
    if (Atomics.load(this.a, i) === 0) Atomics.store(this.a, i, 1)
  }

  /** One completed request; `slot` -1 counts in the total only (answers without a backend). */
  record(slot: number, status: number, durationMs: number): void {
    const us = Math.min(INV, Math.max(0, Math.round(durationMs * 1000)))
    const bucket = bucketOf(durationMs)
    const cls = status >= 500 ? S5XX : status >= 400 ? S5XX - 1 : status >= 300 ? S2XX + 1 : status >= 200 ? S2XX : -1
    this.add(TOTAL_ROW * STRIDE, cls, bucket, us)
    if (slot >= 0) this.add(slot * STRIDE, cls, bucket, us)
  }

  /** Exchanges in flight on this thread changed by `delta` (the total's inFlight). */
  addActive(delta: number): void {
    Atomics.add(this.a, ACTIVE, delta)
  }

  /** Open client connections over every thread (for maxConnections); returns the new count. */
  addConnections(delta: number): number {
    return Atomics.add(this.a, CONNECTIONS, delta) + delta
  }

  /**
   * The counters since the previous call, reset. `idOf` names a slot (undefined: skip it);
   * `inFlightOf` gives its current in-flight count.
   */
  take(idOf: (slot: number) => string | undefined, inFlightOf: (slot: number) => number): ProxyTick {
    const perBackend = new Map<string, BackendTickStats>()
    for (let slot = 0; slot < SLOT_CAPACITY; slot++) {
      const base = slot * STRIDE
      const inFlight = inFlightOf(slot)
      if (Atomics.load(this.a, base + TOUCHED) === 0 && Atomics.load(this.a, base + COUNT) === 0 && inFlight === 0) {
        continue
      }
      const id = idOf(slot)
      const stats = this.takeRow(base, inFlight)
      if (id !== undefined) perBackend.set(id, stats)
    }
    return { total: this.takeRow(TOTAL_ROW * STRIDE, Math.max(0, Atomics.load(this.a, ACTIVE))), perBackend }
  }

  private add(base: number, cls: number, bucket: number, us: number): void {
    const a = this.a
    Atomics.add(a, base + COUNT, 1)
    if (cls >= 0) Atomics.add(a, base + cls, 1)
    Atomics.add(a, base + HIST + bucket, 1)
    maxCas(a, base + MAX, us)
    maxCas(a, base + MIN, INV - us)
  }

  private takeRow(base: number, inFlight: number): BackendTickStats {
    const a = this.a
    Atomics.store(a, base + TOUCHED, 0)
    const count = Atomics.exchange(a, base + COUNT, 0)
    const out: BackendTickStats = {
      count,
      s2xx: Atomics.exchange(a, base + S2XX, 0),
      s3xx: Atomics.exchange(a, base + S2XX + 1, 0),
      s4xx: Atomics.exchange(a, base + S5XX - 1, 0),
      s5xx: Atomics.exchange(a, base + S5XX, 0),
      inFlight,
      latencyMs: { p50: null, p95: null, p99: null }
    }
    const maxUs = Atomics.exchange(a, base + MAX, 0)
    const minUs = INV - Atomics.exchange(a, base + MIN, 0)
    // The histogram's own sum is the rank base: it may differ from `count` by a request
    // recorded while this runs.
    const hist = new Uint32Array(BUCKETS)
    let total = 0
    for (let b = 0; b < BUCKETS; b++) {
      const n = Atomics.load(a, base + HIST + b) === 0 ? 0 : Atomics.exchange(a, base + HIST + b, 0)
      hist[b] = n
      total += n
    }
    if (total > 0) out.latencyMs = quantilesOf(hist, total, minUs / 1000, Math.max(minUs, maxUs) / 1000)
    return out
  }
}

function maxCas(a: Int32Array, i: number, v: number): void {
  let cur = Atomics.load(a, i)
  while (v > cur) {
    const seen = Atomics.compareExchange(a, i, cur, v)
    if (seen === cur) return
    cur = seen
  }
}
