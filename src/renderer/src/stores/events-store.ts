/** Engine events for the event list: newest first, bounded. Fed only by bridge-feed.ts. */
import { create } from 'zustand'
import type { EngineEvent } from '../../../shared/types'
import { mergeEvents } from '../core/event-buffer'

export const MAX_EVENTS = 500

interface EventsState {
  events: readonly EngineEvent[]
  add(events: readonly EngineEvent[]): void
}

export const useEvents = create<EventsState>((set, get) => ({
  events: [],
  add(incoming) {
    const next = mergeEvents(get().events, incoming, MAX_EVENTS)
    if (next !== get().events) set({ events: next })
  }
}))

/** The newest scale.* event of a service (progress text while a scale call runs). */
export const selectLastScaleEvent = (service: string) => (s: EventsState) =>
  s.events.find((e) => e.service === service && e.kind.startsWith('scale.'))
