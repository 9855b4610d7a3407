import { PrescalError } from '../../shared/errors'
import type { HistoryQuery, HistorySeries, Metric } from './history-types'
import { allMetrics } from './history-types'
import { levels } from './series-buffer'
import { aggFieldFor } from './series-columns'

/**
 * Pure query planning: which stored resolution to read, and the time grid the result is
 * downsampled onto.
 */

export interface QueryPlan {
  /** Index into `levels`. */
  level: number
  /** Grid step: the level's step times the downsampling factor. */
  stepMs: number
  /** First grid bucket start (a multiple of stepMs, so panning keeps buckets stable). */
  start: number
  /** Number of grid points (≤ maxPoints). */
  count: number
}

const MAX_POINTS = 1_000_000

/** Throws INVALID_ARGUMENT for a malformed query (the bridge validates too; this guards main). */
export function validateQuery(q: HistoryQuery): void {
  const bad = (m: string): never => {
    throw new PrescalError('INVALID_ARGUMENT', `history query: ${m}`)
  }
  if (!Number.isFinite(q.from) || !Number.isFinite(q.to)) bad('from and to must be finite times')
  if (q.to < q.from) bad('to must not be before from')
  if (!Number.isInteger(q.maxPoints) || q.maxPoints < 1 || q.maxPoints > MAX_POINTS) {
    bad(`maxPoints must be an integer in 1..${MAX_POINTS}`)
  }
  if (q.metrics.length === 0) bad('at least one metric is needed')
  for (const m of q.metrics) if (!allMetrics.includes(m)) bad(`unknown metric ${String(m)}`)
}

/**
 * Picks the coarsest level that still yields at least maxPoints/2 points over the range, among the
 * levels whose retention still covers `from` (relative to `latest`, the newest tick); when none
 * yields that many, the finest level that covers the range; when none covers it, the coarsest.
 */
export function chooseLevel(
  from: number,
  to: number,
  maxPoints: number,
  latest: number,
  retentionMs: readonly number[]
): number {
  const span = to - from
  const covering: number[] = []
  for (let l = 0; l < levels.length; l++) {
    const keep = retentionMs[l] ?? Infinity
    if (from >= latest - keep) covering.push(l)
  }
  if (covering.length === 0) return levels.length - 1
  for (let i = covering.length - 1; i >= 0; i--) {
    const l = covering[i] as number
    if (span / (levels[l] as (typeof levels)[number]).stepMs >= maxPoints / 2) return l
  }
  return covering[0] as number
}

export function planQuery(q: HistoryQuery, latest: number, retentionMs: readonly number[]): QueryPlan {
  const level = chooseLevel(q.from, q.to, q.maxPoints, latest, retentionMs)
  const base = (levels[level] as (typeof levels)[number]).stepMs
  let factor = Math.max(1, Math.ceil((q.to - q.from + 1) / (base * q.maxPoints)))
  for (;;) {
    const step = base * factor
    const first = Math.floor(q.from / step)
    const count = Math.floor(q.to / step) - first + 1
    if (count <= q.maxPoints) return { level, stepMs: step, start: first * step, count }
    factor++
  }
}

/** The grid's timestamps (bucket starts). */
export function gridTimes(plan: QueryPlan): number[] {
  const t: number[] = new Array(plan.count)
  for (let i = 0; i < plan.count; i++) t[i] = plan.start + i * plan.stepMs
  return t
}

/**
 * Empty (all-gap) series for one backend and metric on the plan's grid. `t` may be shared between
 * the series of one result (they all have the same grid); treat it as read-only.
 */
export function emptySeries(backendId: string, metric: Metric, plan: QueryPlan, t = gridTimes(plan)): HistorySeries {
  return {
    backendId,
    metric,
    t,
    v: new Array(plan.count).fill(null),
    min: new Array(plan.count).fill(null),
    max: new Array(plan.count).fill(null)
  }
}

function orNull(v: number | undefined): number | null {
  return v === undefined || Number.isNaN(v) ? null : v
}

/** Writes grid point `i` of `series` from one aggregate point (see HistorySeries for meanings). */
export function fillPoint(series: HistorySeries, i: number, agg: readonly number[], f = aggFieldFor(series.metric)): void {
  const v = orNull(agg[f.cols[0] as number])
  series.v[i] = v
  if (v === null) return
  if (f.kind === 'avgMinMax') {
    series.min[i] = orNull(agg[f.cols[1] as number]) ?? v
    series.max[i] = orNull(agg[f.cols[2] as number]) ?? v
  } else if (series.metric === 'up') {
    series.min[i] = v < 1 ? 0 : 1
    series.max[i] = v > 0 ? 1 : 0
  } else {
    series.min[i] = v
    series.max[i] = v
  }
}
