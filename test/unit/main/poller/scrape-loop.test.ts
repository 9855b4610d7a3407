import { afterEach, describe, expect, it } from 'vitest'
import {
  ScrapeLoop,
  type HealthTransition,
  type ScrapeLoopOptions,
  type ScrapeTarget
} from '../../../../src/main/poller/scrape-loop'
import { isPrescalError } from '../../../../src/shared/errors'
import {
  activeResources,
  refusedPort,
  settle,
  startHttpServer,
  startRawServer,
  waitFor,
  type LocalServer
} from './local-servers'

const servers: LocalServer[] = []
const loops: ScrapeLoop[] = []

afterEach(async () => {
  await Promise.all(loops.splice(0).map((l) => l.close()))
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function serve(server: Promise<LocalServer>): Promise<LocalServer> {
  const s = await server
  servers.push(s)
  return s
}

interface Harness {
  loop: ScrapeLoop
  transitions: HealthTransition[]
  resets: string[]
}

/** A loop with a fake clock that advances one second per reading, so CPU% is exact. */
function harness(overrides: Partial<ScrapeLoopOptions> = {}): Harness {
  const transitions: HealthTransition[] = []
  const resets: string[] = []
  let clock = 1_700_000_000_000
  const loop = new ScrapeLoop({
    intervalMs: 10,
    timeoutMs: 1_000,
    maxBodyBytes: 64 * 1024,
    failuresBeforeDown: 3,
    now: () => (clock += 1_000),
    onTransition: (t) => transitions.push(t),
    onCounterReset: (id) => resets.push(id),
    ...overrides
  })
  loops.push(loop)
  return { loop, transitions, resets }
}

const at = (id: string, port: number, path = '/metrics'): ScrapeTarget => ({ id, host: '127.0.0.1', port, path })

/** Serves process metrics whose CPU counter follows `cpuSeries` (last value repeats). */
function metricsServer(cpuSeries: number[], memory = 52_428_800): Promise<LocalServer> {
  let i = 0
  return startHttpServer((_req, res) => {
    const cpu = cpuSeries[Math.min(i++, cpuSeries.length - 1)]
    res.end(
      `# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ${cpu}\n` +
        `process_resident_memory_bytes ${memory}\n`
    )
  })
}

describe('ScrapeLoop', () => {
  it('goes up, derives CPU% from the counter over the loop clock, and reports memory', async () => {
    const server = await serve(metricsServer([10, 10.5, 11, 11.5, 12, 12.5, 13, 13.5, 14, 14.5]))
    const { loop, transitions } = harness()
    loop.setTargets([at('a', server.port)])
    expect(loop.state('a')).toMatchObject({ health: 'unknown', lastScrapeAt: null, cpuPercent: null })
    loop.start()
    await waitFor(() => server.accepted >= 3, '3 scrapes')
    const s = loop.state('a')
    expect(s).toMatchObject({
      health: 'up',
      failureReason: null,
      healthReason: null,
      memoryBytes: 52_428_800,
      hasMetrics: true,
      consecutiveFailures: 0
    })
    // 0.5 CPU-seconds per 1 s of loop clock.
    expect(s?.cpuPercent).toBeCloseTo(50, 6)
    expect(s?.lastScrapeAt).toBeGreaterThan(1_700_000_000_000)
    expect(transitions).toEqual([
      { id: 'a', from: 'unknown', to: 'up', failureReason: null, message: 'metrics scrape succeeded' }
    ])
  })

  it('reports a counter reset once and gives no CPU% for that reading', async () => {
    const server = await serve(metricsServer([10, 11, 0.5, 1.5]))
    const cpuAtReset: Array<number | null | undefined> = []
    const h = harness({
      intervalMs: 30,
      onCounterReset: (id) => cpuAtReset.push(h.loop.state(id)?.cpuPercent)
    })
    h.loop.setTargets([at('a', server.port)])
    h.loop.start()
    await waitFor(() => server.accepted >= 4 && h.loop.state('a')?.cpuPercent != null, '4 scrapes')
    expect(cpuAtReset).toEqual([null])
    // The reading after the reset measures from the new baseline: 1 CPU-second per second.
    expect(h.loop.state('a')?.cpuPercent).toBeCloseTo(100, 6)
  })

  it('404 on the metrics path: up, hasMetrics false, no CPU/memory', async () => {
    const server = await serve(
      startHttpServer((_req, res) => {
        res.statusCode = 404
        res.end()
      })
    )
    const { loop, transitions } = harness()
    loop.setTargets([at('a', server.port)])
    loop.start()
    await waitFor(() => transitions.length === 1, 'a transition')
    expect(loop.state('a')).toMatchObject({ health: 'up', hasMetrics: false, cpuPercent: null, memoryBytes: null })
    expect(transitions[0]?.message).toMatch(/without process metrics/)
  })

  it.each([
    { desc: 'refused', reason: 'refused', start: async () => refusedPort() },
    {
      desc: 'garbage body',
      reason: 'parse_error',
      start: async () => (await serve(startHttpServer((_req, res) => res.end('<html>oops</html>')))).port
    },
    {
      desc: 'server error',
      reason: 'bad_status',
      start: async () =>
        (
          await serve(
            startHttpServer((_req, res) => {
              res.statusCode = 500
              res.end()
            })
          )
        ).port
    },
    {
      desc: 'silent listener',
      reason: 'timeout',
      start: async () => (await serve(startRawServer(() => {}))).port
    }
  ])('$desc: unknown -> down after 3 failures with reason $reason', async ({ reason, start }) => {
    const port = await start()
    const { loop, transitions } = harness({ timeoutMs: 40 })
    loop.setTargets([at('a', port)])
    loop.start()
    await waitFor(() => (loop.state('a')?.consecutiveFailures ?? 0) >= 4, '4 failures')
    expect(transitions).toHaveLength(1)
    expect(transitions[0]).toMatchObject({ id: 'a', from: 'unknown', to: 'down', failureReason: reason })
    expect(transitions[0]?.message.startsWith(`${reason}: `)).toBe(true)
    const s = loop.state('a')
    expect(s).toMatchObject({ health: 'down', failureReason: reason, cpuPercent: null, memoryBytes: null })
    expect(s?.healthReason?.startsWith(`${reason}: `)).toBe(true)
  })

  it('recovers: down -> up when the backend starts answering', async () => {
    let healthy = false
    const server = await serve(
      startHttpServer((_req, res) => {
        res.statusCode = healthy ? 200 : 503
        res.end(healthy ? 'process_cpu_seconds_total 1\n' : '')
      })
    )
    const { loop, transitions } = harness({ failuresBeforeDown: 2 })
    loop.setTargets([at('a', server.port)])
    loop.start()
    await waitFor(() => loop.state('a')?.health === 'down', 'down')
    healthy = true
    await waitFor(() => loop.state('a')?.health === 'up', 'up')
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['unknown->down', 'down->up'])
    expect(transitions[0]?.failureReason).toBe('bad_status')
    expect(transitions[1]?.failureReason).toBeNull()
  })

  it('paces scrapes to the interval instead of looping as fast as it can', async () => {
    const server = await serve(metricsServer([1]))
    const { loop } = harness({ intervalMs: 100 })
    loop.setTargets([at('a', server.port)])
    loop.start()
    await new Promise((r) => setTimeout(r, 1_000))
    await loop.close()
    // 1 immediately + one per 100 ms; generous for a shared machine, far from a busy loop.
    expect(server.accepted).toBeGreaterThanOrEqual(7)
    expect(server.accepted).toBeLessThanOrEqual(12)
  })

  it('setTargets: a removed target is aborted at once and forgotten', async () => {
    const silent = await serve(startRawServer(() => {}))
    const { loop } = harness({ timeoutMs: 30_000 })
    loop.setTargets([at('a', silent.port)])
    loop.start()
    await waitFor(() => silent.open === 1, 'the scrape to connect')
    loop.setTargets([])
    expect(loop.state('a')).toBeUndefined()
    await waitFor(() => silent.open === 0, 'the aborted scrape to close its socket', 1_000)
    await new Promise((r) => setTimeout(r, 50))
    expect(silent.accepted).toBe(1)
  })

  it('setTargets: same id keeps state; changed endpoint starts over', async () => {
    const first = await serve(metricsServer([1, 2, 3, 4, 5, 6, 7, 8]))
    const port = await refusedPort()
    const { loop, transitions } = harness({ failuresBeforeDown: 1 })
    loop.setTargets([at('a', first.port)])
    loop.start()
    await waitFor(() => loop.state('a')?.cpuPercent != null, 'CPU%')
    loop.setTargets([at('a', first.port), at('b', port)])
    expect(loop.state('a')?.health).toBe('up')
    loop.setTargets([at('a', port)])
    expect(loop.state('a')).toMatchObject({ health: 'unknown', cpuPercent: null, lastScrapeAt: null })
    await waitFor(() => loop.state('a')?.health === 'down', 'down on the new endpoint')
    expect(transitions.filter((t) => t.id === 'a').map((t) => `${t.from}->${t.to}`)).toEqual([
      'unknown->up',
      'unknown->down'
    ])
  })

  it('a throwing listener does not stop polling', async () => {
    const port = await refusedPort()
    const warnings: Error[] = []
    const onWarning = (w: Error): void => void warnings.push(w)
    process.on('warning', onWarning)
    try {
      const { loop } = harness({
        failuresBeforeDown: 1,
        onTransition: () => {
          throw new Error('listener bug')
        }
      })
      loop.setTargets([at('a', port)])
      loop.start()
      await waitFor(() => (loop.state('a')?.consecutiveFailures ?? 0) >= 5, '5 failures')
      await waitFor(() => warnings.length > 0, 'the warning')
      expect(warnings[0]?.message).toBe('listener bug')
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('close(): idempotent, waits for sockets, and later calls are CLOSED errors', async () => {
    await settle()
    const before = activeResources()
    const silent = await serve(startRawServer(() => {}))
    const { loop } = harness({ timeoutMs: 30_000 })
    loop.setTargets([at('a', silent.port), at('b', await refusedPort())])
    loop.start()
    await waitFor(() => silent.open === 1, 'the scrape to connect')
    const closing = loop.close()
    expect(loop.close()).toBe(closing)
    await closing
    expect(loop.state('a')).toBeUndefined()
    await waitFor(() => silent.open === 0, 'the server to see the close', 1_000)
    await silent.close()
    await settle()
    const after = activeResources()
    expect(after['TCPSocketWrap'] ?? 0).toBe(before['TCPSocketWrap'] ?? 0)
    expect(after['TCPServerWrap'] ?? 0).toBe(before['TCPServerWrap'] ?? 0)
    expect(after['Timeout'] ?? 0).toBeLessThanOrEqual(before['Timeout'] ?? 0)
    expect(() => loop.setTargets([])).toThrow(expect.objectContaining({ code: 'CLOSED' }))
    let err: unknown
    try {
      loop.start()
    } catch (e) {
      err = e
    }
    expect(isPrescalError(err, 'CLOSED')).toBe(true)
  })

  it('close() before start() resolves at once', async () => {
    const { loop } = harness()
    loop.setTargets([at('a', 1)])
    await loop.close()
    expect(loop.state('a')).toBeUndefined()
  })
})
