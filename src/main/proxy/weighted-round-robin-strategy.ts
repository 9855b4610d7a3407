import type { PoolMember } from './backend-pool'
import type { BalancingStrategy } from './balancing-strategy'

/**
 * Smooth weighted round robin (the nginx algorithm): each pick adds every candidate's weight to
 * its running score, takes the highest and subtracts the total from it. Weights 5:1:1 give
 * a a b a c a a (interleaved, not five a's in a row). Weight 0 members are picked only when no
 * positive-weight candidate is left. State of departed members is dropped on the next pick.
 */
export class WeightedRoundRobinStrategy implements BalancingStrategy {
  private readonly current = new Map<string, number>()
  private lastList: readonly PoolMember[] | null = null

  pick(candidates: readonly PoolMember[], exclude?: ReadonlySet<string>): PoolMember | undefined {
    if (candidates !== this.lastList) this.prune(candidates)
    let total = 0
    let best: PoolMember | undefined
    let bestScore = -Infinity
    let fallback: PoolMember | undefined
    for (const c of candidates) {
      if (exclude?.has(c.id)) continue
      const w = c.weight ?? 1
      if (w <= 0) {
        fallback ??= c
        continue
      }
      const score = (this.current.get(c.id) ?? 0) + w
      this.current.set(c.id, score)
      total += w
      if (score > bestScore) {
        best = c
        bestScore = score
      }
    }
    if (best === undefined) return fallback
    this.current.set(best.id, bestScore - total)
    return best
  }

  private prune(candidates: readonly PoolMember[]): void {
    this.lastList = candidates
    if (this.current.size <= candidates.length) return
    const ids = new Set(candidates.map((c) => c.id))
    for (const id of this.current.keys()) if (!ids.has(id)) this.current.delete(id)
  }
}
