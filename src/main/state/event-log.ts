import type { EngineEvent, EventKind, EventLevel } from '../../shared/types'

type Listener = (e: EngineEvent) => void

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

  /** Newest last, at most `limit`. */
  recent(limit: number): EngineEvent[] {
    return this.events.slice(-limit)
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
}
