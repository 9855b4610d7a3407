/**
 * uPlot options for the live charts: a fixed five-minute x window ending at the newest point
 * (plus a little future when a forecast is drawn),
 * a y axis from zero, one colored line per backend, gaps for nulls, cursor synced across charts.
 */
import uPlot from 'uplot'

export const CHART_HEIGHT = 150
const AXIS = '#8b96a5'
const GRID = 'rgba(139, 150, 165, 0.12)'

export interface ChartSeriesSpec {
  id: string
  label: string
  color: string
  /** Canvas dash pattern (forecast and capacity lines); solid when absent. */
  dash?: number[]
  width?: number
  /** Forecast points are sparse on the shared x grid: join them instead of leaving gaps. */
  spanGaps?: boolean
}

export interface ChartOptionsInput {
  width: number
  series: ChartSeriesSpec[]
  windowSeconds: number
  /** Seconds past the newest tick that stay visible (the forecast); 0 for none. */
  futureSeconds: number
  /** The newest real tick (s); the x range ends there (+ futureSeconds), not at the forecast's end. */
  end(): number | null
  /** Smallest top of the y axis, so a quiet fleet does not look like a spike. */
  minTop: number
  formatTick(value: number): string
  /** Data index under the cursor (this chart's or a synced one), null when it leaves. */
  onCursor(idx: number | null): void
}

export function buildChartOptions(input: ChartOptionsInput): uPlot.Options {
  return {
    width: input.width,
    height: CHART_HEIGHT,
    cursor: { sync: { key: 'prescal-live' }, points: { size: 6 } },
    // The legend is React (ChartLegend): it shows the latest values when nothing is hovered.
    legend: { show: false },
    hooks: { setCursor: [(u) => input.onCursor(u.cursor.idx ?? null)] },
    scales: {
      x: {
        time: true,
        range: (_u, _min, max) => {
          const end = input.end() ?? max ?? Date.now() / 1000
          return [end - input.windowSeconds, end + input.futureSeconds]
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
        space: 70,
        values: (_u, splits) => splits.map(clockLabel)
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
    series: [
      { label: 'Time' },
      ...input.series.map<uPlot.Series>((s) => ({
        label: s.label,
        stroke: s.color,
        width: s.width ?? 1.5,
        dash: s.dash,
        spanGaps: s.spanGaps ?? false,
        points: { show: false }
      }))
    ]
  }
}

/** 24-hour axis labels: "18:32" on whole minutes, "18:32:30" otherwise. */
function clockLabel(seconds: number): string {
  const d = new Date(seconds * 1000)
  const pad = (n: number): string => String(n).padStart(2, '0')
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`
  return d.getSeconds() === 0 ? hm : `${hm}:${pad(d.getSeconds())}`
}
