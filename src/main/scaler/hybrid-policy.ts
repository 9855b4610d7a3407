/**
 * Hybrid scaling (the default): the predictive recommendation (predictive-policy.ts), with the
 * reactive HPA rule beside it in two roles:
 * - it always keeps what the load just seen needs: no scale-down below the reactive count;
 * - it scales up on its own only when the newest load is beyond the forecast's error band
 *   (SURPRISE_SDS standard deviations above it), i.e. a rise the forecast missed, not noise. A
 *   replica added for a one-bucket spike is ready only after the spike and is paid for nothing.
 * Scale-down goes through the forecast-driven window (forecastScaleDownWindowMs): the forecast
 * already covers the cold start, so the hybrid need not hold capacity as long as the purely
 * reactive policy does (Ali-Eldin et al., NOMS 2012: reactive scale-up, proactive scale-down).
 */
import { predictivePolicy, predictiveRecommendation } from './predictive-policy'
import { reactivePolicy, reactiveRecommendation } from './reactive-policy'
import type { Decision, Policy, ScalerSettings } from './scaler-types'
import { applyLimits, forecastScaleDownWindowMs, outcomeText } from './scaling-limits'

export const hybridPolicy: Policy = {
  decide(now, history, current, settings, state): Decision {
    const reactive = reactiveRecommendation(now, history, current, settings)
    const predictive = predictiveRecommendation(now, history, current, settings, state)
    const reactiveMayAdd = predictive.beyondForecast || predictive.forecastRps === null
    const reactiveRaw = reactiveMayAdd ? reactive.raw : Math.min(current, reactive.raw)
    const byForecast = predictive.raw >= reactiveRaw
    const raw = Math.max(reactiveRaw, predictive.raw)
    const limited = applyLimits(now, raw, current, settings, state, forecastScaleDownWindowMs(settings))
    const why = byForecast
      ? predictive.why
      : `${reactive.why} (${reactiveMayAdd ? 'above the forecast' : 'kept for the load seen now'})`
    const decision: Decision = {
      desired: limited.desired,
      reason: `${why} → ${outcomeText(limited, current)}`,
      policy: 'hybrid'
    }
    if (predictive.forecastRps !== null) decision.forecastRps = predictive.forecastRps
    return decision
  }
}

/** The policy for a settings mode. */
export function policyFor(mode: ScalerSettings['mode']): Policy {
  switch (mode) {
    case 'reactive':
      return reactivePolicy
    case 'predictive':
      return predictivePolicy
    case 'hybrid':
      return hybridPolicy
  }
}
