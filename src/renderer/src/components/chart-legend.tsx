import { fallbackLabel, lastValue, type AlignedSeries } from '../core/series-window'
import { formatClock } from '../core/format'
import { backendColor } from '../stores/metrics-store'
import { BackendName } from './backend-name'

/**
 * Past this many backend lines the legend gets a fixed height of its own and scrolls, so a range
 * with dozens of replicas keeps its charts in view (and hovering does not resize the card).
 */
const COMPACT_AFTER = 8

/** A line that is not a backend (service total, forecast, capacity), listed after the backends. */
export interface LegendExtra {
  key: string
  label: string
  color: string
  dashed: boolean
  ys: readonly (number | null)[]
  /** Shown when nothing is hovered. */
  idleValue: number | null
}

/**
 * One entry per backend line that has a value — at the hovered time when the cursor is over any
 * chart (charts share their cursor), otherwise now. Backends that only exist earlier in the window
 * are counted, not listed, so churn does not bury the live ones.
 */
export function ChartLegend({
  series,
  names,
  cursorIdx,
  unit,
  format,
  extras = [],
  idleValueOf = lastValue,
  timeLabel = (seconds) => formatClock(seconds * 1000),
  idleLabel = 'now',
  idleMissing = 'now',
  colorOf = backendColor
}: {
  series: AlignedSeries
  names: Record<string, string>
  cursorIdx: number | null
  unit: string
  format(value: number): string
  extras?: readonly LegendExtra[]
  /** A backend's value when nothing is hovered (default: the newest slot). */
  idleValueOf?(ys: readonly (number | null)[]): number | null
  timeLabel?(seconds: number): string
  idleLabel?: string
  /** Ends "+N without a value …" when nothing is hovered. */
  idleMissing?: string
  /** A backend's line color (default: its live color). */
  colorOf?(id: string): string
}): React.JSX.Element {
  const xs = series.data[0]
  const hoveredAt = cursorIdx !== null ? xs[cursorIdx] : undefined
  const entries = series.ids.map((id, i) => {
    const ys = series.data[i + 1] ?? []
    const value = cursorIdx !== null ? (ys[cursorIdx] ?? null) : idleValueOf(ys)
    return { id, label: names[id] ?? fallbackLabel(id), value }
  })
  const shown = entries.filter((e) => e.value !== null)
  const hidden = entries.length - shown.length
  const extraValues = extras
    .map((x) => ({ ...x, value: cursorIdx !== null ? (x.ys[cursorIdx] ?? null) : x.idleValue }))
    .filter((x) => x.value !== null)

  const compact = series.ids.length > COMPACT_AFTER
  const more = (
    <span className="legend-more" title={entries.filter((e) => e.value === null).map((e) => e.label).join('\n')}>
      +{hidden} without a value {hoveredAt !== undefined ? 'then' : idleMissing}
    </span>
  )

  return (
    <div className={`chart-legend${compact ? ' chart-legend-compact' : ''}`} data-testid="chart-legend">
      <span className="legend-time num">{hoveredAt !== undefined ? timeLabel(hoveredAt) : idleLabel}</span>
      {/* A compact legend scrolls: its count goes first, where it is always seen. */}
      {hidden > 0 && compact ? more : null}
      {shown.map((e) => (
        <span key={e.id} className="legend-item" title={e.label}>
          <span className="legend-swatch" style={{ background: colorOf(e.id) }} aria-hidden="true" />
          <BackendName name={e.label} className="legend-name" />
          <span className="legend-value num">
            {format(e.value as number)}
            <span className="unit"> {unit}</span>
          </span>
        </span>
      ))}
      {extraValues.map((x) => (
        <span key={x.key} className="legend-item legend-extra" title={x.label}>
          <span
            className={`legend-swatch${x.dashed ? ' legend-swatch-dashed' : ''}`}
            style={{ color: x.color, background: x.dashed ? undefined : x.color }}
            aria-hidden="true"
          />
          <span className="legend-name">{x.label}</span>
          <span className="legend-value num">
            {format(x.value as number)}
            <span className="unit"> {unit}</span>
          </span>
        </span>
      ))}
      {hidden > 0 && !compact ? more : null}
    </div>
  )
}
