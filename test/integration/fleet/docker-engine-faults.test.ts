/**
 * The engine against a Docker engine that is not there at start, appears later, and restarts
 * mid-run: the app keeps running, says what to do, connects when the engine appears, and after a
 * restart re-lists without duplicating anything. Uses a private dockerd so the machine's main
 * engine is never disturbed.
 */
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/main/config/config-loader'
import { Engine } from '../../../src/main/engine'
import { DOCKERD, PrivateDockerd } from '../../helpers/private-dockerd'
import { requireOrSkip } from '../../helpers/requirements'

const run = requireOrSkip('docker', DOCKERD !== null && process.getuid?.() === 0)
const SERVICE = 'faultsvc'

describe.skipIf(!run)('Docker engine faults (private dockerd)', () => {
  const dockerd = new PrivateDockerd()
  const hadDocker0 = existsSync('/sys/class/net/docker0')
  let engine: Engine
  const docker = () => engine.snapshot().docker

  beforeAll(async () => {
    engine = new Engine({
      dataDir: mkdtempSync(join(tmpdir(), 'prescal-faults-')),
      config: parseConfig(
        `listen: 127.0.0.1:0
docker: { host: "${dockerd.host}", callTimeoutMs: 3000 }
services:
  - { name: ${SERVICE}, image: prescal-demo:latest, containerPort: 3000 }
`,
        'faults.yaml'
      ),
      tickMs: 250
    })
    await engine.start()
  })

  afterAll(async () => {
    await engine?.close()
    await dockerd.dispose()
  }, 60_000)

  it('starts without an engine and says what to do', async () => {
    await expect.poll(() => docker().status, { timeout: 10_000 }).toBe('unavailable')
    expect(docker().message).toMatch(/start Docker|dockerd/i)
    expect(engine.proxyUrl()).not.toBeNull()
  })

  it('connects when the engine appears', async () => {
    await dockerd.start()
    await expect.poll(() => docker().status, { timeout: 40_000, interval: 250 }).toBe('connected')
    expect(engine.events.recent(100).some((e) => e.kind === 'docker.connected')).toBe(true)
  }, 60_000)

  it('sees a container created outside the app, and after an engine restart lists it exactly once', async () => {
    const client = dockerd.client()
    // The private engine has no images: a container needs one, so import a tiny one from a tar.
    await client.getImage('prescal-demo:latest').inspect().catch(async () => {
      const { buildDemoImage } = await import('../../../src/main/fleet/demo-image')
      await buildDemoImage(client, 'prescal-demo:latest', () => {})
    })
    await client.createContainer({ Image: 'prescal-demo:latest', Labels: { 'prescal.service': SERVICE, 'prescal.port': '3000' } })
    const mine = () => engine.snapshot().backends.filter((b) => b.service === SERVICE)
    await expect.poll(() => mine().length, { timeout: 5000 }).toBe(1)

    await dockerd.stop()
    await expect.poll(() => docker().status, { timeout: 15_000, interval: 250 }).toBe('unavailable')
    await dockerd.start()
    await expect.poll(() => docker().status, { timeout: 40_000, interval: 250 }).toBe('connected')
    await expect.poll(() => mine().length, { timeout: 5000 }).toBe(1)
    await new Promise((r) => setTimeout(r, 1500))
    expect(mine()).toHaveLength(1)
    expect(new Set(engine.snapshot().backends.map((b) => b.id)).size).toBe(engine.snapshot().backends.length)
    // The private engine must not have touched the main engine's bridge.
    expect(existsSync('/sys/class/net/docker0')).toBe(hadDocker0)
  }, 120_000)
})
