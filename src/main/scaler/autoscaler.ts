/**
 * The live autoscaler: keeps each service's recent load, runs its policy every `everyMs` and asks
 * for the replicas the policy wants. Driven entirely by `observe()` (the engine calls it once per
 * tick per service) with an injected clock: no timers, so nothing to leak and every test is
 * deterministic.
 *
 * Rules it keeps:
 * - at most one scale call per service at a time, and no decision while the service is scaling
 *   (by us or by hand): the policy would be deciding on a fleet that is still changing;
 * - a disabled service is still evaluated (the dashboard shows what the policy would do and its
 *   forecast) but never scaled;
 * - the policy's cold start is max(configured, measured median) (cold-start-tracker.ts), so a
 *   machine slower than the setting is planned for as it is;
 * - a failed scale call backs off (everyMs × 2ⁿ, at most 5 min) instead of retrying every period.
 */
import { PrescalError } from '../../shared/errors'
import { ColdStartTracker } from './cold-start-tracker'
import { forecast as forecastAt } from './forecasters'
import { policyFor } from './hybrid-policy'
import { createOraclePolicy } from './oracle-policy'
import { ingestHistory } from './predictive-policy'
import { createPolicyState } from './scaler-types'
import type { Decision, LoadSample, PolicyState, ScalerSettings, TracePoint } from './scaler-types'
import { detectStepMs, simulate } from './simulator'

/** One service under autoscaling. `enabled: false` (mode 'off'): evaluated and shown, never scaled. */
export interface AutoscaleTarget {
  service: string
  settings: ScalerSettings
  enabled: boolean
}

/**
 * What the engine saw of a service in one tick. `at` is the tick's end (ms), `rps` the requests the
 * proxy completed for the service in that tick per second, `cpuPercent` the mean per ready replica
 * (null if unknown), `desiredReplicas` what is currently requested, `scaling` true while a scale
 * (any, also a manual one) is in progress.
 */
export interface ServiceObservation {
  at: number
  rps: number
  cpuPercent: number | null
  readyReplicas: number
  desiredReplicas: number
  scaling: boolean
}

export interface AutoscalerDeps {
  now: () => number
  /** Asks for n replicas; resolves when ready or rejects. The autoscaler never overlaps two scale calls per service. */
  scale(service: string, replicas: number, reason: string): Promise<void>
  /** Every evaluation; `applied` is true when it led to a scale call. Must not throw. */
  onDecision?(service: string, d: Decision & { applied: boolean; at: number }): void
}

export interface AutoscalerOptions {
  /** How often each service's policy runs (ms); default 15 000 (the HPA's sync period). */
  everyMs?: number
  /** How much load history is kept per service (ms); default 6 h. */
  historyMs?: number
}

export interface ServiceForecast {
  /** Forecast rate for each upcoming forecast bucket (at = the bucket's end), oldest first. */
  points: { at: number; rps: number }[]
  /** ready replicas × capacityRps: the rate the fleet serves right now. */
  capacityRps: number
  lastDecision: (Decision & { at: number }) | null
}

// What-if results cross the bridge unchanged: their shape is defined once, in the contract.
export type {
  WhatIfPolicy,
  WhatIfRowView as WhatIfRow,
  WhatIfResultView as WhatIfResult
} from '../../shared/autoscale'
import type { WhatIfPolicy, WhatIfRowView as WhatIfRow, WhatIfResultView as WhatIfResult } from '../../shared/autoscale'

const POLICIES = ['reactive', 'predictive', 'hybrid'] as const
const MAX_BACKOFF_MS = 300_000
/** The dashboard forecast looks at least this far ahead, and shows at most this many points. */
const MIN_FORECAST_HORIZON_MS = 60_000
const MAX_FORECAST_POINTS = 120
/** Replaying more rows than this gains nothing on a chart and costs main-thread time. */
const MAX_WHAT_IF_ROWS = 21_600

interface Slot {
  target: AutoscaleTarget
  state: PolicyState
  /** A second forecaster for the dashboard, so the forecast exists in reactive mode too. */
  view: PolicyState
  history: LoadSample[]
  last: ServiceObservation | null
  nextDueAt: number | null
  inFlight: boolean
  failures: number
  lastDecision: (Decision & { at: number }) | null
  coldStart: ColdStartTracker
  /**
   * Autoscaling was just switched on (or started on): the count it finds counts as a
   * recommendation of that moment, so it removes nothing before a whole scale-down window passed,
   * as for a count it chose itself.
   */
  enabledNow: boolean
}

export class Autoscaler {
  private readonly everyMs: number
  private readonly historyMs: number
  private readonly slots = new Map<string, Slot>()
  private closed = false

  constructor(
    private readonly deps: AutoscalerDeps,
    opts: AutoscalerOptions = {}
  ) {
    this.everyMs = opts.everyMs ?? 15_000
    this.historyMs = opts.historyMs ?? 6 * 3_600_000
    if (!(this.everyMs > 0) || !(this.historyMs > 0)) {
      throw new PrescalError('INVALID_ARGUMENT', 'everyMs and historyMs must be positive')
    }
  }

  /**
   * Sets the services to autoscale: new ones are added, missing ones dropped (with their
   * history), changed settings apply at the next observe(), which then evaluates at once. Throws
   * INVALID_ARGUMENT (and changes nothing) for duplicate names or unusable settings.
   */
  configure(targets: AutoscaleTarget[]): void {
    const seen = new Set<string>()
    for (const t of targets) {
      if (seen.has(t.service)) throw new PrescalError('INVALID_ARGUMENT', `service "${t.service}" is listed twice`)
      seen.add(t.service)
      const s = t.settings
      if (!(s.capacityRps > 0)) throw new PrescalError('INVALID_ARGUMENT', `${t.service}: capacityRps must be positive`)
      if (!(s.minReplicas >= 0) || !(s.maxReplicas >= s.minReplicas)) {
        throw new PrescalError('INVALID_ARGUMENT', `${t.service}: need 0 <= minReplicas <= maxReplicas`)
      }
    }
    for (const name of [...this.slots.keys()]) if (!seen.has(name)) this.slots.delete(name)
    for (const t of targets) {
      const target: AutoscaleTarget = { service: t.service, enabled: t.enabled, settings: { ...t.settings } }
      const slot = this.slots.get(t.service)
      if (slot === undefined) {
        this.slots.set(t.service, {
          target,
          state: createPolicyState(),
          view: createPolicyState(),
          history: [],
          last: null,
          nextDueAt: null,
          inFlight: false,
          failures: 0,
          lastDecision: null,
          coldStart: new ColdStartTracker(),
          enabledNow: t.enabled
        })
        continue
      }
      const was = slot.target
      if (t.enabled && !was.enabled) slot.enabledNow = true
      if (was.enabled === t.enabled && sameSettings(was.settings, t.settings)) continue
      // The forecaster's bucket width and season come from these settings: rebuild it from history.
      if (
        was.settings.mode !== t.settings.mode ||
        was.settings.coldStartMs !== t.settings.coldStartMs ||
        was.settings.seasonLengthMs !== t.settings.seasonLengthMs
      ) {
        resetForecaster(slot.state)
        resetForecaster(slot.view)
      }
      slot.target = target
      slot.failures = 0
      if (slot.last !== null) slot.nextDueAt = -Infinity
    }
  }

  /**
   * Records one tick of `service` and, when due, evaluates its policy. Ignored for a service that
   * is not configured, after close(), and for an observation not newer than the previous one.
   */
  observe(service: string, o: ServiceObservation): void {
    const slot = this.slots.get(service)
    if (this.closed || slot === undefined) return
    if (slot.last !== null && !(o.at > slot.last.at)) return
    slot.last = o
    slot.history.push({
      at: o.at,
      rps: Number.isFinite(o.rps) && o.rps >= 0 ? o.rps : 0,
      cpuPercent: o.cpuPercent,
      replicas: o.readyReplicas
    })
    this.trim(slot.history, o.at)
    slot.coldStart.observe(o.at, o.readyReplicas, o.desiredReplicas)
    // The first decision waits one period, so the policy sees a full window rather than one tick.
    if (slot.nextDueAt === null) slot.nextDueAt = o.at + this.everyMs
    if (o.at < slot.nextDueAt || o.scaling || slot.inFlight) return
    this.evaluate(service, slot, o)
  }

  /** The dashboard's view of `service`: forecast ahead of now, ready capacity, last decision; null if not configured. */
  forecast(service: string): ServiceForecast | null {
    const slot = this.slots.get(service)
    if (slot === undefined) return null
    const settings = this.effectiveSettings(slot)
    const now = this.deps.now()
    ingestHistory(now, slot.history, settings, slot.view)
    const f = slot.view.forecaster
    const points: { at: number; rps: number }[] = []
    if (f !== null && f.level !== null && f.lastBucket !== null) {
      const horizon = Math.max(MIN_FORECAST_HORIZON_MS, settings.coldStartMs + this.everyMs)
      const steps = Math.min(MAX_FORECAST_POINTS, Math.ceil(horizon / f.bucketMs) + 1)
      for (let h = 1; h <= steps; h++) {
        const at = (f.lastBucket + h + 1) * f.bucketMs
        if (at > now) points.push({ at, rps: forecastAt(f, h) })
      }
    }
    return {
      points,
      capacityRps: (slot.last?.readyReplicas ?? 0) * settings.capacityRps,
      lastDecision: slot.lastDecision === null ? null : { ...slot.lastDecision }
    }
  }

  /** The measured cold start of `service` (median, ms), or null before the first scale-up was timed. */
  measuredColdStartMs(service: string): number | null {
    return this.slots.get(service)?.coldStart.medianMs() ?? null
  }

  /**
   * Replays the recorded history of `service` (or `opts.trace`) through the simulator with each
   * policy and the oracle, with the service's settings and optional capacity / cold start
   * overrides (default cold start: the effective one). Throws NOT_FOUND for an unconfigured
   * service, INVALID_ARGUMENT for bad overrides or fewer than two rows of load to replay.
   */
  whatIf(service: string, opts: { capacityRps?: number; coldStartMs?: number; trace?: TracePoint[] }): WhatIfResult {
    const slot = this.slots.get(service)
    if (slot === undefined) throw new PrescalError('NOT_FOUND', `service "${service}" is not autoscaled`)
    if (opts.capacityRps !== undefined && !(opts.capacityRps > 0 && Number.isFinite(opts.capacityRps))) {
      throw new PrescalError('INVALID_ARGUMENT', 'capacityRps must be a positive number')
    }
    if (opts.coldStartMs !== undefined && !(opts.coldStartMs >= 0 && Number.isFinite(opts.coldStartMs))) {
      throw new PrescalError('INVALID_ARGUMENT', 'coldStartMs must be 0 or more')
    }
    const base = this.effectiveSettings(slot)
    const settings: ScalerSettings = {
      ...base,
      capacityRps: opts.capacityRps ?? base.capacityRps,
      coldStartMs: opts.coldStartMs ?? base.coldStartMs
    }
    const source = opts.trace === undefined ? 'history' : 'trace'
    let trace: TracePoint[]
    let stepMs: number
    if (opts.trace === undefined) {
      const span = slot.history.length > 0 ? slot.history[slot.history.length - 1]!.at - slot.history[0]!.at : 0
      stepMs = 1000 * Math.max(1, Math.ceil(span / 1000 / MAX_WHAT_IF_ROWS))
      trace = historyToTrace(slot.history, stepMs)
    } else {
      trace = opts.trace
      stepMs = trace.length > 1 ? detectStepMs(trace) : 0
    }
    if (trace.length < 2) {
      throw new PrescalError(
        'INVALID_ARGUMENT',
        `not enough load recorded for ${service} yet to replay (${trace.length} row); send some traffic first or pass a trace`
      )
    }
    const run = (mode: WhatIfPolicy) =>
      mode === 'oracle'
        ? simulate(trace, createOraclePolicy(trace, stepMs, this.everyMs), { settings, everyMs: this.everyMs, stepMs })
        : simulate(trace, policyFor(mode), { settings: { ...settings, mode }, everyMs: this.everyMs, stepMs })
    const oracle = run('oracle')
    const rows: WhatIfRow[] = []
    for (const mode of [...POLICIES, 'oracle'] as const) {
      const r = mode === 'oracle' ? oracle : run(mode)
      rows.push({
        policy: mode,
        configured: mode === slot.target.settings.mode,
        underProvisionedShare: r.arrivedShortShare,
        containerSecondsVsOracle: oracle.containerSeconds > 0 ? r.containerSeconds / oracle.containerSeconds : null,
        actionsPerHour: r.actionsPerHour,
        peakReplicas: r.peakReplicas
      })
    }
    return {
      service,
      source,
      from: trace[0]!.at,
      to: trace[trace.length - 1]!.at + stepMs,
      stepMs,
      everyMs: this.everyMs,
      capacityRps: settings.capacityRps,
      coldStartMs: settings.coldStartMs,
      totalRequests: oracle.totalRequests,
      rows
    }
  }

  /** Forgets every service; later observe() calls are ignored and pending scale calls no longer report. */
  close(): void {
    this.closed = true
    this.slots.clear()
  }

  private effectiveSettings(slot: Slot): ScalerSettings {
    const measured = slot.coldStart.medianMs()
    const s = slot.target.settings
    return measured !== null && measured > s.coldStartMs ? { ...s, coldStartMs: measured } : s
  }

  private evaluate(service: string, slot: Slot, o: ServiceObservation): void {
    const settings = this.effectiveSettings(slot)
    const current = o.desiredReplicas
    if (slot.target.enabled && slot.enabledNow) {
      slot.enabledNow = false
      slot.state.recommendations.push({ at: o.at, desired: current })
    }
    const d = policyFor(settings.mode).decide(o.at, slot.history, current, settings, slot.state)
    slot.nextDueAt = o.at + this.everyMs
    const applied = slot.target.enabled && d.desired !== current
    slot.lastDecision = { ...d, at: o.at }
    this.deps.onDecision?.(service, { ...d, applied, at: o.at })
    if (!applied) return
    slot.inFlight = true
    if (d.desired > current) slot.coldStart.requested(o.at, d.desired)
    const settle = (ok: boolean): void => {
      // A reconfigure that dropped the service (or close) made this slot a stranger.
      if (this.slots.get(service) !== slot) return
      slot.inFlight = false
      if (ok) {
        slot.failures = 0
        return
      }
      slot.coldStart.cancel()
      slot.failures++
      const backoff = Math.min(MAX_BACKOFF_MS, this.everyMs * 2 ** slot.failures)
      slot.nextDueAt = Math.max(slot.nextDueAt ?? -Infinity, this.deps.now() + backoff)
    }
    let call: Promise<void>
    try {
      call = this.deps.scale(service, d.desired, d.reason)
    } catch (err) {
      call = Promise.reject(err)
    }
    call.then(
      () => settle(true),
      () => settle(false)
    )
  }

  /** Drops samples older than historyMs, in chunks so the cost per observation stays O(1) amortized. */
  private trim(history: LoadSample[], now: number): void {
    const cutoff = now - this.historyMs
    const first = history[0]
    if (first === undefined || first.at > cutoff - Math.max(60_000, this.historyMs / 10)) return
    let drop = 0
    while (drop < history.length && history[drop]!.at <= cutoff) drop++
    history.splice(0, drop)
  }
}

function sameSettings(a: ScalerSettings, b: ScalerSettings): boolean {
  for (const key of Object.keys(a) as (keyof ScalerSettings)[]) if (a[key] !== b[key]) return false
  return Object.keys(a).length === Object.keys(b).length
}

function resetForecaster(state: PolicyState): void {
  state.forecaster = null
  state.lastSampleAt = null
}

/**
 * Samples to trace rows of `stepMs`: a sample (the mean rate of an interval ending at `at`) goes to
 * the row containing its interval's end; a row's requests are its mean rate × step. Rows without
 * samples stay absent (the simulator treats them as time without data).
 */
export function historyToTrace(history: readonly LoadSample[], stepMs: number): TracePoint[] {
  const out: TracePoint[] = []
  let row: number | null = null
  let sum = 0
  let n = 0
  const flush = (): void => {
    if (row !== null && n > 0) out.push({ at: row * stepMs, requests: (sum / n) * (stepMs / 1000) })
  }
  for (const s of history) {
    const r = Math.ceil(s.at / stepMs) - 1
    if (r !== row) {
      flush()
      row = r
      sum = 0
      n = 0
    }
    sum += s.rps
    n++
  }
  flush()
  return out
}
