import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { PrescalError } from '../../shared/errors'
import type { BackendPool } from './backend-pool'
import { TimeoutTally, type FailureStreak } from './failure-detector'
import { listenError } from './proxy-listener'
import { SharedTickStats } from './shared-tick-stats'
import type { ProxyTick } from './traffic-stats'
import type { FromWorker, ToWorker, WorkerInit, WorkerListenerSettings } from './worker-protocol'

// A worker that does not confirm its close within the drain timeout plus this is terminated.
const CLOSE_GRACE_MS = 2_000

interface Running {
  worker: Worker
  closed: Promise<void>
}

/**
 * How to start a worker. Built (electron-vite) the entry is `proxy-worker.js`, emitted as its
 * own input next to the main bundle (or one folder up from a shared chunk); from TypeScript
 * sources (tsx, vitest) it is `proxy-worker.ts`, loaded through tsx's require hook.
 */
export function resolveWorkerEntry(override?: string): { script: string; eval: boolean } | null {
  if (override !== undefined) return existsSync(override) ? { script: override, eval: false } : null
  if (__filename.endsWith('.ts')) {
    const entry = join(__dirname, 'proxy-worker.ts')
    let tsx: string
    try {
      tsx = createRequire(__filename).resolve('tsx/cjs/api')
    } catch {
      return null
    }
    return { script: `require(${JSON.stringify(tsx)}).register();require(${JSON.stringify(entry)})`, eval: true }
  }
  for (const dir of [__dirname, dirname(__dirname)]) {
    const js = join(dir, 'proxy-worker.js')
    if (existsSync(js)) return { script: js, eval: false }
  }
  return null
}

/**
 * N worker threads, each a ProxyListener on the same address (SO_REUSEPORT: the kernel spreads
 * new connections over them). Pool changes are pushed to every worker (coalesced per turn of
 * the event loop); in-flight counts and tick counters are shared memory; failure streaks come
 * back as messages. `close()` drains every worker, then makes sure each has exited.
 */
export class WorkerGroup {
  private readonly stats = new SharedTickStats()
  private readonly running: Running[] = []
  private unsubscribe: (() => void) | null = null
  private pushScheduled = false
  private closing = false
  private settingsBound: WorkerListenerSettings | null = null
  private readonly timeouts: TimeoutTally

  constructor(
    private readonly pool: BackendPool,
    private readonly count: number,
    private readonly settings: WorkerListenerSettings,
    private readonly entry: { script: string; eval: boolean },
    private readonly onStreak: (streak: FailureStreak) => void,
    private readonly onWarning: (message: string) => void = () => undefined
  ) {
    this.timeouts = new TimeoutTally(settings.failureThreshold > 0 ? settings.timeoutThreshold : 0)
  }

  /** Binds every worker; rejects PROXY_LISTEN_FAILED (all workers stopped) if any cannot. */
  async start(): Promise<{ host: string; port: number }> {
    const { host } = this.settings
    // SO_REUSEPORT would let us share a port with another program of the same user (a second
    // Prescal, say) without any error: check it is free first with a plain bind. For port 0 the
    // same bind picks the port every worker then uses.
    const port = await probePort(host, this.settings.port)
    this.settingsBound = { ...this.settings, port }
    this.pool.shareInFlight()
    this.unsubscribe = this.pool.onChange(() => this.schedulePush())
    const listening: Promise<{ host: string; port: number }>[] = []
    for (let i = 0; i < this.count; i++) listening.push(this.spawn(i))
    try {
      const addrs = await Promise.all(listening)
      return addrs[0]!
    } catch (err) {
      await this.close(0)
      throw err
    }
  }

  private spawn(index: number): Promise<{ host: string; port: number }> {
    const settings = this.settingsBound!
    const { host, port } = settings
    const init: WorkerInit = {
      settings,
      inFlight: this.pool.shareInFlight(),
      stats: this.stats.buffer,
      snapshot: this.pool.snapshot(),
      watched: this.timeouts.watched()
    }
    const worker = new Worker(this.entry.script, { eval: this.entry.eval, workerData: init, name: `prescal-proxy-${index}` })
    const closed = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
    const entry: Running = { worker, closed }
    this.running.push(entry)
    let listening = false
    worker.once('exit', (code) => {
      if (this.closing || !listening) return
      // A crashed worker (a bug): replace it so the port keeps its capacity. Requests it had in
      // flight are lost with it, and so are their in-flight counts (a drain then waits its timeout).
      const i = this.running.indexOf(entry)
      if (i >= 0) this.running.splice(i, 1)
      this.onWarning(`Proxy worker ${index} exited (code ${code}); starting a new one.`)
      this.spawn(index).catch((err: Error) => this.onWarning(`Proxy worker ${index} could not be restarted: ${err.message}`))
    })
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.t === 'listening') {
          listening = true
          resolve({ host: m.host, port: m.port })
        } else if (m.t === 'listen-error') reject(listenError(host, port, Object.assign(new Error(m.message), { code: m.code })))
        else if (m.t === 'streak') this.onStreak(m.streak)
        else if (m.t === 'timeout') this.timedOut(m.id)
        else if (m.t === 'answered') this.answered(m.id)
      })
      worker.once('error', (err) => {
        if (!listening) reject(new PrescalError('PROXY_LISTEN_FAILED', `A proxy worker failed to start: ${err.message}`, { cause: err }))
      })
      worker.once('exit', () => reject(new PrescalError('PROXY_LISTEN_FAILED', 'A proxy worker exited before listening.')))
    })
  }

  takeTick(): ProxyTick {
    const pool = this.pool
    return this.stats.take(
      (slot) => pool.idOfSlot(slot),
      (slot) => {
        const id = pool.idOfSlot(slot)
        return id === undefined ? 0 : pool.inFlight(id)
      }
    )
  }

  /** Drains every worker for up to `timeoutMs`, then waits for their exit (terminating stragglers). */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true
    this.unsubscribe?.()
    this.unsubscribe = null
    const running = this.running.splice(0)
    await Promise.all(
      running.map(async ({ worker, closed }) => {
        const msg: ToWorker = { t: 'close', timeoutMs }
        try {
          worker.postMessage(msg)
        } catch {
          // Already gone.
        }
        let timer: NodeJS.Timeout | undefined
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs + CLOSE_GRACE_MS)))
        if ((await Promise.race([closed, late])) === 'late') await worker.terminate()
        clearTimeout(timer)
        worker.removeAllListeners()
      })
    )
  }

  private timedOut(id: string): void {
    const watchedBefore = this.timeouts.watching(id)
    const streak = this.timeouts.timedOut(id)
    if (streak !== null) this.onStreak(streak)
    const watchedNow = this.timeouts.watching(id)
    if (watchedNow !== watchedBefore) this.broadcast({ t: 'watch', id, on: watchedNow })
  }

  private answered(id: string): void {
    if (!this.timeouts.watching(id)) return
    this.timeouts.answered(id)
    this.broadcast({ t: 'watch', id, on: false })
  }

  private broadcast(msg: ToWorker): void {
    for (const { worker } of this.running) worker.postMessage(msg)
  }

  private schedulePush(): void {
    if (this.pushScheduled) return
    this.pushScheduled = true
    queueMicrotask(() => {
      this.pushScheduled = false
      const msg: ToWorker = { t: 'pool', snapshot: this.pool.snapshot() }
      for (const { worker } of this.running) worker.postMessage(msg)
    })
  }
}

function probePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', (err: NodeJS.ErrnoException) => reject(listenError(host, port, err)))
    s.listen({ host, port, exclusive: true }, () => {
      const bound = (s.address() as net.AddressInfo).port
      s.close(() => resolve(bound))
    })
  })
}
