import { describe, expect, it } from 'vitest'
import type { AutoscaleView } from '../../../src/shared/autoscale'
import { autoscaleFormOf, formDiffers, readAutoscaleForm } from '../../../src/renderer/src/core/autoscale-form'
import { commandSchemas } from '../../../src/shared/schemas'

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
    { desc: 'min above max', patch: { minReplicas: '6' }, field: 'minReplicas', error: /must not exceed/ },
    { desc: 'fractional min', patch: { minReplicas: '1.5' }, field: 'minReplicas', error: /Min replicas/ },
    { desc: 'max 0', patch: { maxReplicas: '0' }, field: 'maxReplicas', error: /Max replicas/ },
    { desc: 'max above the limit', patch: { maxReplicas: '21' }, field: 'maxReplicas', error: /Max replicas must be a whole number 1–20/ },
    { desc: 'capacity too small', patch: { capacityRps: '0.05' }, field: 'capacityRps', error: /^Capacity must be at least 0.1 req\/s per replica$/ },
    { desc: 'capacity empty', patch: { capacityRps: '' }, field: 'capacityRps', error: /Capacity/ },
    // The engine's limit, said plainly here instead of "setAutoscale: capacityRps: Too big: expected number to be <=1000000".
    { desc: 'capacity above the limit', patch: { capacityRps: '1000001' }, field: 'capacityRps', error: /^Capacity is at most 1000000 req\/s per replica$/ }
  ])('rejects $desc', ({ patch, field, error }) => {
    const r = readAutoscaleForm({ ...autoscaleFormOf(view), ...patch }, 20)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error).toMatch(error)
      expect(r.field).toBe(field)
    }
  })

  it('what the form accepts at the limits the engine accepts too', () => {
    for (const capacityRps of ['0.1', '1000000']) {
      const r = readAutoscaleForm({ ...autoscaleFormOf(view), capacityRps }, 20)
      expect(r.ok).toBe(true)
      if (r.ok) expect(commandSchemas.setAutoscale.safeParse({ service: 'demo', ...r.settings }).success).toBe(true)
    }
  })

  it('accepts a fractional capacity', () => {
    const r = readAutoscaleForm({ ...autoscaleFormOf(view), mode: 'hybrid', capacityRps: '12.5' }, 20)
    expect(r.ok && r.settings).toEqual({ mode: 'hybrid', minReplicas: 1, maxReplicas: 5, capacityRps: 12.5 })
  })
})
