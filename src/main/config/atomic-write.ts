import { closeSync, fchmodSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/**
 * Writes a file so that a crash at any moment leaves either the old or the new content, never a
 * mix: write a temporary file beside it, fsync, then rename over the target (atomic on POSIX).
 * `mode`: the new file's permissions (an edited file keeps its own; a new one is private).
 */
export function writeFileAtomic(path: string, data: string, mode = 0o600): void {
  removeStaleTempFiles(path)
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`)
  const fd = openSync(tmp, 'w', mode)
  try {
    fchmodSync(fd, mode) // openSync's mode is filtered by the umask
    writeSync(fd, data)
    fsyncSync(fd)
  } catch (err) {
    closeSync(fd)
    rmSync(tmp, { force: true })
    throw err
  }
  closeSync(fd)
  try {
    renameSync(tmp, path)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
}

/**
 * A writer killed between creating its temporary file and the rename leaves the temporary file
 * behind (the target itself is intact). Clear such leftovers of `path` from earlier processes.
 */
export function removeStaleTempFiles(path: string): void {
  const prefix = `.${basename(path)}.`
  const mine = `${prefix}${process.pid}.`
  let names: string[]
  try {
    names = readdirSync(dirname(path))
  } catch {
    return
  }
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith('.tmp') && !name.startsWith(mine)) {
      rmSync(join(dirname(path), name), { force: true })
    }
  }
}
