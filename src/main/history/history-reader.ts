import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { chunkTables } from './history-schema'
import type { StoredEvent } from './history-types'
import { levels } from './series-buffer'

/**
 * Read-side statements over one connection. Only the store calls it; any SQLite error propagates
 * to the store, which decides whether it is fatal.
 */

export interface RegistryRow {
  key: number
  backendId: string
  service: string | null
  /** Null when never recorded (a row from schema 1). */
  name: string | null
}

export interface HeadRow {
  level: number
  key: number
  at: number
  data: Uint8Array
}

export interface ChunkRow {
  start: number
  data: Uint8Array
}

export class HistoryReader {
  private readonly chunksStmt: StatementSync[]
  private readonly anyChunkStmt: StatementSync[]
  private readonly lastChunkStmt: StatementSync[]
  private readonly eventsStmt: StatementSync
  private readonly registrySql: string

  constructor(private readonly db: DatabaseSync) {
    // A file opened read-only cannot be migrated: one from schema 1 has no `name` column yet.
    const hasName = db.prepare("SELECT 1 AS x FROM pragma_table_info('backends') WHERE name = 'name'").get() !== undefined
    this.registrySql = `SELECT key, backend_id, service, ${hasName ? 'name' : 'NULL AS name'} FROM backends ORDER BY key`
    this.chunksStmt = chunkTables.map((t) =>
      db.prepare(`SELECT start_ms, data FROM ${t} WHERE backend_key = ? AND start_ms > ? AND start_ms <= ? ORDER BY start_ms`)
    )
    this.anyChunkStmt = chunkTables.map((t) =>
      db.prepare(`SELECT 1 AS x FROM ${t} WHERE backend_key = ? AND start_ms > ? AND start_ms <= ? LIMIT 1`)
    )
    this.lastChunkStmt = chunkTables.map((t) => db.prepare(`SELECT MAX(start_ms) AS s FROM ${t} WHERE backend_key = ?`))
    this.eventsStmt = db.prepare(
      'SELECT at, kind, level, message, backend_id, service FROM events WHERE at >= ? AND at <= ? ORDER BY at DESC, id DESC LIMIT ?'
    )
  }

  registry(): RegistryRow[] {
    return this.db
      .prepare(this.registrySql)
      .all()
      .map((r) => ({
        key: Number(r.key),
        backendId: String(r.backend_id),
        service: r.service === null ? null : String(r.service),
        name: r.name === null ? null : String(r.name)
      }))
  }

  heads(): HeadRow[] {
    return this.db
      .prepare('SELECT level, backend_key, at, data FROM head ORDER BY level, backend_key, at')
      .all()
      .map((r) => ({ level: Number(r.level), key: Number(r.backend_key), at: Number(r.at), data: r.data as Uint8Array }))
  }

  /** Chunks of `level` for `key` whose window overlaps [from, to], oldest first. */
  chunks(level: number, key: number, from: number, to: number): ChunkRow[] {
    const span = (levels[level] as (typeof levels)[number]).spanMs
    return (this.chunksStmt[level] as StatementSync)
      .all(key, from - span, to)
      .map((r) => ({ start: Number(r.start_ms), data: r.data as Uint8Array }))
  }

  hasChunk(level: number, key: number, from: number, to: number): boolean {
    const span = (levels[level] as (typeof levels)[number]).spanMs
    return (this.anyChunkStmt[level] as StatementSync).get(key, from - span, to) !== undefined
  }

  /** Start of the newest stored chunk of a backend at `level`, or null. */
  lastChunkStart(level: number, key: number): number | null {
    const r = (this.lastChunkStmt[level] as StatementSync).get(key)
    return r === undefined || r.s === null ? null : Number(r.s)
  }

  events(from: number, to: number, limit: number): StoredEvent[] {
    return this.eventsStmt.all(from, to, limit).map((r) => {
      const e: StoredEvent = { at: Number(r.at), kind: String(r.kind), level: String(r.level), message: String(r.message) }
      if (r.backend_id !== null) e.backendId = String(r.backend_id)
      if (r.service !== null) e.service = String(r.service)
      return e
    })
  }
}
