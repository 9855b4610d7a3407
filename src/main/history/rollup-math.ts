import { aggColumns, aggFields } from './series-columns'

// The field layout flattened into typed arrays once: this loop runs for every point a query reads.
const AVG_MIN_MAX = 0
const AVG = 1
const SUM = 2
const MAX = 3
const FIELD_COUNT = aggFields.length
const AGG_WIDTH = aggColumns.length
const KIND = Int8Array.from(aggFields, (f) =>
  f.kind === 'avgMinMax' ? AVG_MIN_MAX : f.kind === 'avg' ? AVG : f.kind === 'sum' ? SUM : MAX
)
const RAW = Int32Array.from(aggFields, (f) => f.raw)
const C0 = Int32Array.from(aggFields, (f) => f.cols[0] ?? -1)
const C1 = Int32Array.from(aggFields, (f) => f.cols[1] ?? -1)
const C2 = Int32Array.from(aggFields, (f) => f.cols[2] ?? -1)
const C3 = Int32Array.from(aggFields, (f) => f.cols[3] ?? -1)

/**
 * Folds raw points and/or aggregate points into one aggregate point (the layout of aggColumns).
 * The same fold builds stored rollups (1 min from raw, 1 h from 1 min) and the buckets of a
 * downsampled query, so a chart shows the same numbers whichever resolution it reads.
 *
 * Averages are weighted by how many values they cover (a 1 min bucket where CPU was known for
 * 30 ticks counts 30), minima/maxima are the extremes of the inputs, sums add up, and a field with
 * no input value stays a gap (NaN), never 0.
 */
export class AggAccumulator {
  private readonly sum = new Float64Array(FIELD_COUNT)
  private readonly count = new Float64Array(FIELD_COUNT)
  private readonly min = new Float64Array(FIELD_COUNT)
  private readonly max = new Float64Array(FIELD_COUNT)

  constructor() {
    this.reset()
  }

  reset(): void {
    this.sum.fill(0)
    this.count.fill(0)
    this.min.fill(Infinity)
    this.max.fill(-Infinity)
  }

  get empty(): boolean {
    for (let f = 0; f < FIELD_COUNT; f++) if ((this.count[f] as number) > 0) return false
    return true
  }

  /** Adds point `i` of raw columns (NaN = gap). */
  addRaw(cols: ArrayLike<ArrayLike<number>>, i: number): void {
    for (let f = 0; f < FIELD_COUNT; f++) {
      const v = (cols[RAW[f] as number] as ArrayLike<number>)[i] as number
      if (v !== v) continue // NaN: a gap
      this.take(f, v, 1, v, v)
    }
  }

  /** Adds point `i` of aggregate columns (as decoded from a rollup chunk or returned by result()). */
  addAgg(cols: ArrayLike<ArrayLike<number>>, i: number): void {
    for (let f = 0; f < FIELD_COUNT; f++) {
      const first = (cols[C0[f] as number] as ArrayLike<number>)[i] as number
      if (first !== first) continue
      const kind = KIND[f]
      if (kind === AVG_MIN_MAX) {
        const n = (cols[C3[f] as number] as ArrayLike<number>)[i] as number
        if (!(n > 0)) continue
        const lo = (cols[C1[f] as number] as ArrayLike<number>)[i] as number
        const hi = (cols[C2[f] as number] as ArrayLike<number>)[i] as number
        this.take(f, first * n, n, lo === lo ? lo : first, hi === hi ? hi : first)
      } else if (kind === AVG) {
        const n = (cols[C1[f] as number] as ArrayLike<number>)[i] as number
        if (!(n > 0)) continue
        this.take(f, first * n, n, first, first)
      } else {
        this.take(f, first, 1, first, first)
      }
    }
  }

  private take(f: number, sum: number, n: number, lo: number, hi: number): void {
    this.sum[f] = (this.sum[f] as number) + sum
    this.count[f] = (this.count[f] as number) + n
    if (lo < (this.min[f] as number)) this.min[f] = lo
    if (hi > (this.max[f] as number)) this.max[f] = hi
  }

  /** The aggregate point (one value per aggColumns entry, NaN = gap), into `out` if given. */
  result(out: number[] = new Array<number>(AGG_WIDTH)): number[] {
    out.length = AGG_WIDTH
    out.fill(NaN)
    for (let f = 0; f < FIELD_COUNT; f++) {
      const n = this.count[f] as number
      if (n === 0) continue
      const s = this.sum[f] as number
      const kind = KIND[f]
      if (kind === AVG_MIN_MAX) {
        out[C0[f] as number] = s / n
        out[C1[f] as number] = this.min[f] as number
        out[C2[f] as number] = this.max[f] as number
        out[C3[f] as number] = n
      } else if (kind === AVG) {
        out[C0[f] as number] = s / n
        out[C1[f] as number] = n
      } else if (kind === SUM) {
        out[C0[f] as number] = s
      } else {
        out[C0[f] as number] = this.max[f] as number
      }
    }
    return out
  }
}

/** Convenience for tests and sealing: one aggregate point from raw columns, points [lo, hi). */
export function rollupRaw(cols: ArrayLike<ArrayLike<number>>, lo = 0, hi = cols[0]?.length ?? 0): number[] {
  const acc = new AggAccumulator()
  for (let i = lo; i < hi; i++) acc.addRaw(cols, i)
  return acc.result()
}

/** One aggregate point from aggregate columns, points [lo, hi). */
export function rollupAgg(cols: ArrayLike<ArrayLike<number>>, lo = 0, hi = cols[0]?.length ?? 0): number[] {
  const acc = new AggAccumulator()
  for (let i = lo; i < hi; i++) acc.addAgg(cols, i)
  return acc.result()
}
