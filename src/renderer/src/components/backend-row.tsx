import { formatCount, formatMegabytes, formatMs, formatPercent, formatRate } from '../core/format'
import { unavailableReason } from '../core/unavailable-reason'
import { selectBackend, useFleet } from '../stores/fleet-store'
import { backendColor } from '../stores/metrics-store'
import { BackendName } from './backend-name'
import { ContainerActions } from './container-actions'
import { HealthCell } from './health-cell'
import { Metric } from './metric'

/** One backend: identity, health, traffic, resources and (for containers) its action buttons. */
export function BackendRow({ id }: { id: string }): React.JSX.Element | null {
  const b = useFleet(selectBackend(id))
  if (!b) return null
  const latencyNa = unavailableReason('latency', b)

  return (
    <tr
      data-testid="backend-row"
      data-backend-id={b.id}
      data-health={b.health}
      data-container-state={b.containerState ?? ''}
      data-service={b.service ?? ''}
      className={b.health === 'down' ? 'row-down' : undefined}
    >
      <td>
        <div className="backend-name">
          <span className="swatch" style={{ background: backendColor(b.id) }} aria-hidden="true" />
          {/* Container names share a long prefix; the distinguishing suffix must stay visible. */}
          <BackendName name={b.name} />
        </div>
        {b.address !== b.name ? (
          <div className="sub mono">
            {b.address ?? (
              <span className="na" title={unavailableReason('address', b) ?? undefined}>
                no address
              </span>
            )}
          </div>
        ) : null}
      </td>
      <td>
        <div className="ellipsis">{b.service ?? <span className="muted">—</span>}</div>
        <div className="sub">{b.source}</div>
      </td>
      <td>
        {b.containerState ? (
          <span className={`state state-${b.containerState}`}>{b.containerState}</span>
        ) : (
          <span className="muted" title="Static backend: not managed by Docker">
            static
          </span>
        )}
      </td>
      <td>
        <HealthCell backend={b} />
      </td>
      <td className="right">
        <span data-testid="backend-rps" className="num">
          {formatRate(b.rps)}
          <span className="unit"> req/s</span>
        </span>
      </td>
      <td className="right">
        <div className="num">
          <StatusTriple s2xx={b.lastTick.s2xx} s4xx={b.lastTick.s4xx} s5xx={b.lastTick.s5xx} format={String} />
        </div>
        <div className="sub num" title="Totals since the backend appeared">
          Σ <StatusTriple s2xx={b.totals.s2xx} s4xx={b.totals.s4xx} s5xx={b.totals.s5xx} format={formatCount} />
        </div>
      </td>
      <td className="right num">{b.inFlight}</td>
      <td className="right nowrap">
        {latencyNa ? (
          <Metric value={null} reason={latencyNa} unit="ms" />
        ) : (
          <span className="num">
            {formatMs(b.latencyMs.p50)} / {formatMs(b.latencyMs.p95)} / {formatMs(b.latencyMs.p99)}
            <span className="unit"> ms</span>
          </span>
        )}
      </td>
      <td className="right">
        <Metric value={b.cpuPercent === null ? null : formatPercent(b.cpuPercent)} reason={unavailableReason('cpu', b)} unit="%" />
      </td>
      <td className="right">
        <Metric
          value={b.memoryBytes === null ? null : formatMegabytes(b.memoryBytes)}
          reason={unavailableReason('memory', b)}
          unit="MB"
          title={b.metricsSource === 'docker' ? 'From Docker stats (the backend has no /metrics)' : undefined}
        />
      </td>
      <td>{b.source === 'container' && b.containerId ? <ContainerActions backend={b} /> : <span className="muted sub">static — no actions</span>}</td>
    </tr>
  )
}

function StatusTriple({
  s2xx,
  s4xx,
  s5xx,
  format
}: {
  s2xx: number
  s4xx: number
  s5xx: number
  format(n: number): string
}): React.JSX.Element {
  return (
    <>
      <span className={s2xx > 0 ? 'text-ok' : 'muted'}>{format(s2xx)}</span>
      <span className="sep"> / </span>
      <span className={s4xx > 0 ? 'text-warn' : 'muted'}>{format(s4xx)}</span>
      <span className="sep"> / </span>
      <span className={s5xx > 0 ? 'text-error' : 'muted'}>{format(s5xx)}</span>
    </>
  )
}
