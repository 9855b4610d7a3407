/**
 * Feeds the history store from the engine: one writeTick per snapshot and every event. A failing
 * disk must never stop the live view, so write failures become one warning event per outage
 * (and the snapshot's history status) instead of exceptions.
 */
import { isPrescalError } from '../../shared/errors'
import type { EngineEvent, Snapshot } from '../../shared/types'
import type { HistoryStore } from '../history/history-store'
import type { EventLog } from './event-log'

export class HistoryRecorder {
  private failing = false
  private readonly unsubscribe: () => void

  constructor(
    private readonly store: HistoryStore,
    private readonly events: EventLog
  ) {
    this.unsubscribe = events.subscribe((e) => this.recordEvent(e))
  }

  record(s: Snapshot): void {
    this.guard(() =>
      this.store.writeTick(
        s.at,
        s.backends.map((b) => ({
          backendId: b.id,
          service: b.service,
          name: b.name,
          rps: b.rps,
          s2xx: b.lastTick.s2xx,
          s3xx: b.lastTick.s3xx,
          s4xx: b.lastTick.s4xx,
          s5xx: b.lastTick.s5xx,
          inFlight: b.inFlight,
          p50: b.latencyMs.p50,
          p95: b.latencyMs.p95,
          p99: b.latencyMs.p99,
          cpuPercent: b.cpuPercent,
          memoryBytes: b.memoryBytes,
          up: b.health === 'unknown' ? null : b.health === 'up'
        })),
        s.services.map((v) => ({ service: v.name, desired: v.desired, running: v.running, ready: v.ready }))
      )
    )
  }

  close(): void {
    this.unsubscribe()
    this.store.close()
  }

  private recordEvent(e: EngineEvent): void {
    // Progress lines are for the live window; history keeps what happened.
    if (e.kind === 'image.progress' || e.kind === 'scale.progress') return
    this.guard(() =>
      this.store.writeEvent({ at: e.at, kind: e.kind, level: e.level, message: e.message, backendId: e.backendId, service: e.service })
    )
  }

  private guard(write: () => void): void {
    try {
      write()
      if (this.failing) {
        this.failing = false
        this.events.add('history.resumed', 'info', 'Metrics history is being written again.')
      }
    } catch (err) {
      if (this.failing) return
      this.failing = true
      const message = isPrescalError(err) ? err.message : String(err)
      // Logged through the event list; history writes of this event are skipped while failing.
      this.events.add('history.failing', 'warn', `Metrics history cannot be written (live view keeps working): ${message}`)
    }
  }
}
