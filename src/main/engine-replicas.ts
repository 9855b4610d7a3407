/**
 * Keeping services at their desired replica count in the running engine (the rules are in
 * state/replica-keeper.ts): once per tick while Docker is connected it runs the keeper's plan,
 * turning it into restores (scale calls) and desired-count changes, each with an event; and it
 * records what the user takes out by hand from the dashboard.
 */
import type { ScalePhase } from '../shared/types'
import type { FleetContainer } from './fleet/fleet-types'
import type { EventLog } from './state/event-log'
import { ReplicaKeeper } from './state/replica-keeper'

/** The part of a service's state the keeper reads and the desired count it may change. */
export interface KeptServiceState {
  desired: number
  phase: ScalePhase
}

export interface ReplicasHost {
  now: () => number
  events: EventLog
  services: Map<string, KeptServiceState>
  dockerConnected(): boolean
  containers(): FleetContainer[]
  /** Containers with a dashboard action (start, stop, restart, remove) in flight. */
  busy: ReadonlySet<string>
  /** Scales `service` back to `replicas`, sparing replicas the user stopped; rejects on failure. */
  restore(service: string, replicas: number, reason: string): Promise<unknown>
}

const noop = (): void => undefined

const replicas = (n: number): string => `${n} replica${n === 1 ? '' : 's'}`

export class EngineReplicas {
  private readonly keeper: ReplicaKeeper

  constructor(private readonly host: ReplicasHost) {
    this.keeper = new ReplicaKeeper(host.now)
  }

  /** Replicas the user stopped from the dashboard: automatic scales leave them alone. */
  userStopped(): ReadonlySet<string> {
    return this.keeper.userStopped()
  }

  /** Once per tick. */
  keep(): void {
    if (!this.host.dockerConnected()) return
    const services = [...this.host.services].map(([name, s]) => ({ name, desired: s.desired, phase: s.phase }))
    for (const a of this.keeper.plan(services, this.host.containers(), this.host.busy)) {
      const state = this.host.services.get(a.service)
      if (!state) continue
      if (a.kind === 'follow') {
        state.desired = a.desired
        this.host.events.add(
          'service.desired_changed',
          'info',
          `${a.service}: ${replicas(a.desired)} run, more than the ${a.was} asked for (started by hand, or kept from an earlier run); desired is now ${a.desired}`,
          { service: a.service }
        )
        continue
      }
      const why: string[] = []
      if (a.stopped > 0) why.push(`${a.stopped} stopped without being asked (a crash, or the Docker engine restarted): starting ${a.stopped === 1 ? 'it' : 'them'} again`)
      if (a.vanished > 0) why.push(`${a.vanished} removed outside the app: creating ${a.vanished === 1 ? 'a new one' : 'new ones'}`)
      this.host.events.add('service.restoring', 'warn', `${a.service}: ${a.running} of ${replicas(a.desired)} running; ${why.join('; ')}`, {
        service: a.service
      })
      this.host.restore(a.service, a.desired, a.stopped > 0 ? 'bringing back stopped replicas' : 'replacing removed replicas').then(
        () => this.keeper.restoreDone(a.service, true),
        () => this.keeper.restoreDone(a.service, false)
      )
    }
  }

  /**
   * What the user does to a replica from the dashboard changes what the service keeps: a stop or
   * remove of a running replica keeps one less (and a stopped one stays stopped), a start of a
   * stopped one keeps one more. Call with the container as it was before the action; for a start,
   * once it succeeded (a failed start changes nothing). Returns what undoes it, for a stop or
   * remove that failed: the replica is counted again and the keeper looks after it again.
   */
  userAction(c: FleetContainer, action: 'start' | 'stop' | 'remove'): () => void {
    if (action === 'stop') this.keeper.noteUserStop(c.id)
    const forget = action === 'stop' ? () => this.keeper.forgetUserStop(c.id) : noop
    const state = this.host.services.get(c.service)
    if (!state || (c.state === 'running') === (action === 'start')) return forget
    if (action !== 'start' && state.desired === 0) return forget
    const step = action === 'start' ? 1 : -1
    state.desired += step
    const what = { start: 'started', stop: 'stopped', remove: 'removed' }[action]
    const rest = action === 'stop' ? ' and stays stopped until you Start it or Scale' : ''
    this.host.events.add('service.desired_changed', 'info', `${c.service}: desired is now ${state.desired}: ${c.name} was ${what} from the dashboard${rest}`, {
      service: c.service,
      containerId: c.id
    })
    return () => {
      forget()
      state.desired -= step
      this.host.events.add('service.desired_changed', 'info', `${c.service}: desired is ${state.desired} again: ${c.name} could not be ${what}`, {
        service: c.service,
        containerId: c.id
      })
    }
  }
}
