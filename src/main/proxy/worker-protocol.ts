import type { PoolSnapshot } from './backend-pool'
import type { BalancingName } from './balancing-strategy'
import type { FailureStreak } from './failure-detector'

/** Structured-clone-safe settings for one worker's listener. */
export interface WorkerListenerSettings {
  host: string
  port: number
  upstreamTimeoutMs: number
  keepAliveIdleMs: number
  retryAfterSeconds: number
  headersTimeoutMs: number
  clientSendTimeoutMs: number
  maxConnections: number
  balancing: BalancingName
  /** 0 disables passive health. */
  failureThreshold: number
  failureWindowMs: number
  timeoutThreshold: number
}

/** `workerData` of a proxy worker. */
export interface WorkerInit {
  settings: WorkerListenerSettings
  /** BackendPool.shareInFlight(): Int32 in-flight count per backend slot. */
  inFlight: SharedArrayBuffer
  /** SharedTickStats.buffer. */
  stats: SharedArrayBuffer
  snapshot: PoolSnapshot
  /** Backends whose next success to report (see ToWorker 'watch'), as of the worker's start. */
  watched: string[]
}

export type ToWorker =
  | { t: 'pool'; snapshot: PoolSnapshot }
  | { t: 'close'; timeoutMs: number }
  /** Report the next success of this backend (it has timeouts counted in the main thread), or stop. */
  | { t: 'watch'; id: string; on: boolean }

export type FromWorker =
  | { t: 'listening'; host: string; port: number }
  | { t: 'listen-error'; code: string | undefined; message: string }
  | { t: 'streak'; streak: FailureStreak }
  /** A request to this backend timed out (counted over all threads: TimeoutTally). */
  | { t: 'timeout'; id: string }
  /** A watched backend answered. */
  | { t: 'answered'; id: string }
  | { t: 'closed' }
