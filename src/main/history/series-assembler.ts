import type { HistorySeries, Metric } from './history-types'
import { emptySeries, fillPoint, gridTimes, type QueryPlan } from './query-planner'
import { AggAccumulator } from './rollup-math'
import { aggFieldFor } from './series-columns'

/** A run of points in raw or aggregate column layout (NaN = gap), ascending in time. */
export interface PointBlock {
  agg: boolean
  t: readonly number[]
  cols: readonly ArrayLike<number>[]
}

/**
 * Downsamples one backend's blocks onto the plan's grid: each grid bucket folds every point that
 * falls in it (averages, min/max, sums, max latency: the same fold as stored rollups), so a peak
 * inside a bucket shows in `max` however far the chart zooms out. A bucket with no point stays
 * null. Blocks must be in ascending time order and must not overlap (the store dedupes).
 */
export function assembleSeries(
  backendId: string,
  metrics: readonly Metric[],
  plan: QueryPlan,
  blocks: Iterable<PointBlock>,
  t = gridTimes(plan)
): HistorySeries[] {
  const series = metrics.map((m) => emptySeries(backendId, m, plan, t))
  const fields = metrics.map(aggFieldFor)
  const end = plan.start + plan.count * plan.stepMs
  const acc = new AggAccumulator()
  const scratch: number[] = []
  let bucket = -1
  const emit = (): void => {
    if (bucket < 0 || acc.empty) return
    const agg = acc.result(scratch)
    for (let m = 0; m < series.length; m++) fillPoint(series[m] as HistorySeries, bucket, agg, fields[m])
  }
  for (const b of blocks) {
    for (let i = 0; i < b.t.length; i++) {
      const t = b.t[i] as number
      if (t < plan.start || t >= end) continue
      const k = Math.floor((t - plan.start) / plan.stepMs)
      if (k !== bucket) {
        emit()
        acc.reset()
        bucket = k
      }
      if (b.agg) acc.addAgg(b.cols, i)
      else acc.addRaw(b.cols, i)
    }
  }
  emit()
  return series
}
