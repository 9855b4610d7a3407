import { useConnection } from '../stores/connection-store'

const LABEL = { open: 'live', connecting: 'connecting…', closed: 'disconnected' } as const
const TONE = { open: 'ok', connecting: 'busy', closed: 'error' } as const

/** Whether this window reaches the engine (bridge connection). */
export function ConnectionStatus(): React.JSX.Element {
  const state = useConnection((s) => s.state)
  return (
    <span data-testid="connection-status" data-state={state} className={`pill tone-${TONE[state]}`}>
      <span className="dot" aria-hidden="true" />
      {LABEL[state]}
    </span>
  )
}
