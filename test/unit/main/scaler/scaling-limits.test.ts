import { describe, expect, it } from 'vitest'
import { applyLimits, forecastScaleDownWindowMs } from '../../../../src/main/scaler/scaling-limits'
import { createPolicyState, defaultScalerSettings } from '../../../../src/main/scaler/scaler-types'
import type { ScalerSettings } from '../../../../src/main/scaler/scaler-types'

const MIN = 60_000
const base: ScalerSettings = { ...defaultScalerSettings, minReplicas: 1, maxReplicas: 50, maxStepUp: 50, maxStepDown: 50 }

describe('forecastScaleDownWindowMs', () => {
  it.each([
    { desc: 'default settings (10 s cold start): the 120 s floor', over: {}, want: 120_000 },
    { desc: '2 min cold start: 1.5 cold starts', over: { coldStartMs: 2 * MIN }, want: 180_000 },
    { desc: '30 s cold start: the floor', over: { coldStartMs: 30_000 }, want: 120_000 },
    { desc: '10 min cold start: capped by the 300 s reactive window', over: { coldStartMs: 10 * MIN }, want: 300_000 },
    { desc: 'reactive window 60 s caps it', over: { scaleDownStabilizationMs: 60_000 }, want: 60_000 },
    { desc: 'reactive window 0 turns holding off', over: { scaleDownStabilizationMs: 0, coldStartMs: 2 * MIN }, want: 0 },
    { desc: 'explicit value wins, even above the reactive window', over: { predictiveScaleDownStabilizationMs: 600_000 }, want: 600_000 },
    { desc: 'explicit 0', over: { predictiveScaleDownStabilizationMs: 0 }, want: 0 },
    { desc: 'negative explicit counts as 0', over: { predictiveScaleDownStabilizationMs: -5 }, want: 0 }
  ])('$desc → $want', ({ over, want }) => {
    expect(forecastScaleDownWindowMs({ ...base, ...over })).toBe(want)
  })

  it('defaults to null (derived) and leaves the reactive window at the HPA 300 s', () => {
    expect(defaultScalerSettings.predictiveScaleDownStabilizationMs).toBeNull()
    expect(defaultScalerSettings.scaleDownStabilizationMs).toBe(300_000)
  })
})

/** Raw 10 at t = 0, then raw 2 every minute, current follows the decision: when does it drop? */
describe('applyLimits scale-down window', () => {
  it.each([
    { desc: 'default: the reactive 300 s window', window: undefined, want: [10, 10, 10, 10, 10, 2] },
    { desc: 'the forecast-driven 180 s window', window: 180_000, want: [10, 10, 10, 2, 2, 2] },
    { desc: 'the 120 s floor', window: 120_000, want: [10, 10, 2, 2, 2, 2] },
    { desc: 'no window', window: 0, want: [10, 2, 2, 2, 2, 2] }
  ])('$desc', ({ window, want }) => {
    const state = createPolicyState()
    let current = 1
    const got: number[] = []
    for (let m = 0; m <= 5; m++) {
      const raw = m === 0 ? 10 : 2
      const l = window === undefined ? applyLimits(m * MIN, raw, current, base, state) : applyLimits(m * MIN, raw, current, base, state, window)
      got.push(l.desired)
      if (l.desired === 10 && m > 0) expect(l.note).toContain(`by the ${Math.round((window ?? 300_000) / 1000)} s scale-down window`)
      current = l.desired
    }
    expect(got).toEqual(want)
  })
})
