/**
 * uPlot options for the History charts: x fixed to the queried range (so gaps at either end show
 * as gaps), y from zero, one line per backend plus a faint min–max band when the grid step is
 * coarser than the samples, drag-to-zoom that reports the selection instead of zooming itself,
 * a cursor synced across the four charts, and event markers on the time axis.
 */
import uPlot from 'uplot'
import type { HistoryEventView } from '../../../shared/history'
import { groupMarkers, markerTitle } from '../core/event-markers'
import { cursorTimeLabel, timeAxisLabel } from '../core/time-axis'
import { rangeNeedsYear, type TimeRange } from '../core/history-range'

export const HISTORY_CHART_HEIGHT = 170
const AXIS = '#8b96a5'
const GRID = 'rgba(139, 150, 165, 0.12)'
const LEVEL_COLOR = { info: 'rgba(76, 154, 255, 0.22)', warn: 'rgba(210, 153, 34, 0.32)', error: 'rgba(248, 81, 73, 0.5)' }
/** A drag narrower than this is a click, not a zoom. */
const MIN_DRAG_PX = 4

export interface HistorySeriesSpec {
  id: string
  label: string
  color: string
}

export interface HistoryChartInput {
  width: number
  series: HistorySeriesSpec[]
  /** Whether the data carries max/min arrays after the lines (see historyAligned). */
  bands: boolean
  minTop: number
  /** The queried range, read on every redraw. */
  range(): TimeRange | null
  events(): readonly HistoryEventView[]
  formatTick(value: number): string
  onCursor(idx: number | null): void
  /** The selected time range in ms (ordered). */
  onZoom(from: number, to: number): void
}

export function buildHistoryChartOptions(input: HistoryChartInput): uPlot.Options {
  const n = input.series.length
  const lines: uPlot.Series[] = input.series.map((s) => ({
    label: s.label,
    stroke: s.color,
    width: 1.5,
    spanGaps: false,
    points: { show: false }
  }))
  const bandSeries: uPlot.Series[] = input.bands
    ? input.series.flatMap((s) => [
        { label: `${s.label} max`, stroke: s.color, width: 0, spanGaps: false, points: { show: false } },
        { label: `${s.label} min`, stroke: s.color, width: 0, spanGaps: false, points: { show: false } }
      ])
    : []
  const bands: uPlot.Band[] = input.bands
    ? input.series.map((s, i) => ({ series: [n + 1 + 2 * i, n + 2 + 2 * i] as [number, number], fill: `${s.color}26` }))
    : []
  const span = (): number => {
    const r = input.range()
    return r ? r.to - r.from : 3_600_000
  }
  const withYear = (): boolean => {
    const r = input.range()
    return r ? rangeNeedsYear(r, Date.now()) : false
  }

  return {
    width: input.width,
    height: HISTORY_CHART_HEIGHT,
    cursor: {
      sync: { key: 'prescal-history' },
      points: { size: 6 },
      drag: { x: true, y: false, setScale: false }
    },
    select: { show: true, left: 0, top: 0, width: 0, height: 0 },
    legend: { show: false },
    bands,
    hooks: {
      setCursor: [(u) => input.onCursor(u.cursor.idx ?? null)],
      setSelect: [
        (u) => {
          const { left, width } = u.select
          if (width >= MIN_DRAG_PX) {
            const a = u.posToVal(left, 'x') * 1000
            const b = u.posToVal(left + width, 'x') * 1000
            input.onZoom(Math.min(a, b), Math.max(a, b))
          }
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false)
        }
      ],
      draw: [(u) => drawEvents(u, input.events(), span(), withYear())]
    },
    scales: {
      x: {
        time: true,
        range: (_u, min, max) => {
          const r = input.range()
          return r ? [r.from / 1000, r.to / 1000] : [min, max]
        }
      },
      y: {
        range: (_u, _min, max) => uPlot.rangeNum(0, Math.max(max ?? 0, input.minTop), 0.1, true)
      }
    },
    axes: [
      {
        stroke: AXIS,
        grid: { stroke: GRID, width: 1 },
        ticks: { stroke: GRID, width: 1 },
        font: '11px system-ui, sans-serif',
        space: 80,
        values: (_u, splits) => {
          const [spanMs, year] = [span(), withYear()]
          return splits.map((s) => timeAxisLabel(s * 1000, spanMs, year))
        }
      },
      {
        stroke: AXIS,
        grid: { stroke: GRID, width: 1 },
        ticks: { show: false },
        size: 52,
        font: '11px system-ui, sans-serif',
        values: (_u, splits) => splits.map((v) => input.formatTick(v))
      }
    ],
    series: [{ label: 'Time' }, ...lines, ...bandSeries]
  }
}

/**
 * A faint vertical line per event marker on the canvas, and a small triangle on the time axis as a
 * DOM element in the plot overlay, so the browser shows its tooltip (the events' messages).
 */
function drawEvents(u: uPlot, events: readonly HistoryEventView[], spanMs: number, withYear: boolean): void {
  const layer = markerLayer(u)
  const width = u.over.clientWidth
  const markers = groupMarkers(events, (at) => u.valToPos(at / 1000, 'x'), width)
  const ctx = u.ctx
  const dpr = uPlot.pxRatio
  ctx.save()
  ctx.lineWidth = dpr
  ctx.setLineDash([3 * dpr, 3 * dpr])
  for (const m of markers) {
    const x = Math.round(u.bbox.left + m.x * dpr) + 0.5
    ctx.strokeStyle = LEVEL_COLOR[m.level]
    ctx.beginPath()
    ctx.moveTo(x, u.bbox.top)
    ctx.lineTo(x, u.bbox.top + u.bbox.height)
    ctx.stroke()
  }
  ctx.restore()
  layer.replaceChildren(
    ...markers.map((m) => {
      const el = document.createElement('div')
      el.className = `event-marker level-${m.level}`
      el.style.left = `${m.x}px`
      el.title = markerTitle(m, (at) => cursorTimeLabel(at, spanMs, withYear))
      el.dataset.testid = 'history-event-marker'
      return el
    })
  )
}

function markerLayer(u: uPlot): HTMLElement {
  const existing = u.over.querySelector<HTMLElement>(':scope > .event-markers')
  if (existing) return existing
  const layer = document.createElement('div')
  layer.className = 'event-markers'
  u.over.appendChild(layer)
  return layer
}
