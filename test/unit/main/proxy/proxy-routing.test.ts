import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { BackendPool } from '../../../../src/main/proxy/backend-pool'
import {
  addReady,
  delay,
  eventually,
  settle,
  refusedPort,
  request,
  startBackend,
  startProxy,
  type RunningProxy,
  type TestBackend
} from './proxy-test-kit'

let backends: TestBackend[] = []
let running: RunningProxy | undefined

afterEach(async () => {
  await running?.proxy.close(100)
  running = undefined
  await Promise.all(backends.map((b) => b.close()))
  backends = []
})

async function backendsNamed(...ids: string[]): Promise<TestBackend[]> {
  const started = await Promise.all(ids.map((id) => startBackend(id)))
  backends.push(...started)
  return started
}

describe('ProxyServer routing', () => {
  it('spreads 300 keep-alive requests exactly evenly over 3 backends, with no listener leak', async () => {
    const [a, b, c] = await backendsNamed('a', 'b', 'c')
    const pool = new BackendPool()
    for (const be of [a!, b!, c!]) addReady(pool, be.id, be.port)
    running = await startProxy(pool)
    const warnings: Error[] = []
    const onWarning = (w: Error): number => warnings.push(w)
    process.on('warning', onWarning)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
    try {
      const counts: Record<string, number> = {}
      for (let batch = 0; batch < 75; batch++) {
        const replies = await Promise.all(Array.from({ length: 4 }, () => request(running!.port, { agent })))
        for (const r of replies) {
          expect(r.status).toBe(200)
          counts[r.body] = (counts[r.body] ?? 0) + 1
        }
      }
      expect(counts).toEqual({ a: 100, b: 100, c: 100 })
      // Upstream sockets were reused, not opened per request.
      const connections = await Promise.all(
        [a!, b!, c!].map((be) => new Promise<number>((r) => be.server.getConnections((_e, n) => r(n))))
      )
      for (const n of connections) expect(n).toBeLessThanOrEqual(4)
      // A listener added per request on a pooled socket would trip MaxListenersExceededWarning.
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([])
    } finally {
      process.off('warning', onWarning)
      agent.destroy()
    }
  })

  it('answers 503 with Retry-After when no backend is eligible', async () => {
    running = await startProxy(new BackendPool(), { retryAfterSeconds: 7 })
    const r = await request(running.port)
    expect(r.status).toBe(503)
    expect(r.headers['retry-after']).toBe('7')
    expect(r.body).toMatch(/no healthy backend/)
  })

  it('never sends traffic to down, not-ready or draining backends', async () => {
    const [ok, down, notReady, draining] = await backendsNamed('ok', 'down', 'not-ready', 'draining')
    const pool = new BackendPool()
    for (const be of [ok!, down!, draining!]) addReady(pool, be.id, be.port)
    pool.upsert({ id: notReady!.id, host: '127.0.0.1', port: notReady!.port })
    pool.setUp(down!.id, false)
    pool.setDraining(draining!.id, true)
    running = await startProxy(pool)
    for (let i = 0; i < 30; i++) expect((await request(running.port)).body).toBe('ok')
    expect([ok!.hits, down!.hits, notReady!.hits, draining!.hits]).toEqual([30, 0, 0, 0])
  })

  it('answers 502 when the only backend refuses connections, naming it as the user knows it', async () => {
    const pool = new BackendPool()
    pool.upsert({ id: 'dead', name: 'prescal-demo-2', host: '127.0.0.1', port: await refusedPort() })
    pool.setReady('dead', true)
    running = await startProxy(pool)
    const r = await request(running.port)
    expect(r.status).toBe(502)
    expect(r.body).toMatch(/^Bad Gateway: backend prescal-demo-2 unreachable \(ECONNREFUSED\)/)
    expect(r.body).not.toContain('dead')
    expect(await eventually(() => pool.inFlight('dead') === 0)).toBe(true)
    await settle()
    const tick = running.proxy.takeTick()
    expect(tick.perBackend.get('dead')).toMatchObject({ count: 1, s5xx: 1, inFlight: 0 })
  })

  it('retries a GET once on another backend (client sees 200) but never a POST', async () => {
    const [alive] = await backendsNamed('alive')
    const pool = new BackendPool()
    addReady(pool, 'dead', await refusedPort())
    addReady(pool, alive!.id, alive!.port)
    running = await startProxy(pool)
    // Round robin starts at 'dead': the GET fails there and is retried on 'alive'.
    const get = await request(running.port)
    expect(get).toMatchObject({ status: 200, body: 'alive' })
    // The rotation continues after 'alive', so the POST lands on 'dead' and is not retried.
    const post = await request(running.port, { method: 'POST', body: 'payload' })
    expect(post.status).toBe(502)
    expect(alive!.hits).toBe(1)
    expect(await eventually(() => pool.inFlight('dead') === 0)).toBe(true)
    expect(await eventually(() => pool.inFlight('alive') === 0)).toBe(true)
    await settle()
    const tick = running.proxy.takeTick()
    expect(tick.perBackend.get('alive')).toMatchObject({ count: 1, s2xx: 1 })
    expect(tick.perBackend.get('dead')).toMatchObject({ count: 1, s5xx: 1 })
    expect(tick.total).toMatchObject({ count: 2, s2xx: 1, s5xx: 1 })
  })

  it('a retry that fails too ends in 502', async () => {
    const pool = new BackendPool()
    addReady(pool, 'dead1', await refusedPort())
    addReady(pool, 'dead2', await refusedPort())
    running = await startProxy(pool)
    expect((await request(running.port, { method: 'HEAD' })).status).toBe(502)
    expect(await eventually(() => pool.inFlight('dead1') + pool.inFlight('dead2') === 0)).toBe(true)
  })

  it('answers 504 when the backend sends no headers within upstreamTimeoutMs, and cancels it', async () => {
    let upstreamClosed = false
    const silent = await startBackend('silent', (_req, res) => res.on('close', () => (upstreamClosed = true)))
    backends.push(silent)
    const pool = new BackendPool()
    addReady(pool, silent.id, silent.port)
    running = await startProxy(pool, { upstreamTimeoutMs: 150 })
    const started = Date.now()
    const r = await request(running.port)
    const took = Date.now() - started
    expect(r.status).toBe(504)
    expect(took).toBeGreaterThanOrEqual(140)
    expect(took).toBeLessThan(2_000)
    await delay(50)
    expect(upstreamClosed).toBe(true)
    expect(await eventually(() => pool.inFlight('silent') === 0)).toBe(true)
    await settle()
    expect(running.proxy.takeTick().perBackend.get('silent')).toMatchObject({ count: 1, s5xx: 1 })
  })

  it('keeps the status and body the backend chose, including errors', async () => {
    const [teapot] = await Promise.all([
      startBackend('teapot', (_req, res) => {
        res.writeHead(418, 'I Am A Teapot', { 'Content-Type': 'text/plain' })
        res.end('short and stout')
      })
    ])
    backends.push(teapot!)
    const pool = new BackendPool()
    addReady(pool, teapot!.id, teapot!.port)
    running = await startProxy(pool)
    const r = await request(running.port, { path: '/some/path?q=1' })
    expect(r).toMatchObject({ status: 418, body: 'short and stout' })
    await settle()
    expect(running.proxy.takeTick().perBackend.get('teapot')).toMatchObject({ count: 1, s4xx: 1 })
  })
})
