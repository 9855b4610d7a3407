import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../../../src/main/history/history-store'
import { sample, T0, tempDir } from './history-fixtures'

let cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.reverse()) c()
  cleanups = []
})

describe('WAL checkpoints on the worker thread', () => {
  it('copy the WAL into the database between ticks, without the tick doing it', async () => {
    const dir = tempDir()
    cleanups.push(dir.cleanup)
    const path = join(dir.dir, 'history.sqlite')
    const s = HistoryStore.open(path)
    cleanups.push(() => s.close())
    const ids = Array.from({ length: 20 }, (_, i) => `b${i}`)
    // ~300 ticks stay far below SQLite's own (backstop) auto-checkpoint threshold of 4000 pages,
    // so any growth of the main file comes from the worker.
    for (let i = 0; i < 300; i++) s.writeTick(T0 + i * 1000, ids.map((id) => sample(id, i)), [])
    const before = statSync(path).size
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(before)
    let after = before
    for (let k = 0; k < 50 && after <= before; k++) {
      await sleep(20)
      s.writeTick(T0 + (300 + k) * 1000, ids.map((id) => sample(id, 300 + k)), [])
      after = statSync(path).size
    }
    expect(after).toBeGreaterThan(before)
  })

  it('close ends the worker first, so the last connection removes the WAL file', () => {
    const dir = tempDir()
    cleanups.push(dir.cleanup)
    const path = join(dir.dir, 'history.sqlite')
    const s = HistoryStore.open(path)
    for (let i = 0; i < 30; i++) s.writeTick(T0 + i * 1000, [sample('a', i)], [])
    expect(existsSync(`${path}-wal`)).toBe(true)
    s.close()
    expect(existsSync(`${path}-wal`)).toBe(false)
  })
})
