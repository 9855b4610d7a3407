import { Worker } from 'node:worker_threads'

/**
 * Runs SQLite WAL checkpoints on a worker thread with its own connection.
 *
 * Why: with the default auto-checkpoint, the commit that crosses 1000 WAL pages copies them into
 * the database file and fsyncs, inside the engine's tick (measured 6–12 ms for ~380 pages on a
 * fast disk; more on a slow one). A PASSIVE checkpoint from another connection never blocks the
 * writer, so the tick only pays for its own commit. It needs the pause between ticks to finish
 * (a writer that never pauses keeps adding frames, and the WAL only restarts once all are copied),
 * so the store keeps SQLite's auto-checkpoint as a backstop at a higher threshold. If the worker
 * cannot start or dies, `active` turns false and the store goes back to the default.
 */

// Plain CommonJS so it runs as an eval worker: no file to locate after bundling.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads')
// node:sqlite is still flagged experimental in Node 22: its warning would reach the user's terminal.
process.removeAllListeners('warning')
process.on('warning', (w) => {
  if (!(w.name === 'ExperimentalWarning' && /SQLite/.test(w.message))) console.warn(w.name + ': ' + w.message)
})
const { DatabaseSync } = require('node:sqlite')
let db = null
try {
  db = new DatabaseSync(workerData.path)
  db.exec('PRAGMA busy_timeout = 0')
} catch (err) {
  db = null
}
parentPort.on('message', (m) => {
  if (m.type === 'close') {
    try { if (db !== null) db.close() } catch {}
    db = null
    Atomics.store(m.flag, 0, 1)
    Atomics.notify(m.flag, 0)
    parentPort.close()
    return
  }
  try { if (db !== null) db.exec('PRAGMA wal_checkpoint(PASSIVE)') } catch {}
})
`

export class WalCheckpointer {
  private worker: Worker | null = null

  /** Starts the worker for the database at `path`; never throws (see `active`). */
  constructor(path: string) {
    try {
      const worker = new Worker(workerSource, { eval: true, workerData: { path } })
      worker.on('error', () => {
        this.worker = null
      })
      worker.on('exit', () => {
        if (this.worker === worker) this.worker = null
      })
      worker.unref()
      this.worker = worker
    } catch {
      this.worker = null
    }
  }

  get active(): boolean {
    return this.worker !== null
  }

  /** Asks for one passive checkpoint; returns at once. */
  request(): void {
    this.worker?.postMessage({ type: 'checkpoint' })
  }

  /**
   * Closes the worker's connection (waiting up to `timeoutMs` so the store's own close is the last
   * one and can remove the WAL file) and ends the thread.
   */
  close(timeoutMs = 2_000): void {
    const worker = this.worker
    this.worker = null
    if (worker === null) return
    const flag = new Int32Array(new SharedArrayBuffer(4))
    try {
      worker.postMessage({ type: 'close', flag })
      Atomics.wait(flag, 0, 0, timeoutMs)
    } finally {
      void worker.terminate()
    }
  }
}
