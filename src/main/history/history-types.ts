import type { DatabaseSync } from 'node:sqlite'

/** One backend's values for one engine tick. NaN or ±Infinity in a number field is stored as a gap. */
export interface BackendSampleRow {
  backendId: string
  service: string | null
  /** Display name (container name, host:port). Absent or null keeps the last one recorded. */
  name?: string | null
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

// The query and result shapes are part of the contract: defined once in src/shared/history.ts.
export type {
  HistoryMetric as Metric,
  HistoryResolution as Resolution,
  HistoryQueryRequest as HistoryQuery,
  HistorySeriesView as HistorySeries,
  HistoryResultView as HistoryResult,
  HistoryBackendView as BackendInRange,
  HistoryStatusView as HistoryStatus
} from '../../shared/history'
import { historyMetrics, type HistoryMetric } from '../../shared/history'

export const allMetrics: readonly HistoryMetric[] = historyMetrics

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
