import { memo } from 'react'
import type { EngineEvent } from '../../../shared/types'
import { formatClock } from '../core/format'

/** One engine event: time, level, kind, message. Events never change, hence memo. */
export const EventItem = memo(function EventItem({ event: e }: { event: EngineEvent }): React.JSX.Element {
  return (
    <li data-testid="event-item" data-kind={e.kind} className={`event level-${e.level}`}>
      <time className="event-time num" dateTime={new Date(e.at).toISOString()} title={new Date(e.at).toLocaleString()}>
        {formatClock(e.at)}
      </time>
      <span className="event-level" aria-label={e.level} />
      <span className="event-kind">{e.kind}</span>
      <span className="event-message">{e.message}</span>
    </li>
  )
})
