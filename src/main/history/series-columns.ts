import type { ColumnSpec } from './chunk-codec'
import type { BackendSampleRow, Metric } from './history-types'

/**
 * Column layouts of the two chunk kinds: raw (one point per tick) and aggregate (one point per
 * 1 min or 1 h bucket). Their order is part of the on-disk format: append new columns at the end
 * (decoders fill missing trailing columns with gaps), never reorder.
 */

const HUNDREDTHS = 100
const KIB = 1 / 1024

export const rawColumns: readonly ColumnSpec[] = [
  { name: 'rps', scale: HUNDREDTHS },
  { name: 's2xx', scale: 1 },
  { name: 's3xx', scale: 1 },
  { name: 's4xx', scale: 1 },
  { name: 's5xx', scale: 1 },
  { name: 'inFlight', scale: HUNDREDTHS },
  { name: 'p50', scale: HUNDREDTHS },
  { name: 'p95', scale: HUNDREDTHS },
  { name: 'p99', scale: HUNDREDTHS },
  { name: 'cpuPercent', scale: HUNDREDTHS },
  { name: 'memoryBytes', scale: KIB },
  { name: 'up', scale: 1 }
]

/** How a raw field is summarised into a bucket; `cols` are its indices in the aggregate layout. */
export type AggKind = 'avgMinMax' | 'avg' | 'sum' | 'max'

export interface AggField {
  name: string
  raw: number
  kind: AggKind
  /** avgMinMax: [avg, min, max, count]; avg: [avg, count]; sum/max: [value]. */
  cols: readonly number[]
}

export const aggFields: readonly AggField[] = [
  { name: 'rps', raw: 0, kind: 'avgMinMax', cols: [0, 1, 2, 3] },
  { name: 's2xx', raw: 1, kind: 'sum', cols: [4] },
  { name: 's3xx', raw: 2, kind: 'sum', cols: [5] },
  { name: 's4xx', raw: 3, kind: 'sum', cols: [6] },
  { name: 's5xx', raw: 4, kind: 'sum', cols: [7] },
  { name: 'inFlight', raw: 5, kind: 'avg', cols: [8, 9] },
  { name: 'p50', raw: 6, kind: 'max', cols: [10] },
  { name: 'p95', raw: 7, kind: 'max', cols: [11] },
  { name: 'p99', raw: 8, kind: 'max', cols: [12] },
  { name: 'cpuPercent', raw: 9, kind: 'avgMinMax', cols: [13, 14, 15, 16] },
  { name: 'memoryBytes', raw: 10, kind: 'avgMinMax', cols: [17, 18, 19, 20] },
  { name: 'up', raw: 11, kind: 'avg', cols: [21, 22] }
]

export const aggColumns: readonly ColumnSpec[] = buildAggColumns()

function buildAggColumns(): ColumnSpec[] {
  const out: ColumnSpec[] = []
  for (const f of aggFields) {
    const raw = rawColumns[f.raw] as ColumnSpec
    // The fraction of ticks `up` needs fine steps: one down tick in a day (1/86400) must not round to 1.
    const scale = f.name === 'up' ? 1_000_000 : raw.scale
    const names =
      f.kind === 'avgMinMax' ? ['avg', 'min', 'max', 'n'] : f.kind === 'avg' ? ['avg', 'n'] : [f.kind]
    names.forEach((suffix, i) => {
      out[f.cols[i] as number] = { name: `${f.name}.${suffix}`, scale: suffix === 'n' ? 1 : scale }
    })
  }
  return out
}

function num(v: number | null): number {
  return v === null ? NaN : v
}

/** A sample as raw column values (NaN = gap). */
export function sampleToRaw(s: BackendSampleRow): number[] {
  const out = [
    s.rps,
    s.s2xx,
    s.s3xx,
    s.s4xx,
    s.s5xx,
    s.inFlight,
    num(s.p50),
    num(s.p95),
    num(s.p99),
    num(s.cpuPercent),
    num(s.memoryBytes),
    s.up === null ? NaN : s.up ? 1 : 0
  ]
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) out[i] = NaN
  return out
}

/** Where a query metric lives in the aggregate layout. */
const fieldByName = new Map(aggFields.map((f) => [f.name, f]))

export function aggFieldFor(metric: Metric): AggField {
  const f = fieldByName.get(metric)
  if (f === undefined) throw new RangeError(`unknown metric ${metric}`)
  return f
}
