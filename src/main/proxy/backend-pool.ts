/**
 * Membership and eligibility of the backends the proxy may forward to, and the per-backend
 * in-flight count that draining waits on. No I/O: the poller, the fleet and the proxy all write
 * into it; only the proxy reads `eligible()`.
 */

/** A forwarding target. Immutable: an address change replaces the object. */
export interface PoolMember {
  id: string
  host: string
  port: number
}

interface MemberState {
  member: PoolMember
  up: boolean
  ready: boolean
  draining: boolean
}

interface IdleWaiter {
  resolve: (idle: boolean) => void
  timer: NodeJS.Timeout
}

export class BackendPool {
  private readonly members = new Map<string, MemberState>()
  // Kept apart from `members` so a request that outlives its member's removal still releases
  // its count, and a member re-added under the same id sees requests that are still running.
  private readonly inFlightById = new Map<string, number>()
  private readonly idleWaiters = new Map<string, Set<IdleWaiter>>()
  // The proxy asks for the eligible list on every request; membership changes are rare.
  private eligibleCache: readonly PoolMember[] | null = null

  /**
   * Adds a member, or updates the address of an existing one (its up/ready/draining flags are
   * kept). New members start up=true (health unknown is not down), ready=false, draining=false.
   */
  upsert(m: PoolMember): void {
    const existing = this.members.get(m.id)
    if (existing) {
      if (existing.member.host === m.host && existing.member.port === m.port) return
      existing.member = Object.freeze({ id: m.id, host: m.host, port: m.port })
    } else {
      this.members.set(m.id, {
        member: Object.freeze({ id: m.id, host: m.host, port: m.port }),
        up: true,
        ready: false,
        draining: false
      })
    }
    this.eligibleCache = null
  }

  /** Removes a member. Its in-flight requests keep counting until they finish. Unknown ids are ignored. */
  remove(id: string): void {
    if (this.members.delete(id)) this.eligibleCache = null
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

  /** up && ready && !draining; false for unknown ids. */
  isEligible(id: string): boolean {
    const s = this.members.get(id)
    return s !== undefined && s.up && s.ready && !s.draining
  }

  /** Eligible members in insertion order (a fresh array the caller may keep). */
  eligible(): PoolMember[] {
    if (this.eligibleCache === null) {
      const list: PoolMember[] = []
      for (const s of this.members.values()) if (s.up && s.ready && !s.draining) list.push(s.member)
      this.eligibleCache = list
    }
    return this.eligibleCache.slice()
  }

  inFlight(id: string): number {
    return this.inFlightById.get(id) ?? 0
  }

  /**
   * Counts one request forwarded to `id`. Every acquire must be matched by exactly one
   * `release`; the proxy does this on every path (success, error, timeout, client abort).
   */
  acquire(id: string): void {
    this.inFlightById.set(id, (this.inFlightById.get(id) ?? 0) + 1)
  }

  /** Ends one request counted by `acquire`. Never goes below zero. Wakes `waitForIdle` at zero. */
  release(id: string): void {
    const n = this.inFlightById.get(id)
    if (n === undefined) return
    if (n > 1) {
      this.inFlightById.set(id, n - 1)
      return
    }
    this.inFlightById.delete(id)
    const waiters = this.idleWaiters.get(id)
    if (waiters === undefined) return
    this.idleWaiters.delete(id)
    for (const w of waiters) {
      clearTimeout(w.timer)
      w.resolve(true)
    }
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
    })
  }

  private setFlag(id: string, flag: 'up' | 'ready' | 'draining', value: boolean): void {
    const s = this.members.get(id)
    if (s === undefined || s[flag] === value) return
    s[flag] = value
    this.eligibleCache = null
  }
}
