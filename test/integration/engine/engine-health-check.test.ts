/**
 * The engine with a real proxy and poller, no Docker needed: a static backend with an active
 * health check is judged by its check, not by its metrics scrape; balancing can be changed
 * from the contract.
 */
import { createServer, type Server } from 'node:http'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, parseConfig } from '../../../src/main/config/config-loader'
import { Engine } from '../../../src/main/engine'
import { httpGet } from '../../helpers/http-client'

const dir = mkdtempSync(join(tmpdir(), 'prescal-health-'))
const servers: Server[] = []
let checkedHealthz = 200

/** A backend answering its name on `/`, valid metrics on /metrics, and `healthz()` on /healthz. */
async function backend(name: string, healthz: () => number): Promise<number> {
  const s = createServer((req, res) => {
    if (req.url === '/metrics') res.end('process_resident_memory_bytes 1000\n')
    else if (req.url === '/healthz') {
      res.statusCode = healthz()
      res.end()
    } else res.end(name)
  })
  servers.push(s)
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  return (s.address() as { port: number }).port
}

let checkedPort = 0
let plainPort = 0

beforeAll(async () => {
  checkedPort = await backend('checked', () => checkedHealthz)
  plainPort = await backend('plain', () => 500)
})

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))))
})

/** An engine on a free port, no Docker engine and no history, with `yaml` for the rest. */
function engineWith(yaml: string, configPath?: string): Engine {
  const text = `listen: 127.0.0.1:0
docker: { host: "unix://${dir}/no-docker.sock", callTimeoutMs: 500 }
history: { enabled: false }
${yaml}`
  if (configPath !== undefined) writeFileSync(configPath, text)
  return new Engine({ config: parseConfig(text, 'test.yaml'), configPath, tickMs: 100 })
}

async function served(url: string, n: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push((await httpGet(`${url}/`)).body)
  return out
}

describe('engine active health checks and balancing', () => {
  it('a failing check takes a backend out though its metrics scrape is fine, and a passing one brings it back', async () => {
    const engine = engineWith(`poll: { intervalMs: 200, timeoutMs: 150 }
backends:
  - { address: 127.0.0.1:${checkedPort}, healthCheck: { path: /healthz, intervalMs: 150, timeoutMs: 100, failuresBeforeDown: 2 } }
  - 127.0.0.1:${plainPort}
`)
    await engine.start()
    try {
      const url = engine.proxyUrl()!
      const view = () => engine.snapshot().backends.find((b) => b.id === `s:127.0.0.1:${checkedPort}`)!
      await expect.poll(() => engine.snapshot().backends.every((b) => b.health === 'up'), { timeout: 5000 }).toBe(true)
      expect(view().healthSource).toBe('check')
      expect(new Set(await served(url, 10))).toEqual(new Set(['checked', 'plain']))

      checkedHealthz = 503
      await expect.poll(() => view().health, { timeout: 5000 }).toBe('down')
      expect(view().healthReason).toMatch(/bad_status: HTTP 503/)
      expect(view().metricsSource).toBe('prometheus') // the scrape still works; it does not decide
      expect(new Set(await served(url, 10))).toEqual(new Set(['plain']))
      expect(engine.events.recent(100).some((e) => e.kind === 'backend.down' && e.message.includes('bad_status'))).toBe(true)

      checkedHealthz = 204
      await expect.poll(() => view().health, { timeout: 5000 }).toBe('up')
      expect(new Set(await served(url, 10))).toEqual(new Set(['checked', 'plain']))
    } finally {
      await engine.close()
    }
  })

  it('setBalancing changes a group\'s strategy and rejects unknown services', async () => {
    const engine = engineWith(`backends: [127.0.0.1:${plainPort}]
services: [{ name: api, image: x, containerPort: 3000, balancing: p2c-latency }]
proxy: { balancing: weighted }
`)
    await engine.start()
    try {
      expect(engine.snapshot().proxy.balancing).toBe('weighted')
      expect(engine.snapshot().services[0]!.balancing).toBe('p2c-latency')
      await engine.handlers.setBalancing({ service: null, strategy: 'least-connections' })
      await engine.handlers.setBalancing({ service: 'api', strategy: 'round-robin' })
      await expect.poll(() => engine.snapshot().proxy.balancing, { timeout: 2000 }).toBe('least-connections')
      expect(engine.snapshot().services[0]!.balancing).toBe('round-robin')
      expect(engine.events.recent(100).filter((e) => e.kind === 'proxy.balancing')).toHaveLength(2)
      await expect(engine.handlers.setBalancing({ service: 'nope', strategy: 'weighted' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    } finally {
      await engine.close()
    }
  })

  it('keeps balancing and autoscale changes in the config file, comments and all', async () => {
    const file = join(dir, 'saved.yaml')
    const engine = engineWith(
      `# my fleet
backends: [127.0.0.1:${plainPort}]
services:
  - { name: api, image: x, containerPort: 3000, balancing: p2c-latency }  # the API
  - name: web        # follows proxy.balancing
    image: y
    containerPort: 3000
proxy: { balancing: weighted }
`,
      file
    )
    await engine.start()
    try {
      const r = await engine.handlers.setBalancing({ service: null, strategy: 'least-connections' })
      expect(r.message).toBe(`static backends: requests now spread by least-connections; saved to ${file}`)
      await engine.handlers.setBalancing({ service: 'api', strategy: 'round-robin' })
      await engine.handlers.setAutoscale({ service: 'web', mode: 'reactive', maxReplicas: 4, capacityRps: 25 })
      const text = readFileSync(file, 'utf8')
      expect(text).toContain('# my fleet')
      expect(text).toContain('# the API')
      expect(text).toContain('# follows proxy.balancing')
      const saved = loadConfig(file).config
      expect(saved.proxy.balancing).toBe('least-connections')
      expect(saved.services.map((s) => s.balancing)).toEqual(['round-robin', 'weighted']) // web keeps what it had
      expect(saved.services[1]!.autoscale).toMatchObject({ mode: 'reactive', maxReplicas: 4, capacityRps: 25 })
      expect(engine.events.recent(100).filter((e) => e.kind === 'config.saved')).toHaveLength(3)

      // A file the user broke meanwhile is left alone; the change still applies, and says so.
      writeFileSync(file, `${text}\nproxy: [\n`)
      const broken = await engine.handlers.setBalancing({ service: 'api', strategy: 'weighted' })
      expect(broken.message).toMatch(/^api: requests now spread by weighted; not saved to \S+ \(the file has a YAML syntax error now: Map keys must be unique at line \d+, column 1\): it lasts until the app exits$/)
      expect(engine.snapshot().services[0]!.balancing).toBe('weighted')
      expect(readFileSync(file, 'utf8')).toBe(`${text}\nproxy: [\n`)
      expect(engine.events.recent(100).filter((e) => e.kind === 'config.save_failed')).toHaveLength(1)
    } finally {
      await engine.close()
    }
  })

  it('shows a backend the proxy ejected, with why, until a probe re-admits it', async () => {
    let broken = true
    const flaky = createServer((req, res) => {
      if (req.url === '/metrics') return res.end('process_resident_memory_bytes 1000\n')
      res.statusCode = broken ? 500 : 200
      res.end('flaky')
    })
    servers.push(flaky)
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r))
    const flakyAddress = `127.0.0.1:${(flaky.address() as { port: number }).port}`
    const engine = engineWith(`backends: [${flakyAddress}, 127.0.0.1:${plainPort}]
proxy: { passiveHealth: { failureThreshold: 3, baseEjectionMs: 300, probePath: /probe } }
`)
    await engine.start()
    try {
      const view = () => engine.snapshot().backends.find((b) => b.name === flakyAddress)!
      await expect.poll(() => view().ready, { timeout: 3000 }).toBe(true)
      expect(view().ejected).toBeNull()
      await served(engine.snapshot().proxy.url!, 6)
      await expect.poll(() => view().ejected, { timeout: 2000 }).toMatch(/^3 consecutive failures \(last: 5xx\); ejected for 300 ms$/)
      expect(view().health).toBe('up') // its /metrics still answers: only the proxy knows
      broken = false
      await expect.poll(() => view().ejected, { timeout: 3000 }).toBeNull()
    } finally {
      await engine.close()
    }
  })
})
