/**
 * The limits every policy applies to its raw recommendation: scale-down stabilization, step
 * limits per decision and the [minReplicas, maxReplicas] range. Kept in one place so reactive,
 * predictive and hybrid thrash (or not) in the same way.
 */
import type { PolicyState, ScalerSettings } from './scaler-types'
import { replicaCount } from './scaler-types'

export function clampReplicas(n: number, settings: ScalerSettings): number {
  const lo = Math.max(0, Math.floor(settings.minReplicas))
  const hi = Math.max(lo, Math.floor(settings.maxReplicas))
  if (!Number.isFinite(n)) return hi
  return Math.min(hi, Math.max(lo, Math.ceil(n)))
}

/** Replicas needed to serve `rps` at `utilization` of each replica's capacity (not clamped). */
export function replicasFor(rps: number, settings: ScalerSettings, utilization = 1): number {
  const perReplica = settings.capacityRps * utilization
  if (!(perReplica > 0)) return settings.maxReplicas
  // The epsilon keeps 120.0000001 / 60 from becoming 3 replicas through float noise.
  return Math.max(0, Math.ceil(rps / perReplica - 1e-9))
}

/** Floor of the derived forecast-aware scale-down window (see `forecastScaleDownWindowMs`). */
export const MIN_FORECAST_WINDOW_MS = 120_000
/** The derived forecast-aware window spans this many cold starts (see `forecastScaleDownWindowMs`). */
export const FORECAST_WINDOW_COLD_STARTS = 1.5

/**
 * The scale-down window of the forecast-driven policies (predictive, hybrid). An explicit
 * `predictiveScaleDownStabilizationMs` wins; null derives
 * min(scaleDownStabilizationMs, max(FORECAST_WINDOW_COLD_STARTS × coldStartMs, MIN_FORECAST_WINDOW_MS)),
 * so it never holds longer than the reactive window a user configured (setting that to 0 turns
 * holding off for every policy). Never negative.
 */
export function forecastScaleDownWindowMs(settings: ScalerSettings): number {
  const explicit = settings.predictiveScaleDownStabilizationMs
  const ms =
    explicit !== null
      ? explicit
      : Math.min(
          settings.scaleDownStabilizationMs,
          Math.max(FORECAST_WINDOW_COLD_STARTS * settings.coldStartMs, MIN_FORECAST_WINDOW_MS)
        )
  return Math.max(0, ms)
}

export interface Limited {
  desired: number
  /** Which limit changed the raw value, for the decision's reason; null if none did. */
  note: string | null
}

/**
 * Records `raw` and returns the count to request: up at once, down only to the highest raw
 * recommendation of the last `windowMs` (default `scaleDownStabilizationMs`, the reactive window;
 * the forecast-driven policies pass `forecastScaleDownWindowMs`), never above `current` because of it,
 * then at most maxStepUp / maxStepDown away from `current`, then within [min, max].
 * With current = 0 the step limit is not applied to scale-up from nothing beyond maxStepUp.
 */
export function applyLimits(
  now: number,
  raw: number,
  current: number,
  settings: ScalerSettings,
  state: PolicyState,
  windowMs: number = settings.scaleDownStabilizationMs
): Limited {
  const window = Math.max(0, windowMs)
  const recs = state.recommendations
  recs.push({ at: now, desired: raw })
  let drop = 0
  while (drop < recs.length && recs[drop]!.at <= now - window) drop++
  if (drop > 0) recs.splice(0, drop)

  let desired = raw
  let note: string | null = null
  if (raw < current) {
    let highest = raw
    for (const r of recs) if (r.desired > highest) highest = r.desired
    const held = Math.min(current, highest)
    if (held > raw) {
      desired = held
      note = `held at ${held} by the ${Math.round(window / 1000)} s scale-down window`
    }
  }
  const up = Math.max(1, Math.floor(settings.maxStepUp))
  const down = Math.max(1, Math.floor(settings.maxStepDown))
  if (desired > current + up) {
    desired = current + up
    note = `step limited to +${up}`
  } else if (desired < current - down) {
    desired = current - down
    note = `step limited to -${down}`
  }
  const clamped = clampReplicas(desired, settings)
  if (clamped !== desired) {
    note = clamped > desired ? `raised to min ${clamped}` : `capped at max ${clamped}`
    desired = clamped
  }
  return { desired, note }
}

/** "→ 7 replicas (was 5)" / "→ stay at 5", plus the limit note. */
export function outcomeText(limited: Limited, current: number): string {
  const base =
    limited.desired === current
      ? `stay at ${replicaCount(current)}`
      : `${replicaCount(limited.desired)} (was ${current})`
  return limited.note === null ? base : `${base}, ${limited.note}`
}
