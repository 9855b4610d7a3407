import { DatabaseSync } from 'node:sqlite'
import type { OpenDatabase } from './history-types'
import { HistoryLocationError } from './history-location'
import { configureConnection, migrate, readSchemaVersion, schemaVersion } from './history-schema'

/** Opening the history file, and turning SQLite failures into messages a user can act on. */

export const defaultOpenDatabase: OpenDatabase = (path, readOnly) => new DatabaseSync(path, { readOnly })

export interface OpenedConnection {
  db: DatabaseSync
  writable: boolean
}

/**
 * Opens `path` writable (WAL, migrated); if that fails, read-only so history can still be shown.
 * Returns the connection and the error that prevented writing (null when writable). Returns a null
 * connection when the file cannot be read either. Never throws.
 */
export function openConnection(
  path: string,
  open: OpenDatabase
): { conn: OpenedConnection | null; writeError: unknown } {
  let db: DatabaseSync | null = null
  try {
    db = open(path, false)
    configureConnection(db, false)
    migrate(db)
    // A read-only connection passes all of the above (nothing needed writing): prove it can write.
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_opened', ?)").run(new Date().toISOString())
    return { conn: { db, writable: true }, writeError: null }
  } catch (err) {
    closeQuietly(db)
    let ro: DatabaseSync | null = null
    try {
      ro = open(path, true)
      configureConnection(ro, true)
      // An older schema can still be read (the reader copes); a newer one is unknown here.
      const version = readSchemaVersion(ro)
      if (version < 1 || version > schemaVersion) throw new Error('schema differs')
      return { conn: { db: ro, writable: false }, writeError: err }
    } catch {
      closeQuietly(ro)
      return { conn: null, writeError: err }
    }
  }
}

export function closeQuietly(db: DatabaseSync | null): void {
  if (db === null) return
  try {
    if (db.isOpen) db.close()
  } catch {
    // Closing a connection whose file vanished can fail; there is nothing left to release.
  }
}

/** SQLite primary result code of a node:sqlite error (errcode & 0xff), or null. */
export function sqliteCode(err: unknown): number | null {
  if (typeof err !== 'object' || err === null || !('errcode' in err)) return null
  const c = (err as { errcode: unknown }).errcode
  return typeof c === 'number' ? c & 0xff : null
}

const SQLITE_READONLY = 8
const SQLITE_IOERR = 10
const SQLITE_CORRUPT = 11
const SQLITE_FULL = 13
const SQLITE_CANTOPEN = 14
const SQLITE_NOTADB = 26

/** A message saying what happened to history writes and what to do about it. */
export function describeWriteFailure(path: string, err: unknown, pending: number): string {
  const detail = err instanceof Error ? err.message : String(err)
  const kept = `History is kept in memory meanwhile (${pending} writes pending) and written once possible.`
  if (err instanceof HistoryLocationError) return `${err.message} ${kept}`
  switch (sqliteCode(err)) {
    case SQLITE_FULL:
      return `The disk holding the history file ${path} is full: free some space. ${kept}`
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
      return `The history file ${path} cannot be written (read-only file, folder or disk: ${detail}). Check its permissions. ${kept}`
    case SQLITE_IOERR:
      return `Writing the history file ${path} failed with an I/O error (${detail}); the disk may be full or failing. ${kept}`
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return `The history file ${path} is damaged (${detail}): move it away and restart to start a new history. ${kept}`
    default:
      return `Writing the history file ${path} failed: ${detail}. ${kept}`
  }
}
