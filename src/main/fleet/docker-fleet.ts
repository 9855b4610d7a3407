/**
 * The Docker adapter: the only module that imports dockerode. It keeps a cached list of containers
 * labelled `prescal.service`, re-listed on every engine event (Traefik-style: re-list and replace,
 * never patch), reconnects with backoff when the engine goes away, and turns every engine failure
 * into a PrescalError through mapDockerError. Every call has a deadline (callTimeoutMs).
 */
import { randomBytes } from 'node:crypto'
import { Agent } from 'node:http'
import type { Readable } from 'node:stream'
import Docker from 'dockerode'
import type { DockerView } from '../../shared/types'
import { PrescalError } from '../../shared/errors'
import {
  classifyEvent,
  cpuPercentFromStats,
  fromInspect,
  hostPortsInUse,
  listAgreesWith,
  memoryBytesFromStats,
  sortContainers,
  toFleetContainer,
  type ContainerEventKind,
  type ListExpectation,
  type InspectedContainer,
  type ListedContainer,
  type StatsSample
} from './container-mapper'
import { describeEndpoint, dockerConnection, reconnectDelayMs } from './docker-endpoint'
import { DockerCallGuard } from './docker-call-guard'
import { isEngineNotFound, isNotModified, mapDockerError } from './docker-error-mapper'
import { buildDemoImage } from './demo-image'
import {
  LABEL_HOST_PORT,
  LABEL_INSTANCE,
  LABEL_MANAGED,
  LABEL_PORT,
  LABEL_SERVICE,
  type FleetContainer,
  type FleetListener,
  type ReplicaSpec
} from './fleet-types'

export type { FleetContainer, FleetListener, ReplicaSpec } from './fleet-types'

export interface DockerFleetOptions {
  /** Engine endpoint (unix path, unix://, tcp://, ssh://); default DOCKER_HOST or the default socket. */
  host?: string
  /** Deadline of every engine call; stop gets 5 s more (its grace period), builds at least 120 s. */
  callTimeoutMs: number
  listener: FleetListener
  /** Labels the replicas it creates (prescal.instance): which Prescal made them. */
  instance?: string
}

/** @types/dockerode omits the options argument on some methods that accept it at run time. */
type WithSignal<R> = (options: { abortSignal: AbortSignal }) => Promise<R>

/** `docker stop -t`: the demo backend exits at once on SIGTERM; others get 5 s before SIGKILL. */
const STOP_GRACE_S = 5

export class DockerFleet {
  private readonly docker: Docker
  private readonly agent = new Agent({ keepAlive: false })
  private readonly endpoint: string
  private view: DockerView = { status: 'connecting', message: null, version: null }
  private list: FleetContainer[] = []
  private started = false
  private closed = false
  /** Bumped on each (re)connect so callbacks of an old event stream ignore themselves. */
  private generation = 0
  private attempt = 0
  private retryTimer: NodeJS.Timeout | null = null
  /** Short waits of settleEvent; cleared by close(). */
  private readonly timers = new Set<NodeJS.Timeout>()
  private events: Readable | null = null
  private readonly calls: DockerCallGuard
  private running: Promise<void> | null = null
  private queued: Promise<void> | null = null

  constructor(private readonly opts: DockerFleetOptions) {
    this.docker = new Docker(dockerConnection(opts.host))
    const modem = this.docker.modem as { protocol?: string; agent?: Agent; timeout?: number }
    // Calls get their own deadlines; a modem-wide timeout (DOCKER_CLIENT_TIMEOUT) would also cut
    // the idle event stream.
    modem.timeout = undefined
    // A private agent without keep-alive: no stale pooled socket fails the first call after an
    // engine restart, and close() can destroy every socket. TLS and SSH keep the modem's agents.
    if (modem.protocol !== 'https' && modem.protocol !== 'ssh') modem.agent = this.agent
    this.endpoint = describeEndpoint(opts.host)
    // A call that cannot reach the engine while the event stream still looks fine (the socket
    // file was removed, the stream's connection survives): reconnect, which reports unavailable
    // until the engine answers again and then re-lists.
    this.calls = new DockerCallGuard(this.endpoint, opts.callTimeoutMs, () => {
      if (this.view.status === 'connected') this.onStreamLost(this.generation)
    })
  }

  /** Connects, lists and watches events; reconnects by itself. Calling it twice does nothing. */
  start(): void {
    if (this.started || this.closed) return
    this.started = true
    this.setStatus({ status: 'connecting', message: `Connecting to Docker at ${this.endpoint}`, version: null })
    void this.connect()
  }

  status(): DockerView {
    return { ...this.view }
  }

  /** The cached list (oldest first); empty while the engine is unavailable. */
  containers(): FleetContainer[] {
    return [...this.list]
  }

  /** By full id, short id, id prefix (12+ hex) or name. */
  get(idOrShortId: string): FleetContainer | undefined {
    const key = idOrShortId.trim()
    return this.list.find(
      (c) => c.id === key || c.shortId === key || c.name === key || (key.length >= 12 && c.id.startsWith(key))
    )
  }

  /**
   * Re-lists now. Calls made while a re-list runs share one follow-up re-list, so a burst of
   * events costs two list calls, not one per event. Rejects with the mapped engine error.
   */
  refresh(): Promise<void> {
    if (this.queued) return this.queued
    if (!this.running) {
      this.running = this.relist().finally(() => {
        this.running = null
      })
      return this.running
    }
    this.queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null
        return this.refresh()
      })
    return this.queued
  }

  /** Starts a container; "already started" (304) is success. */
  async startContainer(id: string): Promise<void> {
    await this.calls.run('start', { target: id }, async (abortSignal) => {
      try {
        await this.docker.getContainer(id).start({ abortSignal })
      } catch (err) {
        if (!isNotModified(err)) throw err
      }
    })
    await this.refreshQuietly()
  }

  /** Stops with a 5 s grace period; "already stopped" (304) is success. */
  async stopContainer(id: string): Promise<void> {
    await this.calls.run(
      'stop',
      { target: id },
      async (abortSignal) => {
        try {
          await this.docker.getContainer(id).stop({ t: STOP_GRACE_S, abortSignal })
        } catch (err) {
          if (!isNotModified(err)) throw err
        }
      },
      this.opts.callTimeoutMs + STOP_GRACE_S * 1000
    )
    await this.refreshQuietly()
  }

  async restartContainer(id: string): Promise<void> {
    await this.calls.run(
      'restart',
      { target: id },
      (abortSignal) => this.docker.getContainer(id).restart({ t: STOP_GRACE_S, abortSignal }),
      this.opts.callTimeoutMs + STOP_GRACE_S * 1000
    )
    await this.refreshQuietly()
  }

  /**
   * Removes a container (and its anonymous volumes). Forced by default; `{ force: false }` makes
   * the engine refuse a running container with 409, which maps to CONFLICT.
   */
  async removeContainer(id: string, options: { force?: boolean } = {}): Promise<void> {
    const force = options.force ?? true
    await this.calls.run('remove', { target: id }, (abortSignal) =>
      this.docker.getContainer(id).remove({ force, v: true, abortSignal })
    )
    await this.refreshQuietly()
  }

  /**
   * Creates and starts one replica published on 127.0.0.1:hostPort, checks the engine really
   * published that port, and returns it. On any failure it removes what it created, then rejects
   * (IMAGE_MISSING when the image is absent).
   */
  async createReplica(spec: ReplicaSpec): Promise<FleetContainer> {
    const name = `prescal-${spec.service}-${randomBytes(3).toString('hex')}`
    const portKey = `${spec.containerPort}/tcp`
    const env = Object.entries({ ...spec.env, PORT: String(spec.containerPort) }).map(([k, v]) => `${k}=${v}`)
    const ctx = { target: name, image: spec.image }
    let container: Docker.Container
    try {
      container = await this.calls.run('create replica', ctx, (abortSignal) =>
        this.docker.createContainer({
          name,
          Image: spec.image,
          Env: env,
          Labels: {
            [LABEL_SERVICE]: spec.service,
            [LABEL_PORT]: String(spec.containerPort),
            [LABEL_MANAGED]: '1',
            [LABEL_HOST_PORT]: String(spec.hostPort),
            ...(this.opts.instance ? { [LABEL_INSTANCE]: this.opts.instance } : {})
          },
          ExposedPorts: { [portKey]: {} },
          HostConfig: { PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: String(spec.hostPort) }] } },
          abortSignal
        })
      )
    } catch (err) {
      // A create that timed out may still have happened on the engine side.
      if (err instanceof PrescalError && err.code === 'DOCKER_TIMEOUT') await this.removeQuietly(name)
      throw err
    }
    try {
      await this.calls.run('start', ctx, (abortSignal) => container.start({ abortSignal }))
      const info = (await this.calls.run('inspect', ctx, (abortSignal) =>
        container.inspect({ abortSignal })
      )) as unknown as InspectedContainer
      const created = fromInspect(info)
      if (!created || created.hostPort !== spec.hostPort) {
        throw new PrescalError(
          'DOCKER_ERROR',
          `Replica ${name} was published on ${created?.hostPort ?? 'no port'} instead of 127.0.0.1:${spec.hostPort}; removed it`
        )
      }
      await this.refreshQuietly()
      return created
    } catch (err) {
      await this.removeQuietly(container.id)
      throw err
    }
  }

  /** One-shot stats (stream: false). CPU% with one core = 100; memory minus page cache. */
  async stats(id: string): Promise<{ cpuPercent: number | null; memoryBytes: number | null }> {
    const sample = (await this.calls.run('read stats of', { target: id }, (abortSignal) => {
      // @types/dockerode omits abortSignal on some methods that do forward it at run time.
      const options = { stream: false as const, abortSignal }
      return this.docker.getContainer(id).stats(options)
    })) as unknown as StatsSample
    return { cpuPercent: cpuPercentFromStats(sample), memoryBytes: memoryBytesFromStats(sample) }
  }

  async imageExists(image: string): Promise<boolean> {
    return this.calls.run('inspect image', { image }, async (abortSignal) => {
      try {
        const img = this.docker.getImage(image)
        await (img.inspect as unknown as WithSignal<unknown>).call(img, { abortSignal })
        return true
      } catch (err) {
        if (isEngineNotFound(err)) return false
        throw err
      }
    })
  }

  /** Builds the demo image (see demo-image.ts); rejects DOCKER_ERROR / DOCKER_TIMEOUT / DOCKER_UNAVAILABLE. */
  async buildDemoImage(tag: string, onProgress: (line: string) => void): Promise<void> {
    await this.calls.run(
      'build image',
      { image: tag },
      (signal) => buildDemoImage(this.docker, tag, onProgress, { signal }),
      Math.max(120_000, this.opts.callTimeoutMs)
    )
  }

  /** Host ports any container of the engine publishes (not only ours), plus those stopped replicas keep. */
  async usedHostPorts(): Promise<Set<number>> {
    const all = (await this.calls.run('list containers', {}, (abortSignal) =>
      this.docker.listContainers({ all: true, abortSignal })
    )) as unknown as ListedContainer[]
    return hostPortsInUse(all)
  }

  /** Stops watching: destroys the event stream, aborts calls in flight, clears timers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.generation++
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.dropEvents()
    this.calls.close()
    this.agent.destroy()
  }

  // ---- connection -------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    const gen = ++this.generation
    try {
      const version = await this.calls.run('connect', {}, (abortSignal) =>
        (this.docker.version as unknown as WithSignal<Docker.DockerVersion>).call(this.docker, { abortSignal })
      )
      // Watch before listing, so nothing that happens in between is missed.
      await this.watchEvents(gen)
      await this.refresh()
      if (gen !== this.generation) return
      this.attempt = 0
      this.setStatus({ status: 'connected', message: null, version: version.Version ?? null })
    } catch (err) {
      if (this.closed || gen !== this.generation) return
      this.dropEvents()
      const delay = reconnectDelayMs(this.attempt++)
      const why = mapDockerError(err, this.calls.context('connect', {})).message
      // The last list stays: its replicas run on without the engine's API (the poller finds out
      // if one does not), and the proxy keeps serving them. The next connect re-lists.
      this.setStatus({ status: 'unavailable', message: `${why} — retrying in ${delay / 1000} s`, version: null })
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null
        void this.connect()
      }, delay)
    }
  }

  private async watchEvents(gen: number): Promise<void> {
    const stream = (await this.calls.run('watch events', {}, (abortSignal) =>
      this.docker.getEvents({
        filters: { type: ['container'], label: [LABEL_SERVICE] },
        abortSignal
      })
    )) as Readable
    if (gen !== this.generation || this.closed) {
      stream.destroy()
      return
    }
    this.events = stream
    let buffered = ''
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim()
        buffered = buffered.slice(nl + 1)
        if (line) this.onEngineEvent(line, gen)
      }
    })
    const lost = (): void => this.onStreamLost(gen)
    stream.once('end', lost)
    stream.once('error', lost)
    stream.once('close', lost)
  }

  /** The engine restarted or the connection broke: reconnect (which re-lists, replacing the cache). */
  private onStreamLost(gen: number): void {
    if (this.closed || gen !== this.generation) return
    this.dropEvents()
    this.setStatus({ status: 'connecting', message: `Lost the Docker event stream at ${this.endpoint}; reconnecting`, version: null })
    void this.connect()
  }

  private onEngineEvent(line: string, gen: number): void {
    let msg: { Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } }
    try {
      msg = JSON.parse(line)
    } catch {
      return // a garbled line is dropped; the next event re-lists anyway
    }
    const { relist, kind, expect } = classifyEvent(msg.Action ?? msg.status)
    if (!relist) return
    const attrs = msg.Actor?.Attributes ?? {}
    const info = { id: msg.Actor?.ID ?? msg.id ?? '', name: attrs['name'] ?? '', service: attrs[LABEL_SERVICE] ?? '' }
    void this.settleEvent(kind, expect, info, gen)
  }

  /**
   * Re-lists, then reports the event. The engine sends an event (`die`, `unpause`...) a moment
   * before its list shows it, so while the list disagrees with the event it re-lists again (every
   * 100 ms, up to 1 s): listeners then always see a cache that matches the event. Without this an
   * unpaused replica stayed "paused" (out of the pool) until some other event came.
   */
  private async settleEvent(
    kind: ContainerEventKind | null,
    expect: ListExpectation | null,
    info: { id: string; name: string; service: string },
    gen: number
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.refreshQuietly()
      if (!expect || this.closed || gen !== this.generation) return
      if (listAgreesWith(expect, this.list.find((c) => c.id === info.id)) || attempt >= 10) break
      await this.delay(100)
    }
    if (kind) this.opts.listener.onContainerEvent(kind, info)
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t)
        resolve()
      }, ms)
      this.timers.add(t)
    })
  }

  private dropEvents(): void {
    const s = this.events
    this.events = null
    if (s) {
      // Our own destroy must not look like a lost stream (its 'close' would trigger a reconnect).
      s.removeAllListeners()
      s.on('error', () => undefined)
      s.destroy()
    }
  }

  private setStatus(view: DockerView): void {
    const prev = this.view
    this.view = view
    if (prev.status !== view.status || prev.message !== view.message || prev.version !== view.version) {
      this.opts.listener.onStatus({ ...view })
    }
  }

  // ---- calls --------------------------------------------------------------------------------------

  private async relist(): Promise<void> {
    const listed = (await this.calls.run('list containers', {}, (abortSignal) =>
      this.docker.listContainers({ all: true, filters: { label: [LABEL_SERVICE] }, abortSignal })
    )) as unknown as ListedContainer[]
    if (this.closed) return
    const next = sortContainers(listed.map(toFleetContainer).filter((c): c is FleetContainer => c !== null))
    if (JSON.stringify(next) !== JSON.stringify(this.list)) {
      this.list = next
      this.opts.listener.onChange()
    }
  }

  private refreshQuietly(): Promise<void> {
    return this.refresh().catch(() => undefined)
  }

  private removeQuietly(idOrName: string): Promise<void> {
    return this.calls.run('remove', { target: idOrName }, (abortSignal) =>
      this.docker.getContainer(idOrName).remove({ force: true, v: true, abortSignal })
    ).then(
      () => undefined,
      () => undefined
    )
  }
}
