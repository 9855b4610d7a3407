/**
 * Entry of a proxy worker thread: one ProxyListener sharing the proxy's port (SO_REUSEPORT)
 * with the other workers. Pool state arrives as snapshots from the main thread; in-flight
 * counts and tick counters go into shared memory; failure streaks go back as messages.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { FailureDetector } from './failure-detector'
import { PoolMirror } from './pool-mirror'
import { ProxyListener } from './proxy-listener'
import type { StatsSink } from './proxy-ports'
import { SharedTickStats } from './shared-tick-stats'
import { GroupedStrategy } from './grouped-strategy'
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol'

// Agents of departed backends are pruned this often (the main thread does it on takeTick).
const PRUNE_INTERVAL_MS = 1_000

function run(port: NonNullable<typeof parentPort>, init: WorkerInit): void {
  const post = (m: FromWorker): void => port.postMessage(m)
  const s = init.settings
  const mirror = new PoolMirror(init.inFlight, init.snapshot)
  const shared = new SharedTickStats(init.stats)
  const sink: StatsSink = {
    touch(id) {
      const slot = mirror.slotOf(id)
      if (slot !== undefined) shared.touch(slot)
    },
    record(id, status, ms) {
      shared.record(id === null ? -1 : (mirror.slotOf(id) ?? -1), status, ms)
    }
  }
  /** Backends with timeouts counted in the main thread: their next success is reported. */
  const watched = new Set<string>(init.watched)
  const listener = new ProxyListener({
    host: s.host,
    port: s.port,
    reusePort: true,
    pool: mirror,
    stats: sink,
    strategy: new GroupedStrategy(s.balancing, (g) => mirror.balancingOf(g), (id) => mirror.inFlight(id)),
    upstreamTimeoutMs: s.upstreamTimeoutMs,
    keepAliveIdleMs: s.keepAliveIdleMs,
    retryAfterSeconds: s.retryAfterSeconds,
    headersTimeoutMs: s.headersTimeoutMs,
    clientSendTimeoutMs: s.clientSendTimeoutMs,
    maxConnections: s.maxConnections,
    // Timeouts are counted over all threads in the main thread, not per thread (TimeoutTally).
    detector: s.failureThreshold > 0 ? new FailureDetector(s.failureThreshold, s.failureWindowMs, 0) : null,
    timeouts:
      s.timeoutThreshold > 0
        ? {
            timedOut: (id) => post({ t: 'timeout', id }),
            answered: (id) => {
              if (watched.size !== 0 && watched.delete(id)) post({ t: 'answered', id })
            }
          }
        : undefined,
    onStreak: (streak) => post({ t: 'streak', streak }),
    onActive: (d) => shared.addActive(d),
    countConnections: (d) => shared.addConnections(d)
  })
  const pruner = setInterval(() => listener.pruneAgents(), PRUNE_INTERVAL_MS)
  pruner.unref()
  port.on('message', (m: ToWorker) => {
    if (m.t === 'pool') mirror.apply(m.snapshot)
    else if (m.t === 'watch') {
      if (m.on) watched.add(m.id)
      else watched.delete(m.id)
    } else if (m.t === 'close') {
      clearInterval(pruner)
      void listener.close(m.timeoutMs).then(() => {
        post({ t: 'closed' })
        port.close()
      })
    }
  })
  listener.start().then(
    (addr) => post({ t: 'listening', host: addr.host, port: addr.port }),
    (err: Error & { cause?: NodeJS.ErrnoException }) => {
      clearInterval(pruner)
      post({ t: 'listen-error', code: err.cause?.code, message: err.message })
      port.close()
    }
  )
}

if (parentPort !== null) run(parentPort, workerData as WorkerInit)
