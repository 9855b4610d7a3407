/**
 * Reactive scaling in the manner of the Kubernetes HPA: desired = ceil(current × metric / target)
 * for the request rate per replica (and CPU% when a CPU target is set; the larger wins), nothing
 * changes while the ratio is within the tolerance, scale-up is immediate and scale-down goes only
 * to the highest recommendation of the stabilization window (see scaling-limits.ts).
 */
import type { Decision, LoadSample, Policy, PolicyState, ScalerSettings } from './scaler-types'
import { replicaCount } from './scaler-types'
import { applyLimits, outcomeText, replicasFor } from './scaling-limits'

/** The metric is the mean over this window (the HPA's sync period), at least the newest sample. */
export const REACTIVE_WINDOW_MS = 15_000

export interface RawRecommendation {
  /** Unlimited replica count (before stabilization, steps, min/max). */
  raw: number
  /** Why, without the outcome, e.g. "412 req/s is 152% of target for 3 replicas". */
  why: string
  rps: number | null
}

/** Mean rps and newest CPU% over the last REACTIVE_WINDOW_MS; null when there is no sample. */
export function recentLoad(
  now: number,
  history: readonly LoadSample[]
): { rps: number; cpuPercent: number | null } | null {
  let sum = 0
  let n = 0
  let cpu: number | null = null
  for (let i = history.length - 1; i >= 0; i--) {
    const s = history[i]!
    if (s.at > now) continue
    if (n > 0 && s.at <= now - REACTIVE_WINDOW_MS) break
    if (Number.isFinite(s.rps)) {
      sum += s.rps
      n++
    }
    if (cpu === null && s.cpuPercent !== null && Number.isFinite(s.cpuPercent)) cpu = s.cpuPercent
  }
  return n === 0 ? null : { rps: sum / n, cpuPercent: cpu }
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`
}

/** The HPA rule on the newest load; pure, records nothing. */
export function reactiveRecommendation(
  now: number,
  history: readonly LoadSample[],
  current: number,
  settings: ScalerSettings
): RawRecommendation {
  const load = recentLoad(now, history)
  if (load === null) return { raw: current, why: 'no load data yet', rps: null }
  const target = settings.targetUtilization > 0 ? settings.targetUtilization : 1
  const rpsText = `${Math.round(load.rps)} req/s`
  if (current <= 0) {
    // No replica to divide by: size straight from the rate.
    const raw = replicasFor(load.rps, settings, target)
    return { raw, why: `${rpsText} with no replicas running`, rps: load.rps }
  }
  const ratio = load.rps / (current * settings.capacityRps * target)
  let raw = Math.abs(ratio - 1) <= settings.tolerance ? current : replicasFor(load.rps, settings, target)
  let why =
    raw === current && Math.abs(ratio - 1) <= settings.tolerance
      ? `${rpsText} is ${pct(ratio)} of target for ${replicaCount(current)} (within ±${pct(settings.tolerance)})`
      : `${rpsText} is ${pct(ratio)} of target for ${replicaCount(current)}`
  if (settings.cpuTargetPercent !== null && settings.cpuTargetPercent > 0 && load.cpuPercent !== null) {
    const cpuRatio = load.cpuPercent / settings.cpuTargetPercent
    const cpuRaw = Math.abs(cpuRatio - 1) <= settings.tolerance ? current : Math.ceil(current * cpuRatio - 1e-9)
    if (cpuRaw > raw) {
      raw = cpuRaw
      why = `CPU ${Math.round(load.cpuPercent)}% is ${pct(cpuRatio)} of the ${settings.cpuTargetPercent}% target`
    }
  }
  return { raw, why, rps: load.rps }
}

export const reactivePolicy: Policy = {
  decide(now, history, current, settings, state: PolicyState): Decision {
    const rec = reactiveRecommendation(now, history, current, settings)
    const limited = applyLimits(now, rec.raw, current, settings, state)
    return {
      desired: limited.desired,
      reason: `${rec.why} → ${outcomeText(limited, current)}`,
      policy: 'reactive'
    }
  }
}
