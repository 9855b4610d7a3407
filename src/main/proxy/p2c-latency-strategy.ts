import type { PoolMember } from './backend-pool'
import type { BalancingStrategy } from './balancing-strategy'

/** Weight of the newest sample in the moving average: ~the last 10 requests dominate. */
const ALPHA = 0.2
/**
 * An average fades towards 0 with the time since its last sample (e-folding time): a backend that
 * lost every draw while it was slow is tried again within seconds instead of never (with two
 * candidates p2c compares both, so a stale high average would starve it for good).
 */
const DECAY_MS = 5_000

/**
 * Power of two choices: draw two different candidates at random and send to the one with the
 * lower cost = EWMA of its response latency × (its requests in flight + 1). The in-flight factor
 * stops every thread from piling onto the backend that was fastest a moment ago; a backend with
 * no sample yet costs 0, so newcomers are tried at once; averages fade while unobserved
 * (DECAY_MS). Randomness and the clock are injected for tests.
 */
export class P2cLatencyStrategy implements BalancingStrategy {
  private readonly ewma = new Map<string, { ms: number; at: number }>()

  constructor(
    private readonly inFlightOf: (id: string) => number,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = performance.now.bind(performance)
  ) {}

  observe(id: string, latencyMs: number): void {
    const prev = this.latencyOf(id)
    this.ewma.set(id, { ms: prev === undefined ? latencyMs : prev + ALPHA * (latencyMs - prev), at: this.now() })
    // Bounded: averages of departed backends are dropped once the map outgrows any real pool.
    if (this.ewma.size > 4096) this.ewma.delete(this.ewma.keys().next().value!)
  }

  /** The current (faded) average of `id`; undefined before its first sample. */
  latencyOf(id: string): number | undefined {
    const e = this.ewma.get(id)
    return e === undefined ? undefined : e.ms * Math.exp(-(this.now() - e.at) / DECAY_MS)
  }

  pick(candidates: readonly PoolMember[], exclude?: ReadonlySet<string>): PoolMember | undefined {
    const n = candidates.length
    if (n === 0) return undefined
    if (exclude === undefined || exclude.size === 0) {
      if (n === 1) return candidates[0]
      const i = Math.floor(this.random() * n)
      let j = Math.floor(this.random() * (n - 1))
      if (j >= i) j++
      return this.cheaper(candidates[i]!, candidates[j]!)
    }
    const allowed = candidates.filter((c) => !exclude.has(c.id))
    return allowed.length === 0 ? undefined : this.pick(allowed)
  }

  private cheaper(a: PoolMember, b: PoolMember): PoolMember {
    return this.cost(b) < this.cost(a) ? b : a
  }

  private cost(m: PoolMember): number {
    return (this.latencyOf(m.id) ?? 0) * (this.inFlightOf(m.id) + 1)
  }
}
