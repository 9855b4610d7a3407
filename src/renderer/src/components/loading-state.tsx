import { useConnection } from '../stores/connection-store'
import { useFleet } from '../stores/fleet-store'
import { Spinner } from './spinner'

/** Shown until the first snapshot arrives. */
export function LoadingState(): React.JSX.Element {
  const state = useConnection((s) => s.state)
  const loadError = useFleet((s) => s.loadError)
  return (
    <main className="loading-state" data-testid="loading-state">
      <div className="loading-card">
        <Spinner label="Loading" />
        <h2>{state === 'closed' ? 'Waiting for the Prescal engine…' : 'Loading the fleet…'}</h2>
        <p className="muted">
          {state === 'closed'
            ? 'The engine does not answer yet. This page reconnects by itself as soon as it is up.'
            : 'Fetching the proxy, backends and services from the engine.'}
        </p>
        {loadError ? (
          <p className="text-error">
            {loadError.message} <span className="code">{loadError.code}</span>
          </p>
        ) : null}
      </div>
    </main>
  )
}
