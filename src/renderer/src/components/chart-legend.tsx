import { fallbackLabel, lastValue, type AlignedSeries } from '../core/series-window'
import { formatClock } from '../core/format'
import { backendColor } from '../stores/metrics-store'

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
  format
}: {
  series: AlignedSeries
  names: Record<string, string>
  cursorIdx: number | null
  unit: string
  format(value: number): string
}): React.JSX.Element {
  const xs = series.data[0]
  const hoveredAt = cursorIdx !== null ? xs[cursorIdx] : undefined
  const entries = series.ids.map((id, i) => {
    const ys = series.data[i + 1] ?? []
    const value = cursorIdx !== null ? (ys[cursorIdx] ?? null) : lastValue(ys)
    return { id, label: names[id] ?? fallbackLabel(id), value }
  })
  const shown = entries.filter((e) => e.value !== null)
  const hidden = entries.length - shown.length

  return (
    <div className="chart-legend">
      <span className="legend-time num">{hoveredAt !== undefined ? formatClock(hoveredAt * 1000) : 'now'}</span>
      {shown.map((e) => (
        <span key={e.id} className="legend-item" title={e.label}>
          <span className="legend-swatch" style={{ background: backendColor(e.id) }} aria-hidden="true" />
          <span className="legend-name">{e.label}</span>
          <span className="legend-value num">
            {format(e.value as number)}
            <span className="unit"> {unit}</span>
          </span>
        </span>
      ))}
      {hidden > 0 ? (
        <span className="legend-more" title={entries.filter((e) => e.value === null).map((e) => e.label).join('\n')}>
          +{hidden} without a value {hoveredAt !== undefined ? 'then' : 'now'}
        </span>
      ) : null}
    </div>
  )
}
