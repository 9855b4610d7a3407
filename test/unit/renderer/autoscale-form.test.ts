import { describe, expect, it } from 'vitest'
import type { AutoscaleView } from '../../../src/shared/autoscale'
import { autoscaleFormOf, formDiffers, readAutoscaleForm } from '../../../src/renderer/src/core/autoscale-form'

const view: AutoscaleView = {
  mode: 'reactive',
  minReplicas: 1,
  maxReplicas: 5,
  capacityRps: 40,
  coldStartMs: 10_000,
  forecast: [],
  capacityLineRps: 80,
  lastDecision: null
}

describe('autoscale form', () => {
  it('starts from what the engine runs and reads back to the same settings', () => {
    const form = autoscaleFormOf(view)
    expect(readAutoscaleForm(form, 20)).toEqual({ ok: true, settings: { mode: 'reactive', minReplicas: 1, maxReplicas: 5, capacityRps: 40 } })
    expect(formDiffers(form, view)).toBe(false)
    expect(formDiffers({ ...form, capacityRps: '10' }, view)).toBe(true)
  })

  it.each([
    { desc: 'min above max', patch: { minReplicas: '6' }, error: /must not exceed/ },
    { desc: 'fractional min', patch: { minReplicas: '1.5' }, error: /Min replicas/ },
    { desc: 'max 0', patch: { maxReplicas: '0' }, error: /Max replicas/ },
    { desc: 'max above the limit', patch: { maxReplicas: '21' }, error: /Max replicas must be a whole number 1–20/ },
    { desc: 'capacity too small', patch: { capacityRps: '0.05' }, error: /Capacity/ },
    { desc: 'capacity empty', patch: { capacityRps: '' }, error: /Capacity/ }
  ])('rejects $desc', ({ patch, error }) => {
    const r = readAutoscaleForm({ ...autoscaleFormOf(view), ...patch }, 20)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(error)
  })

  it('accepts a fractional capacity', () => {
    const r = readAutoscaleForm({ ...autoscaleFormOf(view), mode: 'hybrid', capacityRps: '12.5' }, 20)
    expect(r.ok && r.settings).toEqual({ mode: 'hybrid', minReplicas: 1, maxReplicas: 5, capacityRps: 12.5 })
  })
})
