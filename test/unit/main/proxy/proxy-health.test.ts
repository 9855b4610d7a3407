import http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { BackendPool } from '../../../../src/main/proxy/backend-pool'
import {
  addReady,
  eventually,
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

async function backend(id: string, handler?: http.RequestListener): Promise<TestBackend> {
  const b = await startBackend(id, handler)
  backends.push(b)
  return b
}

const fastHealth = { failureThreshold: 3, failureWindowMs: 10_000, baseEjectionMs: 150, maxEjectionMs: 10_000, probeTimeoutMs: 500, probePath: '/health' }

describe('ProxyServer passive health', () => {
  it('ejects a backend answering 5xx, then re-admits it after a successful probe', async () => {
    let broken = true
    const flaky = await backend('flaky', (req, res) => {
      res.statusCode = broken ? 500 : 200
      res.end(req.url === '/health' ? 'probe' : 'flaky')
    })
    const good = await backend('good')
    const events: Array<[string, boolean, string]> = []
    const pool = new BackendPool()
    addReady(pool, flaky.id, flaky.port)
    addReady(pool, good.id, good.port)
    running = await startProxy(pool, { passiveHealth: fastHealth, onEjection: (id, ej, why) => events.push([id, ej, why]) })
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await request(running.port)).status)
    expect(statuses).toEqual([500, 200, 500, 200, 500, 200]) // 5xx are passed through, not retried
    expect(events).toEqual([['flaky', true, expect.stringMatching(/3 consecutive failures \(last: 5xx\); ejected for/)]])
    expect(pool.isEligible('flaky')).toBe(false)
    const hitsAtEjection = flaky.hits
    for (let i = 0; i < 4; i++) expect((await request(running.port)).body).toBe('good')
    // Still failing at the probe: ejected again, for longer.
    expect(await eventually(() => events.length === 2, 2_000)).toBe(true)
    expect(events[1]).toEqual(['flaky', true, expect.stringMatching(/probe answered 500; ejected again/)])
    expect(flaky.hits).toBe(hitsAtEjection + 1)
    broken = false
    expect(await eventually(() => events.length === 3, 3_000)).toBe(true)
    expect(events[2]).toEqual(['flaky', false, expect.stringMatching(/probe answered 200; re-admitted/)])
    const bodies = new Set<string>()
    for (let i = 0; i < 4; i++) bodies.add((await request(running.port)).body)
    expect(bodies).toEqual(new Set(['flaky', 'good']))
  })

  it('never ejects the last healthy backend for 5xx alone', async () => {
    const only = await backend('only', (_req, res) => {
      res.statusCode = 503
      res.end('busy')
    })
    const events: string[] = []
    const pool = new BackendPool()
    addReady(pool, only.id, only.port)
    running = await startProxy(pool, { passiveHealth: fastHealth, onEjection: (id) => events.push(id) })
    for (let i = 0; i < 10; i++) expect((await request(running.port)).status).toBe(503)
    expect(only.hits).toBe(10)
    expect(events).toEqual([])
    expect(pool.isEligible('only')).toBe(true)
  })

  it('ejects a backend that takes requests and never answers, though its timeouts come further apart than the window', async () => {
    // The hung app of a fresh-user tryout: its /metrics still answered, so only passive health
    // can notice. One timeout per upstreamTimeoutMs (300 ms) never fits 3 in a 100 ms window.
    const hung = await backend('hung', () => undefined)
    const good = await backend('good')
    const events: Array<[string, boolean, string]> = []
    const pool = new BackendPool()
    addReady(pool, hung.id, hung.port)
    addReady(pool, good.id, good.port)
    const health = { ...fastHealth, failureWindowMs: 100, timeoutThreshold: 2, baseEjectionMs: 10_000 }
    running = await startProxy(pool, {
      upstreamTimeoutMs: 300,
      passiveHealth: health,
      onEjection: (id, ej, why) => events.push([id, ej, why])
    })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await request(running.port)).status)
    expect(statuses).toEqual([504, 200, 504, 200])
    expect(events).toEqual([['hung', true, expect.stringMatching(/2 consecutive failures \(last: timeout\); ejected for 10 s/)]])
    expect(pool.isEligible('hung')).toBe(false)
    const started = Date.now()
    for (let i = 0; i < 6; i++) expect((await request(running.port)).body).toBe('good')
    expect(Date.now() - started).toBeLessThan(1_000) // nobody waits for the hung one any more
    expect(hung.hits).toBe(2)
  })

  it('with worker threads, counts timeouts over all of them: 2 timeouts eject, however the connections spread', async () => {
    const hung = await backend('hung', () => undefined)
    const good = await backend('good')
    const events: string[] = []
    const pool = new BackendPool()
    addReady(pool, hung.id, hung.port)
    addReady(pool, good.id, good.port)
    running = await startProxy(pool, {
      workers: 2,
      upstreamTimeoutMs: 300,
      passiveHealth: { ...fastHealth, failureWindowMs: 100, timeoutThreshold: 2, baseEjectionMs: 10_000 },
      onEjection: (id, ej, why) => events.push(`${id} ${ej} ${why}`)
    })
    const statuses: number[] = []
    // A new connection each: the kernel spreads them over both threads.
    for (let i = 0; i < 16 && events.length === 0; i++) statuses.push((await request(running.port, { agent: false })).status)
    expect(events).toEqual([expect.stringMatching(/^hung true 2 consecutive failures \(last: timeout\)/)])
    expect(statuses.filter((s) => s === 504)).toHaveLength(2)
    for (let i = 0; i < 6; i++) expect((await request(running.port, { agent: false })).body).toBe('good')
  })

  it('ejects a backend refusing connections (GETs are served by the other one meanwhile)', async () => {
    const good = await backend('good')
    const events: Array<[string, boolean]> = []
    const pool = new BackendPool()
    addReady(pool, 'dead', await refusedPort())
    addReady(pool, good.id, good.port)
    running = await startProxy(pool, { passiveHealth: fastHealth, onEjection: (id, ej) => events.push([id, ej]) })
    for (let i = 0; i < 8; i++) expect((await request(running.port)).status).toBe(200)
    expect(events[0]).toEqual(['dead', true])
    expect(pool.isEligible('dead')).toBe(false)
  })
})

describe('ProxyServer retry rules', () => {
  type Mode = 'refuse' | 'reset-before-response' | 'reset-after-headers'
  it.each([
    { method: 'GET', body: undefined, mode: 'refuse', status: 200, goodHits: 1 },
    { method: 'GET', body: undefined, mode: 'reset-before-response', status: 200, goodHits: 1 },
    { method: 'HEAD', body: undefined, mode: 'reset-before-response', status: 200, goodHits: 1 },
    { method: 'DELETE', body: undefined, mode: 'reset-before-response', status: 200, goodHits: 1 },
    { method: 'POST', body: 'x=1', mode: 'reset-before-response', status: 502, goodHits: 0 },
    { method: 'POST', body: undefined, mode: 'refuse', status: 502, goodHits: 0 },
    { method: 'PUT', body: 'data', mode: 'reset-before-response', status: 502, goodHits: 0 },
    { method: 'GET', body: undefined, mode: 'reset-after-headers', status: -1, goodHits: 0 }
  ] as Array<{ method: string; body: string | undefined; mode: Mode; status: number; goodHits: number }>)(
    '$method with body=$body, first backend $mode → $status',
    async ({ method, body, mode, status, goodHits }) => {
      const good = await backend('good')
      const pool = new BackendPool()
      if (mode === 'refuse') addReady(pool, 'bad', await refusedPort())
      else {
        const bad = await backend('bad', (req, res) => {
          if (mode === 'reset-after-headers') {
            res.writeHead(200, { 'Content-Length': '100' })
            res.write('part')
            setTimeout(() => req.socket.destroy(), 10)
          } else req.socket.destroy()
        })
        addReady(pool, bad.id, bad.port)
      }
      addReady(pool, good.id, good.port)
      running = await startProxy(pool, { passiveHealth: { failureThreshold: 0 } })
      const got = await request(running.port, { method, body }).then(
        (r) => r.status,
        () => -1 // the connection was cut: headers had gone out already
      )
      expect(got).toBe(status)
      expect(good.hits).toBe(goodHits)
      expect(await eventually(() => pool.inFlight('bad') + pool.inFlight('good') === 0)).toBe(true)
    }
  )

  it('a GET whose backend died is answered by another: the fresh retry on the dead one does not use up the retry', async () => {
    // The backend answers once (keep-alive), then dies as the next request reaches that pooled
    // connection: it stops listening and resets the connection, as a killed container does.
    let answered = 0
    const sockets = new Set<net.Socket>()
    const dying = net.createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => undefined)
      socket.on('data', () => {
        if (answered++ === 0) {
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\ndying')
          return
        }
        dying.close()
        for (const s of sockets) s.resetAndDestroy()
      })
    })
    await new Promise<void>((resolve) => dying.listen(0, '127.0.0.1', resolve))
    const good = await backend('good')
    const pool = new BackendPool()
    addReady(pool, 'dying', (dying.address() as net.AddressInfo).port)
    addReady(pool, good.id, good.port)
    running = await startProxy(pool, { workers: 0, passiveHealth: { failureThreshold: 0 } })
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const bodies: string[] = []
      for (let i = 0; i < 4; i++) bodies.push((await request(running.port, { agent })).body)
      expect(bodies).toEqual(['dying', 'good', 'good', 'good'])
      expect(answered).toBe(2) // the second reached it and was reset
    } finally {
      agent.destroy()
      dying.close()
    }
  })
})
