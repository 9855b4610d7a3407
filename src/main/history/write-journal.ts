import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { chunkTables } from './history-schema'
import type { ServiceSampleRow, StoredEvent } from './history-types'
import { levels, type BackendSeries, type ChunkSink } from './series-buffer'

/**
 * The queue of writes not yet in the file, and the one-transaction-per-tick flush.
 *
 * Everything the store decides (head points, sealed chunks, events...) is queued here first and
 * written by `flush`. When a flush fails (read-only file, full disk) its transaction rolls back
 * whole, the queue keeps growing and the next flush retries it, so each operation lands exactly
 * once. Memory stays bounded: a sealed chunk makes the queued head points it contains obsolete,
 * and past `maxPendingBytes` the oldest writes are dropped (counted in `dropped`).
 */

type Op =
  | { kind: 'backend'; s: BackendSeries; bytes: number }
  | {
      kind: 'head'
      level: number
      s: BackendSeries
      at: number
      data: Uint8Array
      bytes: number
      /** Superseded by a sealed chunk: skipped by flush, its bytes no longer counted. */
      dead: boolean
    }
  | { kind: 'chunk'; level: number; s: BackendSeries; start: number; n: number; data: Uint8Array; bytes: number }
  | { kind: 'trim'; level: number; before: number; bytes: number }
  | { kind: 'service'; at: number; row: ServiceSampleRow; bytes: number }
  | { kind: 'event'; e: StoredEvent; bytes: number }

export interface RetentionPolicy {
  /** Per level (raw, 1m, 1h), how long chunks are kept. */
  chunkMs: readonly number[]
  eventMs: number
  /** Service samples are tiny and rare: kept as long as the coarsest rollups. */
  serviceMs: number
  batch: number
}

interface Statements {
  upsertBackend: StatementSync
  insertHead: StatementSync
  deleteHead: StatementSync
  insertChunk: StatementSync[]
  insertService: StatementSync
  insertEvent: StatementSync
  retainChunk: StatementSync[]
  retainEvents: StatementSync
  retainServices: StatementSync
}

const OP_OVERHEAD = 64

export class WriteJournal implements ChunkSink {
  private queue: Op[] = []
  private pendingBytes = 0
  /** Dead head ops still sitting in the queue; compacted away when they pile up. */
  private deadQueued = 0
  private db: DatabaseSync | null = null
  private stmts: Statements | null = null
  /** Writes dropped because the queue hit its bound while the file was unwritable. */
  dropped = 0

  constructor(
    private readonly maxPendingBytes: number,
    private readonly maxWritesPerFlush: number
  ) {}

  get pending(): number {
    return this.queue.length
  }

  /** Points the journal at a (new) connection; null detaches it (writes stay queued). */
  attach(db: DatabaseSync | null): void {
    this.db = db
    this.stmts = db === null ? null : prepare(db)
  }

  backend(s: BackendSeries): void {
    this.push({ kind: 'backend', s, bytes: OP_OVERHEAD })
  }

  head(level: number, s: BackendSeries, at: number, data: Uint8Array): void {
    this.push({ kind: 'head', level, s, at, data, bytes: data.length + OP_OVERHEAD, dead: false })
  }

  chunk(level: number, s: BackendSeries, start: number, n: number, data: Uint8Array): void {
    const end = start + (levels[level]?.spanMs ?? 0)
    // Queued head points of this chunk need not be written any more: the chunk carries them.
    // Points of the next window (already open) stay. The queue is one tick long while writes
    // succeed, so this scan is short except while the file is unwritable.
    for (const h of this.queue) {
      if (h.kind !== 'head' || h.dead || h.s !== s || h.level !== level || h.at < start || h.at >= end) continue
      this.pendingBytes -= h.bytes
      this.deadQueued++
      h.dead = true
    }
    if (this.deadQueued > 1024 && this.deadQueued * 2 > this.queue.length) {
      this.queue = this.queue.filter((op) => !(op.kind === 'head' && op.dead))
      this.deadQueued = 0
    }
    this.push({ kind: 'chunk', level, s, start, n, data, bytes: data.length + OP_OVERHEAD })
  }

  /** Drops head rows of `level` older than `before` (all their chunks are sealed). */
  trimHeads(level: number, before: number): void {
    this.push({ kind: 'trim', level, before, bytes: OP_OVERHEAD })
  }

  service(at: number, row: ServiceSampleRow): void {
    this.push({ kind: 'service', at, row: { ...row }, bytes: OP_OVERHEAD + row.service.length })
  }

  event(e: StoredEvent): void {
    this.push({ kind: 'event', e: { ...e }, bytes: OP_OVERHEAD + e.message.length })
  }

  /** Sealed chunks still waiting to be written (queries read them too). */
  *pendingChunks(level: number, s: BackendSeries): Iterable<{ start: number; data: Uint8Array }> {
    for (const op of this.queue) if (op.kind === 'chunk' && op.level === level && op.s === s) yield op
  }

  /** Events still waiting to be written. */
  pendingEvents(): StoredEvent[] {
    const out: StoredEvent[] = []
    for (const op of this.queue) if (op.kind === 'event') out.push(op.e)
    return out
  }

  private push(op: Op): void {
    this.queue.push(op)
    this.pendingBytes += op.bytes
    if (this.pendingBytes > this.maxPendingBytes) this.shed()
  }

  /** Drops the oldest data writes until under the bound; backend registrations are never dropped. */
  private shed(): void {
    const keep: Op[] = []
    for (const op of this.queue) {
      if (op.kind === 'head' && op.dead) continue
      if (this.pendingBytes > this.maxPendingBytes * 0.9 && op.kind !== 'backend') {
        this.pendingBytes -= op.bytes
        this.dropped++
        continue
      }
      keep.push(op)
    }
    this.queue = keep
    this.deadQueued = 0
  }

  /**
   * Writes up to `maxWritesPerFlush` queued operations plus one retention batch in a single
   * transaction. Throws the SQLite error (after rolling back) when nothing could be committed; the
   * queue is then unchanged. Without an attached connection it throws too.
   */
  flush(at: number, retention: RetentionPolicy): void {
    const db = this.db
    const st = this.stmts
    if (db === null || st === null) throw new Error('history file is not open')
    let taken = 0
    let written = 0
    db.exec('BEGIN IMMEDIATE')
    try {
      for (; taken < this.queue.length && written < this.maxWritesPerFlush; taken++) {
        const op = this.queue[taken] as Op
        if (op.kind === 'head' && op.dead) continue
        apply(st, op)
        written++
      }
      retain(st, at, retention)
      db.exec('COMMIT')
    } catch (err) {
      try {
        db.exec('ROLLBACK')
      } catch {
        // SQLite already rolled back (e.g. SQLITE_FULL during COMMIT).
      }
      throw err
    }
    for (let i = 0; i < taken; i++) {
      const op = this.queue[i] as Op
      if (!(op.kind === 'head' && op.dead)) this.pendingBytes -= op.bytes
    }
    this.queue.splice(0, taken)
    if (this.queue.length === 0) {
      this.pendingBytes = 0
      this.deadQueued = 0
    }
  }
}

function prepare(db: DatabaseSync): Statements {
  return {
    upsertBackend: db.prepare(
      'INSERT INTO backends (key, backend_id, service, name) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (key) DO UPDATE SET service = excluded.service, name = excluded.name'
    ),
    insertHead: db.prepare('INSERT OR REPLACE INTO head (level, backend_key, at, data) VALUES (?, ?, ?, ?)'),
    deleteHead: db.prepare('DELETE FROM head WHERE level = ? AND at < ?'),
    insertChunk: chunkTables.map((t) =>
      db.prepare(`INSERT OR REPLACE INTO ${t} (backend_key, start_ms, n, data) VALUES (?, ?, ?, ?)`)
    ),
    insertService: db.prepare(
      'INSERT INTO service_samples (service, at, desired, running, ready) VALUES (?, ?, ?, ?, ?)'
    ),
    insertEvent: db.prepare(
      'INSERT INTO events (at, kind, level, message, backend_id, service) VALUES (?, ?, ?, ?, ?, ?)'
    ),
    retainChunk: chunkTables.map((t) =>
      db.prepare(`DELETE FROM ${t} WHERE id IN (SELECT id FROM ${t} WHERE start_ms < ? ORDER BY start_ms LIMIT ?)`)
    ),
    retainEvents: db.prepare('DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at < ? ORDER BY at LIMIT ?)'),
    retainServices: db.prepare(
      'DELETE FROM service_samples WHERE id IN (SELECT id FROM service_samples WHERE at < ? ORDER BY at LIMIT ?)'
    )
  }
}

function apply(st: Statements, op: Op): void {
  switch (op.kind) {
    case 'backend':
      st.upsertBackend.run(op.s.key, op.s.id, op.s.service, op.s.name)
      return
    case 'head':
      st.insertHead.run(op.level, op.s.key, op.at, op.data)
      return
    case 'chunk':
      ;(st.insertChunk[op.level] as StatementSync).run(op.s.key, op.start, op.n, op.data)
      return
    case 'trim':
      st.deleteHead.run(op.level, op.before)
      return
    case 'service':
      st.insertService.run(op.row.service, op.at, op.row.desired, op.row.running, op.row.ready)
      return
    case 'event':
      st.insertEvent.run(op.e.at, op.e.kind, op.e.level, op.e.message, op.e.backendId ?? null, op.e.service ?? null)
      return
  }
}

/** Deletes at most `batch` expired rows in total, oldest first, so a backlog drains over ticks. */
function retain(st: Statements, at: number, p: RetentionPolicy): void {
  let budget = p.batch
  for (let level = 0; level < chunkTables.length && budget > 0; level++) {
    const spec = levels[level]
    const keep = p.chunkMs[level]
    if (spec === undefined || keep === undefined) continue
    // A chunk goes only when its whole window is older than the retention horizon.
    const r = (st.retainChunk[level] as StatementSync).run(at - keep - spec.spanMs + 1, budget)
    budget -= Number(r.changes)
  }
  if (budget > 0) budget -= Number(st.retainEvents.run(at - p.eventMs, budget).changes)
  if (budget > 0) st.retainServices.run(at - p.serviceMs, budget)
}
