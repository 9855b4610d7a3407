import type { PoolMember, PoolSnapshot } from './backend-pool'
import type { BalancingName } from './balancing-strategy'
import type { PoolView } from './proxy-ports'

// A removed id keeps its slot this long here, so requests still running against it release
// and record into the right counters (the main thread quarantines the slot for 30 s).
const FORGET_AFTER_MS = 20_000

/**
 * A worker thread's copy of the main thread's BackendPool: members and eligibility come from
 * snapshots the main thread posts on every change; in-flight counts go straight into the
 * pool's shared Int32 slots with Atomics, so the main thread sees them for draining.
 */
export class PoolMirror implements PoolView {
  private readonly counts: Int32Array
  private readonly slotById = new Map<string, number>()
  private readonly removedAt = new Map<string, number>()
  private readonly current = new Set<string>()
  private eligibleIds = new Set<string>()
  private eligibleList: readonly PoolMember[] = []
  private balancing: Record<string, BalancingName> = {}
  private version = -1

  constructor(
    inFlight: SharedArrayBuffer,
    snapshot: PoolSnapshot,
    private readonly now: () => number = Date.now
  ) {
    this.counts = new Int32Array(inFlight)
    this.apply(snapshot)
  }

  /** Replaces the view with a newer snapshot (older ones, reordered in transit, are ignored). */
  apply(snapshot: PoolSnapshot): void {
    if (snapshot.version < this.version) return
    this.version = snapshot.version
    this.balancing = snapshot.balancing
    const t = this.now()
    const eligible: PoolMember[] = []
    const ids = new Set<string>()
    for (const { member, slot, eligible: ok } of snapshot.members) {
      ids.add(member.id)
      this.slotById.set(member.id, slot)
      this.removedAt.delete(member.id)
      if (ok) eligible.push(member)
    }
    for (const id of this.current) if (!ids.has(id)) this.removedAt.set(id, t)
    for (const [id, at] of this.removedAt) {
      if (t - at > FORGET_AFTER_MS) {
        this.removedAt.delete(id)
        this.slotById.delete(id)
      }
    }
    this.current.clear()
    for (const id of ids) this.current.add(id)
    this.eligibleList = Object.freeze(eligible)
    this.eligibleIds = new Set(eligible.map((m) => m.id))
  }

  balancingOf(group: string): BalancingName | undefined {
    return this.balancing[group]
  }

  slotOf(id: string): number | undefined {
    return this.slotById.get(id)
  }

  eligibleView(): readonly PoolMember[] {
    return this.eligibleList
  }

  isEligible(id: string): boolean {
    return this.eligibleIds.has(id)
  }

  has(id: string): boolean {
    return this.current.has(id)
  }

  inFlight(id: string): number {
    const slot = this.slotById.get(id)
    return slot === undefined ? 0 : Atomics.load(this.counts, slot)
  }

  acquire(id: string): void {
    const slot = this.slotById.get(id)
    if (slot !== undefined) Atomics.add(this.counts, slot, 1)
  }

  release(id: string): void {
    const slot = this.slotById.get(id)
    if (slot === undefined) return
    if (Atomics.sub(this.counts, slot, 1) <= 0) Atomics.add(this.counts, slot, 1)
  }
}
