import type { LatencyQuantiles } from '../../shared/types'

// Log-bucketed histogram: bucket i holds [MIN_MS·G^i, MIN_MS·G^(i+1)). With G = 1.04 a bucket's
// geometric midpoint is within ±2 % of any value in it, and 10 µs .. ~17 min takes 471 buckets
// (≈ 1.9 KB), whatever the request rate. Values outside the range land in the end buckets, and
// results are clamped to the exact min/max seen, so a lone sample is reported exactly.
const MIN_MS = 0.01
const GROWTH = 1.04
const LOG_GROWTH = Math.log(GROWTH)
export const BUCKETS = Math.ceil(Math.log(1_000_000 / MIN_MS) / LOG_GROWTH) + 1

/** The histogram bucket of a duration (exported for the shared, cross-thread histogram). */
export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0
  const i = Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH)
  return i < BUCKETS ? i : BUCKETS - 1
}

function midpointOf(bucket: number): number {
  return MIN_MS * Math.pow(GROWTH, bucket + 0.5)
}

/**
 * Per-tick latency quantiles in bounded memory. `record()` is O(1); `take()` reports p50/p95/p99
 * (nearest rank, ±2 %, rounded to µs) of what was recorded since the previous `take()` and
 * starts over. Quantiles are null when nothing was recorded. Pure: no clock, no I/O.
 */
export class LatencyRecorder {
  private readonly counts = new Uint32Array(BUCKETS)
  private total = 0
  private min = Infinity
  private max = -Infinity

  /** Records one duration in milliseconds. Negative or NaN values count as 0. */
  record(ms: number): void {
    const v = ms > 0 ? ms : 0
    this.counts[bucketOf(v)]!++
    this.total++
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
  }

  get count(): number {
    return this.total
  }

  /** Quantiles of what was recorded since the last reset, without resetting. */
  quantiles(): LatencyQuantiles {
    return quantilesOf(this.counts, this.total, this.min, this.max)
  }

  reset(): void {
    if (this.total === 0) return
    this.counts.fill(0)
    this.total = 0
    this.min = Infinity
    this.max = -Infinity
  }

  /** `quantiles()` then `reset()`: what a tick does. */
  take(): LatencyQuantiles {
    const q = this.quantiles()
    this.reset()
    return q
  }
}

/**
 * p50/p95/p99 of a histogram laid out as `BUCKETS` counts from `offset` (nearest rank, ±2 %,
 * rounded to µs, clamped to the exact min / max). Nulls when `total` is 0.
 */
export function quantilesOf(counts: ArrayLike<number>, total: number, min: number, max: number, offset = 0): LatencyQuantiles {
  if (total === 0) return { p50: null, p95: null, p99: null }
  const q = (p: number): number => {
    const rank = Math.max(1, Math.ceil(p * total))
    let seen = 0
    let bucket = 0
    for (; bucket < BUCKETS; bucket++) {
      seen += counts[offset + bucket]!
      if (seen >= rank) break
    }
    // The end buckets are open-ended (everything under 10 µs, everything over ~17 min): their
    // midpoints mean nothing, the exact min / max are the best answers.
    const estimate = bucket === 0 ? min : bucket >= BUCKETS - 1 ? max : midpointOf(bucket)
    const v = Math.min(max, Math.max(min, estimate))
    return Math.round(v * 1000) / 1000
  }
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99) }
}
