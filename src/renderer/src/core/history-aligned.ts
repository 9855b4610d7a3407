/**
 * A history query result as uPlot data for one chart: x in seconds, one y array per visible
 * backend, and (when the grid step is coarser than the 1 s samples) each backend's max and min
 * arrays for the faint peak band. Gaps stay null, never 0.
 */
import type { HistoryMetric, HistoryResultView, HistorySeriesView } from '../../../shared/history'

/** The four metrics the History view charts. */
export type HistoryChartMetric = Extract<HistoryMetric, 'rps' | 'cpuPercent' | 'memoryBytes' | 'p95'>

export const HISTORY_CHART_METRICS: readonly HistoryChartMetric[] = ['rps', 'cpuPercent', 'memoryBytes', 'p95']

export interface HistoryAligned {
  /** Backend ids, in the order of the y arrays. */
  ids: string[]
  /**
   * [x (s), y per backend..., then when `bands`: max, min per backend (pairs, same order)].
   * The legend reads only the first ids.length y arrays.
   */
  data: [number[], ...(number | null)[][]]
  /** True when max/min arrays follow the y arrays. */
  bands: boolean
  /** Non-null y values over all visible backends (what the chart actually draws). */
  points: number
}

/** Samples are 1 s; a coarser step averages them, so the band shows the peaks the average hides. */
export function wantsBand(stepMs: number): boolean {
  return stepMs > 1000
}

/** Memory is charted in MB; everything else as stored. */
function scaleOf(metric: HistoryChartMetric): number {
  return metric === 'memoryBytes' ? 1 / 1_000_000 : 1
}

function scaled(values: readonly (number | null)[], k: number): (number | null)[] {
  if (k === 1) return values.map((v) => (v === null || !Number.isFinite(v) ? null : v))
  return values.map((v) => (v === null || !Number.isFinite(v) ? null : v * k))
}

/**
 * `visible(id)` filters backends (the per-backend toggles). Backends keep the result's order.
 * Returns empty data (x only) when no series of `metric` is in the result.
 */
export function historyAligned(
  result: HistoryResultView | null,
  metric: HistoryChartMetric,
  visible: (backendId: string) => boolean
): HistoryAligned {
  if (!result) return { ids: [], data: [[]], bands: false, points: 0 }
  const series = result.series.filter((s) => s.metric === metric && visible(s.backendId))
  const first: HistorySeriesView | undefined = result.series[0]
  const xs = (first?.t ?? []).map((ms) => ms / 1000)
  const k = scaleOf(metric)
  const bands = wantsBand(result.stepMs)
  const ys = series.map((s) => scaled(s.v, k))
  let points = 0
  for (const y of ys) for (const v of y) if (v !== null) points++
  const extra = bands ? series.flatMap((s) => [scaled(s.max, k), scaled(s.min, k)]) : []
  return { ids: series.map((s) => s.backendId), data: [xs, ...ys, ...extra], bands, points }
}

/** The newest non-null value, or null when the array has none. */
export function lastNonNull(ys: readonly (number | null)[]): number | null {
  for (let i = ys.length - 1; i >= 0; i--) {
    const v = ys[i]
    if (v !== null && v !== undefined) return v
  }
  return null
}
