import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { isPrescalError } from '../../../src/shared/errors'
import { LoadGenerator } from '../../../src/main/loadgen/load-generator'

/** A real local server that counts request arrival times and paths; `hang` never answers. */
async function startServer(mode: 'ok' | 'hang' = 'ok') {
  const arrivals: number[] = []
  const paths: string[] = []
  const t0 = performance.now()
  const server = http.createServer((req, res) => {
    arrivals.push(performance.now() - t0)
    paths.push(req.url ?? '')
    if (mode === 'ok') res.end('ok')
    // 'hang': keep the request open until the client gives up
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    arrivals,
    paths,
    server,
    connections: () => new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n)))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** Active handles by type (Timeout, TCPSocketWrap, ...), for before/after comparisons. */
async function settledResources(): Promise<Record<string, number>> {
  // Let handles of earlier tests finish closing first (they close on a later loop turn).
  await sleep(100)
  return resources()
}

function resources(): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1
  return out
}

/** Handle types of which there are more now than in `baseline` (timers of the test runner may come and go). */
function extraResources(baseline: Record<string, number>): Record<string, number> {
  const extra: Record<string, number> = {}
  for (const [type, n] of Object.entries(resources())) if (n > (baseline[type] ?? 0)) extra[type] = n - (baseline[type] ?? 0)
  return extra
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await sleep(20)
  }
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function setup(mode: 'ok' | 'hang' = 'ok') {
  const srv = await startServer(mode)
  cleanups.push(srv.close)
  return srv
}

function generator(opts: ConstructorParameters<typeof LoadGenerator>[0]): LoadGenerator {
  const g = new LoadGenerator(opts)
  cleanups.push(() => g.close())
  return g
}

describe('LoadGenerator against a real server', () => {
  it('sends a constant 100 req/s for 2 s: 200 requests at ~100 req/s, then stops by itself', async () => {
    const srv = await setup()
    const g = generator({ url: srv.url })
    g.start({ kind: 'constant', rps: 100, durationMs: 2000 })
    await sleep(1500)
    const mid = g.stats()
    expect(mid.running).toBe(true)
    expect(mid.profile).toBe('constant')
    expect(mid.targetRps).toBe(100)
    expect(mid.achievedRps).toBeGreaterThanOrEqual(80)
    expect(mid.achievedRps).toBeLessThanOrEqual(120)
    expect(mid.latencyMs.p50).not.toBeNull()
    await until(() => !g.stats().running, 3000)
    await sleep(300)
    const end = g.stats()
    expect(srv.arrivals.length).toBeGreaterThanOrEqual(180)
    expect(srv.arrivals.length).toBeLessThanOrEqual(220)
    expect(end.sent).toBe(srv.arrivals.length)
    expect(end.ok).toBe(end.sent)
    expect(end.errors).toBe(0)
    expect(end.targetRps).toBe(0)
    // Nothing arrives after the end of the schedule.
    expect(Math.max(...srv.arrivals) - Math.min(...srv.arrivals)).toBeLessThan(2300)
  })

  it('sends to the path given to start(), not the one it was built with; a bad path is refused', async () => {
    const srv = await setup()
    const g = generator({ url: srv.url })
    g.start({ kind: 'constant', rps: 50, durationMs: 1000 }, '/nope?work=1')
    await until(() => !g.stats().running, 3000)
    expect(srv.paths.length).toBeGreaterThan(0)
    expect(new Set(srv.paths)).toEqual(new Set(['/nope?work=1']))
    g.start({ kind: 'constant', rps: 50, durationMs: 1000 })
    await until(() => !g.stats().running, 3000)
    expect(srv.paths.at(-1)).toBe('/')
    for (const bad of ['nope', '/a b', '']) {
      expect(() => g.start({ kind: 'constant', rps: 1, durationMs: 1000 }, bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    }
  })

  it('ramps up: the second second carries more than the first', async () => {
    const srv = await setup()
    const g = generator({ url: srv.url })
    g.start({ kind: 'ramp', fromRps: 20, toRps: 200, durationMs: 2000 })
    await until(() => !g.stats().running, 4000)
    await sleep(200)
    const first = srv.arrivals[0]!
    const firstHalf = srv.arrivals.filter((t) => t - first < 1000).length
    const secondHalf = srv.arrivals.length - firstHalf
    // Expected 65 and 155 (∫ of 20 + 90 t).
    expect(srv.arrivals.length).toBeGreaterThanOrEqual(200)
    expect(srv.arrivals.length).toBeLessThanOrEqual(240)
    expect(secondHalf).toBeGreaterThan(firstHalf * 1.8)
  })

  it('stop() aborts in-flight requests and leaves no handles behind', async () => {
    const srv = await setup('hang')
    const baseline = await settledResources()
    const g = new LoadGenerator({ url: srv.url })
    g.start({ kind: 'constant', rps: 50, durationMs: 10_000 })
    await sleep(400)
    expect(srv.arrivals.length).toBeGreaterThan(10)
    expect(resources()['TCPSocketWrap'] ?? 0).toBeGreaterThan(baseline['TCPSocketWrap'] ?? 0)
    const t = performance.now()
    await g.stop()
    expect(performance.now() - t).toBeLessThan(1000)
    const st = g.stats()
    expect(st.running).toBe(false)
    expect(st.errors).toBe(0) // aborted by us, not failed
    await g.close()
    // The server side of each connection closes when it sees the FIN.
    await until(async () => (await srv.connections()) === 0, 2000)
    await sleep(50)
    expect(extraResources(baseline)).toEqual({})
  })

  it('stop() also closes idle keep-alive sockets', async () => {
    const srv = await setup()
    const baseline = await settledResources()
    const g = new LoadGenerator({ url: srv.url })
    g.start({ kind: 'constant', rps: 200, durationMs: 10_000 })
    await sleep(300)
    const t = performance.now()
    await g.stop()
    // Idle sockets are closed by us, not left for the server's keep-alive timeout (5 s).
    expect(performance.now() - t).toBeLessThan(1000)
    await until(async () => (await srv.connections()) === 0, 2000)
    await sleep(50)
    expect(extraResources(baseline)).toEqual({})
    await g.close()
  })

  it('releases its sockets after a run that ended by itself', async () => {
    const srv = await setup()
    const baseline = await settledResources()
    const g = new LoadGenerator({ url: srv.url })
    g.start({ kind: 'constant', rps: 200, durationMs: 1000 })
    await until(() => !g.stats().running, 3000)
    await until(async () => (await srv.connections()) === 0, 2000)
    await sleep(50)
    expect(extraResources(baseline)).toEqual({})
    await g.close()
  })

  it('counts refused connections when the server is down', async () => {
    const srv = await startServer()
    const url = srv.url
    await srv.close()
    const g = generator({ url })
    g.start({ kind: 'constant', rps: 50, durationMs: 1000 })
    await until(() => !g.stats().running, 3000)
    await sleep(200)
    const st = g.stats()
    expect(st.ok).toBe(0)
    expect(st.sent).toBe(50)
    expect(st.errorsByKind['refused']).toBe(50)
    expect(st.errors).toBe(50)
  })

  it('counts arrivals beyond maxInFlight as overload instead of queueing them', async () => {
    const srv = await setup('hang')
    const g = generator({ url: srv.url, maxInFlight: 5 })
    g.start({ kind: 'constant', rps: 100, durationMs: 1000 })
    await until(() => !g.stats().running, 3000)
    const st = g.stats()
    expect(st.sent).toBe(5)
    expect(srv.arrivals.length).toBe(5)
    expect(st.errorsByKind['overload']).toBe(95)
    expect(st.ok).toBe(0)
  })

  it('counts a request that outlives its deadline as a timeout', async () => {
    const srv = await setup('hang')
    const g = generator({ url: srv.url, requestTimeoutMs: 200 })
    g.start({ kind: 'constant', rps: 10, durationMs: 1000 })
    await until(() => (g.stats().errorsByKind['timeout'] ?? 0) >= 10, 3000)
    expect(g.stats().errors).toBe(10)
  })

  it('counts HTTP error answers by status', async () => {
    const server = http.createServer((_req, res) => {
      res.statusCode = 503
      res.end('no backend')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))))
    const g = generator({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
    g.start({ kind: 'constant', rps: 20, durationMs: 1000 })
    await until(() => g.stats().errors >= 20, 3000)
    expect(g.stats().errorsByKind).toEqual({ http_503: 20 })
  })

  it('a new start() replaces the running profile and resets the counters', async () => {
    const srv = await setup()
    const g = generator({ url: srv.url })
    g.start({ kind: 'constant', rps: 100, durationMs: 5000 })
    await sleep(300)
    expect(g.stats().sent).toBeGreaterThan(10)
    g.start({ kind: 'step', lowRps: 5, highRps: 10, lowMs: 1000, highMs: 1000, durationMs: 5000 })
    const st = g.stats()
    expect(st.profile).toBe('step')
    expect(st.sent).toBeLessThanOrEqual(1)
    expect(st.targetRps).toBe(5)
    await g.stop()
  })
})

describe('LoadGenerator validation', () => {
  const expectCode = (fn: () => unknown, code: 'INVALID_ARGUMENT' | 'CLOSED', message?: RegExp) => {
    try {
      fn()
    } catch (err) {
      expect(isPrescalError(err, code)).toBe(true)
      if (message) expect((err as Error).message).toMatch(message)
      return
    }
    throw new Error('expected a throw')
  }

  it('rejects profiles beyond the limits with a clear message', () => {
    const g = new LoadGenerator({ url: 'http://127.0.0.1:9', maxRps: 500, maxDurationMs: 60_000 })
    expectCode(() => g.start({ kind: 'constant', rps: 5000, durationMs: 1000 }), 'INVALID_ARGUMENT', /rps/)
    expectCode(() => g.start({ kind: 'ramp', fromRps: 0, toRps: 600, durationMs: 1000 }), 'INVALID_ARGUMENT', /600 req\/s.*500/)
    expectCode(() => g.start({ kind: 'constant', rps: 1, durationMs: 120_000 }), 'INVALID_ARGUMENT', /120000.*60000/)
    expect(g.stats().running).toBe(false)
  })

  it('only targets loopback http', () => {
    expectCode(() => new LoadGenerator({ url: 'http://example.com' }), 'INVALID_ARGUMENT', /loopback/)
    expectCode(() => new LoadGenerator({ url: 'https://127.0.0.1:8080' }), 'INVALID_ARGUMENT')
    expectCode(() => new LoadGenerator({ url: 'not a url' }), 'INVALID_ARGUMENT')
    expect(() => new LoadGenerator({ url: 'http://localhost:8080' })).not.toThrow()
  })

  it('refuses to start after close()', async () => {
    const g = new LoadGenerator({ url: 'http://127.0.0.1:9' })
    await g.close()
    expectCode(() => g.start({ kind: 'constant', rps: 1, durationMs: 1000 }), 'CLOSED')
  })
})
