import type { AutoscaleView } from '../../../shared/autoscale'
import { formatClock, formatDuration } from '../core/format'

/** What the autoscaler last decided and why, and the cold start it plans with. */
export function AutoscaleStatus({ view }: { view: AutoscaleView }): React.JSX.Element {
  const d = view.lastDecision
  return (
    <div className="autoscale-status">
      <div className="autoscale-reason" data-testid="autoscale-reason" data-mode={view.mode}>
        {view.mode === 'off' ? (
          <span className="muted">Off — replicas change only when you scale.</span>
        ) : d ? (
          <>
            <span className="autoscale-reason-text">{d.reason}</span>{' '}
            <span className="muted nowrap">
              · {d.policy} at {formatClock(d.at)}
            </span>
          </>
        ) : (
          <span className="muted">Watching the load; no decision yet.</span>
        )}
      </div>
      {view.mode !== 'off' ? (
        <div className="sub" title="The predictive horizon: the larger of the configured cold start and the one measured on recent scale-ups">
          cold start used {formatDuration(view.coldStartMs)} · capacity now {Math.round(view.capacityLineRps)} req/s
        </div>
      ) : null}
    </div>
  )
}
