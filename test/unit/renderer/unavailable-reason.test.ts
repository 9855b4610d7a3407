import { describe, expect, it } from 'vitest'
import { unavailableReason } from '../../../src/renderer/src/core/unavailable-reason'
import type { BackendView } from '../../../src/shared/types'

const backend = (over: Partial<BackendView> = {}): BackendView => ({
  id: 'c:0123456789ab',
  name: 'demo-1',
  address: '127.0.0.1:3000',
  source: 'container',
  service: 'demo',
  containerId: '0123456789ab',
  containerState: 'running',
  health: 'up',
  healthReason: null,
  failureReason: null,
  ready: true,
  draining: false,
  ejected: null,
  rps: 0,
  lastTick: { s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0 },
  totals: { s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0 },
  inFlight: 0,
  latencyMs: { p50: 1, p95: 2, p99: 3 },
  cpuPercent: 1,
  memoryBytes: 1,
  metricsSource: 'prometheus',
  healthSource: 'scrape',
  ...over
})

describe('unavailableReason', () => {
  it('is null for every field that has a value', () => {
    for (const field of ['address', 'latency', 'cpu', 'memory'] as const) {
      expect(unavailableReason(field, backend())).toBeNull()
    }
  })

  it.each([
    { desc: 'stopped container has no address', field: 'address', b: backend({ address: null, containerState: 'exited' }), match: /not running/ },
    { desc: 'no requests, no latency', field: 'latency', b: backend({ latencyMs: { p50: null, p95: null, p99: null } }), match: /No requests/ },
    { desc: 'exited container', field: 'cpu', b: backend({ cpuPercent: null, containerState: 'exited' }), match: /container is exited/ },
    { desc: 'down backend names its reason', field: 'memory', b: backend({ memoryBytes: null, health: 'down', healthReason: 'refused: ECONNREFUSED' }), match: /down \(refused: ECONNREFUSED\)/ },
    { desc: 'no metrics source', field: 'cpu', b: backend({ cpuPercent: null, metricsSource: 'none' }), match: /no usable \/metrics/ },
    { desc: 'first sample', field: 'cpu', b: backend({ cpuPercent: null }), match: /two samples/ }
  ] as const)('$desc', ({ field, b, match }) => {
    expect(unavailableReason(field, b)).toMatch(match)
  })
})
