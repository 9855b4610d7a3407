/**
 * Live autoscaling on a real Docker engine: the demo service (capacity 20 req/s per replica,
 * short windows) under a load ramp to 80 req/s gets at least 4 ready replicas; when the load
 * drops to a trickle it returns to the minimum after the stabilization window, and no request
 * of the trickle fails while replicas drain and go.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Docker from 'dockerode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/main/config/config-loader'
import { Engine } from '../../../src/main/engine'
import { DEMO_IMAGE, ensureDemoImage } from '../../helpers/demo-image'
import { dockerAvailable, requireOrSkip } from '../../helpers/requirements'
import { waitFor } from '../../helpers/wait-for'
import { removeServiceContainers } from '../../helpers/test-containers'

const SERVICE = `autoscale${Date.now().toString(36)}`
const docker = new Docker()
const run = requireOrSkip('docker', await dockerAvailable())

function removeTestContainers(): Promise<void> {
  return removeServiceContainers(docker, SERVICE)
}

describe.skipIf(!run)('live autoscaling (real Docker)', () => {
  let engine: Engine
  const readyOf = () => engine.snapshot().services.find((s) => s.name === SERVICE)!.ready

  beforeAll(async () => {
    await ensureDemoImage(docker)
    await removeTestContainers()
    const dir = mkdtempSync(join(tmpdir(), 'prescal-autoscale-'))
    engine = new Engine({
      dataDir: dir,
      config: parseConfig(
        `listen: 127.0.0.1:0
poll: { intervalMs: 500, timeoutMs: 400 }
ports: { from: 3400, to: 3499 }
proxy: { drainTimeoutMs: 5000 }
autoscale: { everySeconds: 2 }
services:
  - name: ${SERVICE}
    image: ${DEMO_IMAGE}
    containerPort: 3000
    replicas: 1
    autoscale: { mode: reactive, minReplicas: 1, maxReplicas: 6, capacityRps: 20, coldStartSeconds: 2, scaleDownStabilizationSeconds: 10 }
`,
        'autoscale-test.yaml'
      )
    })
    await engine.start()
    await waitFor(readyOf, (n) => n === 1, 30_000, 'the initial replica')
  }, 60_000)

  afterAll(async () => {
    await engine?.close()
    await removeTestContainers()
  }, 60_000)

  it('ramps to 80 req/s: at least 4 replicas ready, decisions logged with their reason', async () => {
    engine.autoscale.startLoad({ kind: 'ramp', fromRps: 10, toRps: 80, durationMs: 10_000 })
    await new Promise((r) => setTimeout(r, 10_500))
    engine.autoscale.startLoad({ kind: 'constant', rps: 80, durationMs: 30_000 })
    await expect.poll(readyOf, { timeout: 30_000, interval: 250 }).toBeGreaterThanOrEqual(4)
    const decisions = engine.events.recent(1000).filter((e) => e.kind === 'autoscale.decision' && e.service === SERVICE)
    expect(decisions.length).toBeGreaterThan(0)
    expect(decisions.at(-1)!.message).toMatch(/replica/)
  }, 60_000)

  it('load drops: back to the minimum after the stabilization window, no failed request', async () => {
    const peak = readyOf()
    engine.autoscale.startLoad({ kind: 'constant', rps: 5, durationMs: 40_000 })
    const started = Date.now()
    await expect.poll(readyOf, { timeout: 40_000, interval: 250 }).toBe(1)
    const took = Date.now() - started
    console.log(`scaled from ${peak} back to 1 in ${took} ms`)
    // Never before the 10 s window has passed since the last high recommendation.
    expect(took).toBeGreaterThanOrEqual(8000)
    await new Promise((r) => setTimeout(r, 2000))
    const stats = await engine.autoscale.stopLoad()
    expect(stats.sent).toBeGreaterThan(20)
    expect(stats.errors, JSON.stringify(stats.errorsByKind)).toBe(0)
    const running = await docker.listContainers({ filters: { label: [`prescal.service=${SERVICE}`] } })
    expect(running).toHaveLength(1)
  }, 60_000)
})
