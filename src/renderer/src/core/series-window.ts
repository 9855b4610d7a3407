/**
 * The live-chart data: the last N ticks of every backend, kept column by column in ring buffers so
 * a tick costs O(backends) and memory never grows. Output is uPlot's aligned format (x in seconds,
 * one y array per backend, null = no value, drawn as a gap).
 */
import type { BackendPoint, SeriesTick, Snapshot } from '../../../shared/types'
import { RingBuffer } from './ring-buffer'

export type ChartMetric = 'rps' | 'cpu' | 'memory'

export interface SeriesWindowOptions {
  /** Ticks kept (one per second: 300 = five minutes). */
  capacity: number
  /**
   * A hole longer than this between two ticks (engine paused, connection lost) gets a row of
   * nulls, so the chart shows a gap instead of a straight line across time it knows nothing about.
   */
  gapAfterMs: number
}

export interface AlignedSeries {
  /** Backend ids, in the order of the y arrays. */
  ids: string[]
  /** [x (seconds), ...y per backend]. */
  data: [number[], ...(number | null)[][]]
}

interface Column {
  points: RingBuffer<BackendPoint | null>
  lastSeenAt: number
}

export class SeriesWindow {
  private readonly times: RingBuffer<number>
  private readonly columns = new Map<string, Column>()

  constructor(private readonly options: SeriesWindowOptions) {
    this.times = new RingBuffer<number>(options.capacity)
  }

  get length(): number {
    return this.times.length
  }

  /** Time (ms) of the newest tick, or null when empty. */
  lastAt(): number | null {
    return this.times.last() ?? null
  }

  /** Backend ids that have at least one row in the window, in order of first appearance. */
  ids(): string[] {
    return [...this.columns.keys()]
  }

  /**
   * Appends one tick. A tick not newer than the last one is ignored (returns false): the initial
   * history fetch and live snapshots overlap, and a replay must not duplicate points.
   */
  push(tick: SeriesTick): boolean {
    const last = this.times.last()
    if (last !== undefined && tick.at <= last) return false
    if (last !== undefined && tick.at - last > this.options.gapAfterMs) {
      this.appendRow((last + tick.at) / 2, new Map())
    }
    this.appendRow(tick.at, new Map(tick.points.map((p) => [p.id, p])))
    return true
  }

  clear(): void {
    this.times.clear()
    this.columns.clear()
  }

  /** The window as uPlot data for one metric; memory in MB. */
  toAligned(metric: ChartMetric): AlignedSeries {
    const ids = this.ids()
    const xs = this.times.toArray().map((ms) => ms / 1000)
    const ys = ids.map((id) => {
      const column = this.columns.get(id) as Column
      return column.points.toArray().map((p) => (p ? metricValue(p, metric) : null))
    })
    return { ids, data: [xs, ...ys] }
  }

  private appendRow(at: number, points: Map<string, BackendPoint>): void {
    const rowsBefore = this.times.length
    this.times.push(at)
    for (const id of points.keys()) {
      if (this.columns.has(id)) continue
      const column: Column = { points: new RingBuffer(this.options.capacity), lastSeenAt: at }
      // Backfill so every column stays aligned with the time axis.
      for (let i = 0; i < Math.min(rowsBefore, this.options.capacity - 1); i++) column.points.push(null)
      this.columns.set(id, column)
    }
    for (const [id, column] of this.columns) {
      const point = points.get(id) ?? null
      column.points.push(point)
      if (point) column.lastSeenAt = at
    }
    // A backend whose last point slid out of the window has nothing left to draw.
    const oldest = this.times.first() as number
    for (const [id, column] of this.columns) {
      if (column.lastSeenAt < oldest) this.columns.delete(id)
    }
  }
}

export function metricValue(point: BackendPoint, metric: ChartMetric): number | null {
  switch (metric) {
    case 'rps':
      return point.rps
    case 'cpu':
      return point.cpuPercent
    case 'memory':
      return point.memoryBytes === null ? null : point.memoryBytes / 1_000_000
  }
}

/** One snapshot is one tick of the live charts. */
export function snapshotToTick(snapshot: Snapshot): SeriesTick {
  return {
    at: snapshot.at,
    points: snapshot.backends.map((b) => ({
      id: b.id,
      name: b.name,
      rps: b.rps,
      cpuPercent: b.cpuPercent,
      memoryBytes: b.memoryBytes
    }))
  }
}

/** The newest value of a y array, or null when its newest slot is a gap (backend gone or silent). */
export function lastValue(ys: readonly (number | null)[]): number | null {
  return ys.length === 0 ? null : (ys[ys.length - 1] ?? null)
}

/**
 * A label for a backend id whose name this window never saw (it was only in the fetched
 * history): "container 0123456789ab" or the static host:port.
 */
export function fallbackLabel(id: string): string {
  if (id.startsWith('c:')) return `container ${id.slice(2)}`
  if (id.startsWith('s:')) return id.slice(2)
  return id
}
