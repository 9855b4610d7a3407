/**
 * Active health checks (`healthCheck` in the config): one ScrapeLoop in check mode per distinct
 * check setting, so each backend is probed on its own path, interval and timeout and judged by
 * its own healthy statuses. Backends without a check are not here: their metrics scrape is
 * their health check.
 */
import { isHealthyStatus, type HealthCheckConfig } from '../config/config-schema'
import { ScrapeLoop, type BackendMetricsState, type HealthTransition } from './scrape-loop'

export interface CheckTarget {
  id: string
  host: string
  port: number
  check: HealthCheckConfig
}

export class ActiveHealth {
  private readonly loops = new Map<string, ScrapeLoop>()
  private readonly loopOf = new Map<string, ScrapeLoop>()
  /** Loops dropped by setTargets, still closing their sockets: close() waits for them too. */
  private readonly closing = new Set<Promise<void>>()
  private started = false

  constructor(
    private readonly onTransition: (t: HealthTransition) => void,
    private readonly now: () => number = Date.now
  ) {}

  /** Replaces the checked backends; a backend whose check changed starts over. */
  setTargets(targets: readonly CheckTarget[]): void {
    const byKey = new Map<string, CheckTarget[]>()
    for (const t of targets) {
      const key = JSON.stringify(t.check)
      byKey.set(key, [...(byKey.get(key) ?? []), t])
    }
    this.loopOf.clear()
    for (const [key, loop] of this.loops) {
      if (byKey.has(key)) continue
      const done = loop.close().finally(() => this.closing.delete(done))
      this.closing.add(done)
      this.loops.delete(key)
    }
    for (const [key, group] of byKey) {
      let loop = this.loops.get(key)
      if (loop === undefined) {
        loop = this.createLoop(group[0]!.check)
        this.loops.set(key, loop)
        if (this.started) loop.start()
      }
      loop.setTargets(group.map((t) => ({ id: t.id, host: t.host, port: t.port, path: t.check.path })))
      for (const t of group) this.loopOf.set(t.id, loop)
    }
  }

  /** Health of a checked backend (CPU and memory are always null here); undefined if unchecked. */
  state(id: string): BackendMetricsState | undefined {
    return this.loopOf.get(id)?.state(id)
  }

  start(): void {
    this.started = true
    for (const loop of this.loops.values()) loop.start()
  }

  /** Stops every probe; resolves once their sockets are closed. */
  async close(): Promise<void> {
    const loops = [...this.loops.values()]
    this.loops.clear()
    this.loopOf.clear()
    await Promise.all([...loops.map((l) => l.close()), ...this.closing])
  }

  private createLoop(check: HealthCheckConfig): ScrapeLoop {
    return new ScrapeLoop({
      intervalMs: check.intervalMs,
      timeoutMs: check.timeoutMs,
      // Never read: the status decides at the headers.
      maxBodyBytes: 1024,
      failuresBeforeDown: check.failuresBeforeDown,
      now: this.now,
      healthyStatus: (status) => isHealthyStatus(check.healthyStatuses, status),
      onTransition: this.onTransition
    })
  }
}
