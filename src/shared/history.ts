/**
 * Contract types of the metrics history (see src/main/history). Structurally the same as the
 * store's own types, so the store's results cross the bridge unchanged.
 */

export const historyMetrics = [
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
] as const

export type HistoryMetric = (typeof historyMetrics)[number]

export type HistoryResolution = 'raw' | '1m' | '1h'

export interface HistoryQueryRequest {
  from: number
  to: number
  backends?: string[]
  service?: string
  metrics: HistoryMetric[]
  maxPoints: number
}

/**
 * One series on the result's shared time grid (`t` is the same for every series of a result, so
 * uPlot can use it as the x axis). A gap is null in `v`, `min` and `max`, never 0.
 * Per point: rps, inFlight, cpuPercent, memoryBytes are bucket averages; p50/p95/p99 the bucket
 * maximum; s2xx/s4xx/s5xx the responses within the bucket (so they grow with `stepMs`); `up` the
 * fraction of ticks the backend was up (0..1). `min`/`max` are the extremes within the bucket, so
 * peaks survive downsampling.
 */
export interface HistorySeriesView {
  backendId: string
  metric: HistoryMetric
  t: number[]
  v: (number | null)[]
  min: (number | null)[]
  max: (number | null)[]
}

export interface HistoryResultView {
  resolution: HistoryResolution
  stepMs: number
  series: HistorySeriesView[]
}

export interface HistoryEventView {
  at: number
  kind: string
  level: string
  message: string
  backendId?: string
  service?: string
}

export interface HistoryBackendView {
  backendId: string
  /**
   * Its display name (container name, host:port) as last recorded, so a backend long gone keeps
   * its name; null when history has none (recorded before names were stored).
   */
  name: string | null
  service: string | null
}

export interface HistoryStatusView {
  ok: boolean
  /** What went wrong and what to do; null when ok. */
  message: string | null
  path: string
}

export interface CsvExport {
  filename: string
  csv: string
  rows: number
  /** True when the range had more rows than one export carries; narrow the range. */
  truncated: boolean
}
