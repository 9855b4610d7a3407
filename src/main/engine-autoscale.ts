/**
 * Autoscaling and load generation in the running engine: feeds the Autoscaler one observation
 * per service per tick, turns its decisions into scale calls and events, and owns the load
 * generator that drives traffic through the proxy so a user can watch scaling happen.
 */
import type { AutoscaleMode, AutoscaleView, LoadStatsView, WhatIfResultView } from '../shared/autoscale'
import { PrescalError } from '../shared/errors'
import type { Snapshot } from '../shared/types'
import type { ServiceConfig } from './config/config-schema'
import { LoadGenerator } from './loadgen/load-generator'
import type { LoadProfile } from './loadgen/load-profile-schema'
import { Autoscaler, type AutoscaleTarget } from './scaler/autoscaler'
import { defaultScalerSettings, type ScalerSettings } from './scaler/scaler-types'
import { parseTraceCsv } from './scaler/trace-reader'
import type { EventLog } from './state/event-log'

export interface AutoscaleHost {
  now: () => number
  events: EventLog
  services: readonly ServiceConfig[]
  everyMs: number
  scale(service: string, replicas: number, reason: string): Promise<unknown>
}

interface Setting {
  mode: AutoscaleMode
  settings: ScalerSettings
}

const idleLoad: LoadStatsView = {
  running: false,
  profile: null,
  startedAt: null,
  targetRps: 0,
  achievedRps: 0,
  sent: 0,
  ok: 0,
  errors: 0,
  errorsByKind: {},
  latencyMs: { p50: null, p95: null, p99: null }
}

function toSettings(a: ServiceConfig['autoscale']): Setting {
  return {
    mode: a.mode,
    settings: {
      ...defaultScalerSettings,
      mode: a.mode === 'off' ? 'hybrid' : a.mode,
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      capacityRps: a.capacityRps,
      cpuTargetPercent: a.cpuTargetPercent,
      coldStartMs: a.coldStartSeconds * 1000,
      scaleDownStabilizationMs: a.scaleDownStabilizationSeconds * 1000,
      tolerance: a.tolerance,
      headroom: a.headroom
    }
  }
}

export class EngineAutoscale {
  private readonly autoscaler: Autoscaler
  private readonly settings = new Map<string, Setting>()
  private loadgen: LoadGenerator | null = null
  private loadWasRunning = false

  constructor(private readonly host: AutoscaleHost) {
    this.autoscaler = new Autoscaler(
      {
        now: host.now,
        scale: async (service, replicas, reason) => {
          await host.scale(service, replicas, reason)
        },
        onDecision: (service, d) => {
          if (d.applied) host.events.add('autoscale.decision', 'info', `${service}: ${d.reason}`, { service })
        }
      },
      { everyMs: host.everyMs }
    )
    for (const s of host.services) this.settings.set(s.name, toSettings(s.autoscale))
    this.reconfigure()
  }

  /** The proxy's address is known only after it listens; traffic goes through it. */
  attachProxy(url: string): void {
    this.loadgen = new LoadGenerator({ url })
  }

  observe(s: Snapshot): void {
    const refused = refusedShares(s)
    for (const svc of s.services) {
      const mine = s.backends.filter((b) => b.service === svc.name)
      const ready = mine.filter((b) => b.ready && b.health !== 'down' && !b.draining)
      const cpus = ready.map((b) => b.cpuPercent).filter((c): c is number => c !== null)
      this.autoscaler.observe(svc.name, {
        at: s.at,
        rps: mine.reduce((sum, b) => sum + b.rps, 0) + (refused.get(svc.name) ?? 0),
        cpuPercent: cpus.length > 0 ? cpus.reduce((a, b) => a + b, 0) / cpus.length : null,
        readyReplicas: svc.ready,
        desiredReplicas: svc.desired,
        scaling: svc.phase === 'scaling'
      })
    }
    const load = this.loadStats()
    if (this.loadWasRunning && !load.running) {
      this.host.events.add('load.stopped', 'info', `Load generator finished: ${load.ok} ok, ${load.errors} errors`)
    }
    this.loadWasRunning = load.running
  }

  view(service: string, readyReplicas: number): AutoscaleView {
    const setting = this.settings.get(service)
    if (!setting) throw new PrescalError('INVALID_ARGUMENT', `Unknown service "${service}".`)
    const f = this.autoscaler.forecast(service)
    const measured = this.autoscaler.measuredColdStartMs(service)
    const s = setting.settings
    return {
      mode: setting.mode,
      minReplicas: s.minReplicas,
      maxReplicas: s.maxReplicas,
      capacityRps: s.capacityRps,
      coldStartMs: Math.max(s.coldStartMs, measured ?? 0),
      forecast: f?.points ?? [],
      capacityLineRps: readyReplicas * s.capacityRps,
      lastDecision: f?.lastDecision
        ? { at: f.lastDecision.at, desired: f.lastDecision.desired, reason: f.lastDecision.reason, policy: f.lastDecision.policy }
        : null
    }
  }

  set(req: { service: string; mode: AutoscaleMode; minReplicas?: number; maxReplicas?: number; capacityRps?: number }): void {
    const setting = this.settings.get(req.service)
    if (!setting) throw new PrescalError('INVALID_ARGUMENT', `Unknown service "${req.service}".`)
    const next = { ...setting.settings }
    if (req.minReplicas !== undefined) next.minReplicas = req.minReplicas
    if (req.maxReplicas !== undefined) next.maxReplicas = req.maxReplicas
    if (req.capacityRps !== undefined) next.capacityRps = req.capacityRps
    if (next.minReplicas > next.maxReplicas) {
      throw new PrescalError('INVALID_ARGUMENT', `minReplicas (${next.minReplicas}) must not exceed maxReplicas (${next.maxReplicas}).`)
    }
    const limit = this.host.services.find((s) => s.name === req.service)?.maxReplicas
    if (limit !== undefined && next.maxReplicas > limit) {
      throw new PrescalError(
        'INVALID_ARGUMENT',
        `${req.service} may run at most ${limit} replicas (services[].maxReplicas in the config), so autoscaling cannot go to ${next.maxReplicas}.`
      )
    }
    if (req.mode !== 'off') next.mode = req.mode
    this.settings.set(req.service, { mode: req.mode, settings: next })
    this.reconfigure()
    this.host.events.add(
      'autoscale.decision',
      'info',
      `${req.service}: autoscale ${req.mode}${req.mode === 'off' ? '' : ` (${next.minReplicas}–${next.maxReplicas} replicas, ${next.capacityRps} req/s each)`}`,
      { service: req.service }
    )
  }

  whatIf(req: { service: string; capacityRps?: number; coldStartSeconds?: number; traceCsv?: string }): WhatIfResultView {
    if (!this.settings.has(req.service)) throw new PrescalError('INVALID_ARGUMENT', `Unknown service "${req.service}".`)
    return this.autoscaler.whatIf(req.service, {
      capacityRps: req.capacityRps,
      coldStartMs: req.coldStartSeconds === undefined ? undefined : req.coldStartSeconds * 1000,
      trace: req.traceCsv === undefined ? undefined : parseTraceCsv(req.traceCsv, 'uploaded CSV')
    })
  }

  /** Sends `profile` through the proxy to `path` (and query), "/" by default. */
  startLoad(profile: LoadProfile, path = '/'): LoadStatsView {
    if (!this.loadgen) throw new PrescalError('INVALID_ARGUMENT', 'The proxy is not listening, so there is nothing to send load through.')
    this.loadgen.start(profile, path)
    this.host.events.add('load.started', 'info', `Load generator started: ${profile.kind} to ${path}`)
    return this.loadgen.stats()
  }

  async stopLoad(): Promise<LoadStatsView> {
    await this.loadgen?.stop()
    return this.loadStats()
  }

  loadStats(): LoadStatsView {
    return this.loadgen?.stats() ?? idleLoad
  }

  async close(): Promise<void> {
    this.autoscaler.close()
    await this.loadgen?.close()
  }

  private reconfigure(): void {
    const targets: AutoscaleTarget[] = [...this.settings].map(([service, s]) => ({
      service,
      settings: s.settings,
      enabled: s.mode !== 'off'
    }))
    this.autoscaler.configure(targets)
  }
}

/**
 * Requests refused with no backend involved (every backend down or ejected, or over the
 * connection limit) are demand too: without them a service whose only replica is ejected would
 * look idle to its autoscaler while every client gets a 503. Requests name no service, so the
 * refused rate is split as the proxy splits traffic between groups: by size (a service's desired
 * replicas, one per static backend).
 */
export function refusedShares(s: Snapshot): Map<string, number> {
  const shares = new Map<string, number>()
  if (!(s.proxy.refusedRps > 0)) return shares
  const statics = s.backends.filter((b) => b.service === null).length
  const weightOf = (desired: number): number => Math.max(1, desired)
  const total = statics + s.services.reduce((sum, svc) => sum + weightOf(svc.desired), 0)
  for (const svc of s.services) shares.set(svc.name, (s.proxy.refusedRps * weightOf(svc.desired)) / total)
  return shares
}
