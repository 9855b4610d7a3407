/**
 * Types shared by the scaling policies, the forecasters and the backtest simulator. Everything here
 * is plain data: a policy is a pure function of (now, history, current, settings, state) and keeps
 * what it needs between calls in a serializable `PolicyState`, so the same code runs live in the
 * engine (injected clock) and in the backtest (simulated clock).
 */
import type { ForecasterState } from './forecasters'

/**
 * One observation of the service's load. `at` is the END of the observed interval in ms (a sample is
 * only known once its interval is over); `rps` is the mean request rate over that interval as seen
 * by the proxy (offered load); `cpuPercent` is the mean CPU% per ready replica (100 = one core) or
 * null when unknown; `replicas` is how many replicas were ready while it was measured.
 */
export interface LoadSample {
  at: number
  rps: number
  cpuPercent: number | null
  replicas: number
}

/**
 * One row of a load trace: `requests` arrived during [at, at + step) (at in ms). Rows are sorted by
 * `at`; a missing interval is a gap (no data), never a zero.
 */
export interface TracePoint {
  at: number
  requests: number
}

/** How a policy sizes the fleet. `defaultScalerSettings` documents why each default was chosen. */
export interface ScalerSettings {
  mode: 'reactive' | 'predictive' | 'hybrid'
  minReplicas: number
  maxReplicas: number
  capacityRps: number
  targetUtilization: number
  cpuTargetPercent: number | null
  tolerance: number
  scaleDownStabilizationMs: number
  predictiveScaleDownStabilizationMs: number | null
  maxStepUp: number
  maxStepDown: number
  coldStartMs: number
  headroom: number
  seasonLengthMs: number | null
}

export const defaultScalerSettings: Readonly<ScalerSettings> = Object.freeze({
  /** hybrid: predictive scale-up catches rises the forecaster expects, reactive catches the ones it misses. */
  mode: 'hybrid',
  /** 1: one warm replica keeps the first request fast; 0 would put a cold start in front of it. */
  minReplicas: 1,
  /** 10: a workstation runs ~10 small containers comfortably; raise it on bigger machines. */
  maxReplicas: 10,
  /** 60 req/s: the capacity per replica the old prescal tool was configured with. */
  capacityRps: 60,
  /**
   * 1.0: capacityRps already is the rate one replica should serve; a lower target would pay
   * containers around the clock for the noise the predictive sizing covers where it occurs.
   */
  targetUtilization: 1.0,
  /** null: request rate is the primary signal; set e.g. 70 to also scale on CPU (max of both). */
  cpuTargetPercent: null,
  /** 0.1: the Kubernetes HPA default; a ratio within ±10% of target changes nothing (noise, not load). */
  tolerance: 0.1,
  /**
   * 5 min: the HPA default; a replica is only removed if no recommendation of the last 5 min needed
   * it. Used by the reactive policy; it also caps the derived predictive window below.
   */
  scaleDownStabilizationMs: 300_000,
  /**
   * null: derived per service as min(scaleDownStabilizationMs, max(1.5 × coldStartMs, 120 s))
   * (forecastScaleDownWindowMs): the scale-down window of the predictive and hybrid policies. The
   * reactive policy needs the HPA's 5 min because the window is its only guard against a dip
   * followed by a rebound. A forecast-driven policy already sizes for the peak it expects over
   * the next cold start, which is how long a removed replica takes to come back, so its window
   * only has to ride out forecast noise for a few evaluations; holding capacity for 5 min after
   * demand has fallen buys little. 1.5 cold starts keeps a replica at least until one could have
   * been replaced; the 120 s floor keeps a few evaluations in the window when the cold start is
   * seconds. Set a number (ms) to fix it.
   */
  predictiveScaleDownStabilizationMs: null,
  /** 10 per decision: large enough to follow a match-day surge in one or two steps, bounded against a bad metric. */
  maxStepUp: 10,
  /** 10 per decision: removals are already delayed by the stabilization window; no reason to trickle them. */
  maxStepDown: 10,
  /** 10 s: a small local container becomes ready in seconds; measure yours (fleet readiness time) and set it. */
  coldStartMs: 10_000,
  /**
   * 0: the predictive policy already sizes for the scatter it measures around its forecast
   * (forecast-sizing.ts); a multiplicative headroom on top scales forecast and scatter alike and
   * cost 3–5% more container-seconds per 0.05 in the backtests (hybrid vs oracle, NASA 1.097 →
   * 1.152, World Cup 1.012 → 1.040). Raise it (e.g. 0.05) to trade containers for fewer misses.
   */
  headroom: 0,
  /**
   * null: no seasonal term. The policies forecast one cold start ahead, over which a daily pattern
   * is a local slope the trend follows; a seasonal profile learned per bucket only added noise in
   * the backtests (forecasters.ts). Set a length (ms) to add one; it starts after two seasons.
   */
  seasonLengthMs: null
})

/** What a policy wants and why. `reason` is for people ("forecast 412 req/s (±25) within 60 s → 7 replicas (was 5)"). */
export interface Decision {
  desired: number
  reason: string
  forecastRps?: number
  policy: string
}

/** One raw (unstabilized) recommendation, kept for the scale-down stabilization window. */
export interface Recommendation {
  at: number
  desired: number
}

/**
 * What a policy keeps between calls. Plain data (JSON-serializable) so it can be persisted or
 * inspected. Create it with `createPolicyState()`; a policy mutates the object it is given and must
 * always be handed the same object for the same service.
 */
export interface PolicyState {
  /** `at` of the newest history sample already fed to the forecaster; null before the first. */
  lastSampleAt: number | null
  /** Raw recommendations of the policy's scale-down window, oldest first. */
  recommendations: Recommendation[]
  /** Forecaster state (predictive and hybrid only); created on first use. */
  forecaster: ForecasterState | null
}

export function createPolicyState(): PolicyState {
  return { lastSampleAt: null, recommendations: [], forecaster: null }
}

/**
 * A scaling policy. `history` is ordered by `at` ascending and only contains the past (`at <= now`);
 * `current` is the replica count currently requested. A policy never throws on odd input (empty
 * history, current = 0, NaN-free but zero rates): it returns a decision within [minReplicas,
 * maxReplicas] and says why. Calls must come with non-decreasing `now` for the same state.
 */
export interface Policy {
  decide(
    now: number,
    history: readonly LoadSample[],
    current: number,
    settings: ScalerSettings,
    state: PolicyState
  ): Decision
}

/** "1 replica", "3 replicas": for decision reasons. */
export function replicaCount(n: number): string {
  return `${n} replica${n === 1 ? '' : 's'}`
}
