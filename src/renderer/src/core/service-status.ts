/**
 * What a service panel says about its state, from three sources that each know part of it: the
 * snapshot (phase, "2/3 ready"), the scale call this window made (running / resolved / failed) and
 * the latest scale.* event for the service.
 */
import type { EngineEvent, ServiceView } from '../../../shared/types'
import type { ErrorInfo } from './error-info'

/** The scale call this window made for a service, as the actions store tracks it. */
export type ScaleAction =
  | { status: 'running'; replicas: number; startedAt: number }
  | { status: 'done'; replicas: number; ready: number; tookMs: number }
  | { status: 'failed'; replicas: number; error: ErrorInfo }

export type StatusTone = 'ok' | 'busy' | 'warn' | 'error' | 'idle'

export interface ServiceStatus {
  tone: StatusTone
  /** Always "ready/desired ready", e.g. "2/3 ready". */
  label: string
  /** Progress, result or failure text; null when there is nothing to add. */
  detail: string | null
  /** Error code when `detail` describes a failed call. */
  code: string | null
  busy: boolean
}

/**
 * `imageMissing`: the last scale failed for want of the image (by its IMAGE_MISSING code). The
 * engine's message then offers "Build demo image" whatever the image; the panel shows the fix that
 * fits below (image-build-control.tsx), so the failure says only what is missing.
 */
export function describeService(
  service: ServiceView,
  action: ScaleAction | undefined,
  lastScaleEvent: EngineEvent | undefined,
  imageMissing = false
): ServiceStatus {
  const label = `${service.ready}/${service.desired} ready`
  const busy = action?.status === 'running' || service.phase === 'scaling'
  const missing: ServiceStatus = { tone: 'error', label, detail: `Image ${service.image} not found`, code: 'IMAGE_MISSING', busy }
  if (action?.status === 'failed') {
    if (imageMissing && action.error.code === 'IMAGE_MISSING') return missing
    return { tone: 'error', label, detail: action.error.message, code: action.error.code, busy }
  }
  if (busy) {
    const target = action?.status === 'running' ? action.replicas : service.desired
    const detail = service.message ?? lastScaleEvent?.message ?? `Scaling to ${target}…`
    return { tone: 'busy', label, detail, code: null, busy }
  }
  if (service.phase === 'failed') {
    if (imageMissing) return missing
    return { tone: 'error', label, detail: service.message ?? 'The last scale operation failed.', code: null, busy }
  }
  if (action?.status === 'done') {
    const detail = `Scaled to ${action.replicas} (${action.ready} ready)`
    return { tone: action.ready >= action.replicas ? 'ok' : 'warn', label, detail, code: null, busy }
  }
  if (service.desired === 0) return { tone: 'idle', label, detail: 'Scaled to zero', code: null, busy }
  if (service.ready < service.desired) {
    return { tone: 'warn', label, detail: service.message, code: null, busy }
  }
  return { tone: 'ok', label, detail: service.message, code: null, busy }
}

/** Clamps what the user typed into the replica stepper to the range the engine accepts. */
export function clampReplicas(value: number, max: number): number {
  if (!Number.isFinite(value)) return 0
  return Math.min(max, Math.max(0, Math.round(value)))
}
