import type { PoolMember } from './backend-pool'
import type { BalancingStrategy } from './balancing-strategy'

export type { BalancingStrategy } from './balancing-strategy'

/**
 * Round robin over a candidate list that may change between calls. It remembers the last id
 * it picked and continues with the member after it, so members joining or leaving do not reset
 * the rotation or make one member take two turns in a row. If the last pick left the list, the
 * member that slid into its position goes next.
 */
export class RoundRobinStrategy implements BalancingStrategy {
  private lastId: string | undefined
  private lastIndex = -1

  pick(candidates: readonly PoolMember[], exclude?: ReadonlySet<string>): PoolMember | undefined {
    const n = candidates.length
    if (n === 0) return undefined
    const start = this.startIndex(candidates)
    for (let i = 0; i < n; i++) {
      const index = (start + i) % n
      const c = candidates[index]
      if (c === undefined || exclude?.has(c.id)) continue
      this.lastId = c.id
      this.lastIndex = index
      return c
    }
    return undefined
  }

  private startIndex(candidates: readonly PoolMember[]): number {
    if (this.lastId === undefined) return 0
    // Common case: the list did not change, the last pick is still where it was.
    if (candidates[this.lastIndex]?.id === this.lastId) return this.lastIndex + 1
    const at = candidates.findIndex((c) => c.id === this.lastId)
    if (at >= 0) return at + 1
    return Math.max(0, this.lastIndex) % candidates.length
  }
}
