/**
 * The engine's list of backends: static ones from the config and one per container labelled
 * `prescal.service`. Like Traefik's provider, it is rebuilt from a full container list on every
 * change rather than patched; this file does no I/O.
 */
import type { HealthCheckConfig, StaticBackendConfig, ServiceConfig } from '../config/config-schema'
import { parseHostPort } from '../config/config-schema'
import type { FleetContainer } from '../fleet/docker-fleet'
import type { BackendSource, ContainerState, StatusCounts } from '../../shared/types'

export interface BackendRecord {
  id: string
  name: string
  source: BackendSource
  service: string | null
  containerId: string | null
  host: string | null
  port: number | null
  metricsPath: string
  weight: number
  /** Active health check from the config; null: the metrics scrape is the health check. */
  healthCheck: HealthCheckConfig | null
  containerState: ContainerState | null
  /** Answered at least once since it (re)started: only then may the proxy use it. */
  ready: boolean
  draining: boolean
  totals: StatusCounts
  dockerStats: { cpuPercent: number | null; memoryBytes: number | null } | null
}

export interface RegistryChange {
  added: BackendRecord[]
  removed: BackendRecord[]
}

const zeroCounts = (): StatusCounts => ({ s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0 })

export const containerBackendId = (shortId: string): string => `c:${shortId}`
export const staticBackendId = (address: string): string => `s:${address}`

export class BackendRegistry {
  private readonly records = new Map<string, BackendRecord>()

  constructor(statics: readonly StaticBackendConfig[]) {
    for (const s of statics) {
      const { host, port } = parseHostPort(s.address)
      const id = staticBackendId(s.address)
      this.records.set(id, {
        id,
        name: s.address,
        source: 'static',
        service: null,
        containerId: null,
        host,
        port,
        metricsPath: s.metricsPath,
        weight: s.weight,
        healthCheck: ('healthCheck' in s ? s.healthCheck : undefined) ?? null,
        containerState: null,
        ready: false,
        draining: false,
        totals: zeroCounts(),
        dockerStats: null
      })
    }
  }

  all(): BackendRecord[] {
    return [...this.records.values()]
  }

  get(id: string): BackendRecord | undefined {
    return this.records.get(id)
  }

  byContainer(containerId: string): BackendRecord | undefined {
    for (const r of this.records.values()) {
      if (r.containerId && (r.containerId === containerId || r.containerId.startsWith(containerId))) return r
    }
    return undefined
  }

  /** Whether the proxy and poller should know this backend: it has an address and, if a container, runs. */
  isActive(r: BackendRecord): boolean {
    return r.host !== null && r.port !== null && (r.source === 'static' || r.containerState === 'running')
  }

  /** Replaces the container backends with `containers`; returns what appeared and disappeared. */
  syncContainers(containers: readonly FleetContainer[], services: readonly ServiceConfig[]): RegistryChange {
    const change: RegistryChange = { added: [], removed: [] }
    const seen = new Set<string>()
    for (const c of containers) {
      const id = containerBackendId(c.shortId)
      seen.add(id)
      const running = c.state === 'running' && c.hostPort !== null
      const existing = this.records.get(id)
      if (existing) {
        const moved = existing.port !== c.hostPort
        if (!running || moved) {
          existing.ready = false
          existing.draining = false
        }
        existing.containerState = c.state
        existing.port = running ? c.hostPort : null
        existing.host = running ? '127.0.0.1' : null
        continue
      }
      const service = services.find((s) => s.name === c.service)
      const record: BackendRecord = {
        id,
        name: c.name,
        source: 'container',
        service: c.service,
        containerId: c.id,
        host: running ? '127.0.0.1' : null,
        port: running ? c.hostPort : null,
        metricsPath: service?.metricsPath ?? '/metrics',
        weight: service?.weight ?? 1,
        healthCheck: service?.healthCheck ?? null,
        containerState: c.state,
        ready: false,
        draining: false,
        totals: zeroCounts(),
        dockerStats: null
      }
      this.records.set(id, record)
      change.added.push(record)
    }
    for (const [id, r] of this.records) {
      if (r.source === 'container' && !seen.has(id)) {
        this.records.delete(id)
        change.removed.push(r)
      }
    }
    return change
  }
}
