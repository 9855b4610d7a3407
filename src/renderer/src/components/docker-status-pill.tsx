import { selectDocker, useFleet } from '../stores/fleet-store'

const LABEL = { connected: 'connected', connecting: 'connecting…', unavailable: 'unavailable' } as const
const TONE = { connected: 'ok', connecting: 'busy', unavailable: 'error' } as const

/** Docker engine state; the tooltip carries the engine version or what to do when it is down. */
export function DockerStatusPill(): React.JSX.Element {
  const docker = useFleet(selectDocker)
  if (!docker) return <span className="muted">—</span>
  const title = docker.status === 'connected' ? `Docker Engine ${docker.version ?? ''}`.trim() : (docker.message ?? undefined)
  return (
    <span data-testid="docker-status" data-status={docker.status} className={`pill tone-${TONE[docker.status]}`} title={title}>
      <span className="dot" aria-hidden="true" />
      {LABEL[docker.status]}
      {docker.status === 'connected' && docker.version ? <span className="pill-extra">{docker.version}</span> : null}
    </span>
  )
}
