import type { WhatIfResultView } from '../../../shared/autoscale'
import { formatCount, formatDuration, formatRatio, formatShare } from '../core/format'

const POLICY_TITLE = {
  reactive: 'Scales on the measured rate',
  predictive: 'Scales ahead of the forecast',
  hybrid: 'The larger of reactive and predictive',
  oracle: 'Knows the future load exactly: the baseline no policy can beat'
} as const

/** The policies side by side; the configured one is marked, the oracle is the baseline. */
export function WhatIfTable({ result, onClose }: { result: WhatIfResultView; onClose(): void }): React.JSX.Element {
  const span = result.to - result.from
  return (
    <div className="what-if-result" data-testid="what-if-result">
      <div className="what-if-caption sub">
        <span>
          {result.source === 'history' ? 'Recorded load' : 'Trace'}: {formatDuration(span)} · {formatCount(result.totalRequests)} requests ·{' '}
          {result.capacityRps} req/s per replica · cold start {formatDuration(result.coldStartMs)}
        </span>
        <button type="button" className="link-btn" aria-label="Close" onClick={onClose}>
          ✕
        </button>
      </div>
      {/* Scrolls sideways rather than run past the card when the panel is very narrow. */}
      <div className="what-if-table-wrap">
        <table className="what-if-table">
          <thead>
            <tr>
              <th>Policy</th>
              <th className="right" title="Requests beyond what the ready replicas serve, as a share of all requests">
                Short
              </th>
              <th className="right" title="Container-seconds used, relative to the oracle (1.00× = as lean as possible)">
                Cost vs oracle
              </th>
              <th className="right" title="Scale actions per hour">
                Actions/h
              </th>
              <th className="right">Peak</th>
            </tr>
          </thead>
          <tbody>
            {result.rows.map((r) => (
              <tr
                key={r.policy}
                data-testid="what-if-row"
                data-policy={r.policy}
                data-configured={r.configured ? 'true' : 'false'}
                className={r.configured ? 'row-configured' : r.policy === 'oracle' ? 'row-oracle' : undefined}
              >
                <td title={POLICY_TITLE[r.policy]}>
                  {r.policy}
                  {r.configured ? <span className="badge badge-ok">configured</span> : null}
                  {r.policy === 'oracle' ? <span className="badge">baseline</span> : null}
                </td>
                <td className={`right num ${r.underProvisionedShare > 0.01 ? 'text-warn' : ''}`}>{formatShare(r.underProvisionedShare)}</td>
                <td className="right num">{formatRatio(r.containerSecondsVsOracle)}</td>
                <td className="right num">{r.actionsPerHour.toFixed(1)}</td>
                <td className="right num">{r.peakReplicas}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}
