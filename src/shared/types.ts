import type { HistoryStatusView } from './history'
import type { AutoscaleView, LoadStatsView } from './autoscale'
import type { BalancingName } from './balancing'

/**
 * The data the engine hands to every window: one Snapshot per tick (current values only, never
 * histories), plus a stream of EngineEvents. Times are milliseconds since the Unix epoch.
 */

export type Health = 'unknown' | 'up' | 'down'

/** Why a scrape failed; the dashboard shows it next to a backend that is down. */
export type FailureReason =
  | 'refused'
  | 'timeout'
  | 'bad_status'
  | 'parse_error'
  | 'body_too_large'
  | 'connection_error'

export type ContainerState =
  | 'created'
  | 'running'
  | 'paused'
  | 'restarting'
  | 'removing'
  | 'exited'
  | 'dead'

export type BackendSource = 'container' | 'static'

/** Where a backend's CPU and memory come from this tick. */
export type MetricsSource = 'prometheus' | 'docker' | 'none'

export interface LatencyQuantiles {
  p50: number | null
  p95: number | null
  p99: number | null
}

export interface StatusCounts {
  s2xx: number
  s3xx: number
  s4xx: number
  s5xx: number
}

export interface BackendView {
  /** Stable id: `c:<container id (12 hex)>` for containers, `s:<host:port>` for static backends. */
  id: string
  /** Container name, or host:port for static backends. */
  name: string
  /** host:port the proxy forwards to; null when a container publishes no port (e.g. stopped). */
  address: string | null
  source: BackendSource
  service: string | null
  containerId: string | null
  containerState: ContainerState | null
  health: Health
  /** Human-readable reason for the current health (e.g. "refused: connect ECONNREFUSED ..."). */
  healthReason: string | null
  failureReason: FailureReason | null
  ready: boolean
  draining: boolean
  /**
   * Why the proxy's passive health took it out of the pool (e.g. "2 consecutive failures (last:
   * timeout); ejected for 5 s"), null when it is not ejected. An ejected backend gets no traffic
   * until a probe re-admits it, whatever its health says.
   */
  ejected: string | null
  /** Requests the proxy completed for this backend in the last tick (1 s). */
  rps: number
  /** Status-class counts for the last tick. */
  lastTick: StatusCounts
  /** Status-class counts since the backend appeared. */
  totals: StatusCounts
  inFlight: number
  /** Latency over the last tick in milliseconds; null when there were no requests. */
  latencyMs: LatencyQuantiles
  /** One core = 100. Null when unknown (no sample yet, counter reset, no metrics). */
  cpuPercent: number | null
  memoryBytes: number | null
  metricsSource: MetricsSource
  /** What decides `health`: the metrics scrape, or the active health check the config sets. */
  healthSource: 'scrape' | 'check'
}

export type ScalePhase = 'idle' | 'scaling' | 'failed'

export interface ServiceView {
  name: string
  image: string
  containerPort: number
  /** Replicas the user (or autoscaler) asked for. */
  desired: number
  /** The most replicas this service may be scaled to (`services[].maxReplicas` in the config). */
  maxReplicas: number
  /** Containers of this service in state running. */
  running: number
  /** Running replicas that answer and are in the proxy pool. */
  ready: number
  phase: ScalePhase
  /** Progress or failure text while scaling, e.g. "2/3 ready". */
  message: string | null
  autoscale: AutoscaleView
  /** How the proxy spreads requests over this service's replicas. */
  balancing: BalancingName
}

export type DockerStatus = 'connecting' | 'connected' | 'unavailable'

export interface DockerView {
  status: DockerStatus
  /** What happened and what to do, when not connected. */
  message: string | null
  version: string | null
}

export interface ProxyView {
  /** http://host:port the proxy listens on; null when it could not listen. */
  url: string | null
  error: string | null
  rps: number
  /**
   * Requests per second answered with a 5xx that no backend was involved in: no backend eligible
   * (503), or over the connection limit. Demand the fleet did not serve; part of `rps`.
   */
  refusedRps: number
  inFlight: number
  totalRequests: number
  /** How the proxy spreads requests over the static backends (and services without their own). */
  balancing: BalancingName
}

export interface Snapshot {
  at: number
  proxy: ProxyView
  backends: BackendView[]
  services: ServiceView[]
  docker: DockerView
  /** Metrics history store; null when history is off. `ok: false` means writes are failing. */
  history: HistoryStatusView | null
  /** The built-in load generator (idle when not running). */
  load: LoadStatsView
}

export type EventKind =
  | 'backend.up'
  | 'backend.down'
  | 'backend.added'
  | 'backend.removed'
  | 'backend.counter_reset'
  | 'container.started'
  | 'container.stopped'
  | 'container.removed'
  | 'container.action_failed'
  | 'scale.requested'
  | 'scale.progress'
  | 'scale.completed'
  | 'scale.failed'
  /** Replicas stopped without being asked; the engine starts them again. */
  | 'service.restoring'
  /** The desired replica count followed what the user did by hand. */
  | 'service.desired_changed'
  /** A replica of one of our services was created by another Prescal (another config file). */
  | 'service.shared'
  | 'image.progress'
  | 'image.built'
  | 'image.failed'
  | 'docker.connected'
  | 'docker.unavailable'
  | 'proxy.error'
  | 'proxy.balancing'
  /** A dashboard change was written to, or could not be written to, the config file. */
  | 'config.saved'
  | 'config.save_failed'
  | 'history.failing'
  | 'autoscale.decision'
  | 'load.started'
  | 'load.stopped'
  | 'history.resumed'

export type EventLevel = 'info' | 'warn' | 'error'

export interface EngineEvent {
  /** Increases by one per event within a run. */
  seq: number
  at: number
  kind: EventKind
  level: EventLevel
  message: string
  backendId?: string
  service?: string
  containerId?: string
  /** Error code for failures (e.g. IMAGE_MISSING on scale.failed), so a window can offer the fix. */
  code?: string
}

/** One tick of one backend, as kept for the live charts (last minutes). */
export interface BackendPoint {
  id: string
  name: string
  rps: number
  cpuPercent: number | null
  memoryBytes: number | null
}

export interface SeriesTick {
  at: number
  points: BackendPoint[]
}

export interface ActionResult {
  ok: true
  message: string
}

export interface ScaleResult {
  service: string
  replicas: number
  ready: number
  tookMs: number
}

export interface ImageResult {
  image: string
  tookMs: number
}
