import { describe, expect, it } from 'vitest'
import { LatencyRecorder } from '../../../../src/main/proxy/latency-recorder'

function within(actual: number | null, expected: number, relative = 0.03): void {
  expect(actual).not.toBeNull()
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(expected * relative)
}

describe('LatencyRecorder', () => {
  it('reports null quantiles when nothing was recorded', () => {
    expect(new LatencyRecorder().take()).toEqual({ p50: null, p95: null, p99: null })
  })

  it('reports a lone sample exactly (clamped to min/max)', () => {
    const r = new LatencyRecorder()
    r.record(12.345)
    expect(r.take()).toEqual({ p50: 12.345, p95: 12.345, p99: 12.345 })
  })

  it.each([
    { desc: '1..100 ms uniform', values: Array.from({ length: 100 }, (_, i) => i + 1), p50: 50, p95: 95, p99: 99 },
    { desc: '1..1000 ms uniform', values: Array.from({ length: 1000 }, (_, i) => i + 1), p50: 500, p95: 950, p99: 990 },
    {
      desc: 'mostly fast with a slow tail',
      values: [...Array.from({ length: 980 }, () => 0.5), ...Array.from({ length: 20 }, () => 250)],
      p50: 0.5,
      p95: 0.5,
      p99: 250
    },
    { desc: 'sub-millisecond', values: Array.from({ length: 100 }, (_, i) => 0.05 * (i + 1)), p50: 2.5, p95: 4.75, p99: 4.95 }
  ])('quantiles within 3 % for $desc', ({ values, p50, p95, p99 }) => {
    const r = new LatencyRecorder()
    for (const v of values) r.record(v)
    const q = r.take()
    within(q.p50, p50)
    within(q.p95, p95)
    within(q.p99, p99)
  })

  it('take() resets: the next tick only sees its own samples', () => {
    const r = new LatencyRecorder()
    for (let i = 0; i < 100; i++) r.record(1000)
    r.take()
    r.record(2)
    expect(r.count).toBe(1)
    expect(r.take()).toEqual({ p50: 2, p95: 2, p99: 2 })
    expect(r.count).toBe(0)
  })

  it('clamps out-of-range values instead of growing', () => {
    const r = new LatencyRecorder()
    r.record(-5)
    r.record(Number.NaN)
    r.record(0)
    r.record(5e9)
    const q = r.take()
    expect(q.p50).toBe(0)
    expect(q.p99).toBe(5e9)
  })
})
