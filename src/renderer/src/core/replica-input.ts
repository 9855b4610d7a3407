/**
 * The replica box of a service panel: what it shows, what the user typed means, and when Scale
 * must ask first. Nothing typed is silently changed: a value outside 0..max is an error shown
 * next to the box, never clamped into a different scale.
 */
import type { ServiceView } from '../../../shared/types'
import type { ScaleAction } from './service-status'

export type ReplicaInput = { ok: true; value: number } | { ok: false; error: string }

/** "0–20": the range the box accepts, shown next to it. */
export function replicaRange(max: number): string {
  return `0–${max}`
}

/** Reads the box's text as a replica count for a service that may run at most `max`. */
export function readReplicaInput(text: string, max: number): ReplicaInput {
  const t = text.trim()
  if (t === '') return { ok: false, error: `Enter how many replicas to run (${replicaRange(max)}).` }
  if (/^-0*[1-9]\d*$/.test(t)) return { ok: false, error: `Replicas cannot be negative (${replicaRange(max)}).` }
  // Digits only: Number() would also take 1e1, 0x10 or 5.0, which nobody means as a count.
  if (!/^\d+$/.test(t)) return { ok: false, error: `Replicas are a whole number (${replicaRange(max)}).` }
  const v = Number(t)
  if (v > max) return { ok: false, error: `At most ${max} replicas: this service's maxReplicas in the config.` }
  return { ok: true, value: v }
}

/**
 * What the box shows when the user is not editing it: the target of a scale this window is
 * running (the snapshot may still carry the old count for a tick), else the engine's desired count.
 */
export function replicaBoxValue(service: Pick<ServiceView, 'desired'>, action: ScaleAction | undefined): number {
  return action?.status === 'running' ? action.replicas : service.desired
}

/** Scaling to zero removes every replica: like Remove, it asks first (unless there is none to remove). */
export function scaleNeedsConfirm(target: number, service: Pick<ServiceView, 'running' | 'desired'>): boolean {
  return target === 0 && (service.running > 0 || service.desired > 0)
}
