/**
 * Pure mapping from Docker Engine API shapes (as listed, inspected, streamed) to the fleet's own
 * types. Structural input types keep this free of dockerode so it is tested with plain tables.
 */
import type { ContainerState } from '../../shared/types'
import { LABEL_HOST_PORT, LABEL_INSTANCE, LABEL_PORT, LABEL_SERVICE, type FleetContainer } from './fleet-types'

/** An entry of GET /containers/json. */
export interface ListedContainer {
  Id: string
  Names?: string[]
  Image: string
  State?: string
  Labels?: Record<string, string> | null
  Ports?: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> | null
  /** Seconds since the epoch. */
  Created: number
}

/** The parts of GET /containers/{id}/json the fleet reads. */
export interface InspectedContainer {
  Id: string
  Name: string
  Created: string
  State?: { Status?: string } | null
  Config?: { Image?: string; Labels?: Record<string, string> | null } | null
  NetworkSettings?: {
    Ports?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null
  } | null
}

const states: readonly ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']

/** Engine state string to ContainerState. Unknown or missing states are 'dead': never routable. */
export function toContainerState(state: string | undefined | null): ContainerState {
  const s = (state ?? '').toLowerCase()
  return (states as readonly string[]).includes(s) ? (s as ContainerState) : 'dead'
}

function parsePort(value: string | undefined | null): number | null {
  if (value === undefined || value === null || !/^\d{1,5}$/.test(value.trim())) return null
  const n = Number(value)
  return n >= 1 && n <= 65535 ? n : null
}

/** Loopback first, then wildcard binds (reachable on loopback too); IPv6-only binds are skipped. */
function bindRank(ip: string | undefined): number {
  if (ip === '127.0.0.1') return 0
  if (ip === '0.0.0.0' || ip === '' || ip === undefined) return 1
  return 2
}

function pickHostPort(binds: Array<{ ip: string | undefined; port: number | null }>): number | null {
  const usable = binds.filter((b) => b.port !== null && bindRank(b.ip) < 2)
  usable.sort((a, b) => bindRank(a.ip) - bindRank(b.ip))
  return usable[0]?.port ?? null
}

/** A listed container to FleetContainer; null when it has no prescal.service label. */
export function toFleetContainer(c: ListedContainer): FleetContainer | null {
  const labels = c.Labels ?? {}
  const service = labels[LABEL_SERVICE]
  if (!service) return null
  const ports = c.Ports ?? []
  const containerPort =
    parsePort(labels[LABEL_PORT]) ?? ports.find((p) => p.Type === 'tcp')?.PrivatePort ?? 0
  const state = toContainerState(c.State)
  const hostPort =
    state === 'running' && containerPort > 0
      ? pickHostPort(
          ports
            .filter((p) => p.Type === 'tcp' && p.PrivatePort === containerPort)
            .map((p) => ({ ip: p.IP, port: p.PublicPort ?? null }))
        )
      : null
  const name = (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '')
  return {
    id: c.Id,
    shortId: c.Id.slice(0, 12),
    name,
    service,
    image: c.Image,
    state,
    hostPort,
    containerPort,
    createdAt: c.Created * 1000,
    instance: labels[LABEL_INSTANCE] || null
  }
}

/** An inspected container to FleetContainer; null when it has no prescal.service label. */
export function fromInspect(i: InspectedContainer): FleetContainer | null {
  const labels = i.Config?.Labels ?? {}
  const service = labels[LABEL_SERVICE]
  if (!service) return null
  const portMap = i.NetworkSettings?.Ports ?? {}
  const tcpKeys = Object.keys(portMap).filter((k) => k.endsWith('/tcp'))
  const containerPort = parsePort(labels[LABEL_PORT]) ?? parsePort(tcpKeys[0]?.split('/')[0]) ?? 0
  const state = toContainerState(i.State?.Status)
  const binds = portMap[`${containerPort}/tcp`] ?? []
  const hostPort =
    state === 'running' ? pickHostPort(binds.map((b) => ({ ip: b.HostIp, port: parsePort(b.HostPort) }))) : null
  const created = Date.parse(i.Created)
  return {
    id: i.Id,
    shortId: i.Id.slice(0, 12),
    name: i.Name.replace(/^\//, ''),
    service,
    image: i.Config?.Image ?? '',
    state,
    hostPort,
    containerPort,
    createdAt: Number.isFinite(created) ? created : 0,
    instance: labels[LABEL_INSTANCE] || null
  }
}

/** Stable order for the cached list: oldest first, then by name. */
export function sortContainers(list: FleetContainer[]): FleetContainer[] {
  return [...list].sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name))
}

/**
 * Host ports the engine holds: every published port of every container, plus the port a stopped
 * Prescal replica was created with (it gets it back when restarted).
 */
export function hostPortsInUse(list: ListedContainer[]): Set<number> {
  const used = new Set<number>()
  for (const c of list) {
    for (const p of c.Ports ?? []) if (p.PublicPort) used.add(p.PublicPort)
    const reserved = parsePort(c.Labels?.[LABEL_HOST_PORT])
    if (reserved !== null) used.add(reserved)
  }
  return used
}

export type ContainerEventKind = 'started' | 'stopped' | 'removed'

/** Engine event actions that change what a re-list returns. exec_* (health checks) etc. do not. */
const relistActions = new Set(['create', 'start', 'die', 'destroy', 'pause', 'unpause', 'rename', 'update', 'restart'])

/** What the list must show once it reflects an event: the container running, not running, gone, or paused. */
export type ListExpectation = 'running' | 'stopped' | 'removed' | 'paused'

/**
 * What an engine event means to the fleet: whether to re-list, which container event (if any) to
 * report, and what the list must show after it. `die` (not `stop`) is the stopped signal: it
 * fires for crashes too, and once per stop. `pause` / `unpause` are reported to no one, but the
 * list must catch up with them too (a paused replica is out of the pool until it shows running).
 */
export function classifyEvent(action: string | undefined): {
  relist: boolean
  kind: ContainerEventKind | null
  expect: ListExpectation | null
} {
  const a = (action ?? '').split(':')[0] ?? ''
  const kind: ContainerEventKind | null =
    a === 'start' ? 'started' : a === 'die' ? 'stopped' : a === 'destroy' ? 'removed' : null
  const expect: ListExpectation | null =
    a === 'start' || a === 'unpause'
      ? 'running'
      : a === 'die'
        ? 'stopped'
        : a === 'destroy'
          ? 'removed'
          : a === 'pause'
            ? 'paused'
            : null
  return { relist: relistActions.has(a), kind, expect }
}

/** Whether the cached entry (undefined = not listed) already reflects an event. */
export function listAgreesWith(expect: ListExpectation, c: { state: ContainerState } | undefined): boolean {
  if (expect === 'removed') return c === undefined
  if (c === undefined) return true
  if (expect === 'stopped') return c.state !== 'running'
  return c.state === expect
}

/** The parts of a one-shot stats answer the fleet reads (cgroup v1 and v2 field names). */
export interface StatsSample {
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null }
    system_cpu_usage?: number
    online_cpus?: number
  }
  precpu_stats?: {
    cpu_usage?: { total_usage?: number }
    system_cpu_usage?: number
  }
  memory_stats?: {
    usage?: number
    stats?: Record<string, number | undefined>
  }
}

/**
 * CPU% with one core = 100, as `docker stats` computes it: container CPU delta over host CPU
 * delta, times online CPUs. Null when the engine had no previous sample (e.g. just started).
 */
export function cpuPercentFromStats(s: StatsSample): number | null {
  const cur = s.cpu_stats
  const pre = s.precpu_stats
  const total = cur?.cpu_usage?.total_usage
  const preTotal = pre?.cpu_usage?.total_usage
  const system = cur?.system_cpu_usage
  const preSystem = pre?.system_cpu_usage
  if (total === undefined || preTotal === undefined || system === undefined || preSystem === undefined) return null
  const cpuDelta = total - preTotal
  const systemDelta = system - preSystem
  if (systemDelta <= 0 || cpuDelta < 0) return null
  const cpus = cur?.online_cpus || cur?.cpu_usage?.percpu_usage?.length || 1
  return (cpuDelta / systemDelta) * cpus * 100
}

/**
 * Memory in use minus page cache, as `docker stats` shows it (inactive file pages for cgroup v1
 * `total_inactive_file` / v2 `inactive_file`, else `cache`). Null without a usage figure.
 */
export function memoryBytesFromStats(s: StatsSample): number | null {
  const usage = s.memory_stats?.usage
  if (usage === undefined) return null
  const st = s.memory_stats?.stats ?? {}
  const cache = st['total_inactive_file'] ?? st['inactive_file'] ?? st['cache'] ?? 0
  return Math.max(0, usage - (cache < usage ? cache : 0))
}
