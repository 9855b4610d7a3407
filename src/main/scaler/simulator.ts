/**
 * Backtest simulator: replays a trace through a policy with a simulated clock. Pure (no I/O).
 *
 * Model.
 * - Row i of the trace says `requests` arrived uniformly over [at, at + step): demand rate
 *   requests / step.
 * - The policy is evaluated at the first row's start and then every `everyMs`. It sees only the
 *   past: one LoadSample per finished row (at = row end, rps = demand rate, cpuPercent = null —
 *   the proxy sees offered load, not CPU), and `current` = replicas requested so far. The history
 *   it is handed is trimmed to about the last hour (at least two evaluation periods): policies
 *   look back 15 s (reactive) or only at samples they have not ingested yet (the forecaster keeps
 *   its own state), and a whole 5-million-row history would be hundreds of MB per policy.
 * - A replica requested at t is ready (serves) from t + coldStartMs. A decrease takes effect at
 *   once and removes replicas still starting first (newest first), then ready ones.
 * - The fleet starts with ceil(first row's demand / capacity) replicas (within min/max), all ready,
 *   the same for every policy.
 * - Gaps (missing rows) are time without data: no demand, no container-seconds, no evaluation, but
 *   the clock moves on, so replicas that were starting are ready after the gap.
 *
 * Accounting (over rows with data only). Time is cut into stretches at every row boundary,
 * evaluation and replica becoming ready, so within a stretch the demand rate and the ready count
 * are both constant.
 * - Requests that arrived while short (the primary metric):
 *   a stretch is short when ready × capacityRps < demand rate (more precisely: when ready is below
 *   demand / capacityRps by more than 1e-9 replica, the same rounding `replicasFor` allows, so a
 *   fleet sized exactly for the demand is not short through float noise). ALL requests that arrived
 *   during a short stretch count (demand rate × its duration), not only the excess: each of them
 *   met an under-provisioned fleet (queueing, latency, or a 503). `arrivedShortShare` is their sum
 *   over all requests.
 * - Requests exceeding capacity ("shortfall", the secondary metric): over every stretch,
 *   max(0, demand rate − ready × capacityRps) × duration, summed; `underProvisionedShare` is their
 *   sum over all requests (the what-if view's column). It weighs a 1% miss 1/100 of a 100% one,
 *   so it is smaller and easier to improve than the share of requests that arrived while short.
 * - Container-seconds: requested replicas (ready or still starting) × seconds.
 * - Scaling actions: evaluations whose desired count differs from the current one.
 * - Peak replicas: the most replicas requested at once.
 */
import { PrescalError } from '../../shared/errors'
import { createPolicyState } from './scaler-types'
import type { Decision, LoadSample, Policy, ScalerSettings } from './scaler-types'
import { clampReplicas, replicasFor } from './scaling-limits'
import { asTraceColumns } from './trace-columns'
import type { TraceInput } from './trace-columns'

/** History handed to policies covers at least this much time (see the model above). */
const HISTORY_KEEP_MS = 3_600_000
/** A stretch is short when ready < demand / capacity − this (float noise, as in replicasFor). */
const SHORT_EPSILON = 1e-9

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
  /** Requests that arrived during a stretch where ready capacity was below the demand rate (all of them, not just the excess). */
  arrivedShortRequests: number
  /** arrivedShortRequests / totalRequests (0 for an empty trace): the primary under-provisioning metric. */
  arrivedShortShare: number
  /** Requests beyond ready capacity: Σ max(0, demand − ready × capacity) × duration. */
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
export function detectStepMs(points: TraceInput): number {
  const at = asTraceColumns(points).at
  let step = Infinity
  for (let i = 1; i < at.length; i++) step = Math.min(step, at[i]! - at[i - 1]!)
  if (!Number.isFinite(step) || step <= 0) {
    throw new PrescalError('INVALID_ARGUMENT', 'a trace needs at least two rows to tell its step')
  }
  return step
}

/**
 * Replays `trace` (row objects or typed columns) through `policy` (a fresh PolicyState). Throws
 * INVALID_ARGUMENT for a non-positive everyMs/step or capacity, or rows closer together than the step.
 */
export function simulate(traceInput: TraceInput, policy: Policy, options: SimulationOptions): SimulationResult {
  const trace = asTraceColumns(traceInput)
  const { settings, everyMs } = options
  const stepMs = options.stepMs ?? (trace.length > 1 ? detectStepMs(trace) : 60_000)
  if (!(everyMs > 0) || !(stepMs > 0) || !(settings.capacityRps > 0)) {
    throw new PrescalError('INVALID_ARGUMENT', 'everyMs, the trace step and capacityRps must be positive')
  }
  const stepS = stepMs / 1000
  const cap = settings.capacityRps
  const cold = Math.max(0, settings.coldStartMs)
  const keepMs = Math.max(HISTORY_KEEP_MS, 2 * everyMs)
  const state = createPolicyState()
  const history: LoadSample[] = []
  const series: SeriesPoint[] = []

  // readyAt of every requested replica, ascending (appends are at now + cold with now rising).
  const readyAt: number[] = []
  let readyCount = 0
  if (trace.length > 0) {
    const n = clampReplicas(replicasFor(trace.requests[0]! / stepS, settings), settings)
    for (let k = 0; k < n; k++) readyAt.push(-Infinity)
    readyCount = n
  }

  let total = 0
  let arrivedShort = 0
  let shortfall = 0
  let containerSeconds = 0
  let actions = 0
  let peak = readyAt.length
  let seconds = 0
  let nextEval = trace.length > 0 ? trace.at[0]! : 0
  let prevEnd = nextEval
  let name = 'policy'

  for (let i = 0; i < trace.length; i++) {
    const a = trace.at[i]!
    const requests = trace.requests[i]!
    const b = a + stepMs
    if (a < prevEnd) throw new PrescalError('INVALID_ARGUMENT', `trace rows at ${a} overlap (step ${stepMs} ms)`)
    if (a > prevEnd && nextEval < a) nextEval += Math.ceil((a - nextEval) / everyMs) * everyMs
    prevEnd = b
    const rate = requests / stepS
    const needed = rate / cap - SHORT_EPSILON
    total += requests
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
      if (readyCount < needed) {
        arrivedShort += rate * dur
        shortfall += (rate - readyCount * cap) * dur
      }
      containerSeconds += readyAt.length * dur
      readySeconds += readyCount * dur
      t = end
    }
    while (readyCount < readyAt.length && readyAt[readyCount]! <= b) readyCount++
    history.push({ at: b, rps: rate, cpuPercent: null, replicas: readyCount })
    // Trim in batches (amortized O(1) per row): drop what is older than keepMs once the array doubled.
    if (history.length >= 4096 && history[0]!.at < b - 2 * keepMs) {
      let drop = 0
      while (history[drop]!.at < b - keepMs) drop++
      history.splice(0, drop)
    }
    if (options.record !== undefined && a >= options.record.from && a < options.record.to) {
      series.push({ at: a, demandRps: rate, ready: readySeconds / stepS, requested: readyAt.length })
    }
  }
  return {
    policy: name,
    totalRequests: total,
    arrivedShortRequests: arrivedShort,
    arrivedShortShare: total > 0 ? arrivedShort / total : 0,
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
