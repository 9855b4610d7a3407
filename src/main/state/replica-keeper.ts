/**
 * Decides, between scale calls, what keeps each configured service at the replica count it was
 * asked for (its desired count). Pure: it reads the container list and the services' state and
 * returns what to do; engine-replicas.ts does it. The rules:
 *
 * - A replica that stops without the user asking from the dashboard (it crashed, the Docker
 *   engine restarted, someone ran `docker stop` in a terminal) leaves the service short: the
 *   keeper asks for a *restore*, a scale to the desired count, which starts stopped replicas again
 *   and replaces the ones that cannot come back. So does a replica removed outside the app
 *   (`docker rm -f`): seen at one plan, gone at the next, without a scale or dashboard action.
 *   A service short because a scale failed is not retried here: nothing it had vanished.
 * - A replica the user stops from the dashboard stays stopped: the stop lowers the desired count
 *   by one (so the service is not short) and the keeper remembers the container, so no automatic
 *   scale starts or removes it. Start it, or Scale, to run it again.
 * - A replica started by hand (from the dashboard or a terminal) makes more run than asked: the
 *   desired count *follows* what runs, so "ready" never exceeds it.
 *
 * Nothing is decided while a scale of the service runs or a dashboard action on one of its
 * containers is in flight: their outcome is not known yet. Restores of one service are at least
 * RESTORE_INTERVAL_MS apart, doubling after each failed one (up to MAX_RESTORE_BACKOFF_MS), so a
 * replica that keeps crashing is not restarted in a tight loop.
 */
import type { ScalePhase } from '../../shared/types'
import type { FleetContainer } from '../fleet/fleet-types'

export const RESTORE_INTERVAL_MS = 10_000
export const MAX_RESTORE_BACKOFF_MS = 5 * 60_000

export interface KeptService {
  name: string
  desired: number
  phase: ScalePhase
}

export type KeeperAction =
  /** `stopped` replicas stopped without being asked; scale back to `desired`. */
  | { kind: 'restore'; service: string; desired: number; running: number; stopped: number; vanished: number }
  /** More run than asked for: the desired count becomes `desired` (what runs). */
  | { kind: 'follow'; service: string; desired: number; was: number }

/** States a replica leaves only when started again. */
const stoppedStates = new Set<FleetContainer['state']>(['exited', 'dead', 'created'])

export class ReplicaKeeper {
  private readonly stoppedByUser = new Set<string>()
  private readonly restores = new Map<string, { at: number; failures: number }>()
  /** Per service, the container ids of the last plan, to notice one removed outside the app. */
  private readonly seen = new Map<string, ReadonlySet<string>>()
  /** Per service, replicas removed outside the app not yet replaced. */
  private readonly vanished = new Map<string, number>()

  constructor(private readonly now: () => number) {}

  /** The user is stopping this container from the dashboard: it stays stopped. */
  noteUserStop(containerId: string): void {
    this.stoppedByUser.add(containerId)
  }

  /** The stop failed: the container is the keeper's to look after again. */
  forgetUserStop(containerId: string): void {
    this.stoppedByUser.delete(containerId)
  }

  /** Containers the user stopped, which automatic scales must leave alone. */
  userStopped(): ReadonlySet<string> {
    return this.stoppedByUser
  }

  /** The outcome of a restore plan() asked for; failures lengthen the wait before the next one. */
  restoreDone(service: string, ok: boolean): void {
    const r = this.restores.get(service)
    if (r) r.failures = ok ? 0 : r.failures + 1
  }

  /**
   * What to do now. `containers` must be the engine's current list (call only while connected:
   * an empty list from a lost engine would look like every container was removed). `busy`:
   * containers with a dashboard action in flight.
   */
  plan(services: readonly KeptService[], containers: readonly FleetContainer[], busy: ReadonlySet<string>): KeeperAction[] {
    for (const id of this.stoppedByUser) {
      const c = containers.find((x) => x.id === id)
      if (!c || !stoppedStates.has(c.state)) this.stoppedByUser.delete(id) // started again, or gone
    }
    const actions: KeeperAction[] = []
    for (const s of services) {
      const mine = containers.filter((c) => c.service === s.name)
      const before = this.seen.get(s.name)
      const now = new Set(mine.map((c) => c.id))
      if (s.phase === 'scaling' || mine.some((c) => busy.has(c.id))) {
        // What a scale or a dashboard action removes is theirs, and what it creates counts only
        // once it is over (a failed scale removes what it made): keep only what stays.
        this.seen.set(s.name, new Set([...(before ?? [])].filter((id) => now.has(id))))
        continue
      }
      this.seen.set(s.name, now)
      if (before !== undefined) {
        let gone = 0
        for (const id of before) if (!now.has(id) && !this.stoppedByUser.has(id)) gone++
        if (gone > 0) this.vanished.set(s.name, (this.vanished.get(s.name) ?? 0) + gone)
      }
      const running = mine.filter((c) => c.state === 'running').length
      if (running >= s.desired) this.vanished.delete(s.name)
      if (running > s.desired) {
        actions.push({ kind: 'follow', service: s.name, desired: running, was: s.desired })
        continue
      }
      const stopped = mine.filter((c) => stoppedStates.has(c.state) && !this.stoppedByUser.has(c.id)).length
      const vanished = Math.max(0, Math.min(this.vanished.get(s.name) ?? 0, s.desired - running - stopped))
      if (running < s.desired && stopped + vanished > 0 && this.restoreDue(s.name)) {
        this.vanished.delete(s.name)
        actions.push({ kind: 'restore', service: s.name, desired: s.desired, running, stopped, vanished })
      }
    }
    return actions
  }

  /** True (and the attempt recorded) when the service's last restore is long enough ago. */
  private restoreDue(service: string): boolean {
    const now = this.now()
    const last = this.restores.get(service)
    if (last && now < last.at + Math.min(MAX_RESTORE_BACKOFF_MS, RESTORE_INTERVAL_MS * 2 ** last.failures)) return false
    this.restores.set(service, { at: now, failures: last?.failures ?? 0 })
    return true
  }
}
