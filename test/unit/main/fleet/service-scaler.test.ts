import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { PrescalError, isPrescalError } from '../../../../src/shared/errors'
import type { FleetContainer, ReplicaSpec } from '../../../../src/main/fleet/fleet-types'
import {
  ServiceScaler,
  probe as httpProbe,
  type ScaleServiceSpec,
  type ScalerFleet,
  type ScalerMembership
} from '../../../../src/main/fleet/service-scaler'

/** In-memory fleet: records every call in `log` in the order it happened. */
class FakeFleet implements ScalerFleet {
  list: FleetContainer[] = []
  log: string[] = []
  extraUsed = new Set<number>()
  failCreate: ((spec: ReplicaSpec) => Error | null) | null = null
  failStart: ((id: string) => Error | null) | null = null
  /** The host port a stopped container publishes again when started (its creation-time binding). */
  boundPorts = new Map<string, number>()
  private seq = 0

  add(name: string, state: FleetContainer['state'], hostPort: number | null, service = 'web'): FleetContainer {
    const c: FleetContainer = {
      id: `${name}-id`,
      shortId: `${name}-id`.slice(0, 12),
      name,
      service,
      image: 'img',
      state,
      hostPort,
      containerPort: 3000,
      createdAt: ++this.seq * 1000,
      instance: null
    }
    this.list.push(c)
    return c
  }
  containers(): FleetContainer[] {
    return [...this.list]
  }
  async createReplica(spec: ReplicaSpec): Promise<FleetContainer> {
    this.log.push(`create:${spec.hostPort}`)
    await new Promise((r) => setTimeout(r, 5))
    const err = this.failCreate?.(spec)
    if (err) throw err
    return this.add(`r${this.seq + 1}`, 'running', spec.hostPort, spec.service)
  }
  async startContainer(id: string): Promise<void> {
    this.log.push(`start:${id}`)
    await new Promise((r) => setTimeout(r, 5))
    const err = this.failStart?.(id)
    if (err) throw err
    const c = this.list.find((x) => x.id === id)
    if (c) Object.assign(c, { state: 'running', hostPort: this.boundPorts.get(id) ?? null })
  }
  async stopContainer(id: string): Promise<void> {
    this.log.push(`stop:${id}`)
    await new Promise((r) => setTimeout(r, 5))
    const c = this.list.find((x) => x.id === id)
    if (c) Object.assign(c, { state: 'exited', hostPort: null })
  }
  async removeContainer(id: string): Promise<void> {
    this.log.push(`remove:${id}`)
    this.list = this.list.filter((x) => x.id !== id)
  }
  async usedHostPorts(): Promise<Set<number>> {
    const used = new Set(this.extraUsed)
    for (const c of this.list) if (c.hostPort) used.add(c.hostPort)
    return used
  }
  running(service = 'web'): FleetContainer[] {
    return this.list.filter((c) => c.service === service && c.state === 'running')
  }
}

class FakeMembership implements ScalerMembership {
  constructor(private readonly log: string[]) {}
  markReady(id: string): void {
    this.log.push(`ready:${id}`)
  }
  async drain(id: string, timeoutMs: number): Promise<void> {
    this.log.push(`drain:${id}:${timeoutMs}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const spec: ScaleServiceSpec = {
  name: 'web',
  image: 'img',
  containerPort: 3000,
  env: { A: '1' },
  readyPath: '/health',
  readyTimeoutMs: 2000
}

function setup(opts: { probe?: (port: number) => boolean; range?: { from: number; to: number } } = {}) {
  const fleet = new FakeFleet()
  const membership = new FakeMembership(fleet.log)
  const probes: number[] = []
  const scaler = new ServiceScaler({
    fleet,
    membership,
    portRange: opts.range ?? { from: 3000, to: 3099 },
    drainTimeoutMs: 777,
    isPortFree: async () => true,
    probe: async (_host, port) => {
      probes.push(port)
      return opts.probe ? opts.probe(port) : true
    }
  })
  return { fleet, scaler, probes }
}

describe('ServiceScaler: scaling up', () => {
  it('creates replicas on distinct ports, marks each ready after it answers, reports progress', async () => {
    const { fleet, scaler, probes } = setup()
    fleet.extraUsed.add(3001) // someone else's container
    const progress: string[] = []
    const result = await scaler.scale(spec, 3, (m) => progress.push(m))
    expect(result).toMatchObject({ service: 'web', replicas: 3, ready: 3 })
    expect(result.tookMs).toBeGreaterThanOrEqual(0)
    expect(fleet.log.filter((l) => l.startsWith('create')).sort()).toEqual(['create:3000', 'create:3002', 'create:3003'])
    expect(fleet.running()).toHaveLength(3)
    for (const c of fleet.running()) {
      expect(fleet.log).toContain(`ready:${c.id}`)
      expect(probes).toContain(c.hostPort)
    }
    expect(progress[0]).toBe('starting 3 replicas')
    expect(progress).toContain('3/3 ready')
  })

  it('starts stopped replicas again before creating any, and removes the stopped ones it does not need', async () => {
    const { fleet, scaler, probes } = setup()
    fleet.add('exited-1', 'exited', null)
    fleet.add('exited-2', 'exited', null)
    fleet.add('exited-3', 'exited', null)
    fleet.add('live', 'running', 3000)
    fleet.boundPorts.set('exited-1-id', 3005).set('exited-2-id', 3006)
    const progress: string[] = []
    const result = await scaler.scale(spec, 3, (m) => progress.push(m))
    expect(result).toMatchObject({ replicas: 3, ready: 3 })
    expect(fleet.log.filter((l) => l.startsWith('create'))).toEqual([])
    expect(fleet.log).toContain('remove:exited-3-id')
    expect(fleet.list.map((c) => [c.name, c.state])).toEqual([
      ['exited-1', 'running'],
      ['exited-2', 'running'],
      ['live', 'running']
    ])
    // Each joins the pool only after it answered on its port.
    expect(probes).toEqual(expect.arrayContaining([3005, 3006]))
    expect(fleet.log).toEqual(expect.arrayContaining(['ready:exited-1-id', 'ready:exited-2-id']))
    expect(progress).toContain('starting 2 stopped replicas again')
    expect(progress).toContain('3/3 ready')
  })

  it('a stopped replica that cannot start again is removed and a new one created in its place', async () => {
    const { fleet, scaler } = setup()
    fleet.add('stuck', 'exited', null)
    fleet.add('fine', 'exited', null)
    fleet.boundPorts.set('stuck-id', 3005).set('fine-id', 3006)
    fleet.failStart = (id) => (id === 'stuck-id' ? new PrescalError('DOCKER_ERROR', 'port is already allocated') : null)
    const progress: string[] = []
    const result = await scaler.scale(spec, 2, (m) => progress.push(m))
    expect(result).toMatchObject({ replicas: 2, ready: 2 })
    expect(fleet.log).toContain('remove:stuck-id')
    expect(fleet.log.filter((l) => l.startsWith('create'))).toHaveLength(1)
    expect(fleet.running().map((c) => c.name).sort()).toEqual(['fine', 'r3'])
    expect(progress).toContain('1 stopped replica did not come back (port is already allocated); removed, creating new ones instead')
  })

  it('a stopped replica that starts but never answers is removed and replaced too', async () => {
    const { fleet, scaler } = setup({ probe: (port) => port !== 3005 })
    fleet.add('silent', 'exited', null)
    fleet.boundPorts.set('silent-id', 3005)
    const result = await scaler.scale({ ...spec, readyTimeoutMs: 300 }, 1, () => {})
    expect(result).toMatchObject({ replicas: 1, ready: 1 })
    expect(fleet.log).toContain('remove:silent-id')
    expect(fleet.list.map((c) => c.name)).toEqual(['r2'])
  })

  it('leaves the stopped replicas it is told to spare alone', async () => {
    const { fleet, scaler } = setup()
    fleet.add('user-stopped', 'exited', null)
    fleet.add('crashed', 'exited', null)
    fleet.boundPorts.set('user-stopped-id', 3005).set('crashed-id', 3006)
    await scaler.scale(spec, 2, () => {}, { spare: new Set(['user-stopped-id']) })
    expect(fleet.log.some((l) => l.includes('user-stopped'))).toBe(false)
    expect(fleet.log).toContain('start:crashed-id')
    expect(fleet.log.filter((l) => l.startsWith('create'))).toHaveLength(1)
    expect(fleet.list.find((c) => c.name === 'user-stopped')?.state).toBe('exited')
    await scaler.scale(spec, 0, () => {}, { spare: new Set(['user-stopped-id']) })
    expect(fleet.list.map((c) => c.name)).toEqual(['user-stopped'])
  })

  it('polls readiness until the replica answers', async () => {
    let calls = 0
    const { scaler } = setup({ probe: () => ++calls >= 3 })
    const started = Date.now()
    await scaler.scale(spec, 1, () => {})
    expect(calls).toBe(3)
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 190) // two 200 ms waits
  })
})

describe('ServiceScaler: scaling down', () => {
  it('removes the newest first, each drained before stopped before removed', async () => {
    const { fleet, scaler } = setup()
    fleet.add('oldest', 'running', 3000)
    fleet.add('middle', 'running', 3001)
    fleet.add('newest', 'running', 3002)
    const progress: string[] = []
    const result = await scaler.scale(spec, 1, (m) => progress.push(m))
    expect(result).toMatchObject({ replicas: 1, ready: 1 })
    expect(fleet.list.map((c) => c.name)).toEqual(['oldest'])
    for (const name of ['newest', 'middle']) {
      const drain = fleet.log.indexOf(`drain:${name}-id:777`)
      const stop = fleet.log.indexOf(`stop:${name}-id`)
      const remove = fleet.log.indexOf(`remove:${name}-id`)
      expect(drain).toBeGreaterThanOrEqual(0)
      expect(drain).toBeLessThan(stop)
      expect(stop).toBeLessThan(remove)
    }
    expect(fleet.log.indexOf('drain:newest-id:777')).toBeLessThan(fleet.log.indexOf('drain:middle-id:777'))
    expect(progress).toContain('draining newest')
    expect(fleet.log.some((l) => l.includes('oldest'))).toBe(false)
  })

  it('removes exited replicas of the service first, without draining them', async () => {
    const { fleet, scaler } = setup()
    fleet.add('a', 'running', 3000)
    fleet.add('dead-one', 'exited', null)
    fleet.add('b', 'running', 3001)
    fleet.add('other-service', 'exited', null, 'api')
    await scaler.scale(spec, 1, () => {})
    expect(fleet.log[0]).toBe('remove:dead-one-id')
    expect(fleet.log).not.toContain('drain:dead-one-id:777')
    expect(fleet.list.map((c) => c.name).sort()).toEqual(['a', 'other-service'])
  })

  it('treats a replica that vanished meanwhile (NOT_FOUND) as removed', async () => {
    const { fleet, scaler } = setup()
    fleet.add('a', 'running', 3000)
    fleet.add('b', 'running', 3001)
    fleet.stopContainer = async (id) => {
      fleet.log.push(`stop:${id}`)
      throw new PrescalError('NOT_FOUND', 'gone')
    }
    await expect(scaler.scale(spec, 1, () => {})).resolves.toMatchObject({ replicas: 1 })
  })

  it('a failing stop rejects SCALE_FAILED', async () => {
    const { fleet, scaler } = setup()
    fleet.add('a', 'running', 3000)
    fleet.stopContainer = async () => {
      throw new PrescalError('DOCKER_TIMEOUT', 'engine hung')
    }
    const err = await scaler.scale(spec, 0, () => {}).catch((e) => e)
    expect(isPrescalError(err, 'SCALE_FAILED')).toBe(true)
    expect(err.message).toMatch(/Scaling web to 0 failed: engine hung/)
  })
})

describe('ServiceScaler: one scale per service, last target wins', () => {
  it('queues calls behind the running one and applies only the last target', async () => {
    const { fleet, scaler } = setup()
    const first = scaler.scale(spec, 3, () => {})
    const second = scaler.scale(spec, 5, () => {})
    const third = scaler.scale(spec, 1, () => {})
    const r1 = await first
    expect(r1.replicas).toBe(3)
    const [r2, r3] = await Promise.all([second, third])
    expect(r2.replicas).toBe(1)
    expect(r3.replicas).toBe(1)
    expect(fleet.running()).toHaveLength(1)
    // Target 5 was never applied: only the first run created containers.
    expect(fleet.log.filter((l) => l.startsWith('create'))).toHaveLength(3)
  })

  it('different services scale side by side', async () => {
    const { fleet, scaler } = setup()
    await Promise.all([scaler.scale(spec, 2, () => {}), scaler.scale({ ...spec, name: 'api' }, 1, () => {})])
    expect(fleet.running('web')).toHaveLength(2)
    expect(fleet.running('api')).toHaveLength(1)
    const ports = fleet.list.map((c) => c.hostPort)
    expect(new Set(ports).size).toBe(ports.length)
  })

  it('rejects a bad target without touching the fleet', async () => {
    const { fleet, scaler } = setup()
    await expect(scaler.scale(spec, -1, () => {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(scaler.scale(spec, 1.5, () => {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(fleet.log).toEqual([])
  })
})

describe('ServiceScaler: failures clean up', () => {
  it('readiness timeout removes the replica that never answered and keeps the ready ones', async () => {
    const { fleet, scaler } = setup({ probe: (port) => port !== 3001 })
    const progress: string[] = []
    const err = await scaler.scale({ ...spec, readyTimeoutMs: 500 }, 3, (m) => progress.push(m)).catch((e) => e)
    expect(isPrescalError(err, 'READINESS_TIMEOUT')).toBe(true)
    expect(err.message).toMatch(/did not answer \/health on 127\.0\.0\.1:3001 within 500 ms/)
    const stuck = fleet.log.find((l) => l === 'create:3001')
    expect(stuck).toBeDefined()
    expect(fleet.list.map((c) => c.hostPort).sort()).toEqual([3000, 3002])
    expect(fleet.log.filter((l) => l.startsWith('ready:'))).toHaveLength(2)
    expect(fleet.log.filter((l) => l.startsWith('remove:'))).toHaveLength(1)
    expect(progress).toContain('removing 1 replica that never got ready')
  })

  it('a replica that exits before answering fails fast with SCALE_FAILED', async () => {
    const { fleet, scaler } = setup({
      probe: () => {
        for (const c of fleet.list) c.state = 'exited'
        return false
      }
    })
    const started = Date.now()
    const err = await scaler.scale({ ...spec, readyTimeoutMs: 10_000 }, 1, () => {}).catch((e) => e)
    expect(isPrescalError(err, 'SCALE_FAILED')).toBe(true)
    expect(err.message).toMatch(/exited before answering/)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(fleet.list).toHaveLength(0)
  })

  it('IMAGE_MISSING passes through and nothing is left behind', async () => {
    const { fleet, scaler } = setup()
    fleet.failCreate = () => new PrescalError('IMAGE_MISSING', 'Image img not found: build it (Build demo image) or docker pull img')
    const err = await scaler.scale(spec, 2, () => {}).catch((e) => e)
    expect(isPrescalError(err, 'IMAGE_MISSING')).toBe(true)
    expect(err.message).toMatch(/^Image img not found.*\(and 1 more replica failures\)$/)
    expect(fleet.list).toHaveLength(0)
  })

  it('PORT_EXHAUSTED before any container is created', async () => {
    const { fleet, scaler } = setup({ range: { from: 3000, to: 3001 } })
    fleet.extraUsed.add(3000)
    const err = await scaler.scale(spec, 2, () => {}).catch((e) => e)
    expect(isPrescalError(err, 'PORT_EXHAUSTED')).toBe(true)
    expect(fleet.log.filter((l) => l.startsWith('create'))).toEqual([])
  })

  it('a port range smaller than the replicas asked for says so, not that containers hold the ports', async () => {
    const { fleet, scaler } = setup({ range: { from: 18600, to: 18601 } })
    const err = await scaler.scale(spec, 3, () => {}).catch((e) => e)
    expect(isPrescalError(err, 'PORT_EXHAUSTED')).toBe(true)
    expect(err.message).toContain('The port range 18600-18601 has 2 ports; 3 new replicas need 3 ports: widen ports.to in the config (to 18602 or more)')
    expect(fleet.log.filter((l) => l.startsWith('create'))).toEqual([])
  })

  it('other create failures become SCALE_FAILED with the cause', async () => {
    const { fleet, scaler } = setup()
    const cause = new PrescalError('DOCKER_ERROR', 'Docker could not start x: port is already allocated')
    fleet.failCreate = (s) => (s.hostPort === 3001 ? cause : null)
    const err = await scaler.scale(spec, 2, () => {}).catch((e) => e)
    expect(isPrescalError(err, 'SCALE_FAILED')).toBe(true)
    expect(err.message).toMatch(/^Scaling web to 2 failed: Docker could not start x: port is already allocated$/)
    expect(err.cause).toBe(cause)
    expect(fleet.running()).toHaveLength(1) // the one that got ready stays
  })

  it('a failed run does not block the next call', async () => {
    const { fleet, scaler } = setup()
    fleet.failCreate = () => new Error('flaky')
    await expect(scaler.scale(spec, 1, () => {})).rejects.toMatchObject({ code: 'SCALE_FAILED' })
    fleet.failCreate = null
    await expect(scaler.scale(spec, 1, () => {})).resolves.toMatchObject({ replicas: 1, ready: 1 })
  })
})

describe('default HTTP readiness probe (real sockets)', () => {
  let server: Server | null = null
  const sockets = new Set<Socket>()
  afterEach(async () => {
    for (const s of sockets) s.destroy()
    sockets.clear()
    if (server) await new Promise((r) => server!.close(r))
    server = null
  })
  async function serve(handler: (path: string, res: import('node:http').ServerResponse) => void): Promise<number> {
    server = createServer((req, res) => handler(req.url ?? '/', res))
    server.on('connection', (s) => {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
    })
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
    return (server.address() as AddressInfo).port
  }

  it('status < 500 is ready, >= 500 is not', async () => {
    const port = await serve((path, res) => {
      res.statusCode = path === '/ok' ? 200 : path === '/missing' ? 404 : 503
      res.end('x')
    })
    expect(await httpProbe('127.0.0.1', port, '/ok', 1000)).toBe(true)
    expect(await httpProbe('127.0.0.1', port, '/missing', 1000)).toBe(true)
    expect(await httpProbe('127.0.0.1', port, '/down', 1000)).toBe(false)
  })

  it('refused and hung backends are not ready, and the probe leaves no socket behind', async () => {
    const port = await serve(() => {
      /* never answers */
    })
    const started = Date.now()
    expect(await httpProbe('127.0.0.1', port, '/', 150)).toBe(false)
    expect(Date.now() - started).toBeLessThan(1000)
    await new Promise((r) => setTimeout(r, 50))
    expect(sockets.size).toBe(0)
    await new Promise<void>((r) => server!.close(() => r()))
    server = null
    expect(await httpProbe('127.0.0.1', port, '/', 500)).toBe(false)
  })
})
