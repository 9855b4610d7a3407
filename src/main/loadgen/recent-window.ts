/**
 * Values recorded in the last `windowMs` (e.g. send times, latencies of the last second), for the
 * generator's live stats. Pure: the caller passes the time. Memory is bounded by `maxEntries`
 * (the oldest go first), which at the generator's rate cap is more than a window ever holds.
 */
import type { LatencyQuantiles } from '../../shared/types'

export class RecentWindow {
  private times: number[] = []
  private values: number[] = []
  private head = 0

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number
  ) {}

  add(at: number, value = 0): void {
    this.prune(at)
    if (this.times.length - this.head >= this.maxEntries) this.head++
    this.times.push(at)
    this.values.push(value)
  }

  /** Entries with now − windowMs < at <= now. */
  count(now: number): number {
    this.prune(now)
    return this.times.length - this.head
  }

  /** Nearest-rank p50/p95/p99 of the values in the window; nulls when it is empty. */
  quantiles(now: number): LatencyQuantiles {
    this.prune(now)
    const xs = this.values.slice(this.head).sort((a, b) => a - b)
    if (xs.length === 0) return { p50: null, p95: null, p99: null }
    const q = (p: number): number => {
      const v = xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(p * xs.length) - 1))]!
      return Math.round(v * 1000) / 1000
    }
    return { p50: q(0.5), p95: q(0.95), p99: q(0.99) }
  }

  clear(): void {
    this.times = []
    this.values = []
    this.head = 0
  }

  private prune(now: number): void {
    const cutoff = now - this.windowMs
    while (this.head < this.times.length && this.times[this.head]! <= cutoff) this.head++
    // Compact once the dead prefix dominates, so pruning stays amortized O(1).
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head)
      this.values = this.values.slice(this.head)
      this.head = 0
    }
  }
}
