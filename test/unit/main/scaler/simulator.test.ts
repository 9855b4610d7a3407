import { describe, expect, it } from 'vitest'
import { createOraclePolicy } from '../../../../src/main/scaler/oracle-policy'
import { defaultScalerSettings } from '../../../../src/main/scaler/scaler-types'
import type { LoadSample, Policy, ScalerSettings, TracePoint } from '../../../../src/main/scaler/scaler-types'
import { simulate } from '../../../../src/main/scaler/simulator'
import { asTraceColumns } from '../../../../src/main/scaler/trace-columns'

const MIN = 60_000

/** capacity 1 req/s per replica, i.e. 60 requests per one-minute row. */
function settings(over: Partial<ScalerSettings> = {}): ScalerSettings {
  return { ...defaultScalerSettings, capacityRps: 1, coldStartMs: 2 * MIN, minReplicas: 1, maxReplicas: 10, ...over }
}

function rows(requests: number[], at = (i: number) => i * MIN): TracePoint[] {
  return requests.map((r, i) => ({ at: at(i), requests: r }))
}

/** A fake policy that answers a fixed script and remembers what it was shown. */
function scripted(desired: number[]): Policy & { calls: Array<{ now: number; seen: LoadSample[] }> } {
  const calls: Array<{ now: number; seen: LoadSample[] }> = []
  return {
    calls,
    decide(now, history, current) {
      const d = desired[calls.length] ?? current
      calls.push({ now, seen: [...history] })
      return { desired: d, reason: 'script', policy: 'script' }
    }
  }
}

describe('simulate', () => {
  // Worked by hand. Rows (req/min): 60 60 180 180 60 60; capacity 60 req/min per replica;
  // cold start 2 min; evaluated every minute; the fleet starts with ceil(60/60) = 1 ready replica.
  // "arrived short" = all requests of a stretch where ready × capacity < demand rate;
  // "shortfall" = only the excess, (demand rate − ready × capacity) × duration.
  //   t=0  want 1: row 0 ready 1 (60/min), demand 60     → arrived short 0,   shortfall 0,   container-s 1×60
  //   t=1  want 3 (+2, ready at t=3), action 1: row 1    → arrived short 0,   shortfall 0,   container-s 3×60
  //   t=2  want 3: row 2 ready 1 (60/min), demand 180    → arrived short 180, shortfall 120, container-s 3×60
  //   t=3  want 3: row 3 ready 3 (180/min), demand 180   → 0 (exactly enough is not short),   container-s 3×60
  //   t=4  want 1 (removal at once), action 2: row 4     → 0,                                  container-s 1×60
  //   t=5  want 1: row 5                                 → 0,                                  container-s 1×60
  // Total 600 requests; arrived short 180 (0.3); shortfall 120 (0.2); 720 container-seconds;
  // 2 actions in 0.1 h (20/h); peak 3.
  const trace = rows([60, 60, 180, 180, 60, 60])

  it('accounts arrivals while short, shortfall, container-seconds, actions and peak as worked out by hand', () => {
    const policy = scripted([1, 3, 3, 3, 1, 1])
    const r = simulate(trace, policy, { settings: settings(), everyMs: MIN })
    expect(r.totalRequests).toBe(600)
    expect(r.arrivedShortRequests).toBeCloseTo(180, 9)
    expect(r.arrivedShortShare).toBeCloseTo(0.3, 9)
    expect(r.shortfallRequests).toBeCloseTo(120, 9)
    expect(r.underProvisionedShare).toBeCloseTo(0.2, 9)
    expect(r.containerSeconds).toBeCloseTo(720, 9)
    expect(r.actions).toBe(2)
    expect(r.actionsPerHour).toBeCloseTo(20, 9)
    expect(r.peakReplicas).toBe(3)
    expect(r.simulatedSeconds).toBe(360)
  })

  it('shows the policy only the past, as per-row rates', () => {
    const policy = scripted([1, 3, 3, 3, 1, 1])
    simulate(trace, policy, { settings: settings(), everyMs: MIN })
    expect(policy.calls.map((c) => c.now)).toEqual([0, 1, 2, 3, 4, 5].map((m) => m * MIN))
    expect(policy.calls[0]!.seen).toEqual([])
    // At t=3 min rows 0..2 are over; row 2 (180 req/min) was seen with 1 replica ready.
    expect(policy.calls[3]!.seen).toEqual([
      { at: 1 * MIN, rps: 1, cpuPercent: null, replicas: 1 },
      { at: 2 * MIN, rps: 1, cpuPercent: null, replicas: 1 },
      { at: 3 * MIN, rps: 3, cpuPercent: null, replicas: 3 }
    ])
  })

  it('splits a row where replicas become ready inside it', () => {
    // Cold start 90 s: the 2 replicas asked for at t=60 s are ready at 150 s, half-way through
    // row 2 (120..180 s, 3 req/s): 30 s with 1 ready, short: all 3 × 30 = 90 requests arrived
    // short, of which (3 − 1) × 30 = 60 exceeded capacity; then 30 s with 3 ready, not short.
    const r = simulate(trace, scripted([1, 3, 3, 3, 1, 1]), { settings: settings({ coldStartMs: 90_000 }), everyMs: MIN })
    expect(r.arrivedShortRequests).toBeCloseTo(90, 9)
    expect(r.shortfallRequests).toBeCloseTo(60, 9)
  })

  it('counts every arrival of a short stretch, however small the miss', () => {
    // Capacity 1 req/s, 1 replica, never scaled. Row 1 is 61 req/min: 1 request over capacity,
    // yet all 61 arrived while the fleet was short. Rows 0 and 2 (exactly 60, and 0) are not short.
    const r = simulate(rows([60, 61, 0]), scripted([1, 1, 1]), { settings: settings(), everyMs: MIN })
    expect(r.arrivedShortRequests).toBeCloseTo(61, 9)
    expect(r.arrivedShortShare).toBeCloseTo(61 / 121, 9)
    expect(r.shortfallRequests).toBeCloseTo(1, 9)
  })

  it('does not count a fleet sized exactly for the demand as short through float noise', () => {
    // capacity 0.1 req/s: 0.3 / 0.1 is 2.9999999999999996 in floats, 3 replicas serve 0.3 req/s.
    const r = simulate(rows([18, 18]), scripted([3, 3]), { settings: settings({ capacityRps: 0.1 }), everyMs: MIN })
    expect(r.arrivedShortRequests).toBe(0)
  })

  it('skips a gap: no evaluation, no container-seconds, but replicas finish starting', () => {
    // Rows at 0, 1 min, then 5 and 6 min (2..5 min missing). 3 replicas asked for at 1 min are
    // ready at 3 min, inside the gap, so the 180 req/min row at 5 min is fully served.
    const gapTrace = rows([60, 60, 180, 60], (i) => [0, 1, 5, 6][i]! * MIN)
    const policy = scripted([1, 3, 3, 3])
    const r = simulate(gapTrace, policy, { settings: settings(), everyMs: MIN })
    expect(policy.calls.map((c) => c.now / MIN)).toEqual([0, 1, 5, 6])
    expect(r.shortfallRequests).toBe(0)
    expect(r.arrivedShortRequests).toBe(0)
    expect(r.containerSeconds).toBeCloseTo(60 + 180 + 180 + 180, 9)
    expect(r.simulatedSeconds).toBe(240)
  })
})

it('accepts typed columns and gives the same result as row objects', () => {
  const trace = rows([60, 60, 180, 180, 60, 60])
  const cols = asTraceColumns(trace)
  const a = simulate(trace, scripted([1, 3, 3, 3, 1, 1]), { settings: settings(), everyMs: MIN })
  const b = simulate(cols, scripted([1, 3, 3, 3, 1, 1]), { settings: settings(), everyMs: MIN })
  expect(b).toEqual(a)
})

it('hands policies a bounded history on a long trace', () => {
  // 10 000 one-second rows evaluated every 15 s: the history shown never exceeds about 2 h of rows.
  const trace = rows(new Array<number>(10_000).fill(1), (i) => i * 1000)
  let longest = 0
  const policy: Policy = {
    decide(_now, history, current) {
      longest = Math.max(longest, history.length)
      return { desired: current, reason: 'keep', policy: 'probe' }
    }
  }
  simulate(trace, policy, { settings: settings(), everyMs: 15_000 })
  expect(longest).toBeGreaterThan(3600)
  expect(longest).toBeLessThanOrEqual(7300)
})

describe('oracle', () => {
  // Window [t, t + 2 min + 1 min): t=0 sees rows 0..2 (max 180/min → 3 replicas) and keeps 3
  // through t=3 (rows 3..5); t=4 sees rows 4, 5 → 1. Never short:
  // container-seconds 3×60×4 + 1×60×2 = 840, actions 2 (1→3 at t=0, 3→1 at t=4).
  it('requests what the next cold start + one period needs and is never short', () => {
    const trace = rows([60, 60, 180, 180, 60, 60])
    const r = simulate(trace, createOraclePolicy(trace, MIN, MIN), { settings: settings(), everyMs: MIN })
    expect(r.shortfallRequests).toBe(0)
    expect(r.arrivedShortRequests).toBe(0)
    expect(r.containerSeconds).toBeCloseTo(840, 9)
    expect(r.actions).toBe(2)
    expect(r.peakReplicas).toBe(3)
    expect(r.policy).toBe('oracle')
  })

  it('stays within min/max', () => {
    const trace = rows([6000, 0, 0, 0, 0, 0])
    const r = simulate(trace, createOraclePolicy(trace, MIN, MIN), {
      settings: settings({ minReplicas: 2, maxReplicas: 4 }),
      everyMs: MIN
    })
    expect(r.peakReplicas).toBe(4)
    // From t=1 the window holds no demand: back to minReplicas 2.
    expect(r.containerSeconds).toBeCloseTo(4 * 60 + 2 * 60 * 5, 9)
  })
})
