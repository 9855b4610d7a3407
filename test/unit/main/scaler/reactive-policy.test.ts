import { describe, expect, it } from 'vitest'
import { reactivePolicy } from '../../../../src/main/scaler/reactive-policy'
import { createPolicyState, defaultScalerSettings } from '../../../../src/main/scaler/scaler-types'
import type { LoadSample, ScalerSettings } from '../../../../src/main/scaler/scaler-types'

const base: ScalerSettings = {
  ...defaultScalerSettings,
  capacityRps: 60,
  targetUtilization: 1,
  tolerance: 0.1,
  minReplicas: 1,
  maxReplicas: 10,
  maxStepUp: 4,
  maxStepDown: 2,
  scaleDownStabilizationMs: 300_000,
  cpuTargetPercent: null
}

const NOW = 1_000_000

function sample(rps: number, cpuPercent: number | null = null, at = NOW): LoadSample {
  return { at, rps, cpuPercent, replicas: 0 }
}

describe('reactivePolicy (fresh state)', () => {
  it.each([
    { desc: 'within tolerance keeps the count', current: 5, rps: 310, want: 5 },
    { desc: 'just outside tolerance scales up', current: 5, rps: 331, want: 6 },
    { desc: 'within tolerance below target keeps the count', current: 5, rps: 275, want: 5 },
    { desc: 'scale up to ceil(current × ratio)', current: 5, rps: 420, want: 7 },
    { desc: 'step limit up (+4)', current: 2, rps: 600, want: 6 },
    { desc: 'max replicas after the step limit', current: 8, rps: 900, want: 10 },
    { desc: 'step limit down (−2)', current: 9, rps: 60, want: 7 },
    { desc: 'min replicas', current: 2, rps: 10, want: 1 },
    { desc: 'min replicas 2', current: 3, rps: 10, want: 2, over: { minReplicas: 2 } },
    { desc: 'current 0 sizes from the rate', current: 0, rps: 130, want: 3 },
    { desc: 'current 0 and no load with min 0', current: 0, rps: 0, want: 0, over: { minReplicas: 0 } },
    { desc: 'target 0.8 needs more replicas', current: 5, rps: 300, want: 7, over: { targetUtilization: 0.8 } },
    { desc: 'target 0.8 within tolerance', current: 5, rps: 240, want: 5, over: { targetUtilization: 0.8 } },
    { desc: 'CPU above target wins over rps', current: 4, rps: 240, cpu: 80, want: 7, over: { cpuTargetPercent: 50 } },
    { desc: 'rps wins over CPU below target', current: 4, rps: 420, cpu: 20, want: 7, over: { cpuTargetPercent: 50 } },
    { desc: 'CPU ignored without a target', current: 4, rps: 240, cpu: 99, want: 4 }
  ])('$desc', ({ current, rps, cpu, want, over }) => {
    const settings = { ...base, ...over }
    const d = reactivePolicy.decide(NOW, [sample(rps, cpu ?? null)], current, settings, createPolicyState())
    expect(d.desired).toBe(want)
    expect(d.policy).toBe('reactive')
    expect(d.reason).toMatch(/→/)
  })

  it('keeps the count with no data', () => {
    const d = reactivePolicy.decide(NOW, [], 3, base, createPolicyState())
    expect(d.desired).toBe(3)
    expect(d.reason).toContain('no load data')
  })

  it('averages the last 15 s and ignores older samples', () => {
    const history = [sample(6000, null, NOW - 60_000), sample(100, null, NOW - 10_000), sample(140, null, NOW)]
    // mean(100, 140) = 120 → 2 replicas; the old 6000 would have meant 10.
    expect(reactivePolicy.decide(NOW, history, 4, base, createPolicyState()).desired).toBe(2)
  })
})

describe('reactivePolicy scale-down stabilization', () => {
  it('scales up at once and down only when the window no longer holds a higher recommendation', () => {
    const settings = { ...base, maxStepUp: 10, maxStepDown: 10 }
    const state = createPolicyState()
    const steps = [
      { t: 0, rps: 600, want: 10 }, // up at once
      { t: 120_000, rps: 120, want: 10 }, // raw 2, held by the 10 from t=0
      { t: 240_000, rps: 120, want: 10 }, // still inside 300 s
      { t: 300_000, rps: 120, want: 2 }, // the t=0 recommendation left the window
      { t: 360_000, rps: 300, want: 5 }, // up again at once
      { t: 420_000, rps: 200, want: 5 } // raw 4, held by 5
    ]
    let current = 2
    for (const s of steps) {
      const d = reactivePolicy.decide(NOW + s.t, [sample(s.rps, null, NOW + s.t)], current, settings, state)
      expect(d.desired, `t=${s.t}`).toBe(s.want)
      current = d.desired
    }
    // Only the last 300 s of recommendations are kept.
    expect(state.recommendations.every((r) => r.at > NOW + 420_000 - 300_000)).toBe(true)
  })

  it('keeps the 300 s window whatever the forecast-driven window is set to', () => {
    const settings = { ...base, maxStepUp: 10, maxStepDown: 10, predictiveScaleDownStabilizationMs: 60_000 }
    const state = createPolicyState()
    reactivePolicy.decide(NOW, [sample(600)], 2, settings, state)
    const held = reactivePolicy.decide(NOW + 240_000, [sample(120, null, NOW + 240_000)], 10, settings, state)
    expect(held.desired).toBe(10)
    expect(held.reason).toContain('300 s scale-down window')
    expect(reactivePolicy.decide(NOW + 300_000, [sample(120, null, NOW + 300_000)], 10, settings, state).desired).toBe(2)
  })

  it('says why it held a scale-down', () => {
    const state = createPolicyState()
    reactivePolicy.decide(NOW, [sample(480)], 4, base, state)
    const d = reactivePolicy.decide(NOW + 60_000, [sample(120, null, NOW + 60_000)], 8, base, state)
    expect(d.desired).toBe(8)
    expect(d.reason).toContain('scale-down window')
  })
})
