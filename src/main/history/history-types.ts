import type { DatabaseSync } from 'node:sqlite'

/** One backend's values for one engine tick. NaN or ±Infinity in a number field is stored as a gap. */
export interface BackendSampleRow {
  backendId: string
  service: string | null
  rps: number
  s2xx: number
  s3xx: number
  s4xx: number
  s5xx: number
  inFlight: number
  p50: number | null
  p95: number | null
  p99: number | null // ms
  cpuPercent: number | null
  memoryBytes: number | null
  up: boolean | null // null = unknown
}

/** Replica counts of one service for one tick; stored only when they change. */
export interface ServiceSampleRow {
  service: string
  desired: number
  running: number
  ready: number
}

export interface StoredEvent {
  at: number
  kind: string
  level: string
  message: string
  backendId?: string
  service?: string
}

export type Metric =
  | 'rps'
  | 'cpuPercent'
  | 'memoryBytes'
  | 'p50'
  | 'p95'
  | 'p99'
  | 's2xx'
  | 's4xx'
  | 's5xx'
  | 'inFlight'
  | 'up'

export const allMetrics: readonly Metric[] = [
  'rps',
  'cpuPercent',
  'memoryBytes',
  'p50',
  'p95',
  'p99',
  's2xx',
  's4xx',
  's5xx',
  'inFlight',
  'up'
]

export type Resolution = 'raw' | '1m' | '1h'

/**
 * A history query. `from`/`to` are inclusive epoch ms. Without `backends` and `service`, every
 * backend with data in the range is returned; `service` keeps backends whose last known service
 * matches; both together intersect.
 */
export interface HistoryQuery {
  from: number
  to: number
  backends?: string[]
  service?: string
  metrics: Metric[]
  maxPoints: number
}

/**
 * One series on the query's shared time grid (`t` is identical for every series of a result, so
 * uPlot can use it as the x axis). A gap is null in `v`, `min` and `max`, never 0.
 *
 * Values per point: rps, inFlight, cpuPercent, memoryBytes are averages over the point's bucket;
 * p50/p95/p99 are the maximum; s2xx/s4xx/s5xx are the number of responses within the bucket
 * (`stepMs`), so they grow with the step; `up` is the fraction of ticks the backend was up (0..1).
 * `min`/`max` are the extremes within the bucket (for rps/cpu/memory from the stored per-bucket
 * extremes, so peaks survive rollups); for the other metrics they equal `v`, except `up` where they
 * say whether it was ever down (min 0) or ever up (max 1).
 */
export interface HistorySeries {
  backendId: string
  metric: Metric
  t: number[]
  v: (number | null)[]
  min: (number | null)[]
  max: (number | null)[]
}

export interface HistoryResult {
  resolution: Resolution
  stepMs: number
  series: HistorySeries[]
}

export interface BackendInRange {
  backendId: string
  service: string | null
}

export interface HistoryStatus {
  /** False while writes are failing (they stay buffered in memory) or the file cannot be opened. */
  ok: boolean
  /** What went wrong and what to do; null when ok. */
  message: string | null
  path: string
}

/** Opens the SQLite file; a seam so tests can hand a read-only connection to the store. */
export type OpenDatabase = (path: string, readOnly: boolean) => DatabaseSync

export interface HistoryOptions {
  /** Keep 1 s data this long (default 48 h). */
  rawRetentionMs: number
  /** Keep 1 min rollups this long (default 30 days). */
  minuteRetentionMs: number
  /** Keep 1 h rollups this long (default 2 years). */
  hourRetentionMs: number
  /** Keep events this long (default 30 days). */
  eventRetentionMs: number
  /** At most this many rows deleted by retention per tick, so a backlog never stalls a tick. */
  retentionBatch: number
  /** While writes fail, retry (re-opening the file) at most this often, in `now()` time. */
  retryIntervalMs: number
  /** Bound on data kept in memory while writes fail; older pending writes are dropped past it. */
  maxPendingBytes: number
  /** At most this many pending writes go into one tick's transaction (catch-up stays smooth). */
  maxWritesPerTick: number
  /** Clock for retry pacing and as "now" before the first tick; rollups and retention use tick times. */
  now: () => number
  openDatabase: OpenDatabase
}
