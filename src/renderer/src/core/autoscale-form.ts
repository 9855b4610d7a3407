/**
 * The autoscale controls of a service panel: the text in the fields to a setAutoscale request, with
 * the same limits the engine's schema applies (so most mistakes are explained before a round trip).
 */
import { autoscaleModes, type AutoscaleMode, type AutoscaleView } from '../../../shared/autoscale'

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

export type AutoscaleFormResult = { ok: true; settings: AutoscaleSettings } | { ok: false; error: string }

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
  if (!autoscaleModes.includes(form.mode)) return { ok: false, error: `Unknown mode "${form.mode}"` }
  const int = (text: string): number | null => {
    const v = Number(text.trim())
    return text.trim() !== '' && Number.isInteger(v) ? v : null
  }
  const min = int(form.minReplicas)
  const max = int(form.maxReplicas)
  const cap = Number(form.capacityRps.trim())
  if (min === null || min < 0 || min > maxAllowed) return { ok: false, error: `Min replicas must be a whole number 0–${maxAllowed}` }
  if (max === null || max < 1 || max > maxAllowed) return { ok: false, error: `Max replicas must be a whole number 1–${maxAllowed}` }
  if (min > max) return { ok: false, error: 'Min replicas must not exceed max replicas' }
  if (form.capacityRps.trim() === '' || !Number.isFinite(cap) || cap < 0.1) {
    return { ok: false, error: 'Capacity must be at least 0.1 req/s per replica' }
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
