import { describe, expect, it } from 'vitest'
import {
  MIN_RESCUED_SHARE,
  normalCdf,
  normalPdf,
  replicasForForecast,
  rescuedDemand
} from '../../../../src/main/scaler/forecast-sizing'

describe('normalCdf', () => {
  it.each([
    { z: 0, want: 0.5 },
    { z: 1, want: 0.841344746 },
    { z: -1, want: 0.158655254 },
    { z: 1.959963985, want: 0.975 },
    { z: -3, want: 0.001349898 },
    { z: 8, want: 1 }
  ])('Φ($z) = $want', ({ z, want }) => {
    expect(normalCdf(z)).toBeCloseTo(want, 6)
  })
})

describe('rescuedDemand', () => {
  /** E[D; lo < D ≤ hi] by Simpson's rule over the normal density. */
  function numeric(mean: number, sd: number, lo: number, hi: number): number {
    const n = 2000
    const h = (hi - lo) / n
    let sum = 0
    for (let i = 0; i <= n; i++) {
      const x = lo + i * h
      const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2
      sum += w * x * (normalPdf((x - mean) / sd) / sd)
    }
    return (sum * h) / 3
  }

  it.each([
    { mean: 100, sd: 10, lo: 100, hi: 110 },
    { mean: 100, sd: 10, lo: 120, hi: 130 },
    { mean: 15, sd: 5, lo: 20, hi: 30 },
    { mean: 0.7, sd: 2, lo: 1, hi: 2 }
  ])('matches numeric integration: mean $mean, sd $sd, ($lo, $hi]', ({ mean, sd, lo, hi }) => {
    expect(rescuedDemand(mean, sd, lo, hi)).toBeCloseTo(numeric(mean, sd, lo, hi), 5)
  })
})

describe('replicasForForecast', () => {
  it('adds a replica while it rescues at least MIN_RESCUED_SHARE of its capacity', () => {
    expect(MIN_RESCUED_SHARE).toBeGreaterThan(0)
    expect(MIN_RESCUED_SHARE).toBeLessThan(1)
  })

  it.each([
    { desc: 'no scatter known: the mean alone', mean: 95, sd: 0, cap: 10, want: 10 },
    { desc: 'a mean on a boundary is not pushed over it by float noise', mean: 0.1 + 0.2, sd: 0, cap: 0.3, want: 1 },
    { desc: 'no demand', mean: 0, sd: 0, cap: 10, want: 0 },
    { desc: 'a negative forecast counts as none', mean: -5, sd: 0, cap: 10, want: 0 },
    { desc: 'scatter far below the next boundary buys nothing', mean: 45, sd: 1, cap: 10, want: 5 },
    { desc: 'a mean just under a boundary gets the replica its tail needs', mean: 50, sd: 1, cap: 10, want: 6 },
    // The same scatter is worth a replica where 195 req/s would arrive short, not where 15 would.
    { desc: 'low load, 1 sd below the boundary: no extra replica', mean: 15, sd: 5, cap: 10, want: 2 },
    { desc: 'high load, 1 sd below the boundary: one extra replica', mean: 195, sd: 5, cap: 10, want: 21 },
    { desc: 'wide scatter: several extra replicas', mean: 100, sd: 30, cap: 10, want: 15 },
    { desc: 'no capacity: unbounded (the caller clamps to max)', mean: 10, sd: 1, cap: 0, want: Infinity }
  ])('$desc → $want', ({ mean, sd, cap, want }) => {
    expect(replicasForForecast(mean, sd, cap)).toBe(want)
  })

  it('never stops adding while the rescued demand stays at or above the threshold', () => {
    for (const [mean, sd, cap] of [
      [100, 30, 10],
      [3, 2, 1],
      [500, 40, 25]
    ] as const) {
      const n = replicasForForecast(mean, sd, cap)
      expect(n).toBeGreaterThanOrEqual(Math.ceil(mean / cap))
      expect(rescuedDemand(mean, sd, n * cap, (n + 1) * cap)).toBeLessThan(MIN_RESCUED_SHARE * cap)
      if (n > Math.ceil(mean / cap)) {
        expect(rescuedDemand(mean, sd, (n - 1) * cap, n * cap)).toBeGreaterThanOrEqual(MIN_RESCUED_SHARE * cap)
      }
    }
  })
})
