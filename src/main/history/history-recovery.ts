import { decodeChunk } from './chunk-codec'
import type { HistoryReader } from './history-reader'
import { appendPoint, levels, newSeries, type BackendSeries, type SealQueue } from './series-buffer'
import type { WriteJournal } from './write-journal'

/**
 * Adopting what a (re)opened file holds: its backend keys, and once per store its unsealed
 * chunks (head rows), so history written before a restart or a crash carries on.
 */

/**
 * Gives every series the key the file has for it; series the file does not know (first seen
 * while it was unavailable) get fresh keys and a queued registration. Queued writes refer to the
 * series object, not the key, so they follow. Returns the next free key.
 */
export function adoptKeys(reader: HistoryReader, series: Map<string, BackendSeries>, journal: WriteJournal): number {
  const inFile = new Set<BackendSeries>()
  let next = 1
  for (const row of reader.registry()) {
    let s = series.get(row.backendId)
    if (s === undefined) {
      s = newSeries(row.backendId, row.service, row.key, row.name)
      series.set(row.backendId, s)
    } else {
      s.key = row.key
      s.name ??= row.name
    }
    inFile.add(s)
    next = Math.max(next, row.key + 1)
  }
  for (const s of series.values()) {
    if (inFile.has(s)) continue
    s.key = next++
    journal.backend(s)
  }
  return next
}

/**
 * Rebuilds the in-memory chunks from head rows and sets each series' `lastAt`. Head rows of
 * chunks already sealed (left until the next trim) are skipped: re-adding them would re-create a
 * sealed window. Returns the newest raw time found, or null.
 */
export function restoreHeads(reader: HistoryReader, series: Map<string, BackendSeries>, seals: SealQueue): number | null {
  const byKey = new Map([...series.values()].map((s) => [s.key, s]))
  const sealedEnd = new Map<string, number>()
  for (const s of series.values()) {
    levels.forEach((spec, level) => {
      const last = reader.lastChunkStart(level, s.key)
      if (last !== null) sealedEnd.set(`${level}:${s.key}`, last + spec.spanMs)
    })
  }
  for (const h of reader.heads()) {
    const s = byKey.get(h.key)
    const spec = levels[h.level]
    if (s === undefined || spec === undefined) continue
    if (h.at < (sealedEnd.get(`${h.level}:${h.key}`) ?? -Infinity)) continue
    let values: number[]
    try {
      values = decodeChunk(h.at, h.data, spec.columns).cols.map((c) => c[0] ?? NaN)
    } catch {
      continue // a damaged head row costs one point
    }
    appendPoint(s, h.level, h.at, values, seals, false)
  }
  let latest: number | null = null
  for (const s of series.values()) {
    const raw = s.open[0]
    const lastHead = raw?.t[raw.t.length - 1]
    s.lastAt = Math.max(s.lastAt, lastHead ?? -Infinity, (sealedEnd.get(`0:${s.key}`) ?? -Infinity) - 1)
    if (Number.isFinite(s.lastAt)) latest = Math.max(latest ?? -Infinity, s.lastAt)
  }
  return latest
}
