/**
 * The composition root: builds the proxy, poller, fleet and scaler, wires them, runs the 1 s tick
 * and shuts everything down in reverse order. Data flows one way: poller samples and proxy
 * counters -> tick -> snapshot -> listeners (the bridges). Commands come back through
 * `handlers` (see engine-commands.ts) only.
 */
import type { Config } from './config/config-schema'
import { parseHostPort } from './config/config-schema'
import { DockerFleet } from './fleet/docker-fleet'
import type { FleetContainer } from './fleet/fleet-types'
import { ServiceScaler } from './fleet/service-scaler'
import { replicaCount } from './scaler/scaler-types'
import { ActiveHealth } from './poller/active-health'
import { ScrapeLoop, type HealthTransition } from './poller/scrape-loop'
import { BackendPool } from './proxy/backend-pool'
import { ProxyServer, type BackendTickStats } from './proxy/proxy-server'
import { BackendRegistry, type BackendRecord } from './state/backend-registry'
import { EventLog } from './state/event-log'
import { SeriesBuffer, seriesTicksOf } from './state/series-buffer'
import { createCommandHandlers, scaleServiceTo } from './engine-commands'
import { EngineAutoscale } from './engine-autoscale'
import { EngineReplicas } from './engine-replicas'
import { HistoryStore } from './history/history-store'
import { HistoryRecorder } from './state/history-recorder'
import { defaultDataDir } from './config/config-loader'
import { ConfigWriter, type ConfigEdit } from './config/config-writer'
import { describeListenFailure } from './config/listen-failure'
import { join, resolve } from 'node:path'
import type { BalancingName } from '../shared/balancing'
import type { CommandHandlers } from '../shared/channels'
import { toWireError } from '../shared/errors'
import type {
  BackendView,
  DockerView,
  EngineEvent,
  ProxyView,
  ServiceView,
  Snapshot
} from '../shared/types'

export interface EngineOptions {
  config: Config
  /** The file `config` came from, named in messages that tell the user to edit it. */
  configPath?: string
  /** Where history.db lives unless the config names a path. */
  dataDir?: string
  now?: () => number
  tickMs?: number
}

type SnapshotListener = (s: Snapshot) => void

/** Events of earlier runs shown at start, as many as a window fetches at first. */
const RESTORED_EVENTS = 200
/** Ticks of per-backend values kept for filling live charts (15 min at 1 s). */
const SERIES_TICKS = 900

interface ServiceState {
  desired: number
  phase: ServiceView['phase']
  message: string | null
}

const emptyTick = (): BackendTickStats => ({
  count: 0,
  s2xx: 0,
  s3xx: 0,
  s4xx: 0,
  s5xx: 0,
  inFlight: 0,
  latencyMs: { p50: null, p95: null, p99: null }
})

export class Engine {
  readonly config: Config
  readonly events: EventLog
  readonly pool = new BackendPool()
  readonly registry: BackendRegistry
  readonly fleet: DockerFleet
  readonly scaler: ServiceScaler
  readonly handlers: CommandHandlers
  readonly serviceStates = new Map<string, ServiceState>()
  /** Containers with a dashboard action in flight (one at a time each). */
  readonly containerActions = new Set<string>()
  readonly replicas: EngineReplicas
  readonly history: HistoryStore | null
  readonly autoscale: EngineAutoscale
  private readonly now: () => number
  private readonly configPath: string | null
  private readonly tickMs: number
  private readonly proxy: ProxyServer
  private readonly poller: ScrapeLoop
  /** Backends whose config sets `healthCheck`: their health comes from here, not the scrape. */
  private readonly checks: ActiveHealth
  private readonly series = new SeriesBuffer(SERIES_TICKS)
  private readonly snapshotListeners = new Set<SnapshotListener>()
  private readonly recorder: HistoryRecorder | null
  private readonly statsInFlight = new Set<string>()
  /** Backends the proxy's passive health has ejected, with why. */
  private readonly ejections = new Map<string, string>()
  /** Containers the scaler saw answer before the fleet listed them; ready as soon as they are. */
  private readonly readyHints = new Set<string>()
  /** The proxy's part of the snapshot, but for its balancing, which the pool holds (proxySnapshot). */
  private proxyView: Omit<ProxyView, 'balancing'> = { url: null, error: null, rps: 0, refusedRps: 0, inFlight: 0, totalRequests: 0 }
  private dockerView: DockerView = { status: 'connecting', message: null, version: null }
  private last: Snapshot | null = null
  private tickTimer: NodeJS.Timeout | null = null
  private initialScaleDone = false
  private readonly instance: string
  /** Replicas of another Prescal already warned about (see warnOfOtherInstances). */
  private readonly foreignWarned = new Set<string>()
  private closed = false

  constructor(opts: EngineOptions) {
    this.config = opts.config
    this.now = opts.now ?? Date.now
    this.configPath = opts.configPath ?? null
    this.tickMs = opts.tickMs ?? 1000
    this.events = new EventLog(1000, this.now)
    this.registry = new BackendRegistry(this.config.backends)
    const listen = parseHostPort(this.config.listen)
    this.proxy = new ProxyServer({
      host: listen.host,
      port: listen.port,
      pool: this.pool,
      upstreamTimeoutMs: this.config.proxy.upstreamTimeoutMs,
      workers: this.config.proxy.workers,
      balancing: this.config.proxy.balancing,
      keepAliveIdleMs: this.config.proxy.keepAliveIdleMs,
      headersTimeoutMs: this.config.proxy.headersTimeoutMs,
      clientSendTimeoutMs: this.config.proxy.clientSendTimeoutMs,
      maxConnections: this.config.proxy.maxConnections,
      passiveHealth: this.config.proxy.passiveHealth,
      onEjection: (id, ejected, reason) => {
        if (ejected) this.ejections.set(id, reason)
        else this.ejections.delete(id)
        this.events.add(ejected ? 'backend.down' : 'backend.up', ejected ? 'warn' : 'info', `${this.nameOf(id)} ${ejected ? 'ejected by the proxy' : 're-admitted by the proxy'}: ${reason}`, { backendId: id })
      },
      onWarning: (message) => this.events.add('proxy.error', 'warn', message)
    })
    this.poller = new ScrapeLoop({
      ...this.config.poll,
      now: this.now,
      onTransition: (t) => this.onHealthTransition(t, 'scrape'),
      onCounterReset: (id) =>
        this.events.add('backend.counter_reset', 'info', `${this.nameOf(id)} restarted (CPU counter reset); no CPU sample this tick`, { backendId: id })
    })
    this.checks = new ActiveHealth((t) => this.onHealthTransition(t, 'check'), this.now)
    this.pool.setBalancing('', this.config.proxy.balancing)
    for (const s of this.config.services) this.pool.setBalancing(s.name, s.balancing ?? this.config.proxy.balancing)
    // Which Prescal this is, on replicas it creates: its config file (the data folder without one).
    this.instance = resolve(opts.configPath ?? opts.dataDir ?? defaultDataDir())
    this.fleet = new DockerFleet({
      host: this.config.docker.host,
      callTimeoutMs: this.config.docker.callTimeoutMs,
      instance: this.instance,
      listener: {
        onChange: () => this.syncFleet(),
        onStatus: (view) => this.onDockerStatus(view),
        onContainerEvent: (kind, c) =>
          this.events.add(`container.${kind}`, kind === 'started' ? 'info' : 'warn', `Container ${c.name} ${kind}`, {
            service: c.service,
            containerId: c.id
          })
      }
    })
    this.scaler = new ServiceScaler({
      fleet: this.fleet,
      membership: {
        markReady: (containerId) => this.markReady(containerId),
        drain: (containerId, timeoutMs) => this.drain(containerId, timeoutMs)
      },
      portRange: this.config.ports,
      drainTimeoutMs: this.config.proxy.drainTimeoutMs
    })
    for (const s of this.config.services) {
      this.serviceStates.set(s.name, { desired: s.replicas, phase: 'idle', message: null })
    }
    const h = this.config.history
    const historyPath = h.path ?? join(opts.dataDir ?? defaultDataDir(), 'history.db')
    // The store creates the folder itself and reports (never throws) a path it cannot use.
    this.history = h.enabled
      ? HistoryStore.open(historyPath, {
          rawRetentionMs: h.rawRetentionHours * 3_600_000,
          minuteRetentionMs: h.minuteRetentionDays * 86_400_000,
          hourRetentionMs: h.hourRetentionDays * 86_400_000,
          now: this.now
        })
      : null
    if (this.history) {
      this.restoreEvents(this.history)
      this.restoreSeries(this.history)
    }
    this.recorder = this.history ? new HistoryRecorder(this.history, this.events) : null
    this.autoscale = new EngineAutoscale({
      now: this.now,
      events: this.events,
      services: this.config.services,
      everyMs: this.config.autoscale.everySeconds * 1000,
      scale: (service, replicas, reason) => scaleServiceTo(this, service, replicas, reason)
    })
    this.replicas = new EngineReplicas({
      now: this.now,
      events: this.events,
      services: this.serviceStates,
      dockerConnected: () => this.dockerView.status === 'connected' && this.initialScaleDone,
      containers: () => this.fleet.containers(),
      busy: this.containerActions,
      restore: (service, replicas, reason) => scaleServiceTo(this, service, replicas, reason)
    })
    this.handlers = createCommandHandlers(this)
  }

  async start(): Promise<void> {
    try {
      const addr = await this.proxy.start()
      this.proxyView.url = `http://${addr.host}:${addr.port}`
      this.autoscale.attachProxy(this.proxyView.url)
    } catch (err) {
      // The dashboard and fleet stay useful without the proxy; a banner and the event say what to fix.
      const message = describeListenFailure(this.config.listen, err, this.configPath)
      this.proxyView.error = message
      this.events.add('proxy.error', 'error', message, { code: toWireError(err).code })
    }
    this.applyMembership()
    this.poller.start()
    this.checks.start()
    this.fleet.start()
    this.tickTimer = setInterval(() => this.tick(), this.tickMs)
  }

  /** Proxy address once started (null if it could not listen). */
  proxyUrl(): string | null {
    return this.proxyView.url
  }

  onSnapshot(fn: SnapshotListener): () => void {
    this.snapshotListeners.add(fn)
    return () => this.snapshotListeners.delete(fn)
  }

  onEvent(fn: (e: EngineEvent) => void): () => void {
    return this.events.subscribe(fn)
  }

  snapshot(): Snapshot {
    return this.last ?? this.buildSnapshot(new Map())
  }

  recentSeries(seconds: number): ReturnType<SeriesBuffer['since']> {
    return this.series.since(this.now(), seconds)
  }

  /** Stops in reverse order of start: tick, fleet, poller, proxy (which drains in-flight requests). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.tickTimer) clearInterval(this.tickTimer)
    this.tickTimer = null
    this.snapshotListeners.clear()
    await this.autoscale.close()
    await this.fleet.close()
    await this.poller.close()
    await this.checks.close()
    await this.proxy.close()
    this.recorder?.close()
  }

  /** Re-reads the container list into the registry, then the pool and poller. */
  syncFleet(): void {
    if (this.closed) return
    const containers = this.fleet.containers()
    this.warnOfOtherInstances(containers)
    const change = this.registry.syncContainers(containers, this.config.services)
    for (const r of change.added) {
      if (r.containerId && this.readyHints.delete(r.containerId)) r.ready = true
      this.events.add('backend.added', 'info', `Backend ${r.name} (${r.service}) discovered`, { backendId: r.id, service: r.service ?? undefined })
    }
    for (const r of change.removed) {
      if (this.pool.has(r.id)) this.pool.remove(r.id)
      this.events.add('backend.removed', 'info', `Backend ${r.name} removed`, { backendId: r.id, service: r.service ?? undefined })
    }
    this.applyMembership()
    this.applyInitialReplicas()
  }

  /**
   * Two Prescals running a service of the same name both manage its replicas (the label is all
   * they go by) and undo each other's scaling. A replica another one created gets one warning.
   */
  private warnOfOtherInstances(containers: readonly FleetContainer[]): void {
    const present = new Set(containers.map((c) => c.id))
    for (const id of this.foreignWarned) if (!present.has(id)) this.foreignWarned.delete(id)
    for (const c of containers) {
      if (c.instance === null || c.instance === this.instance || this.foreignWarned.has(c.id)) continue
      if (!this.config.services.some((s) => s.name === c.service)) continue
      this.foreignWarned.add(c.id)
      this.events.add(
        'service.shared',
        'warn',
        `${c.service}: replica ${c.name} was created by the Prescal using ${c.instance}. If that app is still running, ` +
          `both manage this service's replicas and undo each other's scaling: quit one, or rename the service in one config.`,
        { service: c.service, containerId: c.id }
      )
    }
  }

  markReady(containerId: string): void {
    const r = this.registry.byContainer(containerId)
    if (!r) {
      this.readyHints.add(containerId)
      return
    }
    r.ready = true
    this.pool.setReady(r.id, true)
  }

  async drain(containerId: string, timeoutMs: number): Promise<void> {
    const r = this.registry.byContainer(containerId)
    if (!r) return
    r.draining = true
    this.pool.setDraining(r.id, true)
    const idle = await this.pool.waitForIdle(r.id, timeoutMs)
    if (!idle) {
      this.events.add('scale.progress', 'warn', `${r.name} still had requests in flight after ${timeoutMs} ms; stopping anyway`, { backendId: r.id })
    }
  }

  /** Puts a drained replica back into the pool (the action it was drained for failed). */
  undrain(containerId: string): void {
    const r = this.registry.byContainer(containerId)
    if (!r) return
    r.draining = false
    this.pool.setDraining(r.id, false)
  }

  /** The proxy's strategy for a service's replicas, or (null) for the static backends. */
  setBalancing(service: string | null, strategy: BalancingName): void {
    this.pool.setBalancing(service ?? '', strategy)
  }

  balancingOf(service: string | null): BalancingName {
    return this.pool.balancingOf(service ?? '') ?? this.config.proxy.balancing
  }

  /**
   * Keeps a dashboard change for the next start by writing it into the config file. Returns
   * the text that completes "…; " in the answer to the user. A failure is reported, never
   * thrown: the change itself already holds until the app exits.
   */
  saveSetting(what: string, edit: ConfigEdit): string {
    if (this.configPath === null) return 'not saved (no config file): it lasts until the app exits'
    try {
      new ConfigWriter(this.configPath).update(edit)
    } catch (err) {
      // One line: a validation error lists each problem on its own line.
      const [first, ...rest] = (err instanceof Error ? err.message : String(err)).split('\n').filter(Boolean)
      const reason = rest.length === 0 ? first : `${first} ${rest.map((l) => l.trim()).join('; ')}`
      const text = `not saved to ${this.configPath} (${reason}): it lasts until the app exits`
      this.events.add('config.save_failed', 'warn', `${what}: ${text}`)
      return text
    }
    this.events.add('config.saved', 'info', `${what}: saved to ${this.configPath}`)
    return `saved to ${this.configPath}`
  }

  private proxySnapshot(): ProxyView {
    return { ...this.proxyView, balancing: this.pool.balancingOf('') ?? this.config.proxy.balancing }
  }

  private applyMembership(): void {
    const targets = []
    const checked = []
    for (const r of this.registry.all()) {
      if (!this.registry.isActive(r)) {
        if (this.pool.has(r.id)) this.pool.remove(r.id)
        continue
      }
      targets.push({ id: r.id, host: r.host!, port: r.port!, path: r.metricsPath })
      if (r.healthCheck !== null) checked.push({ id: r.id, host: r.host!, port: r.port!, check: r.healthCheck })
      // Containers of a service the config does not name are shown and polled, never routed to:
      // the config decides what the endpoint serves.
      if (r.source === 'container' && !this.config.services.some((s) => s.name === r.service)) continue
      this.pool.upsert({ id: r.id, host: r.host!, port: r.port!, name: r.name, weight: r.weight, group: r.service ?? '' })
      this.pool.setReady(r.id, r.ready)
      this.pool.setDraining(r.id, r.draining)
    }
    this.poller.setTargets(targets)
    this.checks.setTargets(checked)
  }

  private applyInitialReplicas(): void {
    if (this.initialScaleDone || this.dockerView.status !== 'connected') return
    this.initialScaleDone = true
    for (const s of this.config.services) {
      const state = this.serviceStates.get(s.name)!
      const running = this.fleet.containers().filter((c) => c.service === s.name && c.state === 'running').length
      if (running > s.replicas) {
        // Never removed at launch: they may be serving, and Scale takes them down in one click.
        state.desired = running
        this.events.add(
          'service.desired_changed',
          'info',
          `${s.name}: kept the ${replicaCount(running)} already running (the config asks for ${s.replicas}); Scale to change it`,
          { service: s.name }
        )
      } else if (s.replicas > running) void this.handlers.scaleService({ service: s.name, replicas: s.replicas }).catch(() => {})
    }
  }

  /** `source`: who reported it; only the one that decides this backend's health counts. */
  private onHealthTransition(t: HealthTransition, source: BackendView['healthSource']): void {
    const r = this.registry.get(t.id)
    if (!r || healthSourceOf(r) !== source) return
    this.pool.setUp(t.id, t.to !== 'down')
    if (t.to === 'up') {
      r.ready = true
      this.pool.setReady(t.id, true)
      if (t.from !== 'unknown') this.events.add('backend.up', 'info', `${r.name} is up`, { backendId: r.id, service: r.service ?? undefined })
    } else if (t.to === 'down') {
      this.events.add('backend.down', 'warn', `${r.name} is down: ${t.message}`, { backendId: r.id, service: r.service ?? undefined })
    }
  }

  private onDockerStatus(view: DockerView): void {
    const was = this.dockerView.status
    this.dockerView = view
    if (view.status === was) return
    if (view.status === 'connected') this.events.add('docker.connected', 'info', `Connected to Docker ${view.version ?? ''}`.trim())
    else if (view.status === 'unavailable') this.events.add('docker.unavailable', 'warn', view.message ?? 'Docker engine unavailable')
    this.syncFleet()
  }

  /** The event list picks up where the last run left off; an unreadable history only costs that. */
  private restoreEvents(history: HistoryStore): void {
    try {
      this.events.restore(history.events(0, this.now(), RESTORED_EVENTS))
    } catch (err) {
      this.events.add('history.failing', 'warn', `Events of earlier runs could not be read from history: ${toWireError(err).message}`)
    }
  }

  /**
   * The live charts pick up where the last run left off too: the recent ticks come back from
   * history at 1 s resolution (a restart then shows as a gap, not as an empty chart).
   */
  private restoreSeries(history: HistoryStore): void {
    const to = this.now()
    const from = to - SERIES_TICKS * 1000
    try {
      const names = new Map(history.backendsInRange(from, to).map((b) => [b.backendId, b.name]))
      if (names.size === 0) return
      const result = history.query({ from, to, metrics: ['rps', 'cpuPercent', 'memoryBytes'], maxPoints: SERIES_TICKS + 10 })
      if (result.resolution !== 'raw') return
      for (const tick of seriesTicksOf(result, names)) this.series.push(tick)
    } catch (err) {
      this.events.add('history.failing', 'warn', `Live charts of earlier runs could not be read from history: ${toWireError(err).message}`)
    }
  }

  private nameOf(id: string): string {
    return this.registry.get(id)?.name ?? id
  }

  private tick(): void {
    // Before the snapshot is built, so it never shows more replicas running than desired.
    this.replicas.keep()
    const tick = this.proxy.takeTick()
    let backend5xx = 0
    for (const [id, t] of tick.perBackend) {
      backend5xx += t.s5xx
      const totals = this.registry.get(id)?.totals
      if (!totals) continue
      totals.s2xx += t.s2xx
      totals.s3xx += t.s3xx
      totals.s4xx += t.s4xx
      totals.s5xx += t.s5xx
    }
    const snapshot = this.buildSnapshot(tick.perBackend)
    this.proxyView.rps = tick.total.count * (1000 / this.tickMs)
    this.proxyView.refusedRps = Math.max(0, tick.total.s5xx - backend5xx) * (1000 / this.tickMs)
    this.proxyView.inFlight = tick.total.inFlight
    this.proxyView.totalRequests += tick.total.count
    snapshot.proxy = this.proxySnapshot()
    this.last = snapshot
    this.series.push({
      at: snapshot.at,
      points: snapshot.backends.map((b) => ({ id: b.id, name: b.name, rps: b.rps, cpuPercent: b.cpuPercent, memoryBytes: b.memoryBytes }))
    })
    this.refreshDockerStats()
    this.autoscale.observe(snapshot)
    this.recorder?.record(snapshot)
    snapshot.history = this.history?.status() ?? null
    for (const fn of this.snapshotListeners) fn(snapshot)
  }

  private buildSnapshot(perBackend: Map<string, BackendTickStats>): Snapshot {
    for (const id of this.ejections.keys()) if (!this.pool.has(id)) this.ejections.delete(id)
    const backends = this.registry.all().map((r) => this.backendView(r, perBackend.get(r.id) ?? emptyTick()))
    return {
      at: this.now(),
      proxy: this.proxySnapshot(),
      backends,
      services: this.config.services.map((s) => {
        const state = this.serviceStates.get(s.name)!
        const mine = backends.filter((b) => b.service === s.name)
        const ready = mine.filter((b) => b.ready && b.health !== 'down' && !b.draining && b.ejected === null).length
        return {
          name: s.name,
          image: s.image,
          containerPort: s.containerPort,
          desired: state.desired,
          maxReplicas: s.maxReplicas,
          running: mine.filter((b) => b.containerState === 'running').length,
          ready,
          phase: state.phase,
          message: state.message,
          autoscale: this.autoscale.view(s.name, ready),
          balancing: this.pool.balancingOf(s.name) ?? this.config.proxy.balancing
        }
      }),
      docker: { ...this.dockerView },
      history: this.history?.status() ?? null,
      load: this.autoscale.loadStats()
    }
  }

  private backendView(r: BackendRecord, t: BackendTickStats): BackendView {
    const active = this.registry.isActive(r)
    const m = active ? this.poller.state(r.id) : undefined
    const healthSource = healthSourceOf(r)
    const h = healthSource === 'check' ? (active ? this.checks.state(r.id) : undefined) : m
    let health: BackendView['health'] = h?.health ?? 'unknown'
    let healthReason = h?.healthReason ?? null
    if (!active && r.source === 'container') {
      health = 'down'
      healthReason = `container ${r.containerState ?? 'gone'}`
    }
    const fromDocker = m !== undefined && !m.hasMetrics && r.source === 'container'
    const cpuPercent = fromDocker ? (r.dockerStats?.cpuPercent ?? null) : (m?.cpuPercent ?? null)
    const memoryBytes = fromDocker ? (r.dockerStats?.memoryBytes ?? null) : (m?.memoryBytes ?? null)
    return {
      id: r.id,
      name: r.name,
      address: r.host !== null && r.port !== null ? `${r.host}:${r.port}` : null,
      source: r.source,
      service: r.service,
      containerId: r.containerId,
      containerState: r.containerState,
      health,
      healthReason,
      failureReason: active ? (h?.failureReason ?? null) : null,
      ready: r.ready && active,
      draining: r.draining,
      ejected: active ? (this.ejections.get(r.id) ?? null) : null,
      rps: t.count * (1000 / this.tickMs),
      lastTick: { s2xx: t.s2xx, s3xx: t.s3xx, s4xx: t.s4xx, s5xx: t.s5xx },
      totals: { ...r.totals },
      inFlight: this.pool.has(r.id) ? this.pool.inFlight(r.id) : 0,
      latencyMs: t.latencyMs,
      cpuPercent,
      memoryBytes,
      metricsSource: !m ? 'none' : m.hasMetrics ? 'prometheus' : fromDocker ? 'docker' : 'none',
      healthSource
    }
  }

  /** Containers without /metrics get CPU and memory from one-shot Docker stats, one call in flight each. */
  private refreshDockerStats(): void {
    for (const r of this.registry.all()) {
      if (r.source !== 'container' || !r.containerId || !this.registry.isActive(r)) continue
      const m = this.poller.state(r.id)
      if (!m || m.hasMetrics || this.statsInFlight.has(r.id)) continue
      this.statsInFlight.add(r.id)
      this.fleet
        .stats(r.containerId)
        .then((s) => (r.dockerStats = s))
        .catch(() => (r.dockerStats = null))
        .finally(() => this.statsInFlight.delete(r.id))
    }
  }
}

/** What decides a backend's health: its configured active check, else the metrics scrape. */
function healthSourceOf(r: BackendRecord): BackendView['healthSource'] {
  return r.healthCheck !== null ? 'check' : 'scrape'
}
