import { useState } from 'react'
import type { BackendView } from '../../../shared/types'
import { useActions, type ContainerActionKind } from '../stores/actions-store'
import { selectDocker, useFleet } from '../stores/fleet-store'
import { Spinner } from './spinner'

const LABEL: Record<ContainerActionKind, string> = { start: 'Start', stop: 'Stop', restart: 'Restart', remove: 'Remove' }

/**
 * Start / Stop / Restart / Remove for one container. Buttons that make no sense in the current
 * state are disabled rather than hidden, so columns stay aligned; Remove asks for confirmation
 * inline. The outcome shows under the buttons: success briefly, an error until dismissed.
 */
export function ContainerActions({ backend }: { backend: BackendView }): React.JSX.Element {
  const containerId = backend.containerId as string
  const action = useActions((s) => s.containers[containerId])
  const run = useActions((s) => s.runContainerAction)
  const dismiss = useActions((s) => s.dismissContainerResult)
  const dockerUp = useFleet((s) => selectDocker(s)?.status === 'connected')
  const [confirmingRemove, setConfirmingRemove] = useState(false)

  const busy = action?.status === 'running'
  const running = backend.containerState === 'running' || backend.containerState === 'restarting'
  const enabled: Record<ContainerActionKind, boolean> = {
    start: !running,
    stop: running,
    restart: running,
    remove: true
  }

  const button = (kind: ContainerActionKind, onClick: () => void): React.JSX.Element => (
    <button
      type="button"
      className={`btn btn-sm${kind === 'remove' ? ' btn-danger-quiet' : ''}`}
      data-testid={`btn-${kind}`}
      disabled={busy || !dockerUp || !enabled[kind]}
      title={!dockerUp ? 'Docker is not connected' : undefined}
      onClick={onClick}
    >
      {busy && action?.kind === kind ? <Spinner label={`${LABEL[kind]} in progress`} /> : null}
      {LABEL[kind]}
    </button>
  )

  return (
    <div className="actions">
      {confirmingRemove ? (
        <div className="btn-row confirm-row">
          <span className="confirm-text">Remove {backend.name}?</span>
          <button
            type="button"
            className="btn btn-sm btn-danger"
            data-testid="btn-remove-confirm"
            onClick={() => {
              setConfirmingRemove(false)
              void run('remove', containerId)
            }}
          >
            Remove
          </button>
          <button type="button" className="btn btn-sm" data-testid="btn-remove-cancel" onClick={() => setConfirmingRemove(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="btn-row">
          {button('start', () => void run('start', containerId))}
          {button('stop', () => void run('stop', containerId))}
          {button('restart', () => void run('restart', containerId))}
          {button('remove', () => setConfirmingRemove(true))}
        </div>
      )}
      {action?.status === 'done' ? (
        <div className="action-result text-ok" data-testid="action-result" data-status="done">
          {action.message}
        </div>
      ) : null}
      {action?.status === 'failed' ? (
        <div className="action-result text-error" data-testid="action-result" data-status="failed">
          <span title={action.error.message}>
            {LABEL[action.kind]} failed: {action.error.message} <span className="code">{action.error.code}</span>
          </span>
          <button type="button" className="link-btn" aria-label="Dismiss" onClick={() => dismiss(containerId)}>
            ✕
          </button>
        </div>
      ) : null}
    </div>
  )
}
