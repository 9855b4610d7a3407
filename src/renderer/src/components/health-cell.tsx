import type { BackendView } from '../../../shared/types'

/** Health with its reason, plus the pool badges (ejected / draining / ready) that decide if it gets traffic. */
export function HealthCell({ backend: b }: { backend: BackendView }): React.JSX.Element {
  const tone = b.health === 'up' ? 'ok' : b.health === 'down' ? 'error' : 'idle'
  return (
    <>
      <div className="health-line">
        <span
          className={`health tone-${tone}`}
          title={b.healthSource === 'check' ? 'Decided by the active health check in the config' : 'Decided by the metrics scrape'}
        >
          <span className="dot" aria-hidden="true" />
          {b.health}
          {b.healthSource === 'check' ? <span className="muted"> (check)</span> : null}
        </span>
        {b.health === 'down' ? (
          <span className="badge" title="Gets no traffic while it is down">
            out of pool
          </span>
        ) : b.ejected !== null ? (
          <span className="badge badge-error" data-testid="badge-ejected" title={`Ejected by the proxy's passive health: ${b.ejected}`}>
            ejected
          </span>
        ) : b.draining ? (
          <span className="badge badge-warn" title="Finishing in-flight requests; gets no new traffic">
            draining
          </span>
        ) : b.ready ? (
          <span className="badge badge-ok" title="In the proxy pool">
            ready
          </span>
        ) : (
          <span className="badge" title="Not in the proxy pool yet (readiness probe pending)">
            not ready
          </span>
        )}
      </div>
      {b.ejected !== null && b.health !== 'down' ? (
        <div className="sub health-reason text-error" title={b.ejected}>
          ejected: {b.ejected}
        </div>
      ) : null}
      {b.healthReason ? (
        <div className={`sub health-reason ${b.health === 'down' ? 'text-error' : ''}`} title={b.healthReason}>
          {b.healthReason}
        </div>
      ) : null}
    </>
  )
}
