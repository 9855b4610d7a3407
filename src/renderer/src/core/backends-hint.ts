/**
 * What the empty Backends table suggests: only something the user can do right now (no "Scale a
 * service" while Docker is down and Scale is disabled, or when no service is configured).
 */
import type { DockerStatus } from '../../../shared/types'

export type BackendsHint =
  /** Scale is possible: scale a service, or add static backends. */
  | 'scale'
  /** Services exist but Docker is not connected: containers appear once it is. */
  | 'wait-for-docker'
  /** Nothing configured to run: add services or static backends to the config. */
  | 'configure'

export function backendsHint(docker: DockerStatus | undefined, serviceCount: number): BackendsHint {
  if (serviceCount === 0) return 'configure'
  return docker === 'connected' ? 'scale' : 'wait-for-docker'
}
