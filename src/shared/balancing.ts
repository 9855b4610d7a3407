/** How the proxy chooses a backend within a balancing group (a service, or the static backends). */
export const balancingNames = ['round-robin', 'least-connections', 'p2c-latency', 'weighted'] as const
export type BalancingName = (typeof balancingNames)[number]

/** One line each, for the dashboard's choice and the config reference. */
export const balancingDescriptions: Record<BalancingName, string> = {
  'round-robin': 'next in turn: an even spread, nothing to go stale',
  'least-connections': 'fewest requests in flight: for requests of uneven cost',
  'p2c-latency': 'the faster of two random picks (recent latency × load): follows fast backends without herding',
  weighted: 'in proportion to each backend’s weight: for replicas of different sizes'
}
