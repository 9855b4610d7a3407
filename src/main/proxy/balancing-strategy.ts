import type { PoolMember } from './backend-pool'

/**
 * Chooses one backend for a request. Pure and synchronous; implementations may keep state
 * between calls (a cursor, latency averages) but never do I/O. Returns undefined when every
 * candidate is excluded or the list is empty; the caller answers 503 / 502 in that case.
 */
export interface BalancingStrategy {
  pick(candidates: readonly PoolMember[], exclude?: ReadonlySet<string>): PoolMember | undefined
  /** Told about each request a backend answered (response headers received), with its latency. */
  observe?(id: string, latencyMs: number): void
}

export { balancingNames, type BalancingName } from '../../shared/balancing'
