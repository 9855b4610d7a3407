/**
 * The autoscale controls of a service panel: the text in the fields to a setAutoscale request, with
 * the same limits the engine's schema applies (src/shared/schemas.ts setAutoscale), so a mistake is
 * explained next to its field, in plain words, before a round trip.
 */
import { autoscaleModes, CAPACITY_LIMITS, type AutoscaleMode, type AutoscaleView } from '../../../shared/autoscale'

export interface AutoscaleForm {
  mode: AutoscaleMode
  minReplicas: string
  maxReplicas: string
  capacityRps: string
}

export interface AutoscaleSettings {
  mode: AutoscaleMode
  minReplicas: number
  maxReplicas: number
  capacityRps: number
}


/** `field`: the one the error is about, to mark it. */
export type AutoscaleFormResult = { ok: true; settings: AutoscaleSettings } | { ok: false; error: string; field: keyof AutoscaleForm }

export function autoscaleFormOf(view: AutoscaleView): AutoscaleForm {
  return {
    mode: view.mode,
    minReplicas: String(view.minReplicas),
    maxReplicas: String(view.maxReplicas),
    capacityRps: String(view.capacityRps)
  }
}

/** `maxAllowed`: the service's replica limit (its maxReplicas in the config). */
export function readAutoscaleForm(form: AutoscaleForm, maxAllowed: number): AutoscaleFormResult {
  const fail = (field: keyof AutoscaleForm, error: string): AutoscaleFormResult => ({ ok: false, error, field })
  if (!autoscaleModes.includes(form.mode)) return fail('mode', `Unknown mode "${form.mode}"`)
  const int = (text: string): number | null => {
    const v = Number(text.trim())
    return text.trim() !== '' && Number.isInteger(v) ? v : null
  }
  const min = int(form.minReplicas)
  const max = int(form.maxReplicas)
  const cap = Number(form.capacityRps.trim())
  if (min === null || min < 0 || min > maxAllowed) return fail('minReplicas', `Min replicas must be a whole number 0–${maxAllowed}`)
  if (max === null || max < 1 || max > maxAllowed) return fail('maxReplicas', `Max replicas must be a whole number 1–${maxAllowed}`)
  if (min > max) return fail('minReplicas', 'Min replicas must not exceed max replicas')
  if (form.capacityRps.trim() === '' || !Number.isFinite(cap) || cap < CAPACITY_LIMITS.min) {
    return fail('capacityRps', `Capacity must be at least ${CAPACITY_LIMITS.min} req/s per replica`)
  }
  if (cap > CAPACITY_LIMITS.max) {
    return fail('capacityRps', `Capacity is at most ${CAPACITY_LIMITS.max} req/s per replica`)
  }
  return { ok: true, settings: { mode: form.mode, minReplicas: min, maxReplicas: max, capacityRps: cap } }
}

/** Whether the form differs from what the engine runs. */
export function formDiffers(form: AutoscaleForm, view: AutoscaleView): boolean {
  const a = autoscaleFormOf(view)
  return (
    form.mode !== a.mode ||
    Number(form.minReplicas) !== view.minReplicas ||
    Number(form.maxReplicas) !== view.maxReplicas ||
    Number(form.capacityRps) !== view.capacityRps
  )
}
