/**
 * Why a backend value is unavailable: the tooltip behind every "—" in the backend table, so a
 * missing number explains itself instead of looking like a zero or a bug.
 */
import type { BackendView } from '../../../shared/types'

export type OptionalField = 'address' | 'latency' | 'cpu' | 'memory'

/** Returns null when the field has a value. */
export function unavailableReason(field: OptionalField, b: BackendView): string | null {
  switch (field) {
    case 'address':
      if (b.address !== null) return null
      return b.containerState === 'running'
        ? 'The container publishes no port for the service; the proxy cannot reach it.'
        : 'No address: the container is not running, so it publishes no port.'
    case 'latency':
      if (b.latencyMs.p50 !== null) return null
      return 'No requests completed through the proxy for this backend in the last second.'
    case 'cpu':
      if (b.cpuPercent !== null) return null
      return metricsGap(b, 'CPU')
    case 'memory':
      if (b.memoryBytes !== null) return null
      return metricsGap(b, 'Memory')
  }
}

function metricsGap(b: BackendView, what: string): string {
  if (b.source === 'container' && b.containerState !== null && b.containerState !== 'running') {
    return `${what} unavailable: the container is ${b.containerState}.`
  }
  if (b.health === 'down') return `${what} unavailable: the backend is down${b.healthReason ? ` (${b.healthReason})` : ''}.`
  if (b.metricsSource === 'none') {
    return `${what} unavailable: the backend has no usable /metrics and no Docker stats.`
  }
  if (what === 'CPU') return 'CPU needs two samples (or the process restarted and its counter reset); wait a second.'
  return `${what} not reported yet; wait for the next sample.`
}
