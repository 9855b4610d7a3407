import { formatRate } from '../core/format'
import { selectBackends, selectProxy, useFleet } from '../stores/fleet-store'
import { ConnectionStatus } from './connection-status'
import { DockerStatusPill } from './docker-status-pill'
import { ViewToggle } from './view-toggle'

/** App name and the numbers that matter at a glance: proxy address, total load, fleet health. */
export function AppHeader(): React.JSX.Element {
  const proxy = useFleet(selectProxy)
  const backends = useFleet(selectBackends)
  const healthy = backends?.filter((b) => b.health === 'up' && b.ejected === null).length ?? 0

  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Prescal</span>
      </div>
      <ViewToggle />
      <div className="header-stats">
        <HeaderStat label="Proxy">
          {proxy === undefined ? (
            <span className="muted">—</span>
          ) : proxy.url ? (
            <span className="mono">{proxy.url}</span>
          ) : (
            // The banner below the header says why, in full.
            <span className="text-error" title={proxy.error ?? undefined}>
              not listening
            </span>
          )}
        </HeaderStat>
        <HeaderStat label="Traffic">
          <span data-testid="total-rps" className="num">
            {proxy ? formatRate(proxy.rps) : '—'}
            <span className="unit"> req/s</span>
          </span>
          {proxy && proxy.refusedRps > 0 ? (
            <span
              data-testid="refused-rps"
              className="text-error"
              title="Answered 503 by the proxy: no backend was ready to take them (or the connection limit was reached)"
            >
              {' '}
              · <span className="num">{formatRate(proxy.refusedRps)}</span> refused
            </span>
          ) : null}
        </HeaderStat>
        <HeaderStat label="Backends">
          {backends ? (
            <span className={healthy < backends.length ? 'text-warn' : undefined}>
              <span className="num">
                {healthy}/{backends.length}
              </span>{' '}
              healthy
            </span>
          ) : (
            <span className="muted">—</span>
          )}
        </HeaderStat>
        <HeaderStat label="Docker">
          <DockerStatusPill />
        </HeaderStat>
        <HeaderStat label="Engine">
          <ConnectionStatus />
        </HeaderStat>
      </div>
    </header>
  )
}

function HeaderStat({ label, children }: { label: string; children: React.ReactNode }): React.JSX.Element {
  return (
    <div className="header-stat">
      <span className="header-stat-label">{label}</span>
      <span className="header-stat-value">{children}</span>
    </div>
  )
}
