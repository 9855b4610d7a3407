/**
 * Events on a chart's time axis: events that land within a few pixels of each other share one
 * marker (a day of events on a 700 px chart would otherwise be an unreadable comb), whose tooltip
 * lists them and whose color is the worst level among them.
 */
import type { HistoryEventView } from '../../../shared/history'

export type MarkerLevel = 'info' | 'warn' | 'error'

export interface EventMarker {
  /** CSS pixels from the plot's left edge. */
  x: number
  level: MarkerLevel
  events: HistoryEventView[]
}

const RANK: Record<MarkerLevel, number> = { info: 0, warn: 1, error: 2 }

function levelOf(level: string): MarkerLevel {
  return level === 'error' || level === 'warn' ? level : 'info'
}

/**
 * `toPx(at)` maps an event time to pixels; events outside [0, widthPx] are left out. Markers are
 * ordered by x; one marker covers events within `mergePx` of its first event.
 */
export function groupMarkers(
  events: readonly HistoryEventView[],
  toPx: (at: number) => number,
  widthPx: number,
  mergePx = 6
): EventMarker[] {
  const placed = events
    .map((e) => ({ e, x: toPx(e.at) }))
    .filter((p) => Number.isFinite(p.x) && p.x >= 0 && p.x <= widthPx)
    .sort((a, b) => a.x - b.x || a.e.at - b.e.at)
  const out: EventMarker[] = []
  let current: EventMarker | null = null
  for (const { e, x } of placed) {
    const level = levelOf(e.level)
    if (current && x - current.x <= mergePx) {
      current.events.push(e)
      if (RANK[level] > RANK[current.level]) current.level = level
    } else {
      current = { x, level, events: [e] }
      out.push(current)
    }
  }
  return out
}

/** Tooltip text of a marker: one line per event (time, message), at most `max` lines. */
export function markerTitle(marker: EventMarker, formatTime: (at: number) => string, max = 8): string {
  const lines = marker.events.slice(0, max).map((e) => `${formatTime(e.at)}  ${e.message}`)
  if (marker.events.length > max) lines.push(`… and ${marker.events.length - max} more`)
  return lines.join('\n')
}
