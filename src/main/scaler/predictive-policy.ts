/**
 * Predictive scaling: forecast the request rate over the next cold start (plus one bucket, the
 * interval in which replicas requested now become ready) and run
 * ceil((max forecast + error margin) × (1 + headroom) / capacity) replicas, where the margin is
 * ERROR_MARGIN × the forecaster's recent mean absolute error. Scale-down goes through the
 * forecast-driven stabilization window (forecastScaleDownWindowMs, shorter than the reactive
 * policy's 300 s by default) so a forecast dip does not thrash the fleet.
 */
import { createForecaster, forecast, isSeasonal, observe } from './forecasters'
import type { Decision, LoadSample, Policy, PolicyState, ScalerSettings } from './scaler-types'
import { applyLimits, forecastScaleDownWindowMs, outcomeText, replicasFor } from './scaling-limits'
import type { RawRecommendation } from './reactive-policy'

/** Forecast buckets are at most a minute wide (finer is noise for a seasonal model) and at most half a cold start. */
const MAX_BUCKET_MS = 60_000
const MIN_BUCKET_MS = 1_000
/**
 * The forecast is a mean; demand scatters around it. Sizing for mean + 1.05 × its recent mean
 * absolute error (≈ 0.85 standard deviations) is, with the forecast-driven 180 s scale-down window
 * of the backtests (see forecastScaleDownWindowMs), the least round margin with which the hybrid
 * policy halves the share of requests that arrive while the fleet is short compared with the
 * reactive policy (300 s window) on both backtest traces (1.0 did so on World Cup but not on
 * NASA). It is larger than the 0.8 used with a 300 s window because the shorter window holds less
 * capacity after a peak; see docs/backtest/results.md. An absolute margin fits request noise
 * better than a multiplicative headroom, which is too thin at low rates and wasteful at high ones.
 */
export const ERROR_MARGIN = 1.05

/** Bucket width for a history sampled every `stepMs`: a multiple of the step, ≤ 1 min, ≤ cold start / 2. */
export function bucketWidthMs(stepMs: number, coldStartMs: number): number {
  const step = Math.max(1, stepMs)
  const wanted = Math.min(MAX_BUCKET_MS, Math.max(MIN_BUCKET_MS, coldStartMs / 2))
  return Math.max(1, Math.round(wanted / step)) * step
}

/** Feeds the samples newer than `state.lastSampleAt` to the forecaster (created on first use). O(new samples). */
export function ingestHistory(
  now: number,
  history: readonly LoadSample[],
  settings: ScalerSettings,
  state: PolicyState
): void {
  let i = history.length
  while (i > 0 && (state.lastSampleAt === null || history[i - 1]!.at > state.lastSampleAt)) i--
  if (state.forecaster === null) {
    // The bucket width needs the sampling step: wait for two samples.
    if (history.length < 2) return
    const step = history[history.length - 1]!.at - history[history.length - 2]!.at
    state.forecaster = createForecaster(bucketWidthMs(step, settings.coldStartMs), settings.seasonLengthMs)
  }
  for (; i < history.length; i++) {
    const s = history[i]!
    if (s.at > now) break
    observe(state.forecaster, s.at, s.rps)
    state.lastSampleAt = s.at
  }
}

/** The forecast-based recommendation; ingests new history into `state` but records no recommendation. */
export function predictiveRecommendation(
  now: number,
  history: readonly LoadSample[],
  settings: ScalerSettings,
  state: PolicyState
): RawRecommendation & { forecastRps: number | null } {
  ingestHistory(now, history, settings, state)
  const f = state.forecaster
  const horizonS = Math.round(settings.coldStartMs / 1000)
  if (f === null || f.level === null) {
    // Nothing to forecast from yet: size for the newest observed rate.
    const last = history[history.length - 1]
    if (last === undefined) return { raw: settings.minReplicas, why: 'no load data yet', rps: null, forecastRps: null }
    const raw = replicasFor(last.rps * (1 + settings.headroom), settings)
    return { raw, why: `no forecast yet, last ${Math.round(last.rps)} req/s`, rps: last.rps, forecastRps: null }
  }
  const steps = Math.ceil(Math.max(0, settings.coldStartMs) / f.bucketMs) + 1
  let peak = 0
  for (let h = 1; h <= steps; h++) peak = Math.max(peak, forecast(f, h))
  const margin = ERROR_MARGIN * f.meanAbsError
  const raw = replicasFor((peak + margin) * (1 + settings.headroom), settings)
  const model = isSeasonal(f) ? '' : ' (trend only, season not known yet)'
  return {
    raw,
    why: `forecast ${Math.round(peak)} req/s (+${Math.round(margin)} for its error) within ${horizonS} s${model}`,
    rps: history[history.length - 1]?.rps ?? null,
    forecastRps: peak
  }
}

export const predictivePolicy: Policy = {
  decide(now, history, current, settings, state): Decision {
    const rec = predictiveRecommendation(now, history, settings, state)
    const limited = applyLimits(now, rec.raw, current, settings, state, forecastScaleDownWindowMs(settings))
    const decision: Decision = {
      desired: limited.desired,
      reason: `${rec.why} → ${outcomeText(limited, current)}`,
      policy: 'predictive'
    }
    if (rec.forecastRps !== null) decision.forecastRps = rec.forecastRps
    return decision
  }
}
