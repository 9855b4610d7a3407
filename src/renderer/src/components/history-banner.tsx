import { useFleet } from '../stores/fleet-store'

/** Full-width warning, in both views, while the history store cannot write (data is being lost). */
export function HistoryBanner(): React.JSX.Element | null {
  const history = useFleet((s) => s.snapshot?.history)
  if (!history || history.ok) return null
  return (
    <div className="banner banner-warn" role="alert" data-testid="history-banner">
      <strong>Metrics history is not being recorded.</strong>{' '}
      {history.message ?? 'Writing to the history database fails.'}{' '}
      <span className="muted mono" title="History database">
        {history.path}
      </span>
    </div>
  )
}
