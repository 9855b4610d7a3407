import { formatStep, formatRangeLabel, historyPresets } from '../core/history-range'
import { useHistory } from '../stores/history-store'
import { HistoryExportButton } from './history-export-button'
import { HistoryRangeInputs } from './history-range-inputs'
import { Spinner } from './spinner'

const RESOLUTION_SOURCE = { raw: '1 s samples', '1m': '1 min rollups', '1h': '1 h rollups' } as const

/** Range presets, the custom range, pan, the resolution the query used, and the CSV export. */
export function HistoryToolbar(): React.JSX.Element {
  const preset = useHistory((s) => s.preset)
  const range = useHistory((s) => s.range)
  const status = useHistory((s) => s.status)
  const result = useHistory((s) => s.result)
  const setPreset = useHistory((s) => s.setPreset)
  const pan = useHistory((s) => s.pan)
  const atNow = Date.now() - range.to < 5000

  return (
    <div className="history-toolbar card">
      <div className="segmented history-presets" role="radiogroup" aria-label="Time range">
        {historyPresets.map((p) => (
          <button
            key={p.id}
            type="button"
            role="radio"
            aria-checked={preset === p.id}
            className={preset === p.id ? 'active' : undefined}
            data-testid={`history-range-${p.id}`}
            title={`The last ${p.label} (from now)`}
            onClick={() => setPreset(p.id)}
          >
            {p.label}
          </button>
        ))}
      </div>

      <HistoryRangeInputs />

      <div className="btn-row" role="group" aria-label="Pan">
        <button type="button" className="btn btn-sm" title="Earlier by half the range" aria-label="Earlier" onClick={() => pan(-1)}>
          ◀
        </button>
        <button
          type="button"
          className="btn btn-sm"
          title={atNow ? 'Already at now' : 'Later by half the range'}
          aria-label="Later"
          disabled={atNow}
          onClick={() => pan(1)}
        >
          ▶
        </button>
      </div>

      <div className="history-range-info">
        <span className="num history-range-label">{formatRangeLabel(range, Date.now())}</span>
        <span className="history-resolution-wrap">
          {status === 'loading' ? <Spinner label="Loading history" /> : null}
          <span
            className="badge"
            data-testid="history-resolution"
            data-resolution={result?.resolution ?? ''}
            title={result ? `Read from ${RESOLUTION_SOURCE[result.resolution]}, one point per ${formatStep(result.stepMs)}` : undefined}
          >
            {result ? formatStep(result.stepMs) : '—'}
          </span>
        </span>
      </div>

      <HistoryExportButton />
    </div>
  )
}
