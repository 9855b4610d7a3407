/**
 * Merging engine events into the list the dashboard shows: newest first, no duplicates (the
 * initial fetch and the live stream overlap), bounded.
 */
import type { EngineEvent } from '../../../shared/types'

/**
 * Identity of an event: when it happened and what it says. Not `seq`: it starts over when the
 * engine restarts, and a restarted engine hands out the events of its earlier run again (from
 * history) under new numbers, which a window that stayed open already shows.
 */
export function eventKey(e: EngineEvent): string {
  return `${e.at}:${e.kind}:${e.message}`
}

/**
 * Newest first by time, then by seq; never mutates its inputs. Returns `current` itself when
 * nothing new arrived (so a store can skip the update).
 */
export function mergeEvents(
  current: readonly EngineEvent[],
  incoming: readonly EngineEvent[],
  limit: number
): readonly EngineEvent[] {
  const unchanged = current.length <= limit ? current : current.slice(0, limit)
  if (incoming.length === 0) return unchanged
  const seen = new Set(current.map(eventKey))
  const added = incoming.filter((e) => {
    const key = eventKey(e)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  if (added.length === 0) return unchanged
  return [...current, ...added].sort(newestFirst).slice(0, limit)
}

function newestFirst(a: EngineEvent, b: EngineEvent): number {
  return b.at - a.at || b.seq - a.seq
}
