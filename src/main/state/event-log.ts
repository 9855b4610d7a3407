import type { EngineEvent, EventKind, EventLevel } from '../../shared/types'
import type { StoredEvent } from '../history/history-types'

type Listener = (e: EngineEvent) => void

/** An event as the history store keeps it. */
export type RestoredEvent = StoredEvent

const levels: ReadonlySet<string> = new Set<EventLevel>(['info', 'warn', 'error'])

/** A bounded log of engine events; listeners hear each event once, as it is appended. */
export class EventLog {
  private readonly events: EngineEvent[] = []
  private readonly listeners = new Set<Listener>()
  private seq = 0

  constructor(
    private readonly capacity: number,
    private readonly now: () => number
  ) {}

  add(
    kind: EventKind,
    level: EventLevel,
    message: string,
    refs: Pick<EngineEvent, 'backendId' | 'service' | 'containerId' | 'code'> = {}
  ): EngineEvent {
    const event: EngineEvent = { seq: ++this.seq, at: this.now(), kind, level, message, ...refs }
    this.events.push(event)
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity)
    for (const fn of this.listeners) fn(event)
    return event
  }

  /**
   * Starts the log with events of earlier runs (newest first, as history returns them), so the
   * event list does not start empty after a restart. They are numbered like this run's
   * events (seq keeps increasing by one) and listeners do not hear them: they are already stored.
   * Only before the first add(), since seq must never go backwards.
   */
  restore(past: readonly RestoredEvent[]): void {
    if (this.seq !== 0) throw new Error('EventLog.restore() after add()')
    const oldestFirst = [...past].reverse().slice(-this.capacity)
    const restored = oldestFirst.map((e, i): EngineEvent => {
      const event: EngineEvent = {
        seq: i + 1,
        at: e.at,
        // Written by this log's recorder; a kind an older version used is shown as it was.
        kind: e.kind as EventKind,
        level: levels.has(e.level) ? (e.level as EventLevel) : 'info',
        message: e.message
      }
      if (e.backendId !== undefined) event.backendId = e.backendId
      if (e.service !== undefined) event.service = e.service
      return event
    })
    this.events.push(...restored)
    this.seq = restored.length
  }

  /** Newest last, at most `limit`. */
  recent(limit: number): EngineEvent[] {
    return this.events.slice(-limit)
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
}
