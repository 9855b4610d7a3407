/**
 * Backtest simulator: replays a trace through a policy with a simulated clock. Pure (no I/O).
 *
 * Model.
 * - Row i of the trace says `requests` arrived uniformly over [at, at + step): demand rate
 *   requests / step.
 * - The policy is evaluated at the first row's start and then every `everyMs`. It sees only the
 *   past: one LoadSample per finished row (at = row end, rps = demand rate, cpuPercent = null —
 *   the proxy sees offered load, not CPU), and `current` = replicas requested so far.
 * - A replica requested at t is ready (serves) from t + coldStartMs. A decrease takes effect at
 *   once and removes replicas still starting first (newest first), then ready ones.
 * - The fleet starts with ceil(first row's demand / capacity) replicas (within min/max), all ready,
 *   the same for every policy.
 * - Gaps (missing rows) are time without data: no demand, no container-seconds, no evaluation, but
 *   the clock moves on, so replicas that were starting are ready after the gap.
 *
 * Accounting (over rows with data only).
 * - Requests exceeding capacity ("shortfall"): over every stretch where the ready count is
 *   constant, max(0, demand rate − ready × capacityRps) × duration, summed. These are the requests
 *   that arrived beyond what ready replicas could serve right then; `underProvisionedShare` is their
 *   sum over all requests. (Counting whole intervals as "short" instead would weigh a 1% miss
 *   like a 100% one.)
 * - Container-seconds: requested replicas (ready or still starting) × seconds.
 * - Scaling actions: evaluations whose desired count differs from the current one.
 * - Peak replicas: the most replicas requested at once.
 */
import { PrescalError } from '../../shared/errors'
import { createPolicyState } from './scaler-types'
import type { Decision, LoadSample, Policy, ScalerSettings, TracePoint } from './scaler-types'
import { clampReplicas, replicasFor } from './scaling-limits'

export interface SimulationOptions {
  settings: ScalerSettings
  /** How often the policy is evaluated (ms). */
  everyMs: number
  /** Trace step (ms); detected from the trace when omitted. */
  stepMs?: number
  /** Record one SeriesPoint per row with from <= at < to (for plots); nothing when omitted. */
  record?: { from: number; to: number }
  /** Called with every decision that changes the count (for logs and tests). */
  onAction?: (at: number, decision: Decision, current: number) => void
}

export interface SeriesPoint {
  at: number
  demandRps: number
  /** Time-weighted mean of ready replicas over the row. */
  ready: number
  /** Requested replicas at the end of the row. */
  requested: number
}

export interface SimulationResult {
  policy: string
  totalRequests: number
  shortfallRequests: number
  /** shortfallRequests / totalRequests (0 for an empty trace). */
  underProvisionedShare: number
  containerSeconds: number
  actions: number
  /** Actions per hour of simulated time with data. */
  actionsPerHour: number
  peakReplicas: number
  /** Seconds of trace with data (gaps excluded). */
  simulatedSeconds: number
  series: SeriesPoint[]
}

/** The trace's step: the smallest difference between consecutive rows (gaps are larger). Throws with fewer than two rows. */
export function detectStepMs(points: readonly TracePoint[]): number {
  let step = Infinity
  for (let i = 1; i < points.length; i++) step = Math.min(step, points[i]!.at - points[i - 1]!.at)
  if (!Number.isFinite(step) || step <= 0) {
    throw new PrescalError('INVALID_ARGUMENT', 'a trace needs at least two rows to tell its step')
  }
  return step
}

/**
 * Replays `trace` through `policy` (a fresh PolicyState). Throws INVALID_ARGUMENT for a
 * non-positive everyMs/step or capacity, or rows closer together than the step.
 */
export function simulate(trace: readonly TracePoint[], policy: Policy, options: SimulationOptions): SimulationResult {
  const { settings, everyMs } = options
  const stepMs = options.stepMs ?? (trace.length > 1 ? detectStepMs(trace) : 60_000)
  if (!(everyMs > 0) || !(stepMs > 0) || !(settings.capacityRps > 0)) {
    throw new PrescalError('INVALID_ARGUMENT', 'everyMs, the trace step and capacityRps must be positive')
  }
  const stepS = stepMs / 1000
  const cap = settings.capacityRps
  const cold = Math.max(0, settings.coldStartMs)
  const state = createPolicyState()
  const history: LoadSample[] = []
  const series: SeriesPoint[] = []

  // readyAt of every requested replica, ascending (appends are at now + cold with now rising).
  const readyAt: number[] = []
  let readyCount = 0
  const first = trace[0]
  if (first !== undefined) {
    const n = clampReplicas(replicasFor(first.requests / stepS, settings), settings)
    for (let k = 0; k < n; k++) readyAt.push(-Infinity)
    readyCount = n
  }

  let total = 0
  let shortfall = 0
  let containerSeconds = 0
  let actions = 0
  let peak = readyAt.length
  let seconds = 0
  let nextEval = first?.at ?? 0
  let prevEnd = first?.at ?? 0
  let name = 'policy'

  for (const row of trace) {
    const a = row.at
    const b = a + stepMs
    if (a < prevEnd) throw new PrescalError('INVALID_ARGUMENT', `trace rows at ${a} overlap (step ${stepMs} ms)`)
    if (a > prevEnd && nextEval < a) nextEval += Math.ceil((a - nextEval) / everyMs) * everyMs
    prevEnd = b
    const rate = row.requests / stepS
    total += row.requests
    seconds += stepS
    let readySeconds = 0
    let t = a
    while (t < b) {
      if (nextEval <= t) {
        const current = readyAt.length
        const decision = policy.decide(t, history, current, settings, state)
        name = decision.policy
        const desired = Math.max(0, Math.floor(decision.desired))
        if (desired !== current) {
          actions++
          options.onAction?.(t, decision, current)
          if (desired > current) for (let k = current; k < desired; k++) readyAt.push(t + cold)
          else readyAt.length = desired
          if (readyCount > readyAt.length) readyCount = readyAt.length
          if (desired > peak) peak = desired
        }
        nextEval += everyMs
        continue
      }
      while (readyCount < readyAt.length && readyAt[readyCount]! <= t) readyCount++
      const nextReady = readyCount < readyAt.length ? readyAt[readyCount]! : Infinity
      const end = Math.min(b, nextEval, nextReady)
      const dur = (end - t) / 1000
      const missing = (rate - readyCount * cap) * dur
      if (missing > 0) shortfall += missing
      containerSeconds += readyAt.length * dur
      readySeconds += readyCount * dur
      t = end
    }
    while (readyCount < readyAt.length && readyAt[readyCount]! <= b) readyCount++
    history.push({ at: b, rps: rate, cpuPercent: null, replicas: readyCount })
    if (options.record !== undefined && a >= options.record.from && a < options.record.to) {
      series.push({ at: a, demandRps: rate, ready: readySeconds / stepS, requested: readyAt.length })
    }
  }
  return {
    policy: name,
    totalRequests: total,
    shortfallRequests: shortfall,
    underProvisionedShare: total > 0 ? shortfall / total : 0,
    containerSeconds,
    actions,
    actionsPerHour: seconds > 0 ? actions / (seconds / 3600) : 0,
    peakReplicas: peak,
    simulatedSeconds: seconds,
    series
  }
}
