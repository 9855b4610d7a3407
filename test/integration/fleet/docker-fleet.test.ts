/**
 * DockerFleet against the real Docker engine: image build, replica lifecycle, 304/404/409
 * handling and the event stream. Every container carries a per-run service label and is removed
 * in afterAll, as is the per-run image tag.
 */
import { execFile } from 'node:child_process'
import { get } from 'node:http'
import { createServer, type Server } from 'node:net'
import { promisify } from 'node:util'
import Docker from 'dockerode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DockerFleet } from '../../../src/main/fleet/docker-fleet'
import { choosePorts } from '../../../src/main/fleet/port-allocator'
import { dockerAvailable, requireOrSkip } from '../../helpers/requirements'
import { probe } from '../../../src/main/fleet/service-scaler'
import { RecordingListener, cleanupEngine, uniqueName, waitFor, waitForAsync } from './fleet-test-kit'

const run = requireOrSkip('docker', await dockerAvailable())
const SERVICE = uniqueName('fleettest')
const TAG = `${SERVICE}:latest`
const PORTS = { from: 3600, to: 3649 }

/** The lowest port of PORTS that no container holds and nothing listens on. */
async function freeHostPort(fleet: DockerFleet): Promise<number> {
  const { ports, shortage } = await choosePorts(PORTS, 1, { containers: await fleet.usedHostPorts() })
  if (shortage !== null) throw shortage
  return ports[0]!
}
const sh = promisify(execFile)

function httpGetJson(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 3000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
  })
}

describe.skipIf(!run)('DockerFleet (real engine)', () => {
  const listener = new RecordingListener()
  let fleet: DockerFleet
  const progress: string[] = []
  const readyTimes: number[] = []
  let buildMs = 0

  /**
   * A replica that answers HTTP. Waiting matters beyond realism: until node has installed its
   * SIGTERM handler, PID 1 ignores SIGTERM and `docker stop` would wait out its grace period.
   */
  async function newReplica() {
    const hostPort = await freeHostPort(fleet)
    const c = await fleet.createReplica({ service: SERVICE, image: TAG, containerPort: 3000, env: { EXTRA: 'yes' }, hostPort })
    const t0 = Date.now()
    await waitForAsync('replica answers', () => probe('127.0.0.1', hostPort, '/health', 500), 10_000)
    readyTimes.push(Date.now() - t0)
    return c
  }

  beforeAll(async () => {
    fleet = new DockerFleet({ callTimeoutMs: 15_000, listener })
    fleet.start()
    await waitFor('connected', () => fleet.status().status === 'connected', 10_000)
    const started = Date.now()
    await fleet.buildDemoImage(TAG, (line) => progress.push(line))
    buildMs = Date.now() - started
    console.info(`[fleet] demo image ${TAG} built in ${buildMs} ms`)
  })

  afterAll(async () => {
    if (readyTimes.length) console.info(`[fleet] replicas answered ${readyTimes.join(', ')} ms after createReplica resolved`)
    await fleet?.close()
    await cleanupEngine(SERVICE, TAG)
  })

  it('connects and reports the engine version', () => {
    expect(fleet.status()).toMatchObject({ status: 'connected', message: null })
    expect(fleet.status().version).toMatch(/\d+\.\d+/)
    expect(listener.statuses.map((s) => s.status)).toEqual(['connecting', 'connected'])
  })

  it('built the demo image FROM scratch with its label and entrypoint, reporting progress', async () => {
    expect(progress.some((l) => /Successfully tagged/.test(l))).toBe(true)
    expect(await fleet.imageExists(TAG)).toBe(true)
    expect(await fleet.imageExists(`${SERVICE}-missing:latest`)).toBe(false)
    const info = await new Docker().getImage(TAG).inspect()
    expect(info.Config.Labels?.['prescal.demo']).toBe('1')
    expect(info.Config.Entrypoint).toEqual(['/usr/local/bin/node', '/app/server.js'])
    expect(info.Config.ExposedPorts).toHaveProperty('3000/tcp')
    expect(buildMs).toBeLessThan(60_000)
  })

  it('createReplica publishes on 127.0.0.1 and the replica answers with its hostname', async () => {
    const c = await newReplica()
    expect(c).toMatchObject({ service: SERVICE, state: 'running', containerPort: 3000, image: TAG })
    expect(c.name).toMatch(new RegExp(`^prescal-${SERVICE}-[0-9a-f]{6}$`))
    expect(c.hostPort).toBeGreaterThanOrEqual(PORTS.from)
    const res = await httpGetJson(c.hostPort!, '/')
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body).hostname).toBe(c.shortId)
    const metrics = await httpGetJson(c.hostPort!, '/metrics')
    expect(metrics.body).toMatch(/^process_cpu_seconds_total \d/m)
    expect(fleet.get(c.shortId)?.id).toBe(c.id)
    expect(fleet.containers().find((x) => x.id === c.id)).toMatchObject({ state: 'running', hostPort: c.hostPort })
    expect(await fleet.usedHostPorts()).toContain(c.hostPort)
    const inspect = await new Docker().getContainer(c.id).inspect()
    expect(inspect.Config.Env).toEqual(expect.arrayContaining(['PORT=3000', 'EXTRA=yes']))
    expect(inspect.Config.Labels).toMatchObject({ 'prescal.managed': '1', 'prescal.port': '3000', 'prescal.service': SERVICE })
    expect(inspect.HostConfig.PortBindings?.['3000/tcp']?.[0]).toEqual({ HostIp: '127.0.0.1', HostPort: String(c.hostPort) })

    const stats = await fleet.stats(c.id)
    expect(stats.memoryBytes).toBeGreaterThan(1_000_000)
    expect(stats.cpuPercent === null || stats.cpuPercent >= 0).toBe(true)
  })

  it('start on a running container (304) and stop on a stopped one (304) succeed', async () => {
    const c = await newReplica()
    await fleet.startContainer(c.id)
    await fleet.stopContainer(c.id)
    expect(fleet.get(c.id)).toMatchObject({ state: 'exited', hostPort: null })
    await fleet.stopContainer(c.id)
    await fleet.startContainer(c.id)
    expect(fleet.get(c.id)?.state).toBe('running')
    await waitForAsync('answers again', () => probe('127.0.0.1', c.hostPort!, '/health', 500), 10_000)
    const t0 = Date.now()
    await fleet.restartContainer(c.id)
    // The demo backend exits on SIGTERM at once: no waiting out the 5 s grace period.
    expect(Date.now() - t0).toBeLessThan(4000)
    expect(fleet.get(c.id)?.state).toBe('running')
    await fleet.removeContainer(c.id)
    expect(fleet.get(c.id)).toBeUndefined()
  })

  it('stop / remove / start of an id that does not exist is NOT_FOUND', async () => {
    const ghost = 'f'.repeat(64)
    await expect(fleet.stopContainer(ghost)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/not found/) })
    await expect(fleet.removeContainer(ghost)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(fleet.startContainer(ghost)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('removing a running container without force is CONFLICT with the engine message', async () => {
    const c = await newReplica()
    const err = await fleet.removeContainer(c.id, { force: false }).catch((e) => e)
    expect(err.code).toBe('CONFLICT')
    expect(err.message).toMatch(/running container/i)
    expect(fleet.get(c.id)?.state).toBe('running')
    await fleet.removeContainer(c.id)
  })

  it('a missing image is IMAGE_MISSING and leaves no container', async () => {
    const missing = `${SERVICE}-missing:latest`
    const err = await fleet
      .createReplica({ service: SERVICE, image: missing, containerPort: 3000, env: {}, hostPort: 3649 })
      .catch((e) => e)
    expect(err.code).toBe('IMAGE_MISSING')
    expect(err.message).toBe(`Image ${missing} not found: docker pull ${missing}, or docker build -t ${missing} <dir>, then scale again`)
  })

  it('a host port held by another program fails the create and removes the container', async () => {
    const blocker: Server = createServer()
    const port = await freeHostPort(fleet)
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r))
    try {
      const before = (await new Docker().listContainers({ all: true, filters: { label: [`prescal.service=${SERVICE}`] } })).length
      const err = await fleet
        .createReplica({ service: SERVICE, image: TAG, containerPort: 3000, env: {}, hostPort: port })
        .catch((e) => e)
      expect(err.code).toBe('DOCKER_ERROR')
      expect(err.message).toMatch(/address already in use|port is already allocated/)
      const after = (await new Docker().listContainers({ all: true, filters: { label: [`prescal.service=${SERVICE}`] } })).length
      expect(after).toBe(before)
    } finally {
      await new Promise((r) => blocker.close(r))
    }
  })

  it('reports a container stopped and removed from outside (docker CLI) within 2 s', async () => {
    const c = await newReplica()
    const from = listener.events.length
    const t0 = Date.now()
    await sh('docker', ['stop', '-t', '5', c.id])
    const stopped = await waitFor(
      'stopped event',
      () => listener.events.slice(from).find((e) => e.kind === 'stopped' && e.id === c.id),
      2000
    )
    expect(stopped).toMatchObject({ name: c.name, service: SERVICE })
    expect(stopped.at - t0).toBeLessThan(2000)
    expect(fleet.get(c.id)?.state).toBe('exited')
    await sh('docker', ['rm', c.id])
    await waitFor('removed event', () => listener.events.slice(from).find((e) => e.kind === 'removed' && e.id === c.id), 2000)
    expect(fleet.get(c.id)).toBeUndefined()
    expect(listener.events.slice(from).filter((e) => e.kind === 'stopped' && e.id === c.id)).toHaveLength(1)
  })

  it('close() is idempotent and later calls reject CLOSED', async () => {
    const other = new DockerFleet({ callTimeoutMs: 5000, listener: new RecordingListener() })
    other.start()
    await waitFor('connected', () => other.status().status === 'connected', 10_000)
    await other.close()
    await other.close()
    await expect(other.refresh()).rejects.toMatchObject({ code: 'CLOSED' })
  })
})
