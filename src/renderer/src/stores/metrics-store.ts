/**
 * Live chart data: a SeriesWindow of the last five minutes, mutated in place (it is a set of ring
 * buffers) and announced through `version`, so charts call uPlot's setData per tick instead of
 * rebuilding anything. Fed only by bridge-feed.ts.
 */
import { create } from 'zustand'
import type { BackendView, SeriesTick } from '../../../shared/types'
import { ColorAssigner } from '../core/backend-colors'
import { SeriesWindow } from '../core/series-window'

export const WINDOW_SECONDS = 300

const colors = new ColorAssigner()

/** The chart color of a backend, the same everywhere on the page. */
export function backendColor(id: string): string {
  return colors.colorOf(id)
}

/**
 * Colors for the backends of a History result: a live backend keeps its live color; one that
 * exists only in history gets a color not in use, without holding it (History can list dozens
 * of gone replicas, which must not leave new live ones without a color of their own).
 */
export function historyColors(ids: readonly string[]): Record<string, string> {
  const local = colors.fork()
  return Object.fromEntries(ids.map((id) => [id, local.colorOf(id)]))
}

interface MetricsState {
  window: SeriesWindow
  /** Bumped after every change to `window`. */
  version: number
  /** Backend ids in the window, joined: charts rebuild their series list only when it changes. */
  seriesKey: string
  /** False until the recent history has been fetched (or failed to). */
  loaded: boolean
  /** Display names by backend id, kept after a backend leaves so its line keeps a label. */
  names: Record<string, string>
  /** Service of each backend id (null for static backends), kept like `names`. */
  serviceOf: Record<string, string | null>
  /** Replaces the window with fetched history followed by ticks that arrived meanwhile. */
  reset(ticks: readonly SeriesTick[]): void
  append(tick: SeriesTick): void
  rememberNames(backends: readonly BackendView[]): void
}

export const useMetrics = create<MetricsState>((set, get) => {
  const window = new SeriesWindow({ capacity: WINDOW_SECONDS, gapAfterMs: 3000 })

  function publish(before: string[]): void {
    const ids = window.ids()
    for (const id of before) if (!ids.includes(id)) colors.release(id)
    for (const id of ids) colors.colorOf(id)
    set({ version: get().version + 1, seriesKey: ids.join('|') })
  }

  return {
    window,
    version: 0,
    seriesKey: '',
    loaded: false,
    names: {},
    serviceOf: {},
    reset(ticks) {
      const before = window.ids()
      window.clear()
      for (const tick of [...ticks].sort((a, b) => a.at - b.at)) window.push(tick)
      set({ loaded: true })
      publish(before)
    },
    append(tick) {
      const before = window.ids()
      if (window.push(tick)) publish(before)
    },
    rememberNames(backends) {
      const { names, serviceOf } = get()
      // Only a new or renamed backend changes the record, so subscribers are not woken per tick.
      if (backends.every((b) => names[b.id] === b.name && serviceOf[b.id] === b.service)) return
      // Rebuilt from what can still be drawn, so container churn does not grow it forever.
      const next: Record<string, string> = {}
      const nextService: Record<string, string | null> = {}
      for (const id of window.ids()) {
        if (names[id] !== undefined) next[id] = names[id]
        if (serviceOf[id] !== undefined) nextService[id] = serviceOf[id]
      }
      for (const b of backends) {
        next[b.id] = b.name
        nextService[b.id] = b.service
      }
      set({ names: next, serviceOf: nextService })
    }
  }
})
