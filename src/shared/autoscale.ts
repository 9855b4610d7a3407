/**
 * Contract types for autoscaling and the load generator. Structurally the same as the scaler's
 * and load generator's own types (src/main/scaler, src/main/loadgen).
 */
import type { LatencyQuantiles } from './types'

export const autoscaleModes = ['off', 'reactive', 'predictive', 'hybrid'] as const
export type AutoscaleMode = (typeof autoscaleModes)[number]

export interface AutoscaleDecisionView {
  at: number
  desired: number
  reason: string
  policy: string
}

export interface AutoscaleView {
  mode: AutoscaleMode
  minReplicas: number
  maxReplicas: number
  capacityRps: number
  /** Cold start used by the predictive horizon: max(configured, measured from recent scale-ups). */
  coldStartMs: number
  /** Forecast request rate ahead of now (empty until enough history). */
  forecast: { at: number; rps: number }[]
  /** ready replicas × capacityRps: the rate the fleet serves now. */
  capacityLineRps: number
  lastDecision: AutoscaleDecisionView | null
}

export type WhatIfPolicy = 'reactive' | 'predictive' | 'hybrid' | 'oracle'

export interface WhatIfRowView {
  policy: WhatIfPolicy
  configured: boolean
  /** Share of requests that arrived while ready capacity was short (0..1), as in the backtest. */
  underProvisionedShare: number
  containerSecondsVsOracle: number | null
  actionsPerHour: number
  peakReplicas: number
}

export interface WhatIfResultView {
  service: string
  source: 'history' | 'trace'
  from: number
  to: number
  stepMs: number
  everyMs: number
  capacityRps: number
  coldStartMs: number
  totalRequests: number
  rows: WhatIfRowView[]
}

export type LoadKind = 'constant' | 'step' | 'ramp' | 'trace'

/**
 * Counters are for the current (or last) run and reset on start. `sent` counts requests put on
 * the wire; arrivals skipped at the in-flight cap count only as errors ('overload'). `ok` is a
 * 1xx–3xx answer; errors by kind: 'overload', 'refused', 'reset', 'timeout', 'http_<status>'
 * (≥ 400) or another lowercased socket error code. `achievedRps` is requests sent during the
 * last second; latencies are of answers received in it.
 */
export interface LoadStatsView {
  running: boolean
  profile: LoadKind | null
  startedAt: number | null
  targetRps: number
  achievedRps: number
  sent: number
  ok: number
  errors: number
  errorsByKind: Record<string, number>
  latencyMs: LatencyQuantiles
}

/** Bounds on capacity per replica (req/s) that setAutoscale accepts. */
export const CAPACITY_LIMITS = Object.freeze({ min: 0.1, max: 1_000_000 })
