import http from 'node:http'
import type { BackendPool } from './backend-pool'
import { EjectionPolicy, formatDuration, type PassiveHealthOptions } from './ejection-policy'
import type { FailureStreak } from './failure-detector'

/** Told about every ejection (`ejected` true) and re-admission (false), with a readable reason. */
export type EjectionListener = (id: string, ejected: boolean, reason: string) => void

/**
 * Passive health on the main thread: failure streaks reported by the proxy threads eject a
 * backend from the pool (`pool.setEjected`) for a while; when that time is up, one probe
 * (GET `probePath`, fresh connection) decides: any answer below 500 re-admits it, anything else
 * ejects it again for twice as long (capped). Re-admission needs that probe: a backend that the
 * poller still reports up is not trusted on that alone, since /metrics can answer while the app
 * itself fails. `close()` clears every timer and destroys a running probe.
 */
export class PassiveHealth {
  private readonly policy: EjectionPolicy
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly probes = new Set<http.ClientRequest>()
  private closed = false

  constructor(
    private readonly pool: BackendPool,
    private readonly opts: PassiveHealthOptions,
    private readonly onEjection: EjectionListener = () => undefined
  ) {
    this.policy = new EjectionPolicy(opts)
  }

  /** A proxy thread saw `streak.failures` consecutive failures of one backend. */
  report(streak: FailureStreak): void {
    if (this.closed || !this.pool.has(streak.id)) return
    let others = 0
    for (const m of this.pool.eligibleView()) if (m.id !== streak.id) others++
    const d = this.policy.decide(streak, others)
    if (!d.eject) return
    this.pool.setEjected(streak.id, true)
    this.notify(streak.id, true, d.reason)
    this.schedule(streak.id, d.durationMs)
  }

  isEjected(id: string): boolean {
    return this.policy.isEjected(id)
  }

  close(): void {
    this.closed = true
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    for (const p of this.probes) p.destroy()
    this.probes.clear()
  }

  private schedule(id: string, ms: number): void {
    clearTimeout(this.timers.get(id))
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id)
        this.probe(id)
      }, ms)
    )
  }

  private probe(id: string): void {
    const m = this.pool.member(id)
    if (m === undefined) {
      // Left the pool while ejected: nothing to re-admit.
      this.policy.forget(id)
      return
    }
    let settled = false
    const done = (ok: boolean, what: string): void => {
      if (settled) return
      settled = true
      this.probes.delete(req)
      req.destroy()
      if (this.closed) return
      if (ok) {
        this.policy.admitted(id)
        this.pool.setEjected(id, false)
        this.notify(id, false, `probe ${what}; re-admitted`)
      } else {
        const ms = this.policy.probeFailed(id)
        this.notify(id, true, `probe ${what}; ejected again for ${formatDuration(ms)}`)
        this.schedule(id, ms)
      }
    }
    const req = http.get(
      { host: m.host, port: m.port, path: this.opts.probePath, agent: false, timeout: this.opts.probeTimeoutMs },
      (res) => {
        const status = res.statusCode ?? 0
        res.resume()
        done(status < 500, `answered ${status}`)
      }
    )
    this.probes.add(req)
    req.on('timeout', () => done(false, `timed out after ${this.opts.probeTimeoutMs} ms`))
    req.on('error', (err: NodeJS.ErrnoException) => done(false, `failed (${err.code ?? err.message})`))
  }

  private notify(id: string, ejected: boolean, reason: string): void {
    try {
      this.onEjection(id, ejected, reason)
    } catch {
      // A listener's bug must not break health tracking.
    }
  }
}
