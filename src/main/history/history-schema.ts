import type { DatabaseSync } from 'node:sqlite'

/**
 * Schema of the history file and its migrations. `PRAGMA user_version` is the schema version (also
 * mirrored in `meta` for humans); migration i brings version i to i + 1 inside one transaction, so a
 * later release appends a migration and never edits an old one.
 *
 * Tables:
 * - `backends`: integer key per backend id (chunks store the key, not the string), its last service
 *   and last display name (container name or host:port), so history can name backends long gone.
 *   `name` came with schema 2; rows last written by schema 1 have none.
 * - `chunk_raw`, `chunk_1m`, `chunk_1h`: one row per backend per chunk window (1 min, 1 h, 1 day)
 *   holding a packed column blob (see chunk-codec.ts). Rowid tables on purpose: rows are ~1 KB and
 *   a WITHOUT ROWID table would spill such rows to overflow pages.
 * - `head`: the points of not-yet-sealed chunks, one small row per point, so a crash loses at most
 *   the tick being written. Keyed by time first so a tick's rows append to one page, and rows of
 *   sealed chunks go in one range delete per tick (readers skip head rows a stored chunk covers).
 * - `service_samples`: replica counts, a row only when they change.
 * - `events`: the event log.
 */

export const chunkTables = ['chunk_raw', 'chunk_1m', 'chunk_1h'] as const

const migrations: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE backends (key INTEGER PRIMARY KEY, backend_id TEXT NOT NULL UNIQUE, service TEXT);
  ${chunkTables
    .map(
      (t) => `
  CREATE TABLE ${t} (
    id INTEGER PRIMARY KEY, backend_key INTEGER NOT NULL, start_ms INTEGER NOT NULL,
    n INTEGER NOT NULL, data BLOB NOT NULL);
  CREATE UNIQUE INDEX ${t}_by_backend ON ${t} (backend_key, start_ms);
  CREATE INDEX ${t}_by_start ON ${t} (start_ms);`
    )
    .join('\n')}
  CREATE TABLE head (
    level INTEGER NOT NULL, backend_key INTEGER NOT NULL, at INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (level, at, backend_key)) WITHOUT ROWID;
  CREATE TABLE service_samples (
    id INTEGER PRIMARY KEY, service TEXT NOT NULL, at INTEGER NOT NULL,
    desired INTEGER NOT NULL, running INTEGER NOT NULL, ready INTEGER NOT NULL);
  CREATE INDEX service_samples_by_service ON service_samples (service, at);
  CREATE INDEX service_samples_by_at ON service_samples (at);
  CREATE TABLE events (
    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, level TEXT NOT NULL,
    message TEXT NOT NULL, backend_id TEXT, service TEXT);
  CREATE INDEX events_by_at ON events (at);
  `,
  // 2: display names, so a removed container is still "prescal-demo-2baba7" in History and CSV.
  `ALTER TABLE backends ADD COLUMN name TEXT;`
]

export const schemaVersion = migrations.length

/** Sets per-connection pragmas. WAL + NORMAL: a commit survives a process crash without an fsync. */
export function configureConnection(db: DatabaseSync, readOnly: boolean): void {
  db.exec('PRAGMA busy_timeout = 1000')
  if (readOnly) return
  // page_size only takes effect before the first table exists (new file).
  db.exec('PRAGMA page_size = 8192')
  const mode = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode?: string } | undefined
  if (mode?.journal_mode !== 'wal') throw new Error(`could not enable WAL (journal_mode=${String(mode?.journal_mode)})`)
  db.exec('PRAGMA synchronous = NORMAL')
}

export function readSchemaVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version?: number } | undefined
  return Number(row?.user_version ?? 0)
}

/**
 * Brings the file to `schemaVersion`. Throws when the file was written by a newer release (its
 * schema is unknown here, so writing could damage it).
 */
export function migrate(db: DatabaseSync): void {
  const current = readSchemaVersion(db)
  if (current > schemaVersion) {
    throw new Error(`history file has schema ${current}, this release knows up to ${schemaVersion}`)
  }
  for (let v = current; v < schemaVersion; v++) {
    db.exec('BEGIN IMMEDIATE')
    try {
      db.exec(migrations[v] as string)
      db.exec(`PRAGMA user_version = ${v + 1}`)
      db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(v + 1))
      db.exec('COMMIT')
    } catch (err) {
      db.exec('ROLLBACK')
      throw err
    }
  }
}
