import { useShallow } from 'zustand/react/shallow'
import { formatRate } from '../core/format'
import { countBackends } from '../core/routed-backends'
import { selectProxy, useFleet } from '../stores/fleet-store'
import { ConnectionStatus } from './connection-status'
import { DockerStatusPill } from './docker-status-pill'
import { ViewToggle } from './view-toggle'

/** App name and the numbers that matter at a glance: proxy address, total load, fleet health. */
export function AppHeader(): React.JSX.Element {
  const proxy = useFleet(selectProxy)
  // Only what the proxy routes to: "3/3 healthy" over another instance's containers hid 503s.
  const counts = useFleet(useShallow((s) => (s.snapshot ? countBackends(s.snapshot.backends, s.snapshot.services) : null)))

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
          {counts ? (
            <span
              className={counts.warn ? 'text-warn' : undefined}
              title={
                counts.notRouted > 0
                  ? `Backends the proxy routes to; ${counts.notRouted} more of services not in this config are listed but get no requests`
                  : undefined
              }
            >
              <span className="num">
                {counts.healthy}/{counts.routed}
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
