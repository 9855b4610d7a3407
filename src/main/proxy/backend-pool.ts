/**
 * Membership and eligibility of the backends the proxy may forward to, and the per-backend
 * in-flight count that draining waits on. No I/O: the poller, the fleet and the proxy all write
 * into it; only the proxy reads `eligible()`.
 *
 * In-flight counts live in a SharedArrayBuffer (one Int32 slot per backend, see SlotTable) so
 * proxy worker threads can count with Atomics and `inFlight` / `waitForIdle` here still see
 * every request, whichever thread forwards it.
 */
import { PrescalError } from '../../shared/errors'
import type { BalancingName } from './balancing-strategy'
import { SLOT_CAPACITY, SlotTable } from './slot-table'

/** A forwarding target. Immutable: an address or weight change replaces the object. */
export interface PoolMember {
  id: string
  host: string
  port: number
  /** What error answers call it (a container's name, a static backend's address); default the id. */
  name?: string
  /** Share of traffic under the `weighted` strategy; default 1, 0 = only when nothing else is left. */
  weight?: number
  /**
   * Balancing group: the service's name, '' (default) for static backends. Each group has its
   * own strategy (`setBalancing`); groups get requests in proportion to their eligible members.
   */
  group?: string
}

/** What proxy workers need to mirror the pool: every member with its slot and eligibility. */
export interface PoolSnapshot {
  version: number
  members: Array<{ member: PoolMember; slot: number; eligible: boolean }>
  /** Strategy per balancing group that has one set (others use the proxy's default). */
  balancing: Record<string, BalancingName>
}

interface MemberState {
  member: PoolMember
  slot: number
  up: boolean
  ready: boolean
  draining: boolean
  ejected: boolean
}

interface IdleWaiter {
  resolve: (idle: boolean) => void
  timer: NodeJS.Timeout
}

// Only used when other threads count too (they cannot wake us): how often waitForIdle re-reads.
const SHARED_IDLE_POLL_MS = 20

export class BackendPool {
  private readonly members = new Map<string, MemberState>()
  // Kept apart from `members` (by slot) so a request that outlives its member's removal still
  // releases its count, and a member re-added under the same id sees requests still running.
  private readonly inFlightBuffer = new SharedArrayBuffer(SLOT_CAPACITY * 4)
  private readonly inFlightBySlot = new Int32Array(this.inFlightBuffer)
  private readonly slots = new SlotTable(Date.now, (slot) => Atomics.store(this.inFlightBySlot, slot, 0))
  private readonly idleWaiters = new Map<string, Set<IdleWaiter>>()
  private readonly listeners = new Set<() => void>()
  private readonly balancing = new Map<string, BalancingName>()
  private sharedWithThreads = false
  private idlePoll: NodeJS.Timeout | null = null
  private version = 0
  // The proxy asks for the eligible list on every request; membership changes are rare.
  private eligibleCache: readonly PoolMember[] | null = null

  constructor() {
    this.slots.isIdle = (slot) => Atomics.load(this.inFlightBySlot, slot) === 0
  }

  /**
   * Adds a member, or updates the address of an existing one (its up/ready/draining flags are
   * kept). New members start up=true (health unknown is not down), ready=false, draining=false.
   */
  upsert(m: PoolMember): void {
    const weight = normalWeight(m.weight)
    const group = m.group ?? ''
    const existing = this.members.get(m.id)
    const name = m.name ?? m.id
    const member = Object.freeze({ id: m.id, host: m.host, port: m.port, name, weight, group })
    if (existing) {
      const e = existing.member
      if (e.host === m.host && e.port === m.port && e.name === name && e.weight === weight && e.group === group) return
      existing.member = member
    } else {
      const slot = this.slots.slotFor(m.id)
      if (slot === undefined) {
        throw new PrescalError('CONFLICT', `Too many backends (${SLOT_CAPACITY}) joined within 30 s; remove some first.`)
      }
      this.members.set(m.id, { member, slot, up: true, ready: false, draining: false, ejected: false })
    }
    this.changed()
  }

  /** Removes a member. Its in-flight requests keep counting until they finish. Unknown ids are ignored. */
  remove(id: string): void {
    if (!this.members.delete(id)) return
    this.slots.release(id)
    this.changed()
  }

  /** The member as last upserted, undefined for unknown ids. */
  member(id: string): PoolMember | undefined {
    return this.members.get(id)?.member
  }

  has(id: string): boolean {
    return this.members.has(id)
  }

  /** From the poller: false once it declared the backend down. Unknown ids are ignored. */
  setUp(id: string, up: boolean): void {
    this.setFlag(id, 'up', up)
  }

  /** True once the backend answered after (re)start. Unknown ids are ignored. */
  setReady(id: string, ready: boolean): void {
    this.setFlag(id, 'ready', ready)
  }

  /** A draining member gets no new requests; running ones finish. Unknown ids are ignored. */
  setDraining(id: string, draining: boolean): void {
    this.setFlag(id, 'draining', draining)
  }

  /**
   * From passive health checks (the proxy): an ejected member gets no new requests until
   * re-admitted. Unknown ids are ignored.
   */
  setEjected(id: string, ejected: boolean): void {
    this.setFlag(id, 'ejected', ejected)
  }

  /** The strategy of a balancing group (a service's name, '' for static backends). */
  setBalancing(group: string, name: BalancingName): void {
    if (this.balancing.get(group) === name) return
    this.balancing.set(group, name)
    this.changed()
  }

  /** The strategy set for `group`, undefined when none was (the proxy's default applies). */
  balancingOf(group: string): BalancingName | undefined {
    return this.balancing.get(group)
  }

  /** up && ready && !draining && !ejected; false for unknown ids. */
  isEligible(id: string): boolean {
    const s = this.members.get(id)
    return s !== undefined && isEligibleState(s)
  }

  /** True when the member is up, ready and not draining, whether or not it is ejected. */
  isHealthyIgnoringEjection(id: string): boolean {
    const s = this.members.get(id)
    return s !== undefined && s.up && s.ready && !s.draining
  }

  /** Eligible members in insertion order (a fresh array the caller may keep). */
  eligible(): PoolMember[] {
    return this.eligibleView().slice()
  }

  /** Eligible members in insertion order, without a copy: do not modify; replaced on change. */
  eligibleView(): readonly PoolMember[] {
    if (this.eligibleCache === null) {
      const list: PoolMember[] = []
      for (const s of this.members.values()) if (isEligibleState(s)) list.push(s.member)
      this.eligibleCache = Object.freeze(list)
    }
    return this.eligibleCache
  }

  /** Requests forwarded to `id` and not finished yet, counted over every proxy thread. */
  inFlight(id: string): number {
    const slot = this.slots.find(id)
    return slot === undefined ? 0 : Atomics.load(this.inFlightBySlot, slot)
  }

  /**
   * Counts one request forwarded to `id`. Every acquire must be matched by exactly one
   * `release`; the proxy does this on every path (success, error, timeout, client abort).
   */
  acquire(id: string): void {
    let slot = this.slots.find(id)
    if (slot === undefined) {
      // Not a member (yet): counted all the same, in a slot that may be reclaimed once idle.
      slot = this.slots.slotFor(id)
      if (slot === undefined) return
      if (!this.members.has(id)) this.slots.release(id)
    }
    Atomics.add(this.inFlightBySlot, slot, 1)
  }

  /** Ends one request counted by `acquire`. Never goes below zero. Wakes `waitForIdle` at zero. */
  release(id: string): void {
    const slot = this.slots.find(id)
    if (slot === undefined) return
    const before = Atomics.sub(this.inFlightBySlot, slot, 1)
    if (before <= 0) Atomics.add(this.inFlightBySlot, slot, 1) // unmatched release: undo
    else if (before === 1) this.wake(id)
  }

  /**
   * Hands the in-flight counters to proxy worker threads (they `Atomics.add/sub` the slot of
   * each member, see `snapshot()`); from then on `waitForIdle` also re-reads them periodically,
   * because another thread's release cannot wake it.
   */
  shareInFlight(): SharedArrayBuffer {
    this.sharedWithThreads = true
    return this.inFlightBuffer
  }

  /** The members with their slots and eligibility, for proxy workers. */
  snapshot(): PoolSnapshot {
    const members: PoolSnapshot['members'] = []
    for (const s of this.members.values()) members.push({ member: s.member, slot: s.slot, eligible: isEligibleState(s) })
    return { version: this.version, members, balancing: Object.fromEntries(this.balancing) }
  }

  /** The id a slot was last given to (also after removal, until reused); for stats. */
  idOfSlot(slot: number): string | undefined {
    return this.slots.idOf(slot)
  }

  /** Called (synchronously) after every membership, address, weight, eligibility or balancing change. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Resolves true when the in-flight count for `id` reaches 0 (at once if it already is),
   * false after `timeoutMs`. Clears its timer either way; never rejects.
   */
  waitForIdle(id: string, timeoutMs: number): Promise<boolean> {
    if (this.inFlight(id) === 0) return Promise.resolve(true)
    return new Promise<boolean>((resolve) => {
      let waiters = this.idleWaiters.get(id)
      if (waiters === undefined) {
        waiters = new Set()
        this.idleWaiters.set(id, waiters)
      }
      const set = waiters
      const waiter: IdleWaiter = {
        resolve,
        timer: setTimeout(() => {
          set.delete(waiter)
          if (set.size === 0 && this.idleWaiters.get(id) === set) this.idleWaiters.delete(id)
          resolve(false)
        }, Math.max(0, timeoutMs))
      }
      set.add(waiter)
      if (this.sharedWithThreads) this.pollIdle()
    })
  }

  private wake(id: string): void {
    const waiters = this.idleWaiters.get(id)
    if (waiters === undefined) return
    this.idleWaiters.delete(id)
    for (const w of waiters) {
      clearTimeout(w.timer)
      w.resolve(true)
    }
  }

  private pollIdle(): void {
    if (this.idlePoll !== null) return
    const tick = (): void => {
      this.idlePoll = null
      for (const id of [...this.idleWaiters.keys()]) if (this.inFlight(id) === 0) this.wake(id)
      if (this.idleWaiters.size > 0) this.idlePoll = setTimeout(tick, SHARED_IDLE_POLL_MS)
    }
    this.idlePoll = setTimeout(tick, SHARED_IDLE_POLL_MS)
  }

  private setFlag(id: string, flag: 'up' | 'ready' | 'draining' | 'ejected', value: boolean): void {
    const s = this.members.get(id)
    if (s === undefined || s[flag] === value) return
    s[flag] = value
    this.changed()
  }

  private changed(): void {
    this.eligibleCache = null
    this.version++
    for (const l of this.listeners) l()
  }
}

function isEligibleState(s: MemberState): boolean {
  return s.up && s.ready && !s.draining && !s.ejected
}

function normalWeight(w: number | undefined): number {
  return w === undefined || !Number.isFinite(w) || w < 0 ? 1 : w
}
