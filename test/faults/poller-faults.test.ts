/**
 * The real ScrapeLoop against one real misbehaving backend of every kind at once: each must end
 * in the health and reason the dashboard shows (refused, timeout, parse_error, body_too_large,
 * connection_error, or up), special values must never turn into 0, and a process restart must
 * give a counter-reset event instead of a negative or huge CPU spike. Takes ~5 s.
 */
import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScrapeLoop, type BackendMetricsState, type HealthTransition } from '../../src/main/poller/scrape-loop'
import {
  closeAll,
  expectedVerdict,
  faultKinds,
  startFaultBackends,
  type FaultBackend,
  type FaultKind
} from '../helpers/fault-backends'

const MiB = 1024 * 1024
const TIMEOUT_MS = 1500
const RESTART_EVERY_MS = 700
const CPU_RATE = 0.5

const fdCount = (): number => readdirSync('/proc/self/fd').length

describe('ScrapeLoop against misbehaving backends', () => {
  let backends: FaultBackend[] = []
  let loop: ScrapeLoop
  const transitions: HealthTransition[] = []
  const resets: string[] = []
  /** Every CPU% the loop exposed for the restarting backend, sampled every 10 ms. */
  const restartingCpu: number[] = []
  /** Every memory value exposed for the special-values backend. */
  const specialSeen: Array<{ cpu: number | null; mem: number | null }> = []
  const final = new Map<FaultKind, BackendMetricsState>()
  let fdsBefore = 0

  beforeAll(async () => {
    fdsBefore = fdCount()
    backends = await startFaultBackends(faultKinds, { restartEveryMs: RESTART_EVERY_MS, cpuRate: CPU_RATE })
    loop = new ScrapeLoop({
      intervalMs: 100,
      // Longer than the drip's 1 s per byte: only a deadline over the whole response catches it.
      timeoutMs: TIMEOUT_MS,
      maxBodyBytes: 4 * MiB,
      failuresBeforeDown: 2,
      onTransition: (t) => transitions.push(t),
      onCounterReset: (id) => resets.push(id)
    })
    loop.setTargets(backends.map((b) => ({ id: b.kind, host: '127.0.0.1', port: b.port, path: '/metrics' })))
    loop.start()

    const settled = (): boolean =>
      backends.every((b) => {
        const s = loop.state(b.kind)
        const want = expectedVerdict[b.kind]
        return s !== undefined && s.health === want.health && (want.reason === null || s.failureReason === want.reason)
      })
    // Run until every backend reached its verdict and the restarting one restarted at least twice.
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline && !(settled() && resets.length >= 2)) {
      await new Promise((r) => setTimeout(r, 10))
      const cpu = loop.state('restarting')?.cpuPercent
      if (cpu !== null && cpu !== undefined) restartingCpu.push(cpu)
      const sp = loop.state('special-values')
      if (sp?.health === 'up') specialSeen.push({ cpu: sp.cpuPercent, mem: sp.memoryBytes })
    }
    for (const b of backends) final.set(b.kind, loop.state(b.kind)!)
  }, 30_000)

  afterAll(async () => {
    await loop?.close()
    await closeAll(backends)
  })

  it.each(faultKinds.filter((k) => k !== 'healthy').map((k) => [k, expectedVerdict[k]] as const))(
    '%s → %o',
    (kind, want) => {
      const s = final.get(kind)!
      expect(s.health, `${kind}: ${s.healthReason}`).toBe(want.health)
      expect(s.failureReason, `${kind}: ${s.healthReason}`).toBe(want.reason)
      if (want.reason !== null) {
        expect(s.healthReason).toMatch(new RegExp(`^${want.reason}: .+`))
        // The down transition carried the same reason the state shows.
        const down = transitions.find((t) => t.id === kind && t.to === 'down')
        expect(down?.failureReason).toBe(want.reason)
        expect(s.cpuPercent).toBeNull()
        expect(s.memoryBytes).toBeNull()
      } else {
        expect(s.healthReason).toBeNull()
      }
    }
  )

  it('healthy backend is up with CPU and memory from its metrics', () => {
    const s = final.get('healthy')!
    expect(s.health).toBe('up')
    expect(s.hasMetrics).toBe(true)
    expect(s.memoryBytes).toBeGreaterThan(0)
    expect(transitions.filter((t) => t.id === 'healthy' && t.to === 'down')).toEqual([])
  })

  it('the 1 byte/s backend fails on the overall deadline, not an idle timeout', () => {
    const s = final.get('slow-drip')!
    expect(s.healthReason).toContain(`within ${TIMEOUT_MS} ms`)
  })

  it('the 50 MB body is cut at the 4 MiB cap', () => {
    expect(final.get('huge-body')!.healthReason).toContain(`cap of ${4 * MiB} bytes`)
  })

  it('a body without a trailing newline is parsed whole', () => {
    const s = final.get('no-trailing-newline')!
    expect(s.hasMetrics).toBe(true)
    // The last line, the one without "\n", is the memory sample.
    expect(s.memoryBytes).toBe(1048576)
  })

  it('NaN and ±Inf CPU/memory stay unknown (null), never 0', () => {
    expect(specialSeen.length).toBeGreaterThan(0)
    for (const seen of specialSeen) {
      expect(seen.cpu).toBeNull()
      expect(seen.mem).toBeNull()
    }
    expect(final.get('special-values')!.hasMetrics).toBe(true)
  })

  it('a restart fires onCounterReset and never shows a negative or huge CPU%', () => {
    const restarting = backends.find((b) => b.kind === 'restarting')!
    expect(resets.filter((id) => id === 'restarting').length).toBeGreaterThanOrEqual(2)
    expect(resets.every((id) => id === 'restarting')).toBe(true)
    expect(resets.length).toBeLessThanOrEqual(restarting.restarts)
    expect(restartingCpu.length).toBeGreaterThan(10)
    for (const cpu of restartingCpu) {
      expect(cpu).toBeGreaterThanOrEqual(0)
      // 50 % of one core, with scheduling jitter between the backend's clock and the poller's.
      expect(cpu).toBeLessThan(CPU_RATE * 100 * 2)
    }
    const median = [...restartingCpu].sort((a, b) => a - b)[Math.floor(restartingCpu.length / 2)]!
    expect(median).toBeGreaterThan(CPU_RATE * 100 * 0.6)
    expect(median).toBeLessThan(CPU_RATE * 100 * 1.4)
    expect(transitions.filter((t) => t.id === 'restarting' && t.to === 'down')).toEqual([])
  })

  it('close() leaves no socket behind', async () => {
    await loop.close()
    await closeAll(backends)
    await new Promise((r) => setTimeout(r, 50))
    expect(fdCount()).toBeLessThanOrEqual(fdsBefore + 2)
  })
})
