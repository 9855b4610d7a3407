import { formatCount } from '../core/format'
import { useHistory } from '../stores/history-store'
import { Spinner } from './spinner'

/** Downloads the range (shown backends only) as CSV, and says what it saved or why not. */
export function HistoryExportButton(): React.JSX.Element {
  const state = useHistory((s) => s.exportState)
  const exportCsv = useHistory((s) => s.exportCsv)
  return (
    <div className="history-export">
      <button
        type="button"
        className="btn btn-sm"
        data-testid="btn-export-csv"
        disabled={state.status === 'running'}
        onClick={() => void exportCsv()}
      >
        {state.status === 'running' ? <Spinner label="Exporting" /> : null}
        Export CSV
      </button>
      {state.status === 'done' ? (
        <span className={`sub ${state.truncated ? 'text-warn' : ''}`} data-testid="export-result" title={state.filename}>
          {formatCount(state.rows)} rows
          {state.truncated ? ' — truncated: the range has more than one file holds; narrow it' : ''}
        </span>
      ) : null}
      {state.status === 'failed' ? (
        <span className="sub text-error" data-testid="export-result">
          {state.error.message} <span className="code">{state.error.code}</span>
        </span>
      ) : null}
    </div>
  )
}
