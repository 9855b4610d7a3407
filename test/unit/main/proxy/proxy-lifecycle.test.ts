import http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { isPrescalError } from '../../../../src/shared/errors'
import { BackendPool } from '../../../../src/main/proxy/backend-pool'
import { ProxyServer } from '../../../../src/main/proxy/proxy-server'
import {
  addReady,
  delay,
  eventually,
  request,
  settle,
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

/** A backend that holds every request until `release()` is called. */
async function holdingBackend(id: string): Promise<TestBackend & { release(): void; held(): number }> {
  const waiting: http.ServerResponse[] = []
  const be = await startBackend(id, (_req, res) => waiting.push(res))
  backends.push(be)
  return Object.assign(be, {
    release: () => {
      for (const res of waiting.splice(0)) res.end(id)
    },
    held: () => waiting.length
  })
}

function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1
  return counts
}

describe('ProxyServer lifecycle', () => {
  it('lets an in-flight request finish while its backend drains, and sends no new ones there', async () => {
    const slow = await holdingBackend('slow')
    const other = await startBackend('other')
    backends.push(other)
    const pool = new BackendPool()
    addReady(pool, slow.id, slow.port)
    addReady(pool, other.id, other.port)
    running = await startProxy(pool)
    const first = request(running.port) // round robin: 'slow' first
    expect(await eventually(() => slow.held() === 1)).toBe(true)
    expect(pool.inFlight('slow')).toBe(1)

    pool.setDraining('slow', true)
    const idle = pool.waitForIdle('slow', 5_000)
    for (let i = 0; i < 10; i++) expect((await request(running.port)).body).toBe('other')
    expect(slow.hits).toBe(1)

    slow.release()
    expect(await first).toMatchObject({ status: 200, body: 'slow' })
    await expect(idle).resolves.toBe(true)
    expect(pool.inFlight('slow')).toBe(0)
  })

  it('waitForIdle reports false when the drain timeout passes first', async () => {
    const slow = await holdingBackend('stuck')
    const pool = new BackendPool()
    addReady(pool, slow.id, slow.port)
    running = await startProxy(pool)
    const pending = request(running.port)
    expect(await eventually(() => slow.held() === 1)).toBe(true)
    await expect(pool.waitForIdle('stuck', 50)).resolves.toBe(false)
    slow.release()
    await pending
  })

  it('takeTick counts completed requests by status class with latency quantiles, then resets', async () => {
    const fast = await startBackend('fast', (req, res) => {
      res.statusCode = req.url === '/missing' ? 404 : 200
      setTimeout(() => res.end(), 20)
    })
    backends.push(fast)
    const slow = await holdingBackend('held')
    const pool = new BackendPool()
    addReady(pool, fast.id, fast.port)
    running = await startProxy(pool)
    for (let i = 0; i < 6; i++) await request(running.port)
    for (let i = 0; i < 3; i++) await request(running.port, { path: '/missing' })
    addReady(pool, slow.id, slow.port)
    pool.setReady(fast.id, false)
    const pending = request(running.port)
    expect(await eventually(() => slow.held() === 1)).toBe(true)

    await settle()
    const tick = running.proxy.takeTick()
    expect(tick.total).toMatchObject({ count: 9, s2xx: 6, s4xx: 3, s3xx: 0, s5xx: 0, inFlight: 1 })
    const f = tick.perBackend.get('fast')!
    expect(f).toMatchObject({ count: 9, s2xx: 6, s4xx: 3, inFlight: 0 })
    expect(f.latencyMs.p50).toBeGreaterThanOrEqual(19)
    expect(f.latencyMs.p50).toBeLessThan(500)
    expect(f.latencyMs.p99).toBeGreaterThanOrEqual(f.latencyMs.p95!)
    expect(f.latencyMs.p95).toBeGreaterThanOrEqual(f.latencyMs.p50!)
    expect(tick.perBackend.get('held')).toMatchObject({ count: 0, inFlight: 1, latencyMs: { p50: null } })

    slow.release()
    await pending
    await settle()
    const next = running.proxy.takeTick()
    expect(next.total).toMatchObject({ count: 1, s2xx: 1, inFlight: 0 })
    expect(next.perBackend.get('fast')?.count ?? 0).toBe(0)
    expect(next.perBackend.get('held')).toMatchObject({ count: 1, inFlight: 0 })
  })

  it('drops idle upstream keep-alive sockets after keepAliveIdleMs', async () => {
    const be = await startBackend('ka')
    backends.push(be)
    const pool = new BackendPool()
    addReady(pool, be.id, be.port)
    running = await startProxy(pool, { keepAliveIdleMs: 150 })
    const connections = (): Promise<number> => new Promise((r) => be.server.getConnections((_e, n) => r(n)))
    await request(running.port)
    await request(running.port)
    expect(await connections()).toBe(1) // reused, still open
    await delay(400)
    expect(await connections()).toBe(0)
  })

  it('follows a member whose address changed', async () => {
    const one = await startBackend('one')
    const two = await startBackend('two')
    backends.push(one, two)
    const pool = new BackendPool()
    addReady(pool, 'm', one.port)
    running = await startProxy(pool)
    expect((await request(running.port)).body).toBe('one')
    pool.upsert({ id: 'm', host: '127.0.0.1', port: two.port })
    expect((await request(running.port)).body).toBe('two')
  })

  it('close() waits for in-flight requests, then leaves no handles behind', async () => {
    const slow = await holdingBackend('closing')
    const baseline = handleCounts()
    const pool = new BackendPool()
    addReady(pool, slow.id, slow.port)
    running = await startProxy(pool)
    const agent = new http.Agent({ keepAlive: true })
    for (let i = 0; i < 3; i++) {
      const r = request(running.port, { agent })
      await eventually(() => slow.held() === 1)
      slow.release()
      await r
    }
    const inFlight = request(running.port)
    expect(await eventually(() => slow.held() === 1)).toBe(true)
    const closing = running.proxy.close(2_000)
    await delay(50)
    slow.release()
    expect(await inFlight).toMatchObject({ status: 200, body: 'closing' })
    await closing
    agent.destroy()
    running = undefined
    // Sockets finish closing a loop turn or two after destroy(); a leak never converges.
    const settled = await eventually(() => {
      const now = handleCounts()
      return ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'].every((k) => (now[k] ?? 0) <= (baseline[k] ?? 0))
    }, 1_000)
    expect(settled, `baseline ${JSON.stringify(baseline)} now ${JSON.stringify(handleCounts())}`).toBe(true)
    expect(pool.inFlight('closing')).toBe(0)
  })

  it('close() cuts requests still running after its timeout, and is idempotent', async () => {
    const slow = await holdingBackend('forever')
    const pool = new BackendPool()
    addReady(pool, slow.id, slow.port)
    running = await startProxy(pool)
    const pending = request(running.port).catch((e: NodeJS.ErrnoException) => e.code)
    expect(await eventually(() => slow.held() === 1)).toBe(true)
    const started = Date.now()
    const p1 = running.proxy.close(100)
    const p2 = running.proxy.close(100)
    expect(p2).toBe(p1)
    await p1
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(await pending).toBe('ECONNRESET')
    expect(await eventually(() => pool.inFlight('forever') === 0)).toBe(true)
    await expect(running.proxy.start()).rejects.toMatchObject({ code: 'CLOSED' })
  })

  it('rejects with PROXY_LISTEN_FAILED naming the address when the port is taken', async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as net.AddressInfo).port
    const proxy = new ProxyServer({ host: '127.0.0.1', port, pool: new BackendPool(), upstreamTimeoutMs: 1000 })
    try {
      const err = await proxy.start().then(
        () => null,
        (e: unknown) => e
      )
      expect(isPrescalError(err, 'PROXY_LISTEN_FAILED')).toBe(true)
      expect((err as Error).message).toContain(`127.0.0.1:${port}`)
      expect((err as Error).message).toContain('`listen`')
    } finally {
      await proxy.close()
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })
})
