import { describe, expect, it } from 'vitest'
import type { LoadProfile } from '../../../../src/main/loadgen/load-profile-schema'
import { arrivalTimes, compileSchedule, rateAt } from '../../../../src/main/loadgen/rate-schedule'

const constant100: LoadProfile = { kind: 'constant', rps: 100, durationMs: 2000 }
const step: LoadProfile = { kind: 'step', lowRps: 10, highRps: 50, lowMs: 1000, highMs: 500, durationMs: 4000 }
const ramp: LoadProfile = { kind: 'ramp', fromRps: 0, toRps: 100, durationMs: 10_000 }
const rampDown: LoadProfile = { kind: 'ramp', fromRps: 100, toRps: 20, durationMs: 4000 }
/** Per-minute rows, played 60× faster: one row per second; a missing minute (at 2 min) is silence. */
const trace: LoadProfile = {
  kind: 'trace',
  points: [
    { at: 600_000, requests: 600 },
    { at: 660_000, requests: 1200 },
    { at: 780_000, requests: 300 }
  ],
  stepMs: 60_000,
  compression: 60,
  multiplier: 2,
  durationMs: 60_000
}

describe('rateAt', () => {
  const cases: Array<{ desc: string; profile: LoadProfile; t: number; rps: number }> = [
    { desc: 'constant inside', profile: constant100, t: 0, rps: 100 },
    { desc: 'constant at the end is over', profile: constant100, t: 2000, rps: 0 },
    { desc: 'constant before the start', profile: constant100, t: -1, rps: 0 },
    { desc: 'step starts low', profile: step, t: 0, rps: 10 },
    { desc: 'step switches to high at lowMs', profile: step, t: 1000, rps: 50 },
    { desc: 'step just before the switch', profile: step, t: 999.9, rps: 10 },
    { desc: 'step second period low', profile: step, t: 1500, rps: 10 },
    { desc: 'step second period high', profile: step, t: 2600, rps: 50 },
    { desc: 'step after duration', profile: step, t: 4000, rps: 0 },
    { desc: 'ramp start', profile: ramp, t: 0, rps: 0 },
    { desc: 'ramp middle', profile: ramp, t: 5000, rps: 50 },
    { desc: 'ramp near the end', profile: ramp, t: 9000, rps: 90 },
    { desc: 'ramp down middle', profile: rampDown, t: 2000, rps: 60 },
    { desc: 'trace row 0: 600/min ×2 = 20 req/s', profile: trace, t: 500, rps: 20 },
    { desc: 'trace row 1: 1200/min ×2 = 40 req/s', profile: trace, t: 1500, rps: 40 },
    { desc: 'trace gap (no row for minute 2)', profile: trace, t: 2500, rps: 0 },
    { desc: 'trace row 3', profile: trace, t: 3500, rps: 10 },
    { desc: 'after the trace ends', profile: trace, t: 4500, rps: 0 }
  ]
  it.each(cases)('$desc', ({ profile, t, rps }) => {
    expect(rateAt(profile, t)).toBeCloseTo(rps, 9)
  })
})

describe('compileSchedule', () => {
  const cases: Array<{ desc: string; profile: LoadProfile; endMs: number; total: number; peak: number }> = [
    { desc: 'constant', profile: constant100, endMs: 2000, total: 200, peak: 100 },
    // 2 full periods (10 + 25) + 1000 ms low (10) = 80
    { desc: 'step, partial last period', profile: step, endMs: 4000, total: 80, peak: 50 },
    { desc: 'ramp 0→100 over 10 s', profile: ramp, endMs: 10_000, total: 500, peak: 100 },
    { desc: 'ramp down 100→20 over 4 s', profile: rampDown, endMs: 4000, total: 240, peak: 100 },
    // 20 + 40 + 10 requests; the trace ends 4 s in, before durationMs
    { desc: 'trace ends with its last row', profile: trace, endMs: 4000, total: 70, peak: 40 },
    { desc: 'zero rate still lasts its duration', profile: { kind: 'constant', rps: 0, durationMs: 5000 }, endMs: 5000, total: 0, peak: 0 }
  ]
  it.each(cases)('$desc', ({ profile, endMs, total, peak }) => {
    const s = compileSchedule(profile)
    expect(s.endMs).toBeCloseTo(endMs, 9)
    expect(s.totalRequests).toBeCloseTo(total, 6)
    expect(s.peakRps).toBeCloseTo(peak, 9)
    expect(s.dueBy(s.endMs)).toBe(Math.round(total))
  })
})

describe('arrivalTimes', () => {
  it('spaces a constant rate evenly, centred in each interval', () => {
    const ts = arrivalTimes(constant100, 0, 2000)
    expect(ts).toHaveLength(200)
    expect(ts[0]).toBeCloseTo(5, 9)
    expect(ts[1]).toBeCloseTo(15, 9)
    expect(ts[199]).toBeCloseTo(1995, 9)
  })

  it('counts each phase of a step profile at its own rate', () => {
    const ts = arrivalTimes(step, 0, 4000)
    const inRange = (a: number, b: number) => ts.filter((t) => t >= a && t < b).length
    expect(ts).toHaveLength(80)
    expect(inRange(0, 1000)).toBe(10)
    expect(inRange(1000, 1500)).toBe(25)
    expect(inRange(1500, 2500)).toBe(10)
    expect(inRange(2500, 3000)).toBe(25)
  })

  it('makes a ramp denser as it rises (quadratic cumulative)', () => {
    const ts = arrivalTimes(ramp, 0, 10_000)
    const perSecond = Array.from({ length: 10 }, (_, i) => ts.filter((t) => t >= i * 1000 && t < (i + 1) * 1000).length)
    // ∫ over second i of (10 t) dt = 5 (2i + 1)
    expect(perSecond).toEqual([5, 15, 25, 35, 45, 55, 65, 75, 85, 95])
  })

  it('follows a decreasing ramp', () => {
    const ts = arrivalTimes(rampDown, 0, 4000)
    expect(ts).toHaveLength(240)
    const first = ts.filter((t) => t < 1000).length
    const last = ts.filter((t) => t >= 3000).length
    expect(first).toBe(90)
    expect(last).toBe(30)
  })

  it('sends nothing in a trace gap and stops with the trace', () => {
    const ts = arrivalTimes(trace, 0, 60_000)
    expect(ts).toHaveLength(70)
    expect(ts.filter((t) => t >= 2000 && t < 3000)).toEqual([])
    expect(Math.max(...ts)).toBeLessThan(4000)
  })

  it('returns only the window asked for, strictly increasing', () => {
    const all = arrivalTimes(ramp, 0, 10_000)
    const part = arrivalTimes(ramp, 3000, 4000)
    expect(part).toEqual(all.filter((t) => t >= 3000 && t < 4000))
    for (let i = 1; i < all.length; i++) expect(all[i]!).toBeGreaterThan(all[i - 1]!)
  })

  it('agrees with dueBy at every arrival', () => {
    for (const profile of [constant100, step, ramp, rampDown, trace]) {
      const s = compileSchedule(profile)
      const ts = arrivalTimes(profile, 0, s.endMs)
      ts.forEach((t, i) => {
        expect(s.dueBy(t + 1e-6)).toBe(i + 1)
        expect(s.dueBy(t - 1e-6)).toBe(i)
      })
    }
  })
})
