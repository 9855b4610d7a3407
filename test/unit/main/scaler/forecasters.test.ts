import { describe, expect, it } from 'vitest'
import {
  createForecaster,
  errorCorrelation,
  forecast,
  isSeasonal,
  observe
} from '../../../../src/main/scaler/forecasters'
import { gaussian, seededRandom as rng } from '../../../helpers/seeded-random'

const MIN = 60_000

/** One value per minute: level 100, trend +0.01/min, hourly sine of amplitude 40, noise σ = 5. */
function seasonalSeries(n: number, seed = 42): number[] {
  const rand = rng(seed)
  const out: number[] = []
  for (let t = 0; t < n; t++) out.push(100 + 0.01 * t + 40 * Math.sin((2 * Math.PI * t) / 60) + 5 * gaussian(rand))
  return out
}

function mae(xs: number[]): number {
  return xs.reduce((s, x) => s + Math.abs(x), 0) / xs.length
}

describe('Holt-Winters forecaster', () => {
  it('beats the naive and the seasonal-naive forecaster on a noisy seasonal series', () => {
    const ys = seasonalSeries(4 * 24 * 60)
    const f = createForecaster(MIN, 3_600_000)
    const errHw: number[] = []
    const errHw5: number[] = []
    const errNaive: number[] = []
    const errSeasonalNaive: number[] = []
    const pending: Array<{ due: number; value: number }> = []
    const testFrom = ys.length - 24 * 60
    ys.forEach((y, t) => {
      if (t >= testFrom) {
        errHw.push(forecast(f, 1) - y)
        errNaive.push(ys[t - 1]! - y)
        errSeasonalNaive.push(ys[t - 60]! - y)
        const due = pending.find((p) => p.due === t)
        if (due !== undefined) errHw5.push(due.value - y)
        pending.push({ due: t + 4, value: forecast(f, 5) })
      }
      observe(f, (t + 1) * MIN, y) // the sample for minute t ends at t + 1
    })
    expect(isSeasonal(f)).toBe(true)
    expect(f.seasonSlots).toBe(60)
    // Noise alone (σ 5) gives an irreducible MAE of ≈ 4; the naive forecasters pay the noise twice.
    expect(mae(errHw)).toBeLessThan(5)
    expect(mae(errNaive)).toBeGreaterThan(6)
    expect(mae(errSeasonalNaive)).toBeGreaterThan(5.5)
    // Five steps ahead it still follows the sine (a flat forecast would be off by ≈ 25 on average).
    expect(mae(errHw5)).toBeLessThan(5)
  })

  it('runs the trend-only fallback until two seasons are known', () => {
    const f = createForecaster(MIN, 3_600_000)
    const ys = seasonalSeries(119)
    ys.forEach((y, t) => observe(f, (t + 1) * MIN, y))
    expect(isSeasonal(f)).toBe(false)
    expect(forecast(f, 1)).toBeGreaterThan(0)
    observe(f, 120 * MIN, 100)
    expect(isSeasonal(f)).toBe(true)
  })

  it('follows a linear trend with the fallback', () => {
    const f = createForecaster(MIN, null)
    for (let t = 0; t < 200; t++) observe(f, (t + 1) * MIN, 10 + 2 * t)
    // Next true value is 410; the damped trend keeps it close for a few steps and never runs away.
    expect(forecast(f, 1)).toBeGreaterThan(395)
    expect(forecast(f, 1)).toBeLessThan(415)
    // Damped: the extrapolated trend adds at most ≈ 49 steps of slope (2/step), however far ahead.
    expect(forecast(f, 1000)).toBeLessThan(forecast(f, 1) + 100)
    expect(forecast(f, 1_000_000)).toBeCloseTo(forecast(f, 1000), 3)
  })

  it('averages samples into buckets and closes a bucket when a sample reaches its end', () => {
    const f = createForecaster(10_000, null)
    for (let s = 1; s <= 10; s++) observe(f, s * 1000, s <= 5 ? 10 : 30) // one bucket: mean 20
    expect(f.closed).toBe(1)
    expect(forecast(f, 1)).toBeCloseTo(20, 9)
    observe(f, 11_000, 1000) // opens the next bucket, does not change the forecast yet
    expect(f.closed).toBe(1)
    expect(forecast(f, 1)).toBeCloseTo(20, 9)
  })

  it('ignores samples older than what it has seen, and non-finite values', () => {
    const f = createForecaster(MIN, null)
    observe(f, MIN, 50)
    observe(f, MIN, 5000)
    observe(f, 2 * MIN, Number.NaN)
    expect(f.closed).toBe(1)
    expect(forecast(f, 1)).toBe(50)
  })

  it('forecasts 0 with no data and never a negative rate', () => {
    const f = createForecaster(MIN, null)
    expect(forecast(f, 3)).toBe(0)
    for (let t = 0; t < 30; t++) observe(f, (t + 1) * MIN, Math.max(0, 100 - 10 * t))
    expect(forecast(f, 20)).toBeGreaterThanOrEqual(0)
  })

  it('state is plain data that survives JSON', () => {
    const f = createForecaster(MIN, 3_600_000)
    seasonalSeries(200).forEach((y, t) => observe(f, (t + 1) * MIN, y))
    const copy = JSON.parse(JSON.stringify(f)) as typeof f
    expect(forecast(copy, 7)).toBeCloseTo(forecast(f, 7), 9)
  })
})

describe('forecaster without a configured season', () => {
  it('stays trend-only however long the history (a season must be configured)', () => {
    const f = createForecaster(MIN, null)
    seasonalSeries(4 * 24 * 60).forEach((y, t) => observe(f, (t + 1) * MIN, y))
    expect(isSeasonal(f)).toBe(false)
    expect(f.buffer).toHaveLength(0)
  })
})

/** y = 100 + e, e an AR(1) process with correlation `rho` (innovations σ = 10), one value per minute. */
function ar1Series(n: number, rho: number, seed = 3): number[] {
  const rand = rng(seed)
  let e = 0
  return Array.from({ length: n }, () => {
    e = rho * e + 10 * gaussian(rand)
    return 100 + e
  })
}

describe('AR(1) error correction', () => {
  it.each([
    { desc: 'white noise', rho: 0, lo: 0, hi: 0.12 },
    { desc: 'short bursts', rho: 0.3, lo: 0.18, hi: 0.42 },
    { desc: 'long bursts', rho: 0.7, lo: 0.55, hi: 0.85 }
  ])('learns the error correlation: $desc (ρ $rho)', ({ rho, lo, hi }) => {
    const f = createForecaster(MIN, null)
    ar1Series(3000, rho).forEach((y, t) => observe(f, (t + 1) * MIN, y))
    expect(errorCorrelation(f)).toBeGreaterThanOrEqual(lo)
    expect(errorCorrelation(f)).toBeLessThanOrEqual(hi)
  })

  it('beats the uncorrected forecast one step ahead on correlated noise, and fades further ahead', () => {
    const ys = ar1Series(3000, 0.7, 11)
    const f = createForecaster(MIN, null)
    const corrected: number[] = []
    const uncorrected: number[] = []
    ys.forEach((y, t) => {
      if (t >= 1000) {
        corrected.push(forecast(f, 1) - y)
        // The model part alone: take the correction back out.
        uncorrected.push(forecast(f, 1) - errorCorrelation(f) * f.lastError - y)
      }
      observe(f, (t + 1) * MIN, y)
    })
    expect(mae(corrected)).toBeLessThan(0.85 * mae(uncorrected))
    // The correction is ρ^h × the newest error: after 50 buckets it is gone.
    const far = forecast(f, 50) - forecast(f, 49)
    expect(Math.abs(far)).toBeLessThan(1)
  })
})

describe('meanAbsError', () => {
  it.each([
    { desc: 'steady samples', samples: [10, 10, 10, 10, 10, 10, 10, 10, 10, 10], lo: 0, hi: 0.01 },
    // Same 10 req/s mean per bucket, but the fleet meets 0 and 20 req/s seconds: that scatter counts.
    { desc: 'samples scattered within each bucket', samples: [0, 20, 0, 20, 0, 20, 0, 20, 0, 20], lo: 9, hi: 10.01 }
  ])('holds the scatter of the samples around the forecast: $desc', ({ samples, lo, hi }) => {
    const f = createForecaster(10_000, null)
    for (let s = 0; s < 2000; s++) observe(f, (s + 1) * 1000, samples[s % samples.length]!)
    expect(f.meanAbsError).toBeGreaterThanOrEqual(lo)
    expect(f.meanAbsError).toBeLessThanOrEqual(hi)
  })
})
