/**
 * Hybrid scaling (the default): scale up at once to the larger of the reactive and the predictive
 * recommendation, so a rise the forecast expects is met before it arrives and one it missed is
 * met as soon as it is seen; scale down only through the stabilization window, the forecast-driven
 * one (forecastScaleDownWindowMs): the forecast already covers the cold start, so the hybrid
 * need not hold capacity as long as the purely reactive policy does (Ali-Eldin et al., NOMS 2012:
 * reactive scale-up, proactive scale-down).
 */
import { predictivePolicy, predictiveRecommendation } from './predictive-policy'
import { reactivePolicy, reactiveRecommendation } from './reactive-policy'
import type { Decision, Policy, ScalerSettings } from './scaler-types'
import { applyLimits, forecastScaleDownWindowMs, outcomeText } from './scaling-limits'

export const hybridPolicy: Policy = {
  decide(now, history, current, settings, state): Decision {
    const reactive = reactiveRecommendation(now, history, current, settings)
    const predictive = predictiveRecommendation(now, history, settings, state)
    const byForecast = predictive.raw >= reactive.raw
    const raw = Math.max(reactive.raw, predictive.raw)
    const limited = applyLimits(now, raw, current, settings, state, forecastScaleDownWindowMs(settings))
    const why = byForecast ? predictive.why : `${reactive.why} (above the forecast)`
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
