import { describe, expect, it } from 'vitest'
import {
  autocorrelation,
  createForecaster,
  detectSeason,
  forecast,
  isSeasonal,
  observe
} from '../../../../src/main/scaler/forecasters'

const MIN = 60_000

/** mulberry32: a tiny seeded PRNG so the noise is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
}

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
    const f = createForecaster(MIN, null)
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
    expect(f.seasonSlots).toBe(60) // detected: hourly
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

describe('detectSeason', () => {
  it('finds a daily season in a daily pattern with a trend', () => {
    const xs: number[] = []
    for (let t = 0; t < 3 * 1440; t++) xs.push(50 + 0.02 * t + 30 * Math.sin((2 * Math.PI * t) / 1440))
    expect(detectSeason(xs, MIN)).toBe(1440)
  })

  it('rejects a pure trend and white noise', () => {
    const trend = Array.from({ length: 3 * 1440 }, (_, t) => t)
    expect(detectSeason(trend, MIN)).toBeNull()
    const rand = rng(7)
    const noise = Array.from({ length: 3 * 1440 }, () => rand())
    expect(detectSeason(noise, MIN)).toBeNull()
  })

  it('skips missing (NaN) values instead of reading them as zero', () => {
    const xs = Array.from({ length: 300 }, (_, t) => Math.sin((2 * Math.PI * t) / 60))
    for (let t = 100; t < 130; t++) xs[t] = Number.NaN
    expect(autocorrelation(xs, 60)).toBeCloseTo(1, 6)
  })
})
