import type { PoolMember } from './backend-pool'
import type { BalancingName, BalancingStrategy } from './balancing-strategy'
import { createStrategy } from './strategy-factory'

interface Group {
  key: string
  members: PoolMember[]
}

/**
 * Balancing per group (a service, or the static backends): a request first goes to a group,
 * in proportion to the group's eligible members (smooth weighted round robin, so with one
 * member each the groups simply alternate), then to a member chosen by that group's own
 * strategy. With a single group, as in most setups, it is exactly that group's strategy.
 * A group's strategy is created afresh when its name changes (its state would not fit).
 */
export class GroupedStrategy implements BalancingStrategy {
  private readonly strategies = new Map<string, { name: BalancingName; strategy: BalancingStrategy }>()
  private readonly groupOf = new Map<string, string>()
  private readonly score = new Map<string, number>()
  private lastList: readonly PoolMember[] | null = null
  private groups: Group[] = []

  constructor(
    /** The strategy of a group that has none set. */
    private readonly fallback: BalancingName,
    private readonly nameOf: (group: string) => BalancingName | undefined,
    private readonly inFlightOf: (id: string) => number
  ) {}

  pick(candidates: readonly PoolMember[], exclude?: ReadonlySet<string>): PoolMember | undefined {
    if (candidates !== this.lastList) this.partition(candidates)
    const groups = this.groups
    if (groups.length <= 1) {
      const only = groups[0]
      return only === undefined ? undefined : this.strategyOf(only.key).pick(only.members, exclude)
    }
    let total = 0
    let best: Group | undefined
    let bestScore = -Infinity
    for (const g of groups) {
      const score = (this.score.get(g.key) ?? 0) + g.members.length
      this.score.set(g.key, score)
      total += g.members.length
      if (score > bestScore) {
        best = g
        bestScore = score
      }
    }
    this.score.set(best!.key, bestScore - total)
    const chosen = this.strategyOf(best!.key).pick(best!.members, exclude)
    if (chosen !== undefined) return chosen
    // Every member of that group is excluded (a retry): any other group will do.
    for (const g of groups) {
      if (g === best) continue
      const other = this.strategyOf(g.key).pick(g.members, exclude)
      if (other !== undefined) return other
    }
    return undefined
  }

  observe(id: string, latencyMs: number): void {
    const key = this.groupOf.get(id)
    if (key !== undefined) this.strategies.get(key)?.strategy.observe?.(id, latencyMs)
  }

  private strategyOf(key: string): BalancingStrategy {
    const name = this.nameOf(key) ?? this.fallback
    let entry = this.strategies.get(key)
    if (entry === undefined || entry.name !== name) {
      entry = { name, strategy: createStrategy(name, this.inFlightOf) }
      this.strategies.set(key, entry)
    }
    return entry.strategy
  }

  private partition(candidates: readonly PoolMember[]): void {
    this.lastList = candidates
    const byKey = new Map<string, Group>()
    this.groupOf.clear()
    for (const m of candidates) {
      const key = m.group ?? ''
      this.groupOf.set(m.id, key)
      let g = byKey.get(key)
      if (g === undefined) {
        g = { key, members: [] }
        byKey.set(key, g)
      }
      g.members.push(m)
    }
    this.groups = [...byKey.values()]
    for (const key of this.score.keys()) if (!byKey.has(key)) this.score.delete(key)
  }
}
