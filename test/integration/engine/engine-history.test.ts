/**
 * The engine with a real proxy, poller and SQLite history, no Docker needed: traffic to a static
 * backend is recorded each tick, survives a restart of the engine, and exports as CSV.
 */
import { createServer, type Server } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/main/config/config-loader'
import { Engine } from '../../../src/main/engine'
import type { EngineEvent } from '../../../src/shared/types'
import { httpGet, steadyLoad } from '../../helpers/http-client'

let backend: Server
let backendPort: number
const dir = mkdtempSync(join(tmpdir(), 'prescal-engine-'))

function config(proxyPort: number) {
  return parseConfig(
    `listen: 127.0.0.1:${proxyPort}
poll: { intervalMs: 200, timeoutMs: 150 }
backends: [127.0.0.1:${backendPort}]
docker: { host: "unix://${dir}/no-docker.sock", callTimeoutMs: 500 }
history: { path: ${join(dir, 'history.db')} }
`,
    'test.yaml'
  )
}

beforeAll(async () => {
  backend = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.end(`process_cpu_seconds_total ${process.cpuUsage().user / 1e6}\nprocess_resident_memory_bytes ${process.memoryUsage().rss}\n`)
    } else res.end('ok')
  })
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r))
  backendPort = (backend.address() as { port: number }).port
})

afterAll(() => new Promise<void>((r) => backend.close(() => r())))

describe('engine + history', () => {
  let firstRunEnd = 0

  it('records each tick and answers queries with the traffic it saw', async () => {
    const engine = new Engine({ config: config(0), tickMs: 250 })
    await engine.start()
    try {
      const url = engine.proxyUrl()!
      await expect.poll(async () => (await httpGet(`${url}/`)).status, { timeout: 5000 }).toBe(200)
      const results = await steadyLoad(`${url}/`, 50, 2000)
      expect(results.every((r) => r.status === 200)).toBe(true)
      await new Promise((r) => setTimeout(r, 600))
      const now = Date.now()
      const res = await engine.handlers.queryHistory({ from: now - 60_000, to: now, metrics: ['rps', 'cpuPercent', 's2xx'], maxPoints: 1000 })
      expect(res.resolution).toBe('raw')
      const rps = res.series.find((s) => s.metric === 'rps')!
      const s2xx = res.series.find((s) => s.metric === 's2xx')!
      const served = s2xx.v.reduce<number>((sum, v) => sum + (v ?? 0), 0)
      expect(served).toBeGreaterThanOrEqual(100)
      expect(Math.max(...rps.v.map((v) => v ?? 0))).toBeGreaterThan(0)
      const snap = await engine.handlers.getSnapshot({})
      expect(snap.history).toMatchObject({ ok: true })
      firstRunEnd = Date.now()
    } finally {
      await engine.close()
    }
  })

  it('keeps history across a restart and exports it as CSV', async () => {
    const engine = new Engine({ config: config(0), tickMs: 250 })
    await engine.start()
    try {
      const from = firstRunEnd - 60_000
      const res = await engine.handlers.queryHistory({ from, to: firstRunEnd, metrics: ['s2xx'], maxPoints: 1000 })
      const served = res.series[0]!.v.reduce<number>((sum, v) => sum + (v ?? 0), 0)
      expect(served).toBeGreaterThanOrEqual(100)
      const backends = await engine.handlers.historyBackends({ from, to: firstRunEnd })
      expect(backends.map((b) => b.backendId)).toEqual([`s:127.0.0.1:${backendPort}`])
      const csv = await engine.handlers.exportHistoryCsv({ from, to: firstRunEnd })
      expect(csv.truncated).toBe(false)
      expect(csv.rows).toBeGreaterThan(0)
      const [header, ...rows] = csv.csv.trim().split('\n')
      expect(header).toContain('rps')
      expect(rows.length).toBe(csv.rows)
    } finally {
      await engine.close()
    }
  })

  it('fills the live charts with the last run\'s ticks after a restart', async () => {
    const engine = new Engine({ config: config(0), tickMs: 250 })
    await engine.start()
    try {
      const before = engine.recentSeries(900).filter((t) => t.at <= firstRunEnd)
      expect(before.length).toBeGreaterThanOrEqual(2)
      const id = `s:127.0.0.1:${backendPort}`
      const points = before.flatMap((t) => t.points)
      expect(new Set(points.map((p) => p.id))).toEqual(new Set([id]))
      expect(points[0]!.name).toBe(`127.0.0.1:${backendPort}`)
      expect(Math.max(...points.map((p) => p.rps))).toBeGreaterThan(0)
      expect(points.some((p) => p.cpuPercent !== null && p.memoryBytes !== null)).toBe(true)
      const ats = engine.recentSeries(900).map((t) => t.at)
      expect(ats).toEqual([...ats].sort((a, b) => a - b))
    } finally {
      await engine.close()
    }
  })

  it('shows the events of earlier runs after a restart, numbered before this run\'s', async () => {
    const first = new Engine({ config: config(0), tickMs: 250 })
    await first.start()
    let earlier: EngineEvent[] = []
    try {
      await expect.poll(() => first.events.recent(1000).find((e) => e.kind === 'docker.unavailable'), { timeout: 5000 }).toBeDefined()
      earlier = first.events.recent(1000).filter((e) => e.kind !== 'scale.progress' && e.kind !== 'image.progress')
    } finally {
      await first.close()
    }
    const engine = new Engine({ config: config(0), tickMs: 250 })
    await engine.start()
    try {
      await expect.poll(() => engine.events.recent(1000).some((e) => e.kind === 'docker.unavailable' && e.at > earlier.at(-1)!.at), { timeout: 5000 }).toBe(true)
      const events = await engine.handlers.getEvents({ limit: 200 })
      const strip = ({ at, kind, level, message }: (typeof events)[number]) => ({ at, kind, level, message })
      const restored = events.filter((e) => e.at <= earlier.at(-1)!.at)
      expect(restored.slice(-earlier.length).map(strip)).toEqual(earlier.map(strip))
      const seqs = events.map((e) => e.seq)
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
      expect(new Set(seqs).size).toBe(seqs.length)
    } finally {
      await engine.close()
    }
  })
})
