import { fallbackLabel } from '../core/series-window'
import { useHistory } from '../stores/history-store'
import { BackendName } from './backend-name'

/** Past this many chips they get smaller and their row a bounded, scrolling height. */
const COMPACT_AFTER = 12

/** One chip per backend that has data in the range; a click hides or shows its lines. */
export function HistoryBackendToggles({
  names,
  colors
}: {
  names: Record<string, string>
  colors: Record<string, string>
}): React.JSX.Element | null {
  const backends = useHistory((s) => s.backends)
  const hidden = useHistory((s) => s.hidden)
  const toggle = useHistory((s) => s.toggleBackend)
  if (backends.length === 0) return null
  return (
    <div className={`history-toggles${backends.length > COMPACT_AFTER ? ' history-toggles-compact' : ''}`} role="group" aria-label="Backends shown">
      <span className="history-toggles-label">Backends · {backends.length}</span>
      {backends.map((b) => {
        const on = !hidden[b.backendId]
        const label = names[b.backendId] ?? fallbackLabel(b.backendId)
        return (
          <button
            key={b.backendId}
            type="button"
            className={`chip${on ? ' chip-on' : ''}`}
            aria-pressed={on}
            data-testid="history-backend-toggle"
            data-backend-id={b.backendId}
            title={`${label}${b.service ? ` · ${b.service}` : ''} — click to ${on ? 'hide' : 'show'}`}
            onClick={() => toggle(b.backendId)}
          >
            <span className="legend-swatch" style={{ background: on ? colors[b.backendId] : undefined }} aria-hidden="true" />
            <BackendName name={label} withTitle={false} />
          </button>
        )
      })}
    </div>
  )
}
