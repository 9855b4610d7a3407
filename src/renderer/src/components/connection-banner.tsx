import { useNow } from '../hooks/use-now'
import { formatClock } from '../core/format'
import { useConnection } from '../stores/connection-store'
import { useFleet } from '../stores/fleet-store'

/** Snapshots come once a second; this much silence on an open connection means the engine stalled. */
const STALE_AFTER_MS = 5000

/** A full-width warning when the numbers on screen stopped being live. */
export function ConnectionBanner(): React.JSX.Element | null {
  const state = useConnection((s) => s.state)
  const receivedAt = useFleet((s) => s.receivedAt)
  const now = useNow(1000)

  if (state === 'closed') {
    return (
      <div className="banner banner-error" role="alert" data-testid="connection-banner">
        <strong>Connection to the engine lost.</strong> Reconnecting automatically…
        {receivedAt !== null ? ` The values below are frozen as of ${formatClock(receivedAt)}.` : ''}
      </div>
    )
  }
  if (state === 'open' && receivedAt !== null && now - receivedAt > STALE_AFTER_MS) {
    return (
      <div className="banner banner-warn" role="status" data-testid="connection-banner">
        <strong>No update from the engine for {Math.round((now - receivedAt) / 1000)} s.</strong> It may be busy or
        stuck; the values below are from {formatClock(receivedAt)}.
      </div>
    )
  }
  return null
}
