import { selectDocker, useFleet } from '../stores/fleet-store'

/** Explains, above the fleet, why containers cannot be managed right now. */
export function DockerNotice(): React.JSX.Element | null {
  const docker = useFleet(selectDocker)
  if (!docker || docker.status === 'connected') return null
  if (docker.status === 'connecting') {
    return (
      <div className="notice notice-info">
        <strong>Connecting to Docker…</strong> Containers appear here as soon as the engine answers.
      </div>
    )
  }
  return (
    <div className="notice notice-warn" data-testid="docker-notice">
      <strong>Docker is unavailable.</strong> {docker.message ?? 'The Docker engine does not answer.'}
      <div className="notice-sub">
        Container actions and scaling are disabled until it is back; running replicas and static backends keep serving through the proxy.
      </div>
    </div>
  )
}
