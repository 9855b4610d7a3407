import { encodeChunk, encodePoint, type ColumnSpec } from './chunk-codec'
import type { Resolution } from './history-types'
import { AggAccumulator } from './rollup-math'
import { aggColumns, rawColumns } from './series-columns'

/**
 * In-memory chunks per backend and level, and the sealing cascade that turns them into stored
 * chunks and rollups. Pure: it only tells a `ChunkSink` what to persist.
 *
 * A level's chunk spans exactly one step of the next level (raw chunk = 1 minute, 1 min chunk =
 * 1 hour, 1 h chunk = 1 UTC day), so sealing a chunk yields exactly one point of the next level:
 * rollups are incremental and never re-read stored data.
 *
 * Sealing (encode + write + rollup) costs ~0.2 ms per backend, and every backend's window ends on
 * the same tick. So a chunk whose window ended is first *retired* (moved to `closing`, still
 * queryable, its head rows still on disk) and sealed later by `SealQueue.drain`, a few per tick:
 * the cost is spread over the following ticks instead of stalling one.
 */

export interface LevelSpec {
  name: Resolution
  stepMs: number
  spanMs: number
  columns: readonly ColumnSpec[]
}

export const levels: readonly LevelSpec[] = [
  { name: 'raw', stepMs: 1_000, spanMs: 60_000, columns: rawColumns },
  { name: '1m', stepMs: 60_000, spanMs: 3_600_000, columns: aggColumns },
  { name: '1h', stepMs: 3_600_000, spanMs: 86_400_000, columns: aggColumns }
]

export interface OpenChunk {
  start: number
  t: number[]
  /** One array per column of the level, NaN = gap. */
  cols: number[][]
}

/** Per-backend state. `key` is the integer id used in the database (assigned by the store). */
export interface BackendSeries {
  id: string
  service: string | null
  /** Last display name (container name, host:port); null when never recorded. */
  name: string | null
  key: number
  /** Newest raw timestamp accepted; older or equal samples are dropped (clock went back). */
  lastAt: number
  /** Per level: the chunk being filled. */
  open: (OpenChunk | null)[]
  /** Per level: a chunk whose window ended, waiting in the seal queue. */
  closing: (OpenChunk | null)[]
}

/** Where sealing results go; the write journal implements it. */
export interface ChunkSink {
  /** Persist one point of an unsealed chunk so a crash loses at most the current tick. */
  head(level: number, s: BackendSeries, at: number, data: Uint8Array): void
  /** Persist a sealed chunk; its head rows become obsolete (the store trims them in bulk). */
  chunk(level: number, s: BackendSeries, start: number, n: number, data: Uint8Array): void
}

export function newSeries(id: string, service: string | null, key: number, name: string | null = null): BackendSeries {
  return { id, service, name, key, lastAt: -Infinity, open: levels.map(() => null), closing: levels.map(() => null) }
}

function floorTo(t: number, step: number): number {
  return Math.floor(t / step) * step
}

function spec(level: number): LevelSpec {
  return levels[level] as LevelSpec
}

/** Encodes a single point the way head rows store it (a one-point chunk starting at `at`). */
export function encodeHeadPoint(level: number, at: number, values: readonly number[]): Uint8Array {
  return encodePoint(at, values, spec(level).columns)
}

/** Chunks waiting to be sealed, oldest first, shared by all backends. */
export class SealQueue {
  private items: { s: BackendSeries; level: number }[] = []

  constructor(readonly sink: ChunkSink) {}

  get length(): number {
    return this.items.length
  }

  push(s: BackendSeries, level: number): void {
    this.items.push({ s, level })
  }

  /** Seals up to `max` retired chunks (all with max = Infinity, e.g. in tests). */
  drain(max: number): void {
    let done = 0
    while (done < max && this.items.length > 0) {
      const item = this.items.shift() as { s: BackendSeries; level: number }
      if (item.s.closing[item.level] === null) continue // sealed early (see retire)
      sealClosing(item.s, item.level, this)
      done++
    }
  }
}

/**
 * Adds a point to level `level` of `s`. A point newer than the open window retires the open chunk;
 * a point for the retired-but-unsealed window joins it; anything older is dropped (returns false):
 * chunks are immutable once sealed.
 */
export function appendPoint(
  s: BackendSeries,
  level: number,
  at: number,
  values: readonly number[],
  q: SealQueue,
  persistHead = true
): boolean {
  const lv = spec(level)
  const start = floorTo(at, lv.spanMs)
  let target = s.open[level] ?? null
  if (target === null || target.start !== start) {
    const closing = s.closing[level] ?? null
    if (closing !== null && closing.start === start) {
      target = closing
    } else if (target !== null && target.start > start) {
      return false
    } else {
      if (target !== null) retire(s, level, q)
      target = { start, t: [], cols: lv.columns.map(() => []) }
      s.open[level] = target
    }
  }
  const lastT = target.t[target.t.length - 1]
  if (lastT !== undefined && at <= lastT) return false
  target.t.push(at)
  for (let c = 0; c < lv.columns.length; c++) (target.cols[c] as number[]).push(values[c] ?? NaN)
  if (persistHead) q.sink.head(level, s, at, encodeHeadPoint(level, at, values))
  return true
}

/** Moves the open chunk to `closing` (sealing an older closing one right away) and queues it. */
function retire(s: BackendSeries, level: number, q: SealQueue): void {
  const open = s.open[level]
  if (open === null || open === undefined) return
  if (s.closing[level] !== null) sealClosing(s, level, q)
  s.open[level] = null
  s.closing[level] = open
  q.push(s, level)
}

/** Seals the closing chunk of `level`: writes it, and feeds its rollup into the next level. */
function sealClosing(s: BackendSeries, level: number, q: SealQueue): void {
  const c = s.closing[level]
  if (c === null || c === undefined) return
  s.closing[level] = null
  if (c.t.length === 0) return
  q.sink.chunk(level, s, c.start, c.t.length, encodeChunk(c.start, c.t, c.cols, spec(level).columns))
  if (level + 1 >= levels.length) return
  appendPoint(s, level + 1, c.start, foldChunk(level, c), q)
}

function foldChunk(level: number, c: OpenChunk, acc = new AggAccumulator()): number[] {
  for (let i = 0; i < c.t.length; i++) {
    if (level === 0) acc.addRaw(c.cols, i)
    else acc.addAgg(c.cols, i)
  }
  return acc.result()
}

/**
 * Retires every chunk whose window ended before `at` (also for backends that stopped reporting).
 * A rollup level waits while a chunk below it is still unsealed, since that chunk will add a
 * point to its window.
 */
export function retireDue(s: BackendSeries, at: number, q: SealQueue): void {
  for (let level = 0; level < levels.length; level++) {
    const open = s.open[level]
    if (open === null || open === undefined) continue
    const end = open.start + spec(level).spanMs
    if (end > at) continue
    if (level > 0) {
      const below = s.open[level - 1]
      if (s.closing[level - 1] !== null || (below !== null && below !== undefined && below.start < end)) continue
    }
    retire(s, level, q)
  }
}

/**
 * Points of `level` (≥ 1) not stored yet because the chunks below them are still open or
 * unsealed, folded on the fly so a query at 1 min or 1 h also shows the current minute/hour.
 * Ascending by time.
 */
export function partialPoints(s: BackendSeries, level: number): { t: number; values: number[] }[] {
  if (level < 1) return []
  const step = spec(level).stepMs
  const buckets = new Map<number, AggAccumulator>()
  const bucket = (t: number): AggAccumulator => {
    const b = floorTo(t, step)
    let acc = buckets.get(b)
    if (acc === undefined) {
      acc = new AggAccumulator()
      buckets.set(b, acc)
    }
    return acc
  }
  for (const c of [s.closing[level - 1], s.open[level - 1]]) {
    if (c === null || c === undefined || c.t.length === 0) continue
    const acc = bucket(c.start)
    for (let i = 0; i < c.t.length; i++) {
      if (level - 1 === 0) acc.addRaw(c.cols, i)
      else acc.addAgg(c.cols, i)
    }
  }
  for (const p of partialPoints(s, level - 1)) {
    bucket(p.t).addAgg(
      p.values.map((v) => [v]),
      0
    )
  }
  return [...buckets.entries()]
    .filter(([, acc]) => !acc.empty)
    .sort((a, b) => a[0] - b[0])
    .map(([t, acc]) => ({ t, values: acc.result() }))
}
