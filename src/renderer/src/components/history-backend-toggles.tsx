import { fallbackLabel } from '../core/series-window'
import { useHistory } from '../stores/history-store'
import { backendColor } from '../stores/metrics-store'

/** One chip per backend that has data in the range; a click hides or shows its lines. */
export function HistoryBackendToggles({ names }: { names: Record<string, string> }): React.JSX.Element | null {
  const backends = useHistory((s) => s.backends)
  const hidden = useHistory((s) => s.hidden)
  const toggle = useHistory((s) => s.toggleBackend)
  if (backends.length === 0) return null
  return (
    <div className="history-toggles" role="group" aria-label="Backends shown">
      <span className="history-toggles-label">Backends</span>
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
            <span className="legend-swatch" style={{ background: on ? backendColor(b.backendId) : undefined }} aria-hidden="true" />
            <span className="ellipsis">{label}</span>
          </button>
        )
      })}
    </div>
  )
}
