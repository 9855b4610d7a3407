import { useShallow } from 'zustand/react/shallow'
import { backendsHint } from '../core/backends-hint'
import { backendsMeta, countBackends } from '../core/routed-backends'
import { useFleet } from '../stores/fleet-store'
import { BackendRow } from './backend-row'
import { BalancingSelect } from './balancing-select'
import { EmptyState } from './empty-state'

/** The fleet as a table: one row per backend the proxy knows, containers and static entries. */
export function BackendsSection(): React.JSX.Element {
  const ids = useFleet(useShallow((s) => s.snapshot?.backends.map((b) => b.id) ?? []))
  const counts = useFleet(useShallow((s) => countBackends(s.snapshot?.backends ?? [], s.snapshot?.services ?? [])))
  const hint = useFleet((s) => backendsHint(s.snapshot?.docker.status, s.snapshot?.services.length ?? 0))
  const hasStatic = useFleet((s) => s.snapshot?.backends.some((b) => b.source === 'static') ?? false)
  const staticBalancing = useFleet((s) => s.snapshot?.proxy.balancing ?? 'round-robin')

  return (
    <section className="section">
      <div className="section-head">
        <h2>Backends</h2>
        <span className="section-meta" data-testid="backends-meta">
          {backendsMeta(counts)}
        </span>
        {hasStatic ? (
          <span className="section-tools">
            <span className="muted">Static backends</span> <BalancingSelect service={null} value={staticBalancing} />
          </span>
        ) : null}
      </div>
      {ids.length === 0 ? (
        <EmptyState title="No backends yet" testId="backends-empty">
          {hint === 'scale' ? (
            <>
              Scale a service above, or add <code>backends:</code> (host:port entries) to the config.
            </>
          ) : hint === 'wait-for-docker' ? (
            <>
              Replicas appear here once Docker is connected (see above). Servers you run yourself can be added as{' '}
              <code>backends:</code> (host:port entries) in the config.
            </>
          ) : (
            <>
              Add <code>services:</code> (an image to run and scale) or <code>backends:</code> (host:port entries) to the
              config.
            </>
          )}
        </EmptyState>
      ) : (
        <div className="table-wrap card">
          <table className="backend-table">
            <colgroup>
              <col className="col-backend" />
              <col className="col-service" />
              <col className="col-state" />
              <col className="col-health" />
              <col className="col-num" />
              <col className="col-status" />
              <col className="col-inflight" />
              <col className="col-latency" />
              <col className="col-small" />
              <col className="col-num" />
              <col className="col-actions" />
            </colgroup>
            <thead>
              <tr>
                <th>Backend</th>
                <th>Service</th>
                <th title="Container state">State</th>
                <th>Health</th>
                <th className="right">RPS</th>
                <th className="right plain-case" title="Responses by status class: last second, and totals below">
                  2xx / 4xx / 5xx
                </th>
                <th className="right plain-case" title="Requests in flight">
                  In flight
                </th>
                <th className="right plain-case" title="Latency quantiles over the last second">
                  p50 / p95 / p99
                </th>
                <th className="right">CPU</th>
                <th className="right">Memory</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {ids.map((id) => (
                <BackendRow key={id} id={id} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
