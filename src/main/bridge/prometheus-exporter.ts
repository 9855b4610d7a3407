/**
 * The app's own metrics in Prometheus text format 0.0.4, so an existing Prometheus + Grafana can
 * take over long-term storage. Pure: a snapshot plus running totals in, text out.
 */
import type { Snapshot } from '../../shared/types'

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function labels(pairs: Record<string, string | null>): string {
  const parts = Object.entries(pairs).map(([k, v]) => `${k}="${escapeLabel(v ?? '')}"`)
  return `{${parts.join(',')}}`
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  return String(v)
}

export function renderPrometheus(s: Snapshot): string {
  const out: string[] = []
  const family = (name: string, type: 'counter' | 'gauge', help: string, rows: [Record<string, string | null>, number | null][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [l, v] of rows) if (v !== null) out.push(`${name}${labels(l)} ${num(v)}`)
  }
  const b = s.backends
  const id = (x: (typeof b)[number]) => ({ backend: x.name, service: x.service ?? '' })
  family(
    'prescal_backend_requests_total',
    'counter',
    'Requests the proxy completed for a backend, by status class.',
    b.flatMap((x) =>
      (['2xx', '3xx', '4xx', '5xx'] as const).map(
        (c) => [{ ...id(x), code: c }, x.totals[`s${c}`]] as [Record<string, string>, number]
      )
    )
  )
  family('prescal_backend_up', 'gauge', '1 when the last scrapes succeeded, 0 when down.', b.map((x) => [id(x), x.health === 'up' ? 1 : x.health === 'down' ? 0 : null]))
  family('prescal_backend_ready', 'gauge', '1 when the proxy may send traffic to the backend.', b.map((x) => [id(x), x.ready && !x.draining && x.health !== 'down' ? 1 : 0]))
  family('prescal_backend_in_flight', 'gauge', 'Requests in flight to the backend.', b.map((x) => [id(x), x.inFlight]))
  family('prescal_backend_rps', 'gauge', 'Requests completed in the last 1 s tick.', b.map((x) => [id(x), x.rps]))
  family('prescal_backend_cpu_percent', 'gauge', 'CPU of the backend process, one core = 100.', b.map((x) => [id(x), x.cpuPercent]))
  family('prescal_backend_memory_bytes', 'gauge', 'Resident memory of the backend process.', b.map((x) => [id(x), x.memoryBytes]))
  family(
    'prescal_backend_latency_ms',
    'gauge',
    'Latency quantiles over the last tick, in milliseconds.',
    b.flatMap((x) =>
      (['p50', 'p95', 'p99'] as const).map((q) => [{ ...id(x), quantile: q }, x.latencyMs[q]] as [Record<string, string>, number | null])
    )
  )
  family('prescal_service_replicas', 'gauge', 'Replicas of a service, by kind (desired, running, ready).', s.services.flatMap((x) =>
    (['desired', 'running', 'ready'] as const).map((k) => [{ service: x.name, kind: k }, x[k]] as [Record<string, string>, number])
  ))
  family('prescal_proxy_requests_total', 'counter', 'Requests the proxy completed.', [[{}, s.proxy.totalRequests]])
  family('prescal_docker_up', 'gauge', '1 when the Docker engine is connected.', [[{}, s.docker.status === 'connected' ? 1 : 0]])
  return out.join('\n') + '\n'
}
