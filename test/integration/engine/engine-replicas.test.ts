/**
 * The engine keeps a service at its desired replica count on a real Docker engine: replicas that
 * stop without being asked (stopped from outside, or while the engine connection was down, as a
 * Docker restart does) are started again, the same containers, with an event; a replica the user
 * stops from the dashboard stays stopped; a Scale starts stopped replicas instead of piling up new
 * ones; a replica started by hand raises the desired count instead of showing "3/2 ready"; one
 * removed outside the app is replaced.
 * The engine reaches Docker through a relay socket the test can cut, so the machine's engine keeps
 * running for everyone else; only this test's containers (by label) are touched.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Docker from 'dockerode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/main/config/config-loader'
import { Engine } from '../../../src/main/engine'
import type { ServiceView } from '../../../src/shared/types'
import { DEMO_IMAGE, ensureDemoImage } from '../../helpers/demo-image'
import { DockerRelay } from '../../helpers/docker-relay'
import { httpGet } from '../../helpers/http-client'
import { dockerAvailable, requireOrSkip } from '../../helpers/requirements'
import { waitFor } from '../../helpers/wait-for'

const SERVICE = `keep${Date.now().toString(36)}`
const docker = new Docker()
const run = requireOrSkip('docker', await dockerAvailable())

async function listMine(): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`prescal.service=${SERVICE}`] } })
}

async function removeTestContainers(): Promise<void> {
  await Promise.all((await listMine()).map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => {})))
}

describe.skipIf(!run)('keeping replicas running (real Docker)', () => {
  const relay = new DockerRelay()
  // The engine's identity on the replicas it creates (no config file here: its data folder).
  const dataDir = mkdtempSync(join(tmpdir(), 'prescal-keep-'))
  let engine: Engine
  const service = (): ServiceView => engine.snapshot().services.find((s) => s.name === SERVICE)!
  const counts = () => {
    const s = service()
    return { desired: s.desired, running: s.running, ready: s.ready, phase: s.phase }
  }
  const idsByState = async (): Promise<Record<string, string[]>> => {
    const out: Record<string, string[]> = {}
    for (const c of await listMine()) (out[c.State] ??= []).push(c.Id)
    for (const ids of Object.values(out)) ids.sort()
    return out
  }
  const eventsOf = (kind: string) => engine.events.recent(1000).filter((e) => e.kind === kind && e.service === SERVICE)

  beforeAll(async () => {
    await ensureDemoImage(docker)
    await removeTestContainers()
    await relay.open()
    engine = new Engine({
      dataDir,
      tickMs: 250,
      config: parseConfig(
        `listen: 127.0.0.1:0
poll: { intervalMs: 500, timeoutMs: 400 }
ports: { from: 3750, to: 3799 }
proxy: { drainTimeoutMs: 1000 }
docker: { host: "${relay.host}", callTimeoutMs: 10000 }
history: { enabled: false }
services:
  - { name: ${SERVICE}, image: ${DEMO_IMAGE}, containerPort: 3000, replicas: 2, readyPath: /health }
`,
        'keep-test.yaml'
      )
    })
    await engine.start()
    await waitFor(counts, (c) => c.ready === 2 && c.phase === 'idle', 60_000, 'two ready replicas')
  }, 90_000)

  afterAll(async () => {
    await engine?.close()
    await relay.cut()
    await removeTestContainers()
  }, 60_000)

  it('a replica stopped from outside (docker stop in a terminal) is started again, the same container', async () => {
    const before = await idsByState()
    expect(before.running).toHaveLength(2)
    await docker.getContainer(before.running![0]!).stop({ t: 1 })
    await expect.poll(async () => (await idsByState()).running, { timeout: 30_000, interval: 250 }).toEqual(before.running)
    await expect.poll(counts, { timeout: 15_000, interval: 250 }).toEqual({ desired: 2, running: 2, ready: 2, phase: 'idle' })
    expect(await idsByState()).toEqual(before)
    expect(eventsOf('service.restoring').at(-1)?.message).toBe(
      `${SERVICE}: 1 of 2 replicas running; 1 stopped without being asked (a crash, or the Docker engine restarted): starting it again`
    )
    expect(eventsOf('scale.completed').length).toBeGreaterThan(0)
  }, 60_000)

  it('after the connection to Docker comes back, replicas that exited meanwhile are started again and serve', async () => {
    const before = await idsByState()
    await relay.cut()
    await expect.poll(() => engine.snapshot().docker.status, { timeout: 20_000, interval: 250 }).not.toBe('connected')
    // Docker's API gone is not the replicas gone: they still serve through the proxy.
    await new Promise((r) => setTimeout(r, 1500))
    const meanwhile = await Promise.all(Array.from({ length: 10 }, () => httpGet(`${engine.proxyUrl()}/`)))
    expect(meanwhile.map((a) => a.status)).toEqual(Array(10).fill(200))
    // What a Docker restart does to containers without a restart policy.
    await Promise.all(before.running!.map((id) => docker.getContainer(id).stop({ t: 1 })))
    const restoringBefore = eventsOf('service.restoring').length
    await relay.open()
    await expect.poll(() => engine.snapshot().docker.status, { timeout: 40_000, interval: 250 }).toBe('connected')
    await expect.poll(counts, { timeout: 40_000, interval: 250 }).toEqual({ desired: 2, running: 2, ready: 2, phase: 'idle' })
    expect(await idsByState()).toEqual(before)
    const restoring = eventsOf('service.restoring').slice(restoringBefore)
    expect(restoring.map((e) => e.message)).toEqual([
      `${SERVICE}: 0 of 2 replicas running; 2 stopped without being asked (a crash, or the Docker engine restarted): starting them again`
    ])
    const answers = await Promise.all(Array.from({ length: 10 }, () => httpGet(`${engine.proxyUrl()}/`)))
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200))
  }, 90_000)

  it('a replica stopped from the dashboard stays stopped, and the service keeps one less', async () => {
    const before = await idsByState()
    const victim = before.running![0]!
    await engine.handlers.stopContainer({ id: victim })
    expect(engine.serviceStates.get(SERVICE)!.desired).toBe(1)
    // Long enough for many ticks of the keeper.
    await new Promise((r) => setTimeout(r, 3000))
    expect((await idsByState()).exited).toEqual([victim])
    expect(counts()).toEqual({ desired: 1, running: 1, ready: 1, phase: 'idle' })
    expect(eventsOf('service.desired_changed').at(-1)?.message).toMatch(
      new RegExp(`^${SERVICE}: desired is now 1: prescal-${SERVICE}-\\w+ was stopped from the dashboard and stays stopped until you Start it or Scale$`)
    )
  }, 30_000)

  it('Scale starts the stopped replica again instead of adding a new one', async () => {
    const before = await idsByState()
    const result = await engine.handlers.scaleService({ service: SERVICE, replicas: 2 })
    expect(result).toMatchObject({ replicas: 2, ready: 2 })
    const after = await idsByState()
    expect(after).toEqual({ running: [...before.running!, ...before.exited!].sort() })
    // The snapshot is the last tick's.
    await expect.poll(counts, { timeout: 5000, interval: 100 }).toEqual({ desired: 2, running: 2, ready: 2, phase: 'idle' })
  }, 60_000)

  it('a replica started by hand from the dashboard raises desired: ready never exceeds it', async () => {
    const { running } = await idsByState()
    const victim = running![1]!
    await engine.handlers.stopContainer({ id: victim })
    expect(engine.serviceStates.get(SERVICE)!.desired).toBe(1)
    const seen: Array<ReturnType<typeof counts>> = []
    const sampler = setInterval(() => seen.push(counts()), 50)
    try {
      await engine.handlers.startContainer({ id: victim })
      await expect.poll(counts, { timeout: 20_000, interval: 250 }).toEqual({ desired: 2, running: 2, ready: 2, phase: 'idle' })
    } finally {
      clearInterval(sampler)
    }
    expect(seen.filter((c) => c.ready > c.desired)).toEqual([])
    expect(eventsOf('service.desired_changed').at(-1)?.message).toMatch(new RegExp(`^${SERVICE}: desired is now 2: prescal-${SERVICE}-\\w+ was started from the dashboard$`))
    expect(engine.serviceStates.get(SERVICE)!.desired).toBe(2)
    expect(await idsByState()).toEqual({ running })
  }, 40_000)

  it('a replica started outside the app (docker start) raises desired too', async () => {
    const { running } = await idsByState()
    const victim = running![0]!
    await engine.handlers.stopContainer({ id: victim })
    await docker.getContainer(victim).start()
    await expect.poll(counts, { timeout: 20_000, interval: 250 }).toEqual({ desired: 2, running: 2, ready: 2, phase: 'idle' })
    expect(eventsOf('service.desired_changed').at(-1)?.message).toBe(
      `${SERVICE}: 2 replicas run, more than the 1 asked for (started by hand, or kept from an earlier run); desired is now 2`
    )
  }, 40_000)

  it('a replica removed outside the app (docker rm -f) is replaced by a new one', async () => {
    const { running } = await idsByState()
    const victim = running![0]!
    const restoringBefore = eventsOf('service.restoring').length
    await docker.getContainer(victim).remove({ force: true })
    // Restores of a service are RESTORE_INTERVAL_MS (10 s) apart: the earlier tests restored too.
    await expect
      .poll(async () => (await idsByState()).running?.filter((id) => id !== running![1]), { timeout: 40_000, interval: 250 })
      .toEqual([expect.not.stringMatching(victim)])
    await expect.poll(counts, { timeout: 20_000, interval: 250 }).toEqual({ desired: 2, running: 2, ready: 2, phase: 'idle' })
    const after = await idsByState()
    expect(after.running).toHaveLength(2)
    expect(after.running).toContain(running![1]!)
    expect(after.running).not.toContain(victim)
    expect(eventsOf('service.restoring').slice(restoringBefore).map((e) => e.message)).toEqual([
      `${SERVICE}: 1 of 2 replicas running; 1 removed outside the app: creating a new one`
    ])
  }, 60_000)
  it('a restart with fewer replicas in the config keeps the ones running, and says so', async () => {
    const { running } = await idsByState()
    expect(running).toHaveLength(2)
    for (const c of await listMine()) expect(c.Labels['prescal.instance']).toBe(dataDir)
    const config = engine.config
    await engine.close()
    engine = new Engine({ dataDir, tickMs: 250, config: { ...config, services: config.services.map((s) => ({ ...s, replicas: 1 })) } })
    await engine.start()
    await expect.poll(counts, { timeout: 20_000, interval: 250 }).toEqual({ desired: 2, running: 2, ready: 2, phase: 'idle' })
    expect(eventsOf('service.desired_changed').map((e) => e.message)).toEqual([
      `${SERVICE}: kept the 2 replicas already running (the config asks for 1); Scale to change it`
    ])
    // Its own replicas: no warning about another Prescal.
    expect(eventsOf('service.shared')).toEqual([])
    expect(await idsByState()).toEqual({ running })
  }, 40_000)

  it('another Prescal (another config) with the same service warns once per replica it did not create', async () => {
    const { running } = await idsByState()
    const other = new Engine({ dataDir: mkdtempSync(join(tmpdir(), 'prescal-other-')), tickMs: 250, config: engine.config })
    await other.start()
    try {
      const shared = () => other.events.recent(1000).filter((e) => e.kind === 'service.shared')
      await expect.poll(() => shared().length, { timeout: 15_000 }).toBe(2)
      expect(new Set(shared().map((e) => e.containerId))).toEqual(new Set(running))
      for (const e of shared()) {
        expect(e.level).toBe('warn')
        expect(e.message).toMatch(
          new RegExp(`^${SERVICE}: replica prescal-${SERVICE}-\\w+ was created by the Prescal using ${dataDir}\\. If that app is still running, both manage`)
        )
      }
      await new Promise((r) => setTimeout(r, 1000))
      expect(shared()).toHaveLength(2)
    } finally {
      await other.close()
    }
    expect(eventsOf('service.shared')).toEqual([])
  }, 40_000)

  it('a Stop that Docker refuses puts the replica back: in the pool, desired unchanged, kept running', async () => {
    const { running } = await idsByState()
    const victim = running![0]!
    const backendOf = () => engine.snapshot().backends.find((b) => b.containerId === victim)
    const followsBefore = eventsOf('service.desired_changed').length
    await relay.cut()
    try {
      await expect(engine.handlers.stopContainer({ id: victim })).rejects.toThrow()
      expect(engine.serviceStates.get(SERVICE)!.desired).toBe(2)
      expect(eventsOf('container.action_failed').at(-1)?.message).toMatch(new RegExp(`^Could not stop prescal-${SERVICE}-\\w+: `))
    } finally {
      await relay.open()
    }
    await expect.poll(() => engine.snapshot().docker.status, { timeout: 40_000, interval: 250 }).toBe('connected')
    await expect.poll(counts, { timeout: 20_000, interval: 250 }).toEqual({ desired: 2, running: 2, ready: 2, phase: 'idle' })
    expect(backendOf()).toMatchObject({ draining: false, ready: true })
    // Counted down at the click, back up when it failed; never 'more than asked for'.
    expect(eventsOf('service.desired_changed').slice(followsBefore).map((e) => e.message)).toEqual([
      expect.stringMatching(new RegExp(`^${SERVICE}: desired is now 1: prescal-${SERVICE}-\\w+ was stopped from the dashboard`)),
      expect.stringMatching(new RegExp(`^${SERVICE}: desired is 2 again: prescal-${SERVICE}-\\w+ could not be stopped$`))
    ])
    // It is the keeper's again: stopped from outside now, it is started again.
    await docker.getContainer(victim).stop({ t: 1 })
    await expect.poll(async () => (await idsByState()).running, { timeout: 30_000, interval: 250 }).toEqual(running)
  }, 90_000)

  it('a paused replica leaves the pool and comes back when unpaused; desired is unchanged', async () => {
    const { running } = await idsByState()
    const victim = running![0]!
    const backendOf = () => engine.snapshot().backends.find((b) => b.containerId === victim)
    await docker.getContainer(victim).pause()
    try {
      await expect.poll(() => backendOf()?.containerState, { timeout: 15_000, interval: 250 }).toBe('paused')
      expect(counts()).toMatchObject({ desired: 2, ready: 1 })
      // Long enough for stats and health polls of the paused replica to time out.
      await new Promise((r) => setTimeout(r, 3_000))
    } finally {
      await docker.getContainer(victim).unpause()
    }
    await expect.poll(counts, { timeout: 20_000, interval: 250 }).toEqual({ desired: 2, running: 2, ready: 2, phase: 'idle' })
    expect(backendOf()).toMatchObject({ containerState: 'running', health: 'up', ready: true })
    expect(await idsByState()).toEqual({ running })
  }, 60_000)

  it("refuses to stop or remove a container of a service this config does not name", async () => {
    const other = await docker.createContainer({
      name: `prescal-${SERVICE}x-1`,
      Image: DEMO_IMAGE,
      Labels: { 'prescal.service': `${SERVICE}x` }
    })
    try {
      await expect.poll(() => engine.fleet.get(other.id) !== undefined, { timeout: 10_000, interval: 200 }).toBe(true)
      for (const action of [engine.handlers.stopContainer, engine.handlers.removeContainer]) {
        await expect(action({ id: other.id })).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
          message: `prescal-${SERVICE}x-1 belongs to service "${SERVICE}x", which this config does not name: start, stop or remove it from the Prescal that runs "${SERVICE}x" (or with docker).`
        })
      }
      expect((await other.inspect()).State.Status).toBe('created')
    } finally {
      await other.remove({ force: true })
    }
  }, 30_000)
})
