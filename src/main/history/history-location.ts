/**
 * Readies the place `history.path` names before SQLite opens it, and says in words why it cannot
 * be used. Two things there would otherwise stop the app rather than fail:
 * - Node's `mkdirSync(dir, { recursive: true })` spins forever at 100 % CPU when the kernel
 *   answers ENOENT for a folder whose parent exists (anything under /proc: mkdir('/proc/x') is
 *   ENOENT, mkdir('/proc') is EEXIST, and it retries the child), so the folder is made here one
 *   level at a time: at most one stat and one mkdir per path component.
 * - SQLite's read-only fallback opens a FIFO with O_RDONLY, which blocks until some writer opens
 *   it; so anything at the path (or its -wal/-shm) that is not a regular file is refused unopened.
 * Sync calls on a local path return; a hung network mount can still block them (nothing short of
 * a worker thread bounds that).
 */
import { lstatSync, mkdirSync, statSync, type Stats } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** The history file cannot live at the configured path; the message says why and what to do. */
export class HistoryLocationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HistoryLocationError'
  }
}

const WHAT_TO_DO = 'Set history.path to a file in a folder you can write, or history.enabled: false.'

const reasons: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the disk is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long'
}

function codeOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code
  return typeof code === 'string' ? code : undefined
}

function reasonOf(err: unknown): string {
  const code = codeOf(err)
  if (code !== undefined && code in reasons) return reasons[code]!
  return err instanceof Error ? err.message : String(err)
}

/** What a stat says is at a path, in the words of a message. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder'
  if (st.isFIFO()) return 'a pipe'
  if (st.isSocket()) return 'a socket'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device'
  return 'a file'
}

/** The stat of `p`, or null when nothing is there (ENOTDIR: a file where a folder should be). */
function statOrNull(p: string): Stats | null {
  try {
    return statSync(p)
  } catch (err) {
    const code = codeOf(err)
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw err
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink()
  } catch {
    return false
  }
}

/** Creates `dir` and its missing parents; returns why it could not, or null. */
function makeFolder(dir: string): string | null {
  const missing: string[] = []
  try {
    for (let d = dir; ; d = dirname(d)) {
      const st = statOrNull(d)
      if (st?.isDirectory()) break
      if (st !== null) return `${d} is ${kindOf(st)}, not a folder`
      if (dirname(d) === d) return `${d} does not exist`
      missing.push(d)
    }
    for (const m of missing.reverse()) {
      try {
        mkdirSync(m)
      } catch (err) {
        const code = codeOf(err)
        if (code === 'EEXIST' && statOrNull(m)?.isDirectory()) continue
        if (code === 'EEXIST') return isSymlink(m) ? `${m} is a symbolic link to something that does not exist` : `${m} is not a folder`
        // The parent exists (made or found just before), yet the kernel says it does not: a
        // file system that takes no new folders, like /proc.
        if (code === 'ENOENT') return `${dirname(m)} does not take new folders`
        throw err
      }
    }
    return null
  } catch (err) {
    return reasonOf(err)
  }
}

/**
 * Creates the folder of `path` (and its parents) and checks that the file, its -wal and -shm are
 * regular files or absent. Throws HistoryLocationError with the user-facing message otherwise.
 */
export function prepareHistoryLocation(path: string): void {
  const file = resolve(path)
  const dir = dirname(file)
  const problem = makeFolder(dir)
  if (problem !== null) throw new HistoryLocationError(`The history folder ${dir} cannot be created (${problem}). ${WHAT_TO_DO}`)
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    let st: Stats | null
    try {
      st = statOrNull(f)
    } catch (err) {
      throw new HistoryLocationError(`The history file ${f} cannot be used (${reasonOf(err)}). ${WHAT_TO_DO}`, { cause: err })
    }
    if (st === null || st.isFile()) continue
    if (f === file && st.isDirectory()) {
      throw new HistoryLocationError(
        `The history path ${f} is a folder: set history.path to a file in it (e.g. ${join(f, 'history.db')}), or history.enabled: false.`
      )
    }
    throw new HistoryLocationError(`The history file ${f} is ${kindOf(st)}, not a file. ${WHAT_TO_DO}`)
  }
}
