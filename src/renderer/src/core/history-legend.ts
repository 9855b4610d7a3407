/**
 * What the History view's labels and legends say about backends: their names (also of backends
 * long gone, as the history store recorded them) and which value counts as "latest".
 */
import type { HistoryBackendView, HistoryResultView } from '../../../shared/history'

/**
 * Display names by backend id: the live name while the backend is still known to this window,
 * else the name history recorded. Backends recorded before names were stored have none here
 * (callers fall back to a label made from the id).
 */
export function historyNames(
  backends: readonly HistoryBackendView[],
  live: Readonly<Record<string, string>>
): Record<string, string> {
  const names: Record<string, string> = {}
  for (const b of backends) if (b.name !== null) names[b.backendId] = b.name
  return { ...names, ...live }
}

/** Index of the newest grid slot where any series of the result has a value; -1 when none. */
export function lastDataIndex(result: HistoryResultView | null): number {
  let end = -1
  for (const s of result?.series ?? []) {
    for (let i = s.v.length - 1; i > end; i--) {
      if (s.v[i] !== null && s.v[i] !== undefined) {
        end = i
        break
      }
    }
  }
  return end
}

/**
 * A backend's "latest" value in a History legend: its newest value if that is within `slack` grid
 * slots of `end` (where the range's data ends), else null. A replica removed earlier in the range
 * has no latest value: its last one is history, not the current state.
 */
export function latestValue(ys: readonly (number | null)[], end: number, slack: number): number | null {
  for (let i = Math.min(end, ys.length - 1); i >= 0 && i >= end - slack; i--) {
    const v = ys[i]
    if (v !== null && v !== undefined) return v
  }
  return null
}
