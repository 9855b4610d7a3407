import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../../../src/main/history/history-store'
import { isPrescalError } from '../../../../src/shared/errors'
import { sample, T0, tempDir } from './history-fixtures'

/**
 * A history.path the store cannot use: it reports it in status() and typed write errors, with the
 * path, the reason and what to do, and never throws, spins or blocks. The cases that used to spin
 * (recursive mkdir under /proc) or block (a FIFO) run in a child process with a deadline, because
 * a synchronous call that never returns cannot be timed out in-process.
 */

const opener = join(__dirname, 'open-store.ts')
const WHAT_TO_DO = 'Set history.path to a file in a folder you can write, or history.enabled: false.'
const KEPT = 'History is kept in memory meanwhile (0 writes pending) and written once possible.'

let cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.reverse()) c()
  cleanups = []
})

function scratch(): string {
  const d = tempDir()
  cleanups.push(d.cleanup)
  return d.dir
}

interface Opened {
  status: { ok: boolean; message: string | null; path: string }
  tickError: string | null
}

/** True when this is root and user nobody can read the opener script (so can run it). */
function nobodyCanRunHere(): boolean {
  if (process.getuid?.() !== 0) return false
  const probe = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(opener)}, require('node:fs').constants.R_OK)`], {
    uid: 65534,
    gid: 65534,
    timeout: 10_000
  })
  if (probe.status === 0) return true
  console.warn('history-location: user nobody cannot read this checkout; the EACCES case is skipped here')
  return false
}

/** Opens a store at `path` in a child (as `uid` if given) that must finish within 15 s. */
function openInChild(path: string, uid?: number): Opened {
  const r = spawnSync(process.execPath, ['--import', 'tsx', opener, path], {
    cwd: join(__dirname, '../../../..'),
    encoding: 'utf8',
    timeout: 15_000,
    ...(uid === undefined ? {} : { uid, gid: uid })
  })
  if (r.signal !== null) throw new Error(`opening the store at ${path} did not finish in 15 s (killed by ${r.signal})`)
  if (r.status !== 0) throw new Error(`opener exited ${r.status}: ${r.stderr}`)
  return JSON.parse(r.stdout) as Opened
}

describe('HistoryStore at a path it has to make or cannot use', () => {
  it('creates missing folders itself and writes', () => {
    const path = join(scratch(), 'a', 'b', 'history.db')
    const s = HistoryStore.open(path)
    cleanups.push(() => s.close())
    expect(s.status()).toEqual({ ok: true, message: null, path })
    s.writeTick(T0, [sample('a', 0)], [])
    expect(existsSync(path)).toBe(true)
  })

  it('a folder under a regular file (ENOTDIR): not ok, says which part is a file, and recovers once it is gone', () => {
    const dir = scratch()
    const file = join(dir, 'afile')
    writeFileSync(file, 'x')
    const path = join(file, 'sub', 'history.db')
    let clock = 0
    const s = HistoryStore.open(path, { now: () => clock, retryIntervalMs: 5_000 })
    cleanups.push(() => s.close())
    const message = `The history folder ${file}/sub cannot be created (${file} is a file, not a folder). ${WHAT_TO_DO} ${KEPT}`
    expect(s.status()).toEqual({ ok: false, message, path })
    let error: unknown
    try {
      s.writeTick(T0, [sample('a', 0)], [])
    } catch (err) {
      error = err
    }
    expect(isPrescalError(error, 'HISTORY_WRITE_FAILED')).toBe(true)

    rmSync(file)
    clock += 5_000
    s.writeTick(T0 + 1_000, [sample('a', 1)], [])
    expect(s.status()).toEqual({ ok: true, message: null, path })
    const r = s.query({ from: T0, to: T0 + 1_000, backends: ['a'], metrics: ['rps'], maxPoints: 10 })
    expect(r.series[0]?.v.filter((v) => v !== null)).toHaveLength(2)
  })

  it('a folder that is a dangling symbolic link', () => {
    const dir = scratch()
    const link = join(dir, 'gone')
    symlinkSync(join(dir, 'missing-target'), link)
    const s = HistoryStore.open(join(link, 'history.db'))
    cleanups.push(() => s.close())
    expect(s.status().message).toBe(
      `The history folder ${link} cannot be created (${link} is a symbolic link to something that does not exist). ${WHAT_TO_DO} ${KEPT}`
    )
  })

  it('a path that is a folder says to name a file in it', () => {
    const dir = scratch()
    const s = HistoryStore.open(dir)
    cleanups.push(() => s.close())
    expect(s.status().message).toBe(
      `The history path ${dir} is a folder: set history.path to a file in it (e.g. ${join(dir, 'history.db')}), or history.enabled: false. ${KEPT}`
    )
  })

  it('under /proc (where recursive mkdir spins forever): fails at once', () => {
    expect(openInChild('/proc/prescal-nope/history.db')).toEqual({
      status: {
        ok: false,
        message: `The history folder /proc/prescal-nope cannot be created (/proc does not take new folders). ${WHAT_TO_DO} ${KEPT}`,
        path: '/proc/prescal-nope/history.db'
      },
      tickError: 'HISTORY_WRITE_FAILED'
    })
  })

  it('a FIFO (whose read-only open blocks until a writer comes): refused unopened', () => {
    const fifo = join(scratch(), 'history.db')
    execFileSync('mkfifo', [fifo])
    expect(openInChild(fifo).status.message).toBe(`The history file ${fifo} is a pipe, not a file. ${WHAT_TO_DO} ${KEPT}`)
  })

  it('a -wal that is a FIFO: refused too', () => {
    const path = join(scratch(), 'history.db')
    execFileSync('mkfifo', [`${path}-wal`])
    expect(openInChild(path).status.message).toBe(`The history file ${path}-wal is a pipe, not a file. ${WHAT_TO_DO} ${KEPT}`)
  })

  // Permissions mean nothing to root, so the child runs as nobody (only root can switch to it),
  // which needs to read this checkout: not so in a clone under a private folder (mktemp -d).
  it.skipIf(!nobodyCanRunHere())('a folder the user may not create (EACCES): permission denied', () => {
    const dir = scratch()
    chmodSync(dir, 0o755)
    mkdirSync(join(dir, 'locked'), { mode: 0o755 })
    const path = join(dir, 'locked', 'tryhist', 'sub', 'history.db')
    expect(openInChild(path, 65534).status.message).toBe(
      `The history folder ${dir}/locked/tryhist/sub cannot be created (permission denied). ${WHAT_TO_DO} ${KEPT}`
    )
  })
})
