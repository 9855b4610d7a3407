import { execFileSync } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, describe, expect, it } from 'vitest'
import { isPrescalError } from '../../../../src/shared/errors'
import { HistoryStore } from '../../../../src/main/history/history-store'
import type { HistoryOptions, OpenDatabase } from '../../../../src/main/history/history-types'
import { levels, newSeries } from '../../../../src/main/history/series-buffer'
import { WriteJournal } from '../../../../src/main/history/write-journal'
import { integrityCheck, sample, T0, tempDir } from './history-fixtures'

/**
 * Unwritable history files. Tests run as root, for whom chmod changes nothing, so the failures
 * are made real in two other ways:
 * - a read-only SQLite connection handed to the store through its `openDatabase` seam (SQLite
 *   itself refuses the writes with SQLITE_READONLY), which works anywhere;
 * - a real tmpfs mounted read-only (EROFS) or filled to the last byte (ENOSPC). Mounting needs
 *   root with CAP_SYS_ADMIN; where that is missing those tests are skipped and say so.
 */

const S = 1_000
let cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.reverse()) c()
  cleanups = []
})

/** Writes a tick and returns the error it threw (or null). Fails the test on an untyped error. */
function tryTick(s: HistoryStore, i: number): unknown {
  try {
    s.writeTick(T0 + i * S, [sample('a', i), sample('b', i)], [])
    return null
  } catch (err) {
    expect(isPrescalError(err, 'HISTORY_WRITE_FAILED')).toBe(true)
    return err
  }
}

function ticksPresent(path: string, upTo: number): number {
  const s = HistoryStore.open(path)
  try {
    const r = s.query({ from: T0, to: T0 + upTo * S, backends: ['a'], metrics: ['rps'], maxPoints: 100_000 })
    return r.series[0]?.v.filter((v) => v !== null).length ?? 0
  } finally {
    s.close()
  }
}

describe('read-only connection (injected through openDatabase)', () => {
  it('reports not ok, throws only typed errors, keeps the data and resumes when writable', () => {
    const dir = tempDir()
    cleanups.push(dir.cleanup)
    const path = join(dir.dir, 'history.sqlite')
    const first = HistoryStore.open(path)
    for (let i = 0; i < 10; i++) expect(tryTick(first, i)).toBeNull()
    first.close()

    let readOnly = true
    let clock = 0
    const openDatabase: OpenDatabase = (p, ro) => new DatabaseSync(p, { readOnly: ro || readOnly })
    const opts: Partial<HistoryOptions> = { openDatabase, now: () => clock, retryIntervalMs: 5_000 }
    const s = HistoryStore.open(path, opts)
    cleanups.push(() => s.close())
    expect(s.status().ok).toBe(false)
    expect(s.status().message).toMatch(/cannot be written|read-only/)

    for (let i = 10; i < 100; i++) {
      clock += S
      expect(tryTick(s, i)).not.toBeNull()
    }
    // Old history (read through the read-only connection) and the buffered ticks both show.
    const r = s.query({ from: T0, to: T0 + 99 * S, backends: ['a'], metrics: ['rps'], maxPoints: 1000 })
    expect(r.series[0]?.v.every((v) => v !== null)).toBe(true)

    readOnly = false
    clock += 5_000
    expect(tryTick(s, 100)).toBeNull()
    expect(s.status()).toEqual({ ok: true, message: null, path })
    s.close()
    expect(ticksPresent(path, 100)).toBe(101)
  })
})

function canMount(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'prescal-mount-probe-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' })
    execFileSync('umount', [probe], { stdio: 'ignore' })
    return true
  } catch {
    return false
  } finally {
    rmSync(probe, { recursive: true, force: true })
  }
}

const mountable = canMount()
if (!mountable) console.warn('history-failure: cannot mount tmpfs here (needs root); real EROFS/ENOSPC tests skipped')

function mountTmpfs(options: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'prescal-history-tmpfs-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir])
  cleanups.push(() => {
    execFileSync('umount', ['-l', dir])
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

describe.skipIf(!mountable)('real filesystem failures (tmpfs)', () => {
  it('read-only directory: open does not throw, status not ok, writes resume after remount rw', () => {
    const mnt = mountTmpfs('size=8m,ro')
    const path = join(mnt, 'history.sqlite')
    let clock = 0
    const s = HistoryStore.open(path, { now: () => clock, retryIntervalMs: 2_000 })
    cleanups.unshift(() => s.close())
    expect(s.status().ok).toBe(false)
    for (let i = 0; i < 20; i++) {
      clock += S
      expect(tryTick(s, i)).not.toBeNull()
    }
    execFileSync('mount', ['-o', 'remount,rw', mnt])
    clock += 2_000
    expect(tryTick(s, 20)).toBeNull()
    expect(s.status().ok).toBe(true)
    s.close()
    expect(ticksPresent(path, 20)).toBe(21)
    expect(integrityCheck(path)).toBe('ok')
  })

  it('full disk: writes fail typed while full, nothing is lost, and resume once space is freed', () => {
    const mnt = mountTmpfs('size=2m')
    mkdirSync(join(mnt, 'db'))
    const path = join(mnt, 'db', 'history.sqlite')
    let clock = 0
    const s = HistoryStore.open(path, { now: () => clock, retryIntervalMs: 2_000 })
    cleanups.unshift(() => s.close())
    let i = 0
    for (; i < 70; i++, clock += S) expect(tryTick(s, i)).toBeNull()

    // Fill every remaining byte of the filesystem.
    const filler = join(mnt, 'filler')
    const fd = openSync(filler, 'w')
    const block = Buffer.alloc(16 * 1024, 7)
    try {
      for (;;) writeSync(fd, block)
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC')
    }
    try {
      for (;;) writeSync(fd, block.subarray(0, 512))
    } catch {
      // the last partial block is full too
    }
    closeSync(fd)

    let failed = 0
    for (let k = 0; k < 600 && failed < 5; k++, i++, clock += S) if (tryTick(s, i) !== null) failed++
    expect(failed).toBe(5)
    expect(s.status().ok).toBe(false)
    expect(s.status().message).toMatch(/full|I\/O/)

    rmSync(filler)
    clock += 2_000
    expect(tryTick(s, i)).toBeNull()
    expect(s.status().ok).toBe(true)
    s.close()
    expect(integrityCheck(path)).toBe('ok')
    expect(ticksPresent(path, i)).toBe(i + 1)
  })
})

describe('WriteJournal bound while the file is unwritable', () => {
  it('drops the oldest writes past maxPendingBytes, keeps backend registrations', () => {
    const j = new WriteJournal(20_000, 1_000)
    const s = newSeries('a', null, 1)
    j.backend(s)
    for (let k = 0; k < 1_000; k++) j.chunk(0, s, k * (levels[0]?.spanMs ?? 0), 60, new Uint8Array(500))
    expect(j.dropped).toBeGreaterThan(900)
    expect(j.pending).toBeLessThan(40)
    // The newest chunk is kept, the registration too.
    const starts = [...j.pendingChunks(0, s)].map((c) => c.start)
    expect(starts[starts.length - 1]).toBe(999 * 60_000)
    expect(() => j.flush(0, { chunkMs: [1, 1, 1], eventMs: 1, serviceMs: 1, batch: 1 })).toThrow()
  })
})
