import { describe, expect, it } from 'vitest'
import { Autoscaler, historyToTrace } from '../../../../src/main/scaler/autoscaler'
import type { AutoscaleTarget, ServiceObservation } from '../../../../src/main/scaler/autoscaler'
import { ColdStartTracker } from '../../../../src/main/scaler/cold-start-tracker'
import { defaultScalerSettings } from '../../../../src/main/scaler/scaler-types'
import type { Decision, ScalerSettings } from '../../../../src/main/scaler/scaler-types'
import { isPrescalError } from '../../../../src/shared/errors'

const SEC = 1000

function settings(over: Partial<ScalerSettings> = {}): ScalerSettings {
  return { ...defaultScalerSettings, mode: 'reactive', capacityRps: 10, minReplicas: 1, maxReplicas: 20, coldStartMs: 10 * SEC, ...over }
}

interface ScaleCall {
  service: string
  replicas: number
  reason: string
  resolve: () => void
  reject: (e: Error) => void
}

/**
 * A fake clock and a fake fleet behind the autoscaler's small deps interface. The fleet becomes
 * ready `coldMs` after a scale call when `autoReady` is set; otherwise the test settles calls.
 */
function harness(opts: { everyMs?: number; historyMs?: number; coldMs?: number; autoReady?: boolean } = {}) {
  let now = 0
  const calls: ScaleCall[] = []
  const decisions: Array<Decision & { applied: boolean; at: number; service: string }> = []
  const fleet = { desired: 2, ready: 2, readyAt: null as number | null, scaling: false }
  const scaler = new Autoscaler(
    {
      now: () => now,
      scale: (service, replicas, reason) =>
        new Promise<void>((resolve, reject) => {
          calls.push({ service, replicas, reason, resolve, reject })
          fleet.desired = replicas
          if (opts.autoReady) fleet.readyAt = now + (opts.coldMs ?? 0)
        }),
      onDecision: (service, d) => decisions.push({ ...d, service })
    },
    { everyMs: opts.everyMs ?? 15 * SEC, historyMs: opts.historyMs }
  )
  /** One engine tick per second of `seconds`, at rate rps(t). */
  const run = async (seconds: number, rps: (t: number) => number, service = 'api', extra: Partial<ServiceObservation> = {}) => {
    for (let i = 0; i < seconds; i++) {
      now += SEC
      if (fleet.readyAt !== null && now >= fleet.readyAt) {
        fleet.ready = fleet.desired
        fleet.readyAt = null
        calls[calls.length - 1]?.resolve()
      }
      if (fleet.desired < fleet.ready) fleet.ready = fleet.desired
      scaler.observe(service, {
        at: now,
        rps: rps(now),
        cpuPercent: null,
        readyReplicas: fleet.ready,
        desiredReplicas: fleet.desired,
        scaling: false,
        ...extra
      })
      // Let settled scale calls run their continuations, as between real ticks.
      await Promise.resolve()
      await Promise.resolve()
    }
  }
  return { scaler, calls, decisions, fleet, run, clock: { get: () => now } }
}

const target = (over: Partial<AutoscaleTarget> = {}): AutoscaleTarget => ({
  service: 'api',
  enabled: true,
  settings: settings(),
  ...over
})

describe('Autoscaler', () => {
  it('decides every everyMs per service, starting one period after the first observation', async () => {
    const h = harness()
    h.scaler.configure([target(), target({ service: 'web' })])
    await h.run(60, () => 20)
    expect(h.decisions.map((d) => d.at)).toEqual([16, 31, 46].map((s) => s * SEC))
    expect(h.decisions.every((d) => d.service === 'api' && !d.applied)).toBe(true)
  })

  it('asks for the policy’s replicas with its reason, and not again while that call is pending', async () => {
    const h = harness()
    h.scaler.configure([target()])
    await h.run(60, () => 100)
    expect(h.calls).toHaveLength(1)
    const call = h.calls[0]!
    expect(call.service).toBe('api')
    expect(call.replicas).toBe(10)
    expect(call.reason).toMatch(/100 req\/s is 500% of target for 2 replicas → 10 replicas \(was 2\)/)
    expect(h.decisions).toHaveLength(1)
    expect(h.decisions[0]).toMatchObject({ applied: true, desired: 10, policy: 'reactive', reason: call.reason })
    // Still pending 44 s later: no second call, no evaluation.
    call.resolve()
    await h.run(15, () => 100)
    expect(h.decisions).toHaveLength(2)
    expect(h.calls).toHaveLength(1) // 100 req/s on 10 replicas is on target
  })

  it('does not evaluate while the engine reports the service scaling', async () => {
    const h = harness()
    h.scaler.configure([target()])
    await h.run(40, () => 100, 'api', { scaling: true })
    expect(h.decisions).toHaveLength(0)
    await h.run(1, () => 100)
    expect(h.decisions).toHaveLength(1)
  })

  it('never scales a disabled service, but still reports what it would do', async () => {
    const h = harness()
    h.scaler.configure([target({ enabled: false })])
    await h.run(60, () => 100)
    expect(h.calls).toHaveLength(0)
    expect(h.decisions.length).toBeGreaterThanOrEqual(3)
    expect(h.decisions.every((d) => !d.applied && d.desired === 10)).toBe(true)
    expect(h.scaler.forecast('api')?.lastDecision?.desired).toBe(10)
  })

  it('switched on (or started on) with idle replicas, removes none before a whole scale-down window', async () => {
    const window = 300 * SEC
    for (const startEnabled of [true, false]) {
      const h = harness({ autoReady: true })
      h.fleet.desired = h.fleet.ready = 4
      h.scaler.configure([target({ enabled: startEnabled, settings: settings({ scaleDownStabilizationMs: window }) })])
      if (!startEnabled) {
        // Off for a while: the policy's idle recommendations (1 replica) are not the user's choice.
        await h.run(120, () => 0)
        h.scaler.configure([target({ settings: settings({ scaleDownStabilizationMs: window }) })])
      }
      const enabledAt = h.clock.get()
      await h.run(window / SEC - 20, () => 0)
      expect(h.calls).toHaveLength(0)
      const last = h.decisions.at(-1)!
      expect(last.reason).toMatch(/0 req\/s is 0% of target for 4 replicas → stay at 4 replicas, held at 4 by the 300 s scale-down window/)
      await h.run(40, () => 0)
      expect(h.calls.map((c) => c.replicas)).toEqual([1])
      expect(h.calls[0]!.reason).not.toMatch(/held/)
      expect(h.decisions.find((d) => d.applied)!.at - enabledAt).toBeGreaterThanOrEqual(window)
    }
  })

  it('applies a settings change at the next observation', async () => {
    const h = harness({ autoReady: true })
    h.scaler.configure([target()])
    await h.run(20, () => 40)
    expect(h.calls.map((c) => c.replicas)).toEqual([4])
    await h.run(12, () => 40) // ready after 10 s
    const before = h.decisions.length
    h.scaler.configure([target({ settings: settings({ capacityRps: 5 }) })])
    await h.run(1, () => 40)
    expect(h.decisions).toHaveLength(before + 1)
    expect(h.calls.map((c) => c.replicas)).toEqual([4, 8])
    // maxReplicas lowered: capped at once
    await h.run(12, () => 40)
    h.scaler.configure([target({ settings: settings({ capacityRps: 5, maxReplicas: 6 }) })])
    await h.run(1, () => 40)
    expect(h.calls.map((c) => c.replicas)).toEqual([4, 8, 6])
    expect(h.calls[2]!.reason).toMatch(/capped at max 6/)
  })

  it('forgets a service that is no longer configured and ignores unknown ones', async () => {
    const h = harness()
    h.scaler.configure([target()])
    await h.run(20, () => 100, 'other')
    expect(h.decisions).toHaveLength(0)
    expect(h.scaler.forecast('other')).toBeNull()
    h.scaler.configure([])
    expect(h.scaler.forecast('api')).toBeNull()
  })

  it('rejects duplicate services and unusable settings', () => {
    const h = harness()
    const code = (fn: () => void) => {
      try {
        fn()
        return null
      } catch (err) {
        return isPrescalError(err) ? err.code : 'other'
      }
    }
    expect(code(() => h.scaler.configure([target(), target()]))).toBe('INVALID_ARGUMENT')
    expect(code(() => h.scaler.configure([target({ settings: settings({ capacityRps: 0 }) })]))).toBe('INVALID_ARGUMENT')
    expect(code(() => h.scaler.configure([target({ settings: settings({ minReplicas: 5, maxReplicas: 2 }) })]))).toBe('INVALID_ARGUMENT')
  })

  it('backs off after a failed scale call', async () => {
    const h = harness()
    h.scaler.configure([target()])
    await h.run(16, () => 100)
    expect(h.calls).toHaveLength(1)
    h.fleet.desired = 2 // the engine kept the old count
    h.calls[0]!.reject(new Error('docker down'))
    await h.run(29, () => 100)
    expect(h.calls).toHaveLength(1) // backoff 2 × 15 s from the failure
    await h.run(2, () => 100)
    expect(h.calls).toHaveLength(2)
  })

  it('gives a forecast ahead of now with the ready capacity and the last decision', async () => {
    const h = harness()
    h.scaler.configure([target({ settings: settings({ mode: 'hybrid' }) })])
    await h.run(120, () => 15)
    const f = h.scaler.forecast('api')!
    expect(f.capacityRps).toBe(2 * 10)
    expect(f.points.length).toBeGreaterThan(5)
    expect(f.points.every((p) => p.at > h.clock.get())).toBe(true)
    for (let i = 1; i < f.points.length; i++) expect(f.points[i]!.at).toBeGreaterThan(f.points[i - 1]!.at)
    for (const p of f.points) expect(p.rps).toBeCloseTo(15, 0)
    expect(f.points[f.points.length - 1]!.at - h.clock.get()).toBeGreaterThanOrEqual(60 * SEC)
    expect(f.lastDecision).toMatchObject({ policy: 'hybrid', at: 106 * SEC })
  })

  it('measures the cold start and plans with it when it exceeds the setting', async () => {
    const h = harness({ autoReady: true, coldMs: 25 * SEC })
    h.scaler.configure([target()])
    expect(h.scaler.measuredColdStartMs('api')).toBeNull()
    await h.run(60, () => 100)
    expect(h.calls).toHaveLength(1)
    expect(h.scaler.measuredColdStartMs('api')).toBe(25 * SEC)
    expect(h.scaler.whatIf('api', {}).coldStartMs).toBe(25 * SEC)
    // A configured cold start above the measured one wins.
    h.scaler.configure([target({ settings: settings({ coldStartMs: 40 * SEC }) })])
    expect(h.scaler.whatIf('api', {}).coldStartMs).toBe(40 * SEC)
  })

  it('replays recorded history through every policy and the oracle', async () => {
    const h = harness({ autoReady: true, coldMs: 5 * SEC })
    h.scaler.configure([target({ settings: settings({ mode: 'hybrid' }) })])
    // 10 req/s, a surge to 80 req/s for 2 minutes, back to 10.
    await h.run(600, (t) => (t > 200 * SEC && t <= 320 * SEC ? 80 : 10))
    const r = h.scaler.whatIf('api', { coldStartMs: 30 * SEC })
    expect(r.source).toBe('history')
    expect(r.stepMs).toBe(SEC)
    expect(r.coldStartMs).toBe(30 * SEC)
    expect(r.totalRequests).toBeCloseTo(480 * 10 + 120 * 80, 0)
    expect(r.rows.map((x) => x.policy)).toEqual(['reactive', 'predictive', 'hybrid', 'oracle'])
    expect(r.rows.map((x) => x.configured)).toEqual([false, false, true, false])
    const oracle = r.rows[3]!
    expect(oracle.containerSecondsVsOracle).toBe(1)
    expect(oracle.underProvisionedShare).toBe(0)
    expect(oracle.peakReplicas).toBe(8)
    const reactive = r.rows[0]!
    // Reactive meets the surge only after it is seen plus the cold start: it misses some requests.
    expect(reactive.underProvisionedShare).toBeGreaterThan(0.01)
    expect(reactive.actionsPerHour).toBeGreaterThan(0)
    for (const row of r.rows) expect(row.containerSecondsVsOracle!).toBeGreaterThanOrEqual(1 - 1e-9)
    // A capacity override halves the replicas the oracle needs.
    expect(h.scaler.whatIf('api', { capacityRps: 20 }).rows[3]!.peakReplicas).toBe(4)
  })

  it('replays a given trace, and explains what it cannot replay', async () => {
    const h = harness()
    h.scaler.configure([target()])
    const code = (fn: () => void) => {
      try {
        fn()
        return null
      } catch (err) {
        return isPrescalError(err) ? err.code : 'other'
      }
    }
    expect(code(() => h.scaler.whatIf('api', {}))).toBe('INVALID_ARGUMENT')
    expect(code(() => h.scaler.whatIf('nope', {}))).toBe('NOT_FOUND')
    expect(code(() => h.scaler.whatIf('api', { capacityRps: -1, trace: [] }))).toBe('INVALID_ARGUMENT')
    const trace = Array.from({ length: 120 }, (_, i) => ({ at: i * 60_000, requests: i < 60 ? 600 : 6000 }))
    const r = h.scaler.whatIf('api', { trace })
    expect(r.source).toBe('trace')
    expect(r.stepMs).toBe(60_000)
    expect(r.rows).toHaveLength(4)
    expect(r.rows[3]!.peakReplicas).toBe(10) // 100 req/s at 10 per replica
  })

  it('keeps a bounded history', async () => {
    const h = harness({ historyMs: 60 * SEC })
    h.scaler.configure([target()])
    await h.run(1000, () => 5)
    const r = h.scaler.whatIf('api', {})
    expect(r.to - r.from).toBeLessThanOrEqual(121 * SEC)
  })

  it('ignores observations after close()', async () => {
    const h = harness()
    h.scaler.configure([target()])
    h.scaler.close()
    await h.run(60, () => 100)
    expect(h.decisions).toHaveLength(0)
    expect(h.scaler.forecast('api')).toBeNull()
  })
})

describe('ColdStartTracker', () => {
  type Step = ['req', number, number] | ['obs', number, number, number] | ['cancel']
  const cases: Array<{ desc: string; steps: Step[]; median: number | null }> = [
    { desc: 'nothing measured', steps: [['obs', 0, 2, 2]], median: null },
    {
      desc: 'requested scale-up, ready 12 s later',
      steps: [['obs', 0, 2, 2], ['req', 0, 4], ['obs', 1000, 2, 4], ['obs', 12_000, 4, 4]],
      median: 12_000
    },
    {
      desc: 'partly ready is not ready',
      steps: [['obs', 0, 2, 2], ['req', 0, 4], ['obs', 5000, 3, 4], ['obs', 9000, 4, 4]],
      median: 9000
    },
    {
      desc: 'a manual scale-up is noticed from the observations',
      steps: [['obs', 0, 2, 2], ['obs', 1000, 2, 5], ['obs', 8000, 5, 5]],
      median: 7000
    },
    {
      desc: 'a manual scale-up that is withdrawn measures nothing',
      steps: [['obs', 0, 2, 2], ['obs', 1000, 2, 5], ['obs', 2000, 2, 2], ['obs', 3000, 2, 2]],
      median: null
    },
    {
      desc: 'a cancelled request measures nothing',
      steps: [['obs', 0, 2, 2], ['req', 0, 4], ['cancel'], ['obs', 5000, 4, 4]],
      median: null
    },
    {
      desc: 'a scale-down is not a cold start',
      steps: [['obs', 0, 4, 4], ['req', 0, 2], ['obs', 1000, 2, 2]],
      median: null
    },
    {
      desc: 'never ready within the wait limit',
      steps: [['obs', 0, 2, 2], ['req', 0, 4], ['obs', 700_000, 3, 4], ['obs', 701_000, 4, 4]],
      median: null
    },
    {
      desc: 'median of the last five',
      steps: [
        ['obs', 0, 1, 1],
        ...[100, 9000, 3000, 5000, 7000, 1000].flatMap((ms, i): Step[] => {
          const t = (i + 1) * 100_000
          return [['req', t, i + 2], ['obs', t + ms, i + 2, i + 2]]
        })
      ],
      median: 5000 // last five: 9000 3000 5000 7000 1000
    }
  ]
  it.each(cases)('$desc', ({ steps, median }) => {
    const t = new ColdStartTracker()
    for (const s of steps) {
      if (s[0] === 'req') t.requested(s[1], s[2])
      else if (s[0] === 'obs') t.observe(s[1], s[2], s[3])
      else t.cancel()
    }
    expect(t.medianMs()).toBe(median)
  })
})

describe('historyToTrace', () => {
  it('averages samples into rows and leaves gaps absent', () => {
    const h = [1000, 2000, 3000, 4000, 9000].map((at, i) => ({ at, rps: i + 1, cpuPercent: null, replicas: 1 }))
    expect(historyToTrace(h, 2000)).toEqual([
      { at: 0, requests: 3 }, // samples ending at 1 s and 2 s: mean 1.5 req/s × 2 s
      { at: 2000, requests: 7 }, // 3 and 4 → 3.5 × 2
      { at: 8000, requests: 10 }
    ])
  })
})
