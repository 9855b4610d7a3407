import type { DatabaseSync } from 'node:sqlite'
import { isPrescalError, PrescalError } from '../../shared/errors'
import { csvHeader, csvRows, type CsvBackendLabels } from './csv-format'
import { closeQuietly, defaultOpenDatabase, describeWriteFailure, openConnection } from './history-connection'
import { prepareHistoryLocation } from './history-location'
import { HistoryReader } from './history-reader'
import type {
  BackendInRange,
  BackendSampleRow,
  HistoryOptions,
  HistoryQuery,
  HistoryResult,
  HistoryStatus,
  ServiceSampleRow,
  StoredEvent
} from './history-types'
import { gridTimes, planQuery, validateQuery } from './query-planner'
import { hasPoints, pointBlocks } from './point-source'
import { assembleSeries } from './series-assembler'
import { adoptKeys, restoreHeads } from './history-recovery'
import {
  appendPoint,
  levels,
  newSeries,
  retireDue,
  SealQueue,
  type BackendSeries
} from './series-buffer'
import { sampleToRaw } from './series-columns'
import { WalCheckpointer } from './wal-checkpointer'
import { WriteJournal, type RetentionPolicy } from './write-journal'

const HOUR = 3_600_000
const DAY = 24 * HOUR

export const defaultHistoryOptions: HistoryOptions = {
  rawRetentionMs: 48 * HOUR,
  minuteRetentionMs: 30 * DAY,
  hourRetentionMs: 730 * DAY,
  eventRetentionMs: 30 * DAY,
  retentionBatch: 500,
  retryIntervalMs: 5_000,
  maxPendingBytes: 32 * 1024 * 1024,
  maxWritesPerTick: 2_000,
  now: () => Date.now(),
  openDatabase: defaultOpenDatabase
}

/**
 * The embedded metrics history: one SQLite file (WAL, synchronous=NORMAL), written once per engine
 * tick from the main process.
 *
 * Storage: each backend's samples are buffered per minute and stored as one compressed column
 * chunk per backend per minute (see chunk-codec.ts, ~1–2 bytes per value); the points of the open
 * minute are also appended to a small `head` table every tick, so a crash loses at most the tick
 * being written and a clean close loses nothing. Sealing a minute yields its 1 min rollup; sealing
 * an hour of those yields the 1 h rollup (series-buffer.ts). Every backend's minute ends on the
 * same tick, so sealing is spread over the following ticks (a few chunks per tick), as are the
 * deletes of obsolete head rows; retention deletes at most `retentionBatch` expired rows per tick;
 * WAL checkpoints run on a worker thread (wal-checkpointer.ts).
 * Rollups and retention follow the ticks' `at`, not the wall clock. Measured with 50 backends
 * (scripts/bench-history.ts): ~0.2–0.3 ms median per tick, ~1.4 bytes per raw value.
 *
 * Failure: the store never throws on open. It creates the file's folder itself (see
 * history-location.ts: a path that cannot hold the file fails in words, never spins or blocks).
 * While the file cannot be written (no folder, read-only, disk full, unopenable) writes stay
 * queued in memory (bounded by `maxPendingBytes`, oldest dropped), `status()` says what is
 * wrong, every writeTick/writeEvent whose data could not be persisted throws PrescalError
 * `HISTORY_WRITE_FAILED` (nothing else escapes them), and the store retries (re-opening the file)
 * every `retryIntervalMs` until writes succeed. Calls after close() throw `CLOSED`. Queries read
 * the file plus what is still in memory.
 */
export class HistoryStore {
  private db: DatabaseSync | null = null
  private checkpointer: WalCheckpointer | null = null
  private checkpointerFailed = false
  private flushes = 0
  private writable = false
  private reader: HistoryReader | null = null
  private readonly journal: WriteJournal
  private readonly seals: SealQueue
  private readonly series = new Map<string, BackendSeries>()
  private readonly services = new Map<string, string>()
  private nextKey = 1
  private loaded = false
  private latestAt: number | null = null
  private failure: string | null = null
  private nextRetryAt = -Infinity
  private closed = false
  /** Per level, the head trim cutoff last queued. */
  private readonly trimmed: number[] = []

  private constructor(
    private readonly path: string,
    private readonly opts: HistoryOptions
  ) {
    this.journal = new WriteJournal(opts.maxPendingBytes, opts.maxWritesPerTick)
    this.seals = new SealQueue(this.journal)
  }

  /** Opens (creating or migrating) the file at `path`. Never throws: see status(). */
  static open(path: string, opts: Partial<HistoryOptions> = {}): HistoryStore {
    const store = new HistoryStore(path, { ...defaultHistoryOptions, ...opts })
    store.connect()
    return store
  }

  /** Appends one tick. Throws HISTORY_WRITE_FAILED (data kept in memory) or INVALID_ARGUMENT/CLOSED. */
  writeTick(at: number, backends: BackendSampleRow[], services: ServiceSampleRow[]): void {
    this.assertOpen()
    if (!Number.isFinite(at)) throw new PrescalError('INVALID_ARGUMENT', `history tick time ${at} is not a finite time`)
    try {
      this.latestAt = this.latestAt === null ? at : Math.max(this.latestAt, at)
      for (const s of this.series.values()) retireDue(s, at, this.seals)
      for (const row of backends) {
        if (typeof row.backendId !== 'string' || row.backendId === '') continue
        const s = this.seriesFor(row.backendId, row.service ?? null, row.name ?? null)
        // Chunks are immutable once sealed: a sample older than the newest one (clock set back) is dropped.
        if (at <= s.lastAt) continue
        if (appendPoint(s, 0, at, sampleToRaw(row), this.seals)) s.lastAt = at
      }
      // All backends' minutes end on the same tick: seal a few per tick, enough to keep up.
      this.seals.drain(Math.max(4, Math.ceil(this.seals.length / 20)))
      this.trimHeads(at)
      for (const row of services) {
        const sig = `${row.desired}/${row.running}/${row.ready}`
        if (this.services.get(row.service) === sig) continue
        this.services.set(row.service, sig)
        this.journal.service(at, row)
      }
    } catch (err) {
      throw new PrescalError('HISTORY_WRITE_FAILED', `history could not take the tick: ${String(err)}`, { cause: err })
    }
    this.persist()
  }

  /** Records an event. Throws like writeTick. */
  writeEvent(e: StoredEvent): void {
    this.assertOpen()
    if (!Number.isFinite(e.at)) throw new PrescalError('INVALID_ARGUMENT', 'event time is not a finite time')
    this.journal.event(e)
    this.persist()
  }

  /** Series for the range on one shared time grid (see HistorySeries). INVALID_ARGUMENT on a bad query. */
  query(q: HistoryQuery): HistoryResult {
    this.assertOpen()
    validateQuery(q)
    const retention = this.retention().chunkMs
    const plan = planQuery(q, this.latestAt ?? this.opts.now(), retention)
    const ids = this.selectBackends(q)
    const t = gridTimes(plan)
    const series = this.read(() =>
      ids.flatMap((s) => assembleSeries(s.id, q.metrics, plan, pointBlocks(this.reader, this.journal, s, plan.level, plan.start, q.to), t))
    )
    return { resolution: (levels[plan.level] as (typeof levels)[number]).name, stepMs: plan.stepMs, series }
  }

  /** Newest first, at most `limit`, with `from <= at <= to`. */
  events(from: number, to: number, limit: number): StoredEvent[] {
    this.assertOpen()
    const n = Math.max(0, Math.min(Math.floor(limit), 100_000))
    const stored = this.reader === null ? [] : this.read(() => (this.reader as HistoryReader).events(from, to, n))
    const pending = this.journal.pendingEvents().filter((e) => e.at >= from && e.at <= to)
    return [...stored, ...pending].sort((a, b) => b.at - a.at).slice(0, n)
  }

  /** Backends with at least one stored point in [from, to], with their last known service and name. */
  backendsInRange(from: number, to: number): BackendInRange[] {
    this.assertOpen()
    return this.read(() =>
      [...this.series.values()]
        .filter((s) => hasPoints(this.reader, this.journal, s, from, to))
        .map((s) => ({ backendId: s.id, name: s.name, service: s.service }))
    )
  }

  /** Writes the query result as CSV (see csv-format.ts) through `write`, in chunks of about 64 KB. */
  exportCsv(q: HistoryQuery, write: (chunk: string) => void): void {
    const result = this.query(q)
    write(csvHeader(q.metrics))
    let buf = ''
    const labelsOf = (id: string): CsvBackendLabels => {
      const s = this.series.get(id)
      return { name: s?.name ?? null, service: s?.service ?? null }
    }
    for (const row of csvRows(result, q.metrics, labelsOf)) {
      buf += row
      if (buf.length >= 65_536) {
        write(buf)
        buf = ''
      }
    }
    if (buf.length > 0) write(buf)
  }

  status(): HistoryStatus {
    return { ok: this.failure === null, message: this.failure, path: this.path }
  }

  /** Writes what is still queued (best effort) and closes the file. Idempotent; never throws. */
  close(): void {
    if (this.closed) return
    this.closed = true
    if (!this.writable && this.journal.pending > 0) {
      this.disconnect()
      this.connect()
    }
    if (this.writable && this.journal.pending > 0) {
      try {
        while (this.journal.pending > 0) this.journal.flush(this.latestAt ?? Number.MIN_SAFE_INTEGER, this.retention())
      } catch {
        // The file is not writable; nothing more can be saved.
      }
    }
    this.disconnect()
  }

  private assertOpen(): void {
    if (this.closed) throw new PrescalError('CLOSED', 'the history store is closed')
  }

  /** Queues range deletes of head rows whose chunks are all sealed, ≤ 10 steps' worth per tick. */
  private trimHeads(at: number): void {
    for (let level = 0; level < levels.length; level++) {
      let cutoff = at
      for (const s of this.series.values()) {
        const c = s.closing[level] ?? s.open[level]
        if (c !== null && c !== undefined && c.start < cutoff) cutoff = c.start
      }
      const prev = this.trimmed[level]
      if (prev !== undefined && cutoff <= prev) continue
      // Advance a few ticks' worth at a time: one big delete of a minute of rows costs a few ms.
      const step = (levels[level] as (typeof levels)[number]).stepMs * 10
      const next = prev === undefined ? cutoff : Math.min(cutoff, prev + step)
      this.trimmed[level] = next
      this.journal.trimHeads(level, next)
    }
  }

  private retention(): RetentionPolicy {
    const o = this.opts
    return {
      chunkMs: [o.rawRetentionMs, o.minuteRetentionMs, o.hourRetentionMs],
      eventMs: o.eventRetentionMs,
      serviceMs: o.hourRetentionMs,
      batch: o.retentionBatch
    }
  }

  private seriesFor(id: string, service: string | null, name: string | null): BackendSeries {
    let s = this.series.get(id)
    if (s === undefined) {
      s = newSeries(id, service, this.nextKey++, name)
      this.series.set(id, s)
      this.journal.backend(s)
    } else if (s.service !== service || (name !== null && s.name !== name)) {
      s.service = service
      s.name = name ?? s.name
      this.journal.backend(s)
    }
    return s
  }

  private persist(): void {
    if (!this.writable && this.opts.now() >= this.nextRetryAt) {
      this.disconnect()
      this.connect()
    }
    if (this.writable) {
      try {
        this.journal.flush(this.latestAt ?? Number.MIN_SAFE_INTEGER, this.retention())
        this.failure = null
        if (++this.flushes % 10 === 0) this.checkpoint()
        return
      } catch (err) {
        this.fail(err)
        // Re-open on retry: a connection that hit a read-only file never becomes writable by itself.
        this.disconnect()
      }
    }
    throw new PrescalError('HISTORY_WRITE_FAILED', this.failure ?? 'history is not writable')
  }

  private fail(err: unknown): void {
    this.failure = describeWriteFailure(this.path, err, this.journal.pending)
    this.nextRetryAt = this.opts.now() + this.opts.retryIntervalMs
  }

  private connect(): void {
    try {
      prepareHistoryLocation(this.path)
    } catch (err) {
      this.fail(err)
      return
    }
    const { conn, writeError } = openConnection(this.path, this.opts.openDatabase)
    if (writeError !== null) this.fail(writeError)
    if (conn === null) return
    this.db = conn.db
    this.writable = conn.writable
    this.reader = new HistoryReader(conn.db)
    try {
      this.load(this.reader)
    } catch (err) {
      this.fail(err)
      this.disconnect()
      return
    }
    if (this.writable) this.journal.attach(conn.db)
  }

  /**
   * Asks the checkpoint worker for a checkpoint, starting it on first use (not at open, where its
   * start-up would compete with loading). The worker checkpoints between ticks; SQLite's own
   * checkpoint stays as a backstop at 4× the default, for a writer with no pause between ticks
   * (the worker never finishes then). If the worker died, checkpoints go back to SQLite.
   */
  private checkpoint(): void {
    const db = this.db
    if (db === null || this.checkpointerFailed) return
    try {
      if (this.checkpointer === null) {
        this.checkpointer = new WalCheckpointer(this.path)
        if (this.checkpointer.active) db.exec('PRAGMA wal_autocheckpoint = 4000')
      }
      if (this.checkpointer.active) {
        this.checkpointer.request()
        return
      }
      this.checkpointerFailed = true
      this.checkpointer = null
      db.exec('PRAGMA wal_autocheckpoint = 1000')
    } catch {
      // The next write reports a broken connection.
    }
  }

  private disconnect(): void {
    // The worker's connection closes first, so ours is the last and can remove the WAL file.
    this.checkpointer?.close()
    this.checkpointer = null
    this.journal.attach(null)
    closeQuietly(this.db)
    this.db = null
    this.reader = null
    this.writable = false
  }

  /** Adopts the file's keys, and once per store its unsealed chunks (see history-recovery.ts). */
  private load(reader: HistoryReader): void {
    this.nextKey = adoptKeys(reader, this.series, this.journal)
    if (this.loaded) return
    const latest = restoreHeads(reader, this.series, this.seals)
    if (latest !== null) this.latestAt = Math.max(this.latestAt ?? -Infinity, latest)
    this.loaded = true
  }

  private selectBackends(q: HistoryQuery): BackendSeries[] {
    let list: BackendSeries[]
    if (q.backends !== undefined) {
      list = q.backends.map((id) => this.series.get(id)).filter((s): s is BackendSeries => s !== undefined)
    } else {
      list = [...this.series.values()].filter((s) => hasPoints(this.reader, this.journal, s, q.from, q.to))
    }
    if (q.service !== undefined) list = list.filter((s) => s.service === q.service)
    return list
  }

  /** Runs a read; SQLite failures become HISTORY_READ_FAILED. */
  private read<T>(fn: () => T): T {
    try {
      return fn()
    } catch (err) {
      if (isPrescalError(err)) throw err
      throw new PrescalError('HISTORY_READ_FAILED', `reading history failed: ${String(err)}`, { cause: err })
    }
  }
}
