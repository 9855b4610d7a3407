import { useState } from 'react'
import type { EventLevel } from '../../../shared/types'
import { eventKey } from '../core/event-buffer'
import { useEvents } from '../stores/events-store'
import { EmptyState } from './empty-state'
import { EventItem } from './event-item'

type Filter = 'all' | 'warn' | 'error'
const FILTERS: { value: Filter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'warn', label: 'Warnings' },
  { value: 'error', label: 'Errors' }
]
const SHOWN: Record<Filter, ReadonlySet<EventLevel>> = {
  all: new Set(['info', 'warn', 'error']),
  warn: new Set(['warn', 'error']),
  error: new Set(['error'])
}

/** What the engine did and saw, newest first. */
export function EventsSection(): React.JSX.Element {
  const events = useEvents((s) => s.events)
  const [filter, setFilter] = useState<Filter>('all')
  const shown = filter === 'all' ? events : events.filter((e) => SHOWN[filter].has(e.level))

  return (
    <section className="section events-section">
      <div className="section-head">
        <h2>Events</h2>
        <div className="segmented" role="radiogroup" aria-label="Show events">
          {FILTERS.map((f) => (
            <button
              key={f.value}
              type="button"
              role="radio"
              aria-checked={filter === f.value}
              className={filter === f.value ? 'active' : undefined}
              onClick={() => setFilter(f.value)}
            >
              {f.label}
            </button>
          ))}
        </div>
      </div>
      <div className="card events-card">
        {shown.length === 0 ? (
          <EmptyState title={events.length === 0 ? 'No events yet' : 'Nothing at this level'}>
            {events.length === 0 ? 'Health changes, container actions and scaling show up here.' : null}
          </EmptyState>
        ) : (
          <ol className="event-list">
            {shown.map((e) => (
              <EventItem key={eventKey(e)} event={e} />
            ))}
          </ol>
        )}
      </div>
    </section>
  )
}
