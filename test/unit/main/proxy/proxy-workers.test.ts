// The proxy with two worker threads sharing the port (SO_REUSEPORT): what the main thread sees
// (takeTick, in-flight for draining, ejections) must be what it sees in-process.
import http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { isPrescalError } from '../../../../src/shared/errors'
import { BackendPool } from '../../../../src/main/proxy/backend-pool'
import { ProxyServer } from '../../../../src/main/proxy/proxy-server'
import { addReady, delay, eventually, refusedPort, request, settle, startBackend, startProxy, type RunningProxy, type TestBackend } from './proxy-test-kit'

let backends: TestBackend[] = []
let running: RunningProxy | undefined

afterEach(async () => {
  await running?.proxy.close(100)
  running = undefined
  await Promise.all(backends.map((b) => b.close()))
  backends = []
})

async function backend(id: string, handler?: http.RequestListener): Promise<TestBackend> {
  const b = await startBackend(id, handler)
  backends.push(b)
  return b
}

function activeCounts(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1
  return counts
}

describe('ProxyServer with workers=2', () => {
  it('serves from both threads and merges their counters into one takeTick', async () => {
    const a = await backend('a')
    const b = await backend('b', (_req, res) => {
      res.statusCode = 404
      res.end('b')
    })
    const pool = new BackendPool()
    addReady(pool, a.id, a.port)
    addReady(pool, b.id, b.port)
    running = await startProxy(pool, { workers: 2 })
    expect(running.proxy.workers).toBe(2)
    // New connection per request (no agent): the kernel spreads them over both listeners.
    const replies = await Promise.all(Array.from({ length: 60 }, () => request(running!.port, { agent: false })))
    expect(replies.every((r) => (r.body === 'a' && r.status === 200) || (r.body === 'b' && r.status === 404))).toBe(true)
    await settle()
    const tick = running.proxy.takeTick()
    expect(tick.total).toMatchObject({ count: 60, inFlight: 0 })
    expect(tick.total.s2xx + tick.total.s4xx).toBe(60)
    expect(tick.perBackend.get('a')!.count).toBe(a.hits)
    expect(tick.perBackend.get('b')).toMatchObject({ count: b.hits, s4xx: b.hits })
    expect(a.hits).toBeGreaterThan(10)
    expect(b.hits).toBeGreaterThan(10)
    expect(tick.total.latencyMs.p50).toBeGreaterThan(0)
    expect(running.proxy.takeTick().total.count).toBe(0)
  })

  it('the main thread sees in-flight requests for draining, and waitForIdle resolves on release', async () => {
    const held: http.ServerResponse[] = []
    const slow = await backend('slow', (_req, res) => held.push(res))
    const other = await backend('other')
    const pool = new BackendPool()
    addReady(pool, slow.id, slow.port)
    running = await startProxy(pool, { workers: 2 })
    const pending = Array.from({ length: 4 }, () => request(running!.port, { agent: false }))
    expect(await eventually(() => held.length === 4)).toBe(true)
    expect(pool.inFlight('slow')).toBe(4)
    expect(running.proxy.takeTick().total.inFlight).toBe(4)
    addReady(pool, other.id, other.port)
    pool.setDraining('slow', true)
    await delay(20)
    const idle = pool.waitForIdle('slow', 5_000)
    for (let i = 0; i < 6; i++) expect((await request(running.port, { agent: false })).body).toBe('other')
    expect(slow.hits).toBe(4)
    for (const res of held.splice(0)) res.end('slow')
    await expect(idle).resolves.toBe(true)
    expect((await Promise.all(pending)).map((r) => r.body)).toEqual(['slow', 'slow', 'slow', 'slow'])
  })

  it('cancels the upstream request within 100 ms when the client goes away', async () => {
    let closedAt = 0
    const hang = await backend('hang', (_req, res) => res.on('close', () => (closedAt = Date.now())))
    const pool = new BackendPool()
    addReady(pool, hang.id, hang.port)
    running = await startProxy(pool, { workers: 2 })
    const req = http.request({ host: '127.0.0.1', port: running.port, path: '/', agent: false })
    req.on('error', () => undefined)
    req.end()
    expect(await eventually(() => hang.hits === 1)).toBe(true)
    const abortedAt = Date.now()
    req.destroy()
    expect(await eventually(() => closedAt > 0)).toBe(true)
    expect(closedAt - abortedAt).toBeLessThan(100)
    expect(await eventually(() => pool.inFlight('hang') === 0)).toBe(true)
  })

  it('ejects a failing backend from failure streaks reported by the workers', async () => {
    const good = await backend('good')
    const events: Array<[string, boolean]> = []
    const pool = new BackendPool()
    addReady(pool, 'dead', await refusedPort())
    addReady(pool, good.id, good.port)
    running = await startProxy(pool, {
      workers: 2,
      passiveHealth: { failureThreshold: 2, baseEjectionMs: 60_000 },
      onEjection: (id, ej) => events.push([id, ej])
    })
    for (let i = 0; i < 12; i++) expect((await request(running.port, { agent: false })).status).toBe(200)
    expect(events).toEqual([['dead', true]])
    expect(pool.isEligible('dead')).toBe(false)
  })

  it('close() drains, stops both threads and leaves no handles behind', async () => {
    const held: http.ServerResponse[] = []
    const slow = await backend('slow', (_req, res) => held.push(res))
    const baseline = activeCounts()
    const pool = new BackendPool()
    addReady(pool, slow.id, slow.port)
    const proxy = new ProxyServer({ host: '127.0.0.1', port: 0, pool, upstreamTimeoutMs: 5_000, workers: 2 })
    const { port } = await proxy.start()
    const inFlight = request(port, { agent: false })
    expect(await eventually(() => held.length === 1)).toBe(true)
    const closing = proxy.close(2_000)
    await delay(50)
    held[0]!.end('done')
    expect(await inFlight).toMatchObject({ status: 200, body: 'done' })
    await closing
    await expect(request(port, { agent: false })).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    const settled = await eventually(() => {
      const now = activeCounts()
      return ['TCPServerWrap', 'TCPSocketWrap', 'Timeout', 'MessagePort', 'Worker'].every((k) => (now[k] ?? 0) <= (baseline[k] ?? 0))
    }, 2_000)
    expect(settled, `baseline ${JSON.stringify(baseline)} now ${JSON.stringify(activeCounts())}`).toBe(true)
  })

  it('replaces a worker that died, and keeps serving on the same port', async () => {
    const a = await backend('a')
    const pool = new BackendPool()
    addReady(pool, a.id, a.port)
    const warnings: string[] = []
    running = await startProxy(pool, { workers: 2, onWarning: (m) => warnings.push(m) })
    // Reaching into the group is the only way to simulate a crash from outside.
    const group = (running.proxy as unknown as { group: { running: Array<{ worker: { terminate(): Promise<number> } }> } }).group
    await group.running[0]!.worker.terminate()
    expect(await eventually(() => warnings.length === 1)).toBe(true)
    expect(warnings[0]).toMatch(/exited.*starting a new one/)
    expect(await eventually(() => group.running.length === 2, 5_000)).toBe(true)
    await delay(300) // the new worker binds
    const replies = await Promise.all(Array.from({ length: 20 }, () => request(running!.port, { agent: false })))
    expect(replies.every((r) => r.status === 200)).toBe(true)
  })

  it('rejects PROXY_LISTEN_FAILED when the port is taken (no port sharing with another program)', async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as net.AddressInfo).port
    const proxy = new ProxyServer({ host: '127.0.0.1', port, pool: new BackendPool(), upstreamTimeoutMs: 1000, workers: 2 })
    try {
      const err = await proxy.start().then(
        () => null,
        (e: unknown) => e
      )
      expect(isPrescalError(err, 'PROXY_LISTEN_FAILED')).toBe(true)
      expect((err as Error).message).toContain(`127.0.0.1:${port}`)
    } finally {
      await proxy.close()
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })
})
