/**
 * A trace stored as two typed columns instead of one object per row. The per-second NASA trace has
 * 5 million rows: as `{ at, requests }` objects that is hundreds of megabytes of heap, as two
 * Float64Arrays 80 MB. The simulator and the oracle read either form through `asTraceColumns`.
 */
import type { TracePoint } from './scaler-types'

/** Rows 0..length-1: `requests[i]` arrived during [at[i], at[i] + step) (at in ms, ascending). */
export interface TraceColumns {
  readonly length: number
  readonly at: Float64Array
  readonly requests: Float64Array
}

/** Either form of a trace. */
export type TraceInput = readonly TracePoint[] | TraceColumns

function isColumns(trace: TraceInput): trace is TraceColumns {
  return (trace as TraceColumns).at instanceof Float64Array
}

/** The columns of `trace` (the same object when it already is columns; a copy of an array). */
export function asTraceColumns(trace: TraceInput): TraceColumns {
  if (isColumns(trace)) return trace
  const points = trace as readonly TracePoint[]
  const at = new Float64Array(points.length)
  const requests = new Float64Array(points.length)
  for (let i = 0; i < points.length; i++) {
    at[i] = points[i]!.at
    requests[i] = points[i]!.requests
  }
  return { length: points.length, at, requests }
}

/** Collects rows into growing columns (capacity doubles), for readers that do not know the row count. */
export class TraceColumnsBuilder {
  private at = new Float64Array(1024)
  private requests = new Float64Array(1024)
  private n = 0

  get length(): number {
    return this.n
  }

  push(at: number, requests: number): void {
    if (this.n === this.at.length) {
      const grownAt = new Float64Array(this.at.length * 2)
      grownAt.set(this.at)
      this.at = grownAt
      const grownReq = new Float64Array(this.requests.length * 2)
      grownReq.set(this.requests)
      this.requests = grownReq
    }
    this.at[this.n] = at
    this.requests[this.n] = requests
    this.n++
  }

  /** The rows pushed so far, trimmed to size (the builder must not be used afterwards). */
  finish(): TraceColumns {
    return { length: this.n, at: this.at.slice(0, this.n), requests: this.requests.slice(0, this.n) }
  }
}
