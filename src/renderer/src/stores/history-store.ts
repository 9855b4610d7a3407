/**
 * The History view: the chosen range, the query result for it, events and backends in it, and
 * the CSV export. A discrete action (preset, custom range, finished drag-zoom, pan click) queries at
 * once: waiting would only add to what the user waits for. A chart resize comes as a burst and goes
 * through a debounce. A reply that a newer query overtook is dropped. Nothing here runs per tick:
 * history is re-queried only when the range changes.
 */
import { create } from 'zustand'
import { api } from '../api'
import type { HistoryBackendView, HistoryEventView, HistoryResultView } from '../../../shared/history'
import { toErrorInfo, type ErrorInfo } from '../core/error-info'
import { HISTORY_CHART_METRICS } from '../core/history-aligned'
import { panRange, presetRange, zoomRange, type HistoryPresetId, type TimeRange } from '../core/history-range'
import { downloadText } from '../lib/download'

/** Long enough to merge a resize burst into one query; short enough to feel instant. */
const QUERY_DEBOUNCE_MS = 150
const EVENTS_LIMIT = 1000
/** maxPoints follows the chart width; the schema accepts 10..10000. */
const MIN_POINTS = 10
const MAX_POINTS = 10_000

export type HistoryLoad = 'idle' | 'loading' | 'ready' | 'failed'

export type ExportState =
  | { status: 'idle' }
  | { status: 'running' }
  | { status: 'done'; filename: string; rows: number; truncated: boolean }
  | { status: 'failed'; error: ErrorInfo }

interface HistoryState {
  range: TimeRange
  /** The preset the range came from; null for a custom, zoomed or panned range. */
  preset: HistoryPresetId | null
  /** Plot width in CSS pixels: one point per pixel is all a chart can show. */
  widthPx: number
  /** Backends switched off in the toggles (by id). */
  hidden: Record<string, true>
  status: HistoryLoad
  result: HistoryResultView | null
  /** The range `result` is for (the chart's x range). */
  resultRange: TimeRange | null
  events: HistoryEventView[]
  backends: HistoryBackendView[]
  error: ErrorInfo | null
  exportState: ExportState
  /** Opening the view: a preset is re-anchored at now; a custom range stays. */
  enter(): void
  setPreset(id: HistoryPresetId): void
  setRange(range: TimeRange): void
  zoom(a: number, b: number): void
  pan(direction: -1 | 1): void
  setWidth(px: number): void
  toggleBackend(id: string): void
  exportCsv(): Promise<void>
}

let timer: ReturnType<typeof setTimeout> | null = null
let generation = 0

export const useHistory = create<HistoryState>((set, get) => {
  function schedule(): void {
    if (timer !== null) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      void run()
    }, QUERY_DEBOUNCE_MS)
  }

  async function run(): Promise<void> {
    const mine = ++generation
    const { range, widthPx } = get()
    const maxPoints = Math.min(MAX_POINTS, Math.max(MIN_POINTS, Math.round(widthPx)))
    set({ status: 'loading' })
    const [result, events, backends] = await Promise.allSettled([
      api.queryHistory({ from: range.from, to: range.to, metrics: [...HISTORY_CHART_METRICS], maxPoints }),
      api.historyEvents({ from: range.from, to: range.to, limit: EVENTS_LIMIT }),
      api.historyBackends({ from: range.from, to: range.to })
    ])
    if (mine !== generation) return
    if (result.status === 'rejected') {
      set({ status: 'failed', error: toErrorInfo(result.reason) })
      return
    }
    set({
      status: 'ready',
      error: null,
      result: result.value,
      resultRange: range,
      // Events and the backend list only decorate the charts; without them the charts still stand.
      events: events.status === 'fulfilled' ? events.value : [],
      backends: backends.status === 'fulfilled' ? backends.value : backendsOf(result.value)
    })
  }

  function change(range: TimeRange, preset: HistoryPresetId | null): void {
    if (timer !== null) {
      clearTimeout(timer)
      timer = null
    }
    set({ range, preset })
    void run()
  }

  return {
    range: presetRange('1h', Date.now()),
    preset: '1h',
    widthPx: 800,
    hidden: {},
    status: 'idle',
    result: null,
    resultRange: null,
    events: [],
    backends: [],
    error: null,
    exportState: { status: 'idle' },

    enter() {
      const { preset, range } = get()
      change(preset ? presetRange(preset, Date.now()) : range, preset)
    },
    setPreset(id) {
      change(presetRange(id, Date.now()), id)
    },
    setRange(range) {
      change(range, null)
    },
    zoom(a, b) {
      change(zoomRange(a, b), null)
    },
    pan(direction) {
      change(panRange(get().range, direction, Date.now()), null)
    },
    setWidth(px) {
      // Re-query only when the width changed enough to matter, not on every pixel of a resize.
      if (Math.abs(px - get().widthPx) < 50) return
      set({ widthPx: px })
      if (get().status !== 'idle') schedule()
    },
    toggleBackend(id) {
      const hidden = { ...get().hidden }
      if (hidden[id]) delete hidden[id]
      else hidden[id] = true
      set({ hidden })
    },

    async exportCsv() {
      if (get().exportState.status === 'running') return
      const { range, hidden, backends } = get()
      const hiddenIds = Object.keys(hidden)
      // Only what is shown: a toggled-off backend is left out of the file too.
      const shown = hiddenIds.length > 0 ? backends.map((b) => b.backendId).filter((id) => !hidden[id]) : undefined
      set({ exportState: { status: 'running' } })
      try {
        const csv = await api.exportHistoryCsv({ from: range.from, to: range.to, backends: shown })
        downloadText(csv.filename, csv.csv)
        set({ exportState: { status: 'done', filename: csv.filename, rows: csv.rows, truncated: csv.truncated } })
      } catch (err) {
        set({ exportState: { status: 'failed', error: toErrorInfo(err) } })
      }
    }
  }
})

function backendsOf(result: HistoryResultView): HistoryBackendView[] {
  const ids = [...new Set(result.series.map((s) => s.backendId))]
  return ids.map((backendId) => ({ backendId, name: null, service: null }))
}
