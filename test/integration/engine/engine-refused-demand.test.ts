/**
 * Demand the fleet refused is still demand: with no replica eligible every request gets a 503
 * from the proxy, and the autoscaler must see that rate rather than 0 req/s. A real engine and
 * proxy; the Docker socket does not exist, so the service never gets a replica (the scale calls
 * the autoscaler makes fail, but its decision is what this checks).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/main/config/config-loader'
import { Engine } from '../../../src/main/engine'
import { refusedShares } from '../../../src/main/engine-autoscale'
import type { Snapshot } from '../../../src/shared/types'
import { startLoad, type HttpResult } from '../../helpers/http-client'
import { waitFor } from '../../helpers/wait-for'

const dir = mkdtempSync(join(tmpdir(), 'prescal-refused-'))
let engine: Engine

beforeAll(async () => {
  engine = new Engine({
    dataDir: dir,
    config: parseConfig(
      `listen: 127.0.0.1:0
docker: { host: "unix://${dir}/no-docker.sock", callTimeoutMs: 500 }
history: { enabled: false }
autoscale: { everySeconds: 1 }
services:
  - name: web
    image: never-pulled
    containerPort: 3000
    replicas: 1
    autoscale: { mode: reactive, minReplicas: 1, maxReplicas: 5, capacityRps: 5 }
`,
      'refused.yaml'
    )
  })
  await engine.start()
})

afterAll(async () => {
  await engine?.close()
})

describe('refused demand', () => {
  it('503s with no backend show as refused req/s, and the autoscaler sizes the service for them', async () => {
    const url = engine.proxyUrl()!
    expect(url).not.toBeNull()
    // 40 req/s for as long as it takes: 8 replicas' worth at 5 req/s each, capped at 5.
    const load = startLoad(url, 40)
    let results: HttpResult[] = []
    try {
      await waitFor(() => engine.snapshot().proxy.refusedRps, (r) => r >= 10, 10_000, 'refused req/s in the snapshot')
      const decision = await waitFor(
        () => engine.snapshot().services[0]!.autoscale.lastDecision,
        (d) => d !== null && d.desired > 1,
        15_000,
        'an autoscale decision above 1 replica'
      )
      expect(decision!.desired).toBe(5)
      expect(decision!.reason).toMatch(/req\/s/)
    } finally {
      results = await load.stop()
    }
    const statuses = results.map((r) => r.status)
    expect(statuses.length).toBeGreaterThan(10)
    expect(new Set(statuses)).toEqual(new Set([503]))
  }, 40_000)
})

describe('refusedShares', () => {
  const snap = (refusedRps: number, desired: number[], statics: number): Snapshot =>
    ({
      proxy: { refusedRps },
      services: desired.map((d, i) => ({ name: `s${i}`, desired: d })),
      backends: Array.from({ length: statics }, () => ({ service: null }))
    }) as unknown as Snapshot

  it('gives all of it to the only service', () => {
    expect(snap(30, [1], 0)).toSatisfy((s: Snapshot) => refusedShares(s).get('s0') === 30)
  })

  it('splits by desired replicas, a static backend counting as one, a service at 0 as one', () => {
    const shares = refusedShares(snap(60, [3, 0], 2))
    expect(shares.get('s0')).toBe(30)
    expect(shares.get('s1')).toBe(10)
  })

  it('is empty with nothing refused', () => {
    expect(refusedShares(snap(0, [2], 0)).size).toBe(0)
  })
})
