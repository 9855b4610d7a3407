import { decodeChunk } from './chunk-codec'
import type { HistoryReader } from './history-reader'
import type { PointBlock } from './series-assembler'
import { levels, partialPoints, type BackendSeries } from './series-buffer'
import type { WriteJournal } from './write-journal'

/**
 * Where a backend's points live while the store runs: sealed chunks in the file, sealed chunks
 * still queued for writing, chunks in memory (open or waiting to be sealed), and rollup points
 * not stored yet (folded on the fly). Queries read all of them, so what was just written shows.
 */

/**
 * Points of one backend at `level` overlapping [from, to], oldest first, without overlaps. Stored
 * chunks are decoded lazily into one reused buffer: the consumer must take one block at a time.
 * A damaged chunk is skipped (it costs its own minute/hour, not the whole chart); SQLite errors
 * propagate.
 */
export function* pointBlocks(
  reader: HistoryReader | null,
  journal: WriteJournal,
  s: BackendSeries,
  level: number,
  from: number,
  to: number
): Generator<PointBlock> {
  const spec = levels[level] as (typeof levels)[number]
  const agg = level > 0
  const byStart = new Map<number, Uint8Array>()
  for (const c of reader?.chunks(level, s.key, from, to) ?? []) byStart.set(c.start, c.data)
  for (const c of journal.pendingChunks(level, s)) {
    if (c.start + spec.spanMs > from && c.start <= to) byStart.set(c.start, c.data)
  }
  const items: { at: number; block?: PointBlock; data?: Uint8Array }[] = []
  for (const c of [s.closing[level], s.open[level]]) {
    if (c === null || c === undefined || c.t.length === 0) continue
    byStart.delete(c.start)
    items.push({ at: c.start, block: { agg, t: c.t, cols: c.cols } })
  }
  for (const [start, data] of byStart) items.push({ at: start, data })
  for (const p of partialPoints(s, level)) {
    items.push({ at: p.t, block: { agg: true, t: [p.t], cols: p.values.map((v) => [v]) } })
  }
  // Stable sort: an in-memory chunk starting at the same time as a partial point comes first.
  items.sort((a, b) => a.at - b.at)
  const buffer = { t: [] as number[], cols: [] as number[][] }
  for (const item of items) {
    if (item.block !== undefined) {
      yield item.block
      continue
    }
    let block: PointBlock
    try {
      const d = decodeChunk(item.at, item.data as Uint8Array, spec.columns, buffer)
      block = { agg, t: d.t, cols: d.cols }
    } catch {
      continue
    }
    yield block
  }
}

/** Whether a backend has any point in [from, to] at any level. */
export function hasPoints(
  reader: HistoryReader | null,
  journal: WriteJournal,
  s: BackendSeries,
  from: number,
  to: number
): boolean {
  for (let level = 0; level < levels.length; level++) {
    for (const c of [s.open[level], s.closing[level]]) if (c?.t.some((t) => t >= from && t <= to)) return true
    const span = (levels[level] as (typeof levels)[number]).spanMs
    for (const c of journal.pendingChunks(level, s)) if (c.start + span > from && c.start <= to) return true
    if (reader?.hasChunk(level, s.key, from, to)) return true
  }
  return false
}
