/**
 * Predictive scaling: forecast the request rate and size the fleet for the forecast and its
 * scatter (forecast-sizing.ts), treating the two directions differently, because a replica asked
 * for now serves only after the cold start while a replica removed now is missing at once:
 * - up to what the forecast needs once the cold start is over (a replica asked for now cannot help
 *   sooner, so sizing it for a burst in the next bucket only pays for it after the burst);
 * - never below what the forecast needs from now until then (a replica removed now could not be
 *   back before that);
 * - no scale-up when the newest bucket fell far below its forecast (SURPRISE_SDS): the forecast
 *   has missed a fall, and its scatter, just inflated by that miss, is no reason to add replicas.
 * Scale-down then goes through the forecast-driven stabilization window
 * (forecastScaleDownWindowMs) so a forecast dip does not thrash the fleet.
 */
import { createForecaster, forecast, isSeasonal, observe } from './forecasters'
import type { ForecasterState } from './forecasters'
import { replicasForForecast, SD_PER_MEAN_ABS_ERROR } from './forecast-sizing'
import type { Decision, LoadSample, Policy, PolicyState, ScalerSettings } from './scaler-types'
import { applyLimits, forecastScaleDownWindowMs, outcomeText, replicasFor } from './scaling-limits'
import type { RawRecommendation } from './reactive-policy'

/** Forecast buckets are at most a minute wide (finer is noise for a seasonal model) and at most half a cold start. */
const MAX_BUCKET_MS = 60_000
const MIN_BUCKET_MS = 1_000
/**
 * A bucket more than this many standard deviations above (below) the forecast made for it is a
 * rise (fall) the forecast missed, not noise: the hybrid policy then lets its reactive rule scale
 * up (after a fall, the forecast adds no replicas). For normal noise that is 3 buckets in 100,000;
 * request noise has heavier tails, and with 3 the reactive rule fired on NASA's one-minute spikes
 * often enough to cost 0.3% more container-seconds for no fewer short requests.
 */
export const SURPRISE_SDS = 4

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

export interface PredictiveRecommendation extends RawRecommendation {
  /** The highest forecast rate from now until a replica asked for now is ready; null without a forecast. */
  forecastRps: number | null
  /** The newest bucket was more than SURPRISE_SDS standard deviations above the (uncorrected) forecast made for it. */
  beyondForecast: boolean
}

/** The forecast-based recommendation for a fleet of `current`; ingests new history into `state` but records no recommendation. */
export function predictiveRecommendation(
  now: number,
  history: readonly LoadSample[],
  current: number,
  settings: ScalerSettings,
  state: PolicyState
): PredictiveRecommendation {
  ingestHistory(now, history, settings, state)
  const f = state.forecaster
  const horizonS = Math.round(settings.coldStartMs / 1000)
  if (f === null || f.level === null) {
    // Nothing to forecast from yet: size for the newest observed rate.
    const last = history[history.length - 1]
    if (last === undefined) {
      return { raw: settings.minReplicas, why: 'no load data yet', rps: null, forecastRps: null, beyondForecast: false }
    }
    const raw = replicasFor(last.rps * (1 + settings.headroom), settings)
    return { raw, why: `no forecast yet, last ${Math.round(last.rps)} req/s`, rps: last.rps, forecastRps: null, beyondForecast: false }
  }
  // Bucket h covers [(lastBucket + h) × width, + width): the first one a replica asked for now serves whole.
  const readyStep = Math.ceil(Math.max(0, settings.coldStartMs) / f.bucketMs) + 1
  let peak = 0
  for (let h = 1; h <= readyStep; h++) peak = Math.max(peak, forecast(f, h))
  const scale = 1 + settings.headroom
  const sd = SD_PER_MEAN_ABS_ERROR * f.meanAbsError
  const keep = replicasForForecast(peak * scale, sd * scale, settings.capacityRps)
  const up = replicasForForecast(forecast(f, readyStep) * scale, sd * scale, settings.capacityRps)
  // A forecast that just overshot by more than SURPRISE_SDS has missed a fall: no replica is added on it.
  const missedFall = f.lastError < -SURPRISE_SDS * sd
  const raw = Math.max(missedFall ? Math.min(current, up) : up, Math.min(current, keep))
  return {
    raw,
    why: `forecast ${Math.round(peak)} req/s (±${Math.round(sd)}) within ${horizonS} s${modelNote(f)}`,
    rps: history[history.length - 1]?.rps ?? null,
    forecastRps: peak,
    beyondForecast: f.lastError > SURPRISE_SDS * sd
  }
}

function modelNote(f: ForecasterState): string {
  return f.seasonSlots !== null && !isSeasonal(f) ? ' (trend only until two seasons are seen)' : ''
}

export const predictivePolicy: Policy = {
  decide(now, history, current, settings, state): Decision {
    const rec = predictiveRecommendation(now, history, current, settings, state)
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
