/**
 * The Load panel's command through the contract to a real proxy and backend: the requests go to
 * the path the user typed (a path the backend does not serve comes back as 404s), and "/" when
 * the request names none.
 */
import { createServer, type Server } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatchCommand } from '../../../src/main/bridge/command-dispatcher'
import { parseConfig } from '../../../src/main/config/config-loader'
import { Engine } from '../../../src/main/engine'
import type { LoadStatsView } from '../../../src/shared/autoscale'
import { httpGet } from '../../helpers/http-client'
import { waitFor } from '../../helpers/wait-for'

let backend: Server
let engine: Engine
const paths: string[] = []
const dir = mkdtempSync(join(tmpdir(), 'prescal-engine-load-'))

beforeAll(async () => {
  backend = createServer((req, res) => {
    if (req.url === '/metrics') return res.end('process_cpu_seconds_total 1\n')
    paths.push(req.url ?? '')
    res.statusCode = req.url === '/' ? 200 : 404
    res.end()
  })
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r))
  const port = (backend.address() as { port: number }).port
  engine = new Engine({
    dataDir: dir,
    tickMs: 250,
    config: parseConfig(
      `listen: 127.0.0.1:0
poll: { intervalMs: 200, timeoutMs: 150 }
backends: [127.0.0.1:${port}]
docker: { host: "unix://${dir}/no-docker.sock", callTimeoutMs: 500 }
history: { enabled: false }
`,
      'test.yaml'
    )
  })
  await engine.start()
  await waitFor(async () => (await httpGet(`${engine.proxyUrl()}/`)).status, (s) => s === 200, 5000, 'the backend behind the proxy')
})

afterAll(async () => {
  await engine?.close()
  await new Promise<void>((r) => backend.close(() => r()))
})

async function runLoad(request: object): Promise<LoadStatsView> {
  paths.length = 0
  const reply = await dispatchCommand(engine.handlers, 'startLoad', request)
  expect(reply).toMatchObject({ ok: true })
  await expect.poll(() => engine.autoscale.loadStats().running, { timeout: 5000 }).toBe(false)
  await new Promise((r) => setTimeout(r, 200))
  return engine.autoscale.loadStats()
}

describe('startLoad through the engine', () => {
  it('sends every request to the typed path: /nope answers 404, and that is what the stats count', async () => {
    const stats = await runLoad({ profile: { kind: 'constant', rps: 40, durationMs: 1000 }, path: '/nope' })
    expect(paths.length).toBeGreaterThan(20)
    expect(new Set(paths)).toEqual(new Set(['/nope']))
    expect(stats.ok).toBe(0)
    expect(stats.errorsByKind).toEqual({ http_404: stats.sent })
    expect(engine.events.recent(50).filter((e) => e.kind === 'load.started').at(-1)?.message).toBe('Load generator started: constant to /nope')
  })

  it('sends to / when the request names no path', async () => {
    const stats = await runLoad({ profile: { kind: 'constant', rps: 40, durationMs: 1000 } })
    expect(new Set(paths)).toEqual(new Set(['/']))
    expect(stats.errors).toBe(0)
  })

  it('refuses a path that does not start with /', async () => {
    const reply = await dispatchCommand(engine.handlers, 'startLoad', { profile: { kind: 'constant', rps: 1, durationMs: 1000 }, path: 'nope' })
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
  })
})
