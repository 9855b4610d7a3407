import type { BalancingName, BalancingStrategy } from './balancing-strategy'
import { LeastConnectionsStrategy } from './least-connections-strategy'
import { P2cLatencyStrategy } from './p2c-latency-strategy'
import { RoundRobinStrategy } from './round-robin-strategy'
import { WeightedRoundRobinStrategy } from './weighted-round-robin-strategy'

/** A fresh strategy for one proxy thread; `inFlightOf` reads the counts of every thread. */
export function createStrategy(name: BalancingName, inFlightOf: (id: string) => number): BalancingStrategy {
  switch (name) {
    case 'least-connections':
      return new LeastConnectionsStrategy(inFlightOf)
    case 'p2c-latency':
      return new P2cLatencyStrategy(inFlightOf)
    case 'weighted':
      return new WeightedRoundRobinStrategy()
    case 'round-robin':
      return new RoundRobinStrategy()
  }
}
