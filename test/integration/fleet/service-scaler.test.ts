/**
 * The real ServiceScaler on the real DockerFleet: scale a service of demo replicas to 3, then to
 * 1, with a membership that records what the proxy would be told.
 */
import { get } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DockerFleet } from '../../../src/main/fleet/docker-fleet'
import { ServiceScaler, type ScaleServiceSpec } from '../../../src/main/fleet/service-scaler'
import { dockerAvailable, requireOrSkip } from '../../helpers/requirements'
import { RecordingListener, cleanupEngine, uniqueName, waitFor } from './fleet-test-kit'

const run = requireOrSkip('docker', await dockerAvailable())
const SERVICE = uniqueName('fleettest')
const TAG = `${SERVICE}:latest`

function hostnameAt(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 3000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve(JSON.parse(body).hostname))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
  })
}

describe.skipIf(!run)('ServiceScaler on the real engine', () => {
  const calls: string[] = []
  let fleet: DockerFleet
  let scaler: ServiceScaler
  const spec: ScaleServiceSpec = {
    name: SERVICE,
    image: TAG,
    containerPort: 3000,
    env: {},
    readyPath: '/health',
    readyTimeoutMs: 15_000
  }

  beforeAll(async () => {
    fleet = new DockerFleet({ callTimeoutMs: 15_000, listener: new RecordingListener() })
    fleet.start()
    await waitFor('connected', () => fleet.status().status === 'connected', 10_000)
    const started = Date.now()
    await fleet.buildDemoImage(TAG, () => {})
    console.info(`[scaler] demo image built in ${Date.now() - started} ms`)
    scaler = new ServiceScaler({
      fleet,
      membership: {
        markReady: (id) => calls.push(`ready:${id}`),
        drain: async (id, timeoutMs) => {
          calls.push(`drain:${id}:${timeoutMs}`)
        }
      },
      portRange: { from: 3650, to: 3699 },
      drainTimeoutMs: 1000
    })
  })

  afterAll(async () => {
    await fleet?.close()
    await cleanupEngine(SERVICE, TAG)
  })

  const running = () => fleet.containers().filter((c) => c.service === SERVICE && c.state === 'running')

  it('scales to 3: three ready replicas on distinct ports, each answering with its own hostname', async () => {
    const progress: string[] = []
    const result = await scaler.scale(spec, 3, (m) => progress.push(m))
    console.info(`[scaler] scale 0 -> 3 took ${result.tookMs} ms (${progress.join(' | ')})`)
    expect(result).toMatchObject({ service: SERVICE, replicas: 3, ready: 3 })
    const list = running()
    expect(list).toHaveLength(3)
    const ports = list.map((c) => c.hostPort)
    expect(new Set(ports).size).toBe(3)
    const names = await Promise.all(list.map((c) => hostnameAt(c.hostPort!)))
    expect(names.sort()).toEqual(list.map((c) => c.shortId).sort())
    for (const c of list) expect(calls).toContain(`ready:${c.id}`)
    expect(progress).toContain('starting 3 replicas')
    expect(progress).toContain('3/3 ready')
  })

  it('scales to 1: the two newest are drained, stopped and removed; the oldest stays', async () => {
    const before = running().sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name))
    const oldest = before[0]!
    const result = await scaler.scale(spec, 1, () => {})
    expect(result).toMatchObject({ replicas: 1, ready: 1 })
    expect(running().map((c) => c.id)).toEqual([oldest.id])
    expect(fleet.containers().filter((c) => c.service === SERVICE)).toHaveLength(1)
    const drained = calls.filter((c) => c.startsWith('drain:'))
    expect(drained).toHaveLength(2)
    expect(drained.some((d) => d.includes(oldest.id))).toBe(false)
    expect(await hostnameAt(oldest.hostPort!)).toBe(oldest.shortId)
  })
})
