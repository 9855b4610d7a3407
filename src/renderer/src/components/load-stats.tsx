import type { LoadStatsView } from '../../../shared/autoscale'
import { formatCount, formatMs, formatRate } from '../core/format'

/** What the generator is doing: rate asked vs achieved, outcomes, and latency seen by the client. */
export function LoadStats({ load }: { load: LoadStatsView }): React.JSX.Element {
  const kinds = Object.entries(load.errorsByKind).filter(([, n]) => n > 0)
  const behind = load.running && load.targetRps > 0 && load.achievedRps < load.targetRps * 0.9
  return (
    <dl className="load-stats">
      <div className="count">
        <dt>Target</dt>
        <dd className="num">
          {formatRate(Math.round(load.targetRps * 10) / 10)}
          <span className="unit"> req/s</span>
        </dd>
      </div>
      <div className="count">
        <dt>Achieved</dt>
        <dd className={`num ${behind ? 'text-warn' : ''}`} data-testid="load-achieved" title={behind ? 'Below the target: the proxy or backends cannot keep up' : undefined}>
          {formatRate(Math.round(load.achievedRps * 10) / 10)}
          <span className="unit"> req/s</span>
        </dd>
      </div>
      <div className="count">
        <dt>Sent / ok / errors</dt>
        <dd className="num load-outcomes">
          <span data-testid="load-sent">{formatCount(load.sent)}</span>
          <span className="sep"> / </span>
          <span className="text-ok" data-testid="load-ok">
            {formatCount(load.ok)}
          </span>
          <span className="sep"> / </span>
          <span className={load.errors > 0 ? 'text-error' : 'muted'} data-testid="load-errors" title={kinds.map(([k, n]) => `${k}: ${n}`).join('\n') || undefined}>
            {formatCount(load.errors)}
          </span>
        </dd>
      </div>
      <div className="count">
        <dt>p50 / p95 / p99</dt>
        <dd className="num load-latency">
          {formatMs(load.latencyMs.p50)} / {formatMs(load.latencyMs.p95)} / {formatMs(load.latencyMs.p99)}
          <span className="unit"> ms</span>
        </dd>
      </div>
      {kinds.length > 0 ? (
        <div className="load-error-kinds sub">
          {kinds.map(([k, n]) => (
            <span key={k} className="badge badge-error">
              {k} {formatCount(n)}
            </span>
          ))}
        </div>
      ) : null}
    </dl>
  )
}
