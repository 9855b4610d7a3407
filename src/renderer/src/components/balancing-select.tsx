import { balancingDescriptions, balancingNames, type BalancingName } from '../../../shared/balancing'
import { useBalancing } from '../stores/balancing-store'
import { Spinner } from './spinner'

/**
 * How the proxy spreads requests over a service's replicas (or, `service` null, over the static
 * backends). A change applies at once and is written to the config file (the engine's answer,
 * shown in the event log, says where, or why it could not be).
 */
export function BalancingSelect({ service, value }: { service: string | null; value: BalancingName }): React.JSX.Element {
  const key = service ?? ''
  const change = useBalancing((s) => s.changes[key])
  const apply = useBalancing((s) => s.set)
  const running = change?.status === 'running'
  const what = service === null ? 'the static backends' : `the replicas of ${service}`
  return (
    <label className="field balancing-select" title={`How the proxy spreads requests over ${what}: ${balancingDescriptions[value]}`}>
      <span className="field-label">Balancing {running ? <Spinner label="Applying" /> : null}</span>
      <select
        className="input select"
        data-testid={`balancing-${service ?? 'static'}`}
        value={value}
        disabled={running}
        onChange={(e) => void apply(service, e.target.value as BalancingName)}
      >
        {balancingNames.map((n) => (
          <option key={n} value={n} title={balancingDescriptions[n]}>
            {n}
          </option>
        ))}
      </select>
      {change?.status === 'failed' ? <span className="text-error form-error">{change.error.message}</span> : null}
    </label>
  )
}
