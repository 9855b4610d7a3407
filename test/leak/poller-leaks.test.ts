/**
 * The predecessor leaked one socket per second per unreachable backend until `accept: Too many
 * open files`. These tests poll three broken backends for hundreds of cycles each and count file
 * descriptors, libuv handles and heap before, during and after.
 *
 * Slow by design (~20-40 s). Run alone: `npx vitest run test/leak`.
 */
import { describe, expect, it } from 'vitest'
import { collector, heapUsedAfterSettling } from '../helpers/heap'
import { ScrapeLoop, type HealthTransition } from '../../src/main/poller/scrape-loop'
import {
  activeResources,
  fdCount,
  refusedPort,
  settle,
  startHttpServer,
  startRawServer,
  waitFor
} from '../unit/main/poller/local-servers'

const CYCLES = 320
const MiB = 1024 * 1024

function pick(resources: Record<string, number>): { Timeout: number; TCPSocketWrap: number; TCPServerWrap: number } {
  return {
    Timeout: resources['Timeout'] ?? 0,
    TCPSocketWrap: resources['TCPSocketWrap'] ?? 0,
    TCPServerWrap: resources['TCPServerWrap'] ?? 0
  }
}

describe('poller leak safety', () => {
  it(
    `no fd, handle or heap growth over ${CYCLES}+ cycles of refused, silent and garbage backends`,
    async () => {
      await settle()
      const baseline = pick(activeResources())
      const gc = collector()

      // A 64 KiB garbage body per scrape: if bodies or responses were retained, 320 of them
      // would show as ~20 MiB of heap.
      const garbage = Buffer.alloc(64 * 1024)
      for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 251
      const garbageServer = await startHttpServer((_req, res) => res.end(garbage))
      const silentServer = await startRawServer(() => {})
      const refused = await refusedPort()

      const transitions: HealthTransition[] = []
      const loop = new ScrapeLoop({
        intervalMs: 20,
        timeoutMs: 50,
        maxBodyBytes: 256 * 1024,
        failuresBeforeDown: 3,
        onTransition: (t) => transitions.push(t)
      })
      const ids = ['refused', 'silent', 'garbage'] as const
      loop.setTargets([
        { id: 'refused', host: '127.0.0.1', port: refused, path: '/metrics' },
        { id: 'silent', host: '127.0.0.1', port: silentServer.port, path: '/metrics' },
        { id: 'garbage', host: '127.0.0.1', port: garbageServer.port, path: '/metrics' }
      ])
      const failures = (id: string): number => loop.state(id)?.consecutiveFailures ?? 0

      await settle()
      const fdBefore = fdCount()
      loop.start()

      // Warm up (JIT, lazily created internals) before taking the heap baseline.
      await waitFor(() => ids.every((id) => failures(id) >= 20), 'warm-up cycles', 10_000)
      const heapBefore = await heapUsedAfterSettling(gc)

      let fdMax = 0
      const sampler = setInterval(() => (fdMax = Math.max(fdMax, fdCount())), 25)
      try {
        await waitFor(() => ids.every((id) => failures(id) >= CYCLES), `${CYCLES} cycles per target`, 55_000)
      } finally {
        clearInterval(sampler)
      }

      // Every target really ran 300+ cycles, each one a failure (so consecutive), never flapping.
      for (const id of ids) expect(failures(id), id).toBeGreaterThanOrEqual(300)
      expect(silentServer.accepted).toBeGreaterThanOrEqual(300)
      expect(garbageServer.accepted).toBeGreaterThanOrEqual(300)
      expect(ids.map((id) => [id, loop.state(id)?.health, loop.state(id)?.failureReason])).toEqual([
        ['refused', 'down', 'refused'],
        ['silent', 'down', 'timeout'],
        ['garbage', 'down', 'parse_error']
      ])
      expect(transitions.map((t) => `${t.id}:${t.from}->${t.to}`).sort()).toEqual([
        'garbage:unknown->down',
        'refused:unknown->down',
        'silent:unknown->down'
      ])

      const heapAfter = await heapUsedAfterSettling(gc)
      const heapGrowth = heapAfter - heapBefore
      expect(heapGrowth, `heap grew ${(heapGrowth / MiB).toFixed(1)} MiB`).toBeLessThan(
        gc ? 4 * MiB : 20 * MiB
      )

      // At most one client socket per target plus the servers' ends of them, at any moment.
      expect(fdMax - fdBefore, 'fds in use during the run').toBeLessThanOrEqual(8)

      const cyclesRun = ids.map((id) => `${id}=${failures(id)}`).join(' ')
      await loop.close()
      await waitFor(() => silentServer.open === 0 && garbageServer.open === 0, 'server ends to close', 2_000)
      await settle()
      const fdAfter = fdCount()
      console.info(
        `poller leak run: cycles ${cyclesRun}; fds ${fdBefore} -> max ${fdMax} -> ${fdAfter}; ` +
          `heap ${(heapGrowth / MiB).toFixed(2)} MiB (gc ${gc ? 'yes' : 'no'})`
      )
      expect(Math.abs(fdAfter - fdBefore), 'fds after close()').toBeLessThanOrEqual(5)

      await Promise.all([garbageServer.close(), silentServer.close()])
      await settle()
      const after = pick(activeResources())
      expect(after.TCPSocketWrap).toBeLessThanOrEqual(baseline.TCPSocketWrap)
      expect(after.TCPServerWrap).toBeLessThanOrEqual(baseline.TCPServerWrap)
      expect(after.Timeout).toBeLessThanOrEqual(baseline.Timeout)
    },
    90_000
  )

  it('keeps exactly one scrape in flight per target, and starts the next at once when slow', async () => {
    // Answers each request after 60 ms (three intervals): an overlapping poller would have ~3 open.
    let inProgress = 0
    let maxInProgress = 0
    const timers = new Set<NodeJS.Timeout>()
    const slow = await startHttpServer((_req, res) => {
      inProgress++
      maxInProgress = Math.max(maxInProgress, inProgress)
      const timer = setTimeout(() => {
        timers.delete(timer)
        inProgress--
        res.end('process_cpu_seconds_total 1\n')
      }, 60)
      timers.add(timer)
    })
    // Never answers; each scrape must time out (50 ms) before the next one connects.
    const silent = await startRawServer(() => {})

    // The slow one gets a deadline it never hits, so only the loop's scheduling can overlap them.
    const slowLoop = new ScrapeLoop({ intervalMs: 20, timeoutMs: 2_000, maxBodyBytes: 4096, failuresBeforeDown: 3 })
    const silentLoop = new ScrapeLoop({ intervalMs: 20, timeoutMs: 50, maxBodyBytes: 4096, failuresBeforeDown: 3 })
    const slowTarget = { id: 'slow', host: '127.0.0.1', port: slow.port, path: '/metrics' }
    const silentTarget = { id: 'silent', host: '127.0.0.1', port: silent.port, path: '/metrics' }
    // Repeated setTargets/start must not add a second scrape chain for the same target.
    slowLoop.setTargets([slowTarget])
    slowLoop.start()
    slowLoop.setTargets([slowTarget])
    slowLoop.start()
    silentLoop.setTargets([silentTarget])
    silentLoop.setTargets([silentTarget])
    silentLoop.start()
    silentLoop.start()
    const runMs = 1_500
    await new Promise((r) => setTimeout(r, runMs))
    const slowCount = slow.accepted
    const silentCount = silent.accepted
    await Promise.all([slowLoop.close(), silentLoop.close()])
    for (const t of timers) clearTimeout(t)
    await Promise.all([slow.close(), silent.close()])

    expect(maxInProgress).toBe(1)
    // Back to back (no waiting an interval after a slow scrape): ~25 in 1.5 s; at least 12.
    expect(slowCount).toBeGreaterThanOrEqual(12)
    // One at a time means at most one connection per 50 ms timeout; overlapping ones every
    // 20 ms interval would give ~75.
    expect(silentCount).toBeLessThanOrEqual(runMs / 50 + 2)
    expect(silentCount).toBeGreaterThanOrEqual(10)
  })
})
