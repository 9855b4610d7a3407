import type { PoolMember } from './backend-pool'
import type { BalancingName } from './balancing-strategy'

/**
 * What a proxy listener needs from the pool. `BackendPool` is one (in-process); a worker
 * thread uses a mirror fed by the main thread's pool (`PoolMirror`).
 */
export interface PoolView {
  /** Eligible members, a cached array: do not modify. */
  eligibleView(): readonly PoolMember[]
  isEligible(id: string): boolean
  has(id: string): boolean
  /** In flight over every thread (for least-connections and p2c). */
  inFlight(id: string): number
  /** Every acquire is matched by exactly one release. */
  acquire(id: string): void
  release(id: string): void
  /** The strategy set for a balancing group; undefined: the proxy's default. */
  balancingOf(group: string): BalancingName | undefined
}

/** Where a listener counts requests. `TrafficStats` is one; workers write shared memory. */
export interface StatsSink {
  touch(id: string): void
  /** `backendId` null: answered without a backend (503, 400), counts in the total only. */
  record(backendId: string | null, status: number, durationMs: number): void
}
