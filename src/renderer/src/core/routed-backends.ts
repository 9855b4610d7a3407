/**
 * Which backends the proxy routes to, so the header and the Backends title count what actually
 * serves requests. The table still lists every backend: containers of a service the config does
 * not name (e.g. another Prescal's, on the same Docker engine) are shown and polled but never routed
 * to (the engine's applyMembership), so counting them made "3/3 healthy" while clients got 503s.
 */
import type { BackendView, ServiceView } from '../../../shared/types'

export interface BackendCounts {
  /** Static backends and containers of configured services: the proxy's pool. */
  routed: number
  /** Routed backends that are up and not ejected. */
  healthy: number
  /** Containers of services the config does not name: listed, never sent a request. */
  notRouted: number
  /** Whether the count deserves attention: a routed backend is unhealthy, or only unrouted ones exist. */
  warn: boolean
}

/** Whether the proxy sends requests to `backend` (it may still be down, ejected or draining). */
export function isRouted(backend: Pick<BackendView, 'source' | 'service'>, serviceNames: ReadonlySet<string>): boolean {
  return backend.source === 'static' || (backend.service !== null && serviceNames.has(backend.service))
}

export function countBackends(
  backends: readonly Pick<BackendView, 'source' | 'service' | 'health' | 'ejected'>[],
  services: readonly Pick<ServiceView, 'name'>[]
): BackendCounts {
  const names = new Set(services.map((s) => s.name))
  let routed = 0
  let healthy = 0
  for (const b of backends) {
    if (!isRouted(b, names)) continue
    routed++
    if (b.health === 'up' && b.ejected === null) healthy++
  }
  const notRouted = backends.length - routed
  return { routed, healthy, notRouted, warn: healthy < routed || (routed === 0 && notRouted > 0) }
}

/** The Backends section title: "3 total · 2 healthy", or "1 routed · 1 healthy · 3 of other services (not routed)". */
export function backendsMeta(counts: BackendCounts): string {
  if (counts.routed + counts.notRouted === 0) return 'none'
  if (counts.notRouted === 0) return `${counts.routed} total · ${counts.healthy} healthy`
  return `${counts.routed} routed · ${counts.healthy} healthy · ${counts.notRouted} of other services (not routed)`
}
