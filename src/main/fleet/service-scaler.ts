/**
 * Brings a service to N running replicas: new ones join the proxy pool only once they answer HTTP,
 * leaving ones are drained before they are stopped. A scale leaves no stopped replica behind:
 * scaling up starts stopped ones again first (same name, port and logs) and replaces any that
 * cannot come back; every scale removes the stopped ones it does not need. Knows nothing of
 * dockerode: it works through the small ScalerFleet / ScalerMembership interfaces below.
 */
import { request } from 'node:http'
import { PrescalError, isPrescalError } from '../../shared/errors'
import type { ScaleResult } from '../../shared/types'
import type { FleetContainer, ReplicaSpec } from './fleet-types'
import { choosePorts, isPortFreeOnOs, type PortRange } from './port-allocator'

/** What the scaler needs from the fleet (DockerFleet implements it). */
export interface ScalerFleet {
  containers(): FleetContainer[]
  createReplica(spec: ReplicaSpec): Promise<FleetContainer>
  /** Starts a stopped container; the list shows its published port once this resolves. */
  startContainer(id: string): Promise<void>
  stopContainer(id: string): Promise<void>
  removeContainer(id: string): Promise<void>
  usedHostPorts(): Promise<Set<number>>
}

export interface ScalerMembership {
  /** The replica answered: put it in the proxy pool as ready. */
  markReady(containerId: string): void
  /** Take it out of the pool (draining) and wait for in-flight requests, up to timeoutMs. */
  drain(containerId: string, timeoutMs: number): Promise<void>
}

export interface ScaleServiceSpec {
  name: string
  image: string
  containerPort: number
  env: Record<string, string>
  readyPath: string
  readyTimeoutMs: number
}

/** Resolves true when host:port answers `path` with a status < 500 within timeoutMs. Never rejects. */
export type ReadinessProbe = (host: string, port: number, path: string, timeoutMs: number) => Promise<boolean>

export interface ServiceScalerDeps {
  fleet: ScalerFleet
  membership: ScalerMembership
  portRange: PortRange
  drainTimeoutMs: number
  probe?: ReadinessProbe
  /** OS port check for the allocator; tests replace it. */
  isPortFree?: (port: number) => Promise<boolean>
}

const PROBE_INTERVAL_MS = 200
/** Per-attempt cap so one hung connection does not eat the whole readiness budget. */
const PROBE_ATTEMPT_MAX_MS = 1000

/** Containers that serve only once started again; started (scaling up) or removed (not needed). */
const leftoverStates = new Set(['exited', 'dead', 'created'])

/**
 * Default readiness probe: GET with its own socket (agent: false), one deadline, socket destroyed
 * on every path.
 */
export const probe: ReadinessProbe = (host, port, path, timeoutMs) =>
  new Promise((resolve) => {
    let done = false
    const finish = (ok: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      req.destroy()
      resolve(ok)
    }
    const req = request({ host, port, path, method: 'GET', agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume()
      finish((res.statusCode ?? 500) < 500)
    })
    const timer = setTimeout(() => finish(false), timeoutMs)
    req.on('error', () => finish(false))
    req.end()
  })

export interface ScaleOptions {
  /** Stopped replicas this scale must neither start nor remove (the user stopped them). */
  spare?: ReadonlySet<string>
}

interface PendingScale {
  spec: ScaleServiceSpec
  n: number
  onProgress: (msg: string) => void
  spare: ReadonlySet<string>
  waiters: Array<{ resolve: (r: ScaleResult) => void; reject: (e: unknown) => void }>
}

interface Lane {
  running: boolean
  pending: PendingScale | null
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

export class ServiceScaler {
  private readonly lanes = new Map<string, Lane>()
  /** Ports handed to creates that have not settled yet. */
  private readonly reserved = new Set<number>()
  private allocationLock: Promise<unknown> = Promise.resolve()
  private readonly probe: ReadinessProbe
  private readonly isPortFree: (port: number) => Promise<boolean>

  constructor(private readonly deps: ServiceScalerDeps) {
    this.probe = deps.probe ?? probe
    this.isPortFree = deps.isPortFree ?? isPortFreeOnOs
  }

  /**
   * Scales a service to n running replicas (see the module doc). One scale per service runs at a
   * time; calls arriving meanwhile collapse into one follow-up run with the LAST target, and all of
   * them resolve with that run's result. Rejects SCALE_FAILED / READINESS_TIMEOUT / IMAGE_MISSING /
   * PORT_EXHAUSTED after removing the replicas it created or started that never got ready.
   */
  scale(spec: ScaleServiceSpec, n: number, onProgress: (msg: string) => void, options: ScaleOptions = {}): Promise<ScaleResult> {
    if (!Number.isInteger(n) || n < 0) {
      return Promise.reject(new PrescalError('INVALID_ARGUMENT', `Replicas must be a whole number >= 0, got ${n}`))
    }
    let lane = this.lanes.get(spec.name)
    if (!lane) {
      lane = { running: false, pending: null }
      this.lanes.set(spec.name, lane)
    }
    const current = lane
    const spare = options.spare ?? new Set<string>()
    return new Promise<ScaleResult>((resolve, reject) => {
      if (current.pending) {
        Object.assign(current.pending, { spec, n, onProgress, spare })
        current.pending.waiters.push({ resolve, reject })
      } else {
        current.pending = { spec, n, onProgress, spare, waiters: [{ resolve, reject }] }
      }
      if (!current.running) void this.drive(spec.name, current)
    })
  }

  private async drive(name: string, lane: Lane): Promise<void> {
    lane.running = true
    while (lane.pending) {
      const job = lane.pending
      lane.pending = null
      try {
        const result = await this.apply(job.spec, job.n, job.onProgress, job.spare)
        for (const w of job.waiters) w.resolve(result)
      } catch (err) {
        for (const w of job.waiters) w.reject(err)
      }
    }
    lane.running = false
    this.lanes.delete(name)
  }

  private async apply(
    spec: ScaleServiceSpec,
    n: number,
    onProgress: (msg: string) => void,
    spare: ReadonlySet<string>
  ): Promise<ScaleResult> {
    const started = Date.now()
    const mine = this.deps.fleet.containers().filter((c) => c.service === spec.name && !spare.has(c.id))
    const running = mine.filter((c) => c.state === 'running')
    const leftovers = mine.filter((c) => leftoverStates.has(c.state))
    let ready: number
    if (running.length < n) {
      const revivable = leftovers.filter((c) => c.state !== 'dead').slice(0, n - running.length)
      await this.removeLeftovers(spec, n, leftovers.filter((c) => !revivable.includes(c)), onProgress)
      const have = running.length + (await this.reviveReplicas(spec, n, running.length, revivable, onProgress))
      ready = have < n ? have + (await this.addReplicas(spec, n, have, onProgress)) : have
    } else {
      const newestFirst = [...running].sort((a, b) => b.createdAt - a.createdAt || b.name.localeCompare(a.name))
      await this.removeLeftovers(spec, n, leftovers, onProgress)
      await this.removeReplicas(spec, n, newestFirst.slice(0, running.length - n), onProgress)
      ready = n
    }
    return { service: spec.name, replicas: n, ready, tookMs: Date.now() - started }
  }

  /**
   * Starts stopped replicas again, side by side; each joins the pool once it answers. One that
   * cannot start or never answers is removed, so a fresh replica takes its place. Returns how many
   * got ready.
   */
  private async reviveReplicas(
    spec: ScaleServiceSpec,
    n: number,
    have: number,
    stopped: FleetContainer[],
    onProgress: (msg: string) => void
  ): Promise<number> {
    if (stopped.length === 0) return 0
    onProgress(`starting ${plural(stopped.length, 'stopped replica')} again`)
    let readyCount = have
    const results = await Promise.allSettled(
      stopped.map(async (c) => {
        try {
          await this.deps.fleet.startContainer(c.id)
          const hostPort = this.deps.fleet.containers().find((x) => x.id === c.id)?.hostPort ?? null
          if (hostPort === null) throw new PrescalError('SCALE_FAILED', `${c.name} publishes no port after starting`)
          await this.waitReady(spec, c, hostPort)
        } catch (err) {
          await this.deps.fleet.removeContainer(c.id).catch(() => undefined)
          throw err
        }
        this.deps.membership.markReady(c.id)
        readyCount++
        onProgress(`${readyCount}/${n} ready`)
      })
    )
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed.length > 0) {
      const why = failed[0]!.reason instanceof Error ? failed[0]!.reason.message : String(failed[0]!.reason)
      onProgress(`${plural(failed.length, 'stopped replica')} did not come back (${why}); removed, creating new ones instead`)
    }
    return stopped.length - failed.length
  }

  /** Creates n - have replicas concurrently; returns how many got ready (all, or it rejects). */
  private async addReplicas(
    spec: ScaleServiceSpec,
    n: number,
    have: number,
    onProgress: (msg: string) => void
  ): Promise<number> {
    const need = n - have
    onProgress(`starting ${plural(need, 'replica')}`)
    const ports = await this.allocatePorts(spec, n, need)
    const created: FleetContainer[] = []
    const readyIds = new Set<string>()
    let readyCount = have
    const results = await Promise.allSettled(
      ports.map(async (hostPort) => {
        let c: FleetContainer
        try {
          c = await this.deps.fleet.createReplica({
            service: spec.name,
            image: spec.image,
            containerPort: spec.containerPort,
            env: spec.env,
            hostPort
          })
        } finally {
          // From here on the engine lists the port (or the create failed and it is free again).
          this.reserved.delete(hostPort)
        }
        created.push(c)
        await this.waitReady(spec, c, c.hostPort ?? hostPort)
        this.deps.membership.markReady(c.id)
        readyIds.add(c.id)
        readyCount++
        onProgress(`${readyCount}/${n} ready`)
      })
    )
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failures.length === 0) return need
    const stale = created.filter((c) => !readyIds.has(c.id))
    if (stale.length > 0) onProgress(`removing ${plural(stale.length, 'replica')} that never got ready`)
    await Promise.all(stale.map((c) => this.deps.fleet.removeContainer(c.id).catch(() => undefined)))
    throw this.toScaleError(spec, n, failures[0]!.reason, failures.length)
  }

  /**
   * Chooses all `need` ports at once, so concurrent creates never ask for the same one; all are
   * chosen before any container exists, so exhaustion leaves nothing behind (and says why).
   * Runs under one lock for all services, and ports handed out whose containers the engine does not
   * list yet stay reserved, so two services scaling at once do not collide either.
   */
  private allocatePorts(spec: ScaleServiceSpec, n: number, need: number): Promise<number[]> {
    const run = this.allocationLock.then(async () => {
      const containers = await this.wrap(spec, n, () => this.deps.fleet.usedHostPorts())
      const choice = await choosePorts(this.deps.portRange, need, { containers, reserved: this.reserved }, this.isPortFree)
      if (choice.shortage !== null) throw choice.shortage
      for (const p of choice.ports) this.reserved.add(p)
      return choice.ports
    })
    this.allocationLock = run.catch(() => undefined)
    return run
  }

  private async waitReady(spec: ScaleServiceSpec, c: FleetContainer, hostPort: number): Promise<void> {
    const deadline = Date.now() + spec.readyTimeoutMs
    for (;;) {
      const left = deadline - Date.now()
      if (await this.probe('127.0.0.1', hostPort, spec.readyPath, Math.max(1, Math.min(left, PROBE_ATTEMPT_MAX_MS)))) {
        return
      }
      const now = this.deps.fleet.containers().find((x) => x.id === c.id)
      if (now && (now.state === 'exited' || now.state === 'dead')) {
        throw new PrescalError(
          'SCALE_FAILED',
          `Replica ${c.name} of ${spec.name} exited before answering ${spec.readyPath}: check its logs (docker logs ${c.name})`
        )
      }
      if (Date.now() + PROBE_INTERVAL_MS > deadline) {
        throw new PrescalError(
          'READINESS_TIMEOUT',
          `Replica ${c.name} of ${spec.name} did not answer ${spec.readyPath} on 127.0.0.1:${hostPort} within ${spec.readyTimeoutMs} ms: check the image listens on PORT=${spec.containerPort}, or raise readyTimeoutMs`
        )
      }
      await sleep(PROBE_INTERVAL_MS)
    }
  }

  /** Stopped replicas the scale does not need: removed first, nothing to drain. */
  private async removeLeftovers(
    spec: ScaleServiceSpec,
    n: number,
    leftovers: FleetContainer[],
    onProgress: (msg: string) => void
  ): Promise<void> {
    if (leftovers.length === 0) return
    onProgress(`removing ${plural(leftovers.length, 'stopped replica')}`)
    for (const c of leftovers) await this.wrap(spec, n, () => this.gone(this.deps.fleet.removeContainer(c.id)))
  }

  /** Running replicas newest first: drain, stop, remove. */
  private async removeReplicas(
    spec: ScaleServiceSpec,
    n: number,
    victims: FleetContainer[],
    onProgress: (msg: string) => void
  ): Promise<void> {
    if (victims.length === 0) return
    // Each victim goes through drain -> stop -> remove in order; victims run side by side so N
    // drains cost one drain timeout, not N. They are started newest first.
    await Promise.all(
      victims.map((c) =>
        this.wrap(spec, n, async () => {
          onProgress(`draining ${c.name}`)
          await this.deps.membership.drain(c.id, this.deps.drainTimeoutMs)
          onProgress(`stopping ${c.name}`)
          await this.gone(this.deps.fleet.stopContainer(c.id))
          await this.gone(this.deps.fleet.removeContainer(c.id))
        })
      )
    )
  }

  /** A container that vanished meanwhile is as good as removed. */
  private async gone(p: Promise<void>): Promise<void> {
    try {
      await p
    } catch (err) {
      if (!isPrescalError(err, 'NOT_FOUND')) throw err
    }
  }

  private async wrap<T>(spec: ScaleServiceSpec, n: number, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      throw this.toScaleError(spec, n, err, 1)
    }
  }

  private toScaleError(spec: ScaleServiceSpec, n: number, err: unknown, count: number): PrescalError {
    const passThrough = ['READINESS_TIMEOUT', 'IMAGE_MISSING', 'PORT_EXHAUSTED', 'SCALE_FAILED'] as const
    const others = count > 1 ? ` (and ${count - 1} more replica failures)` : ''
    if (err instanceof PrescalError && (passThrough as readonly string[]).includes(err.code)) {
      return others ? new PrescalError(err.code, `${err.message}${others}`, { cause: err }) : err
    }
    const message = err instanceof Error ? err.message : String(err)
    return new PrescalError('SCALE_FAILED', `Scaling ${spec.name} to ${n} failed: ${message}${others}`, { cause: err })
  }
}
