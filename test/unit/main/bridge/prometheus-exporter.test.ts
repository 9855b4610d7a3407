import { describe, expect, it } from 'vitest'
import { renderPrometheus } from '../../../../src/main/bridge/prometheus-exporter'
import { findValue, parsePrometheusText } from '../../../../src/main/poller/prometheus-parser'
import type { BackendView, Snapshot } from '../../../../src/shared/types'
import { autoscaleOff } from '../../../fixtures/views/autoscale-view'

const backend = (over: Partial<BackendView>): BackendView => ({
  id: 's:127.0.0.1:1',
  name: '127.0.0.1:1',
  address: '127.0.0.1:1',
  source: 'static',
  service: null,
  containerId: null,
  containerState: null,
  health: 'up',
  healthReason: null,
  failureReason: null,
  ready: true,
  draining: false,
  ejected: null,
  rps: 12,
  lastTick: { s2xx: 12, s3xx: 0, s4xx: 0, s5xx: 0 },
  totals: { s2xx: 100, s3xx: 1, s4xx: 2, s5xx: 3 },
  inFlight: 4,
  latencyMs: { p50: 1.5, p95: 3, p99: null },
  cpuPercent: 25.5,
  memoryBytes: 1048576,
  metricsSource: 'prometheus',
  healthSource: 'scrape',
  ...over
})

const snapshot: Snapshot = {
  at: 0,
  proxy: { url: 'http://127.0.0.1:8080', error: null, rps: 12, refusedRps: 0, inFlight: 4, totalRequests: 106, balancing: 'round-robin' },
  backends: [
    backend({}),
    backend({ id: 'c:abc', name: 'web "quoted"\\1', service: 'demo', health: 'down', cpuPercent: null, memoryBytes: null })
  ],
  services: [{ name: 'demo', image: 'x', containerPort: 3000, desired: 3, maxReplicas: 20, running: 2, ready: 1, phase: 'idle', message: null, autoscale: autoscaleOff, balancing: 'round-robin' }],
  docker: { status: 'connected', message: null, version: '20.10' },
  history: null,
  load: { running: false, profile: null, startedAt: null, targetRps: 0, achievedRps: 0, sent: 0, ok: 0, errors: 0, errorsByKind: {}, latencyMs: { p50: null, p95: null, p99: null } }
}

describe('renderPrometheus', () => {
  const parsed = parsePrometheusText(renderPrometheus(snapshot))
  if (!parsed.ok) throw new Error(parsed.error)
  const s = parsed.samples

  it.each<{ name: string; labels: Record<string, string>; value: number }>([
    { name: 'prescal_backend_requests_total', labels: { backend: '127.0.0.1:1', code: '5xx' }, value: 3 },
    { name: 'prescal_backend_up', labels: { backend: '127.0.0.1:1' }, value: 1 },
    { name: 'prescal_backend_up', labels: { backend: 'web "quoted"\\1', service: 'demo' }, value: 0 },
    { name: 'prescal_backend_cpu_percent', labels: { backend: '127.0.0.1:1' }, value: 25.5 },
    { name: 'prescal_backend_latency_ms', labels: { backend: '127.0.0.1:1', quantile: 'p95' }, value: 3 },
    { name: 'prescal_service_replicas', labels: { service: 'demo', kind: 'desired' }, value: 3 },
    { name: 'prescal_service_replicas', labels: { service: 'demo', kind: 'ready' }, value: 1 },
    { name: 'prescal_proxy_requests_total', labels: {}, value: 106 },
    { name: 'prescal_docker_up', labels: {}, value: 1 }
  ])('$name $labels = $value, round-tripped through our own parser', ({ name, labels, value }) => {
    expect(findValue(s, name, labels)).toBe(value)
  })

  it('omits unknown values instead of writing 0', () => {
    expect(findValue(s, 'prescal_backend_cpu_percent', { backend: 'web "quoted"\\1' })).toBeUndefined()
    expect(findValue(s, 'prescal_backend_latency_ms', { backend: '127.0.0.1:1', quantile: 'p99' })).toBeUndefined()
  })
})
