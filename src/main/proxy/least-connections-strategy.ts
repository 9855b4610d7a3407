import type { PoolMember } from './backend-pool'
import type { BalancingStrategy } from './balancing-strategy'

/**
 * Fewest requests in flight wins (counted over every proxy thread). Ties rotate, so an idle
 * pool is served round robin instead of always by its first member.
 */
export class LeastConnectionsStrategy implements BalancingStrategy {
  private cursor = 0

  constructor(private readonly inFlightOf: (id: string) => number) {}

  pick(candidates: readonly PoolMember[], exclude?: ReadonlySet<string>): PoolMember | undefined {
    const n = candidates.length
    if (n === 0) return undefined
    const start = this.cursor++ % n
    if (this.cursor > 1e9) this.cursor = 0
    let best: PoolMember | undefined
    let bestLoad = Infinity
    for (let i = 0; i < n; i++) {
      const c = candidates[(start + i) % n]!
      if (exclude?.has(c.id)) continue
      const load = this.inFlightOf(c.id)
      if (load < bestLoad) {
        best = c
        bestLoad = load
      }
    }
    return best
  }
}
