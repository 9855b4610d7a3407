import type { HistoryResult, Metric } from './history-types'

/**
 * CSV layout of an export: `time_ms,time_iso,backend_id,backend_name,service,<metrics...>`, one
 * row per grid
 * timestamp and backend that has at least one value there (all-gap rows are left out; a gap inside
 * a row is an empty cell, never 0). RFC 4180 quoting; a text cell that a spreadsheet would run as
 * a formula (starting with = + - @) is prefixed with a quote.
 */

/** What a row says about its backend besides the id; null is an empty cell. */
export interface CsvBackendLabels {
  /** Container name or host:port, as last recorded (empty for backends recorded before names were). */
  name: string | null
  service: string | null
}

export function csvHeader(metrics: readonly Metric[]): string {
  return ['time_ms', 'time_iso', 'backend_id', 'backend_name', 'service', ...metrics].join(',') + '\r\n'
}

export function csvText(s: string | null): string {
  if (s === null) return ''
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** Yields CSV rows (each ending in CRLF) for a query result, time-major then backend order. */
export function* csvRows(
  result: HistoryResult,
  metrics: readonly Metric[],
  labelsOf: (backendId: string) => CsvBackendLabels
): Generator<string> {
  // series are grouped per backend in `metrics` order; index them once.
  const byBackend = new Map<string, (number | null)[][]>()
  for (const s of result.series) {
    let cols = byBackend.get(s.backendId)
    if (cols === undefined) {
      cols = metrics.map(() => [])
      byBackend.set(s.backendId, cols)
    }
    cols[metrics.indexOf(s.metric)] = s.v
  }
  const t = result.series[0]?.t ?? []
  const backends = [...byBackend.entries()].map(([id, cols]) => {
    const labels = labelsOf(id)
    return { prefix: `${csvText(id)},${csvText(labels.name)},${csvText(labels.service)}`, cols }
  })
  for (let i = 0; i < t.length; i++) {
    const ti = t[i] as number
    const time = `${ti},${new Date(ti).toISOString()}`
    for (const b of backends) {
      let any = false
      const cells = b.cols.map((c) => {
        const v = c[i]
        if (v === null || v === undefined) return ''
        any = true
        return String(v)
      })
      if (any) yield `${time},${b.prefix},${cells.join(',')}\r\n`
    }
  }
}
