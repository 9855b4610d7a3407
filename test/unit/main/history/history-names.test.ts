import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../../../src/main/history/history-store'
import { schemaVersion } from '../../../../src/main/history/history-schema'
import type { BackendSampleRow, OpenDatabase } from '../../../../src/main/history/history-types'
import { countRows, sample, T0, tempDir } from './history-fixtures'

/**
 * Backend display names in the history file: kept across restarts so History and the CSV name
 * backends that are long gone, and added in place to a file written by schema 1 (no names).
 */

const S = 1_000

let dir: { dir: string; cleanup: () => void }
let path: string
const open: HistoryStore[] = []

function openStore(openDatabase?: OpenDatabase): HistoryStore {
  const s = HistoryStore.open(path, openDatabase ? { openDatabase } : {})
  open.push(s)
  return s
}

function names(s: HistoryStore): Record<string, string | null> {
  return Object.fromEntries(s.backendsInRange(T0, T0 + 3_600_000).map((b) => [b.backendId, b.name]))
}

function csvNames(s: HistoryStore): string[] {
  let out = ''
  s.exportCsv({ from: T0, to: T0 + 3_600_000, metrics: ['rps'], maxPoints: 10 }, (c) => (out += c))
  return [...new Set(out.trim().split('\r\n').slice(1).map((line) => line.split(',')[3] as string))]
}

/** Turns the file into what schema 1 wrote: no `name` column, user_version 1. */
function downgradeToSchema1(): void {
  const db = new DatabaseSync(path)
  db.exec('ALTER TABLE backends DROP COLUMN name')
  db.exec('PRAGMA user_version = 1')
  db.close()
}

beforeEach(() => {
  dir = tempDir()
  path = join(dir.dir, 'history.sqlite')
})

afterEach(() => {
  for (const s of open.splice(0)) s.close()
  dir.cleanup()
})

describe('history keeps backend names', () => {
  it.each<{ desc: string; ticks: Partial<BackendSampleRow>[]; expected: string | null }>([
    { desc: 'the name given', ticks: [{ name: 'demo-1' }], expected: 'demo-1' },
    { desc: 'no name given', ticks: [{}], expected: null },
    { desc: 'a rename wins', ticks: [{ name: 'old' }, { name: 'new' }], expected: 'new' },
    { desc: 'a later tick without a name keeps the last one', ticks: [{ name: 'demo-1' }, { name: null }, {}], expected: 'demo-1' }
  ])('$desc, before and after a restart', ({ ticks, expected }) => {
    const first = openStore()
    ticks.forEach((over, i) => first.writeTick(T0 + i * S, [sample('c:aae6912af27f', i, over)], []))
    expect(names(first)).toEqual({ 'c:aae6912af27f': expected })
    first.close()
    expect(names(openStore())).toEqual({ 'c:aae6912af27f': expected })
  })

  it('names a backend that is gone in History and in the CSV after a restart', () => {
    const first = openStore()
    for (let i = 0; i < 5; i++) first.writeTick(T0 + i * S, [sample('c:aae6912af27f', i, { name: 'prescal-demo-2baba7' })], [])
    first.close()
    const second = openStore()
    // Only another backend is alive now.
    second.writeTick(T0 + 10 * S, [sample('c:bbbbbbbbbbbb', 10, { name: 'prescal-demo-777777' })], [])
    expect(names(second)).toEqual({ 'c:aae6912af27f': 'prescal-demo-2baba7', 'c:bbbbbbbbbbbb': 'prescal-demo-777777' })
    expect(csvNames(second).sort()).toEqual(['prescal-demo-2baba7', 'prescal-demo-777777'])
  })
})

describe('a history file from schema 1', () => {
  it('is migrated in place: its data stays, its backends have no name until seen again', () => {
    const first = openStore()
    for (let i = 0; i < 3; i++) first.writeTick(T0 + i * S, [sample('a', i, { name: 'A' }), sample('b', i, { name: 'B' })], [])
    first.close()
    downgradeToSchema1()

    const s = openStore()
    expect(s.status().ok).toBe(true)
    expect(countRows(path, 'PRAGMA user_version')).toBe(schemaVersion)
    expect(names(s)).toEqual({ a: null, b: null })
    expect(s.query({ from: T0, to: T0 + 2 * S, metrics: ['rps'], maxPoints: 10 }).series.map((x) => x.v)).toEqual([
      [100, 101, 102],
      [100, 101, 102]
    ])
    s.writeTick(T0 + 3 * S, [sample('a', 3, { name: 'A' })], [])
    expect(names(s)).toEqual({ a: 'A', b: null })
    s.close()
    expect(names(openStore())).toEqual({ a: 'A', b: null })
  })

  it('can still be read when it cannot be written (no migration possible)', () => {
    const first = openStore()
    for (let i = 0; i < 3; i++) first.writeTick(T0 + i * S, [sample('a', i, { name: 'A' })], [])
    first.close()
    downgradeToSchema1()

    const s = openStore((p) => new DatabaseSync(p, { readOnly: true }))
    expect(s.status().ok).toBe(false)
    expect(names(s)).toEqual({ a: null })
    expect(s.query({ from: T0, to: T0 + 2 * S, metrics: ['rps'], maxPoints: 10 }).series[0]?.v).toEqual([100, 101, 102])
    expect(countRows(path, 'PRAGMA user_version')).toBe(1)
  })
})
