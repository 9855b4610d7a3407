/**
 * History store benchmark: 50 backends at 1 Hz for a simulated 24 h, written through the same
 * HistoryStore.writeTick the engine uses (only the clock is accelerated), then three queries.
 *
 *   npx tsx scripts/bench-history.ts [--hours 24] [--backends 50] [--keep]
 *
 * Bytes per value at raw resolution = (pages SQLite's dbstat reports for the raw chunk table, its
 * two indexes and the raw rows of the head table, after close) / (backends × ticks × 13), where 13
 * = the 12 metric fields of a BackendSampleRow + the timestamp.
 *
 * Query times: each query runs 3 times; all runs are printed, the summary line takes the median
 * (the first run is cold: the write loop never exercises the decoder, so the JIT has not yet
 * optimized it).
 */
import { DatabaseSync } from 'node:sqlite'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { HistoryStore } from '../src/main/history/history-store'
import type { BackendSampleRow, HistoryQuery, Metric } from '../src/main/history/history-types'
import { seededRandom as prng } from '../test/helpers/seeded-random'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const HOURS = arg('hours', 24)
const BACKENDS = arg('backends', 50)
const TICKS = Math.round(HOURS * 3600)
const VALUES_PER_SAMPLE = 13

const rand = prng(42)
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())

interface Sim {
  id: string
  service: string
  baseRps: number
  memBase: number
  mem: number
  latency: number
  downUntil: number
}

const sims: Sim[] = Array.from({ length: BACKENDS }, (_, i) => ({
  id: `c:${(0x1a2b3c4d5e00 + i).toString(16)}`,
  service: `svc-${i % 5}`,
  baseRps: 20 + rand() * 400,
  memBase: (80 + rand() * 400) * 1024 * 1024,
  mem: 0,
  latency: 3 + rand() * 20,
  downUntil: -1
}))

function sample(s: Sim, tick: number): BackendSampleRow {
  // Daily cycle plus noise; a backend is sometimes down for a minute (no latency, no CPU).
  if (s.downUntil < tick && rand() < 1 / 20_000) s.downUntil = tick + 60
  const down = s.downUntil >= tick
  const daily = 1 + 0.5 * Math.sin((2 * Math.PI * tick) / 86_400)
  const rps = down ? 0 : Math.max(0, Math.round(s.baseRps * daily * (1 + 0.1 * gauss())))
  const s5xx = rand() < 0.02 ? Math.round(rand() * 3) : 0
  const s4xx = Math.round(rps * 0.01 * rand())
  const s3xx = rand() < 0.05 ? 1 : 0
  s.mem = s.memBase + Math.round((20 + 10 * Math.sin(tick / 3600) + gauss()) * 256) * 4096
  const lat = s.latency * (1 + 0.15 * gauss()) * (1 + rps / 2000)
  return {
    backendId: s.id,
    service: s.service,
    rps,
    s2xx: Math.max(0, rps - s4xx - s5xx - s3xx),
    s3xx,
    s4xx,
    s5xx,
    inFlight: down ? 0 : Math.max(0, Math.round((rps * lat) / 1000 + gauss())),
    p50: down || rps === 0 ? null : Math.max(0.1, lat),
    p95: down || rps === 0 ? null : Math.max(0.1, lat * 2.2 * (1 + 0.1 * Math.abs(gauss()))),
    p99: down || rps === 0 ? null : Math.max(0.1, lat * 4 * (1 + 0.3 * Math.abs(gauss()))),
    cpuPercent: down ? null : Math.max(0, (rps / 10) * (1 + 0.2 * gauss()) + 0.5),
    memoryBytes: down ? null : s.mem,
    up: !down
  }
}

function pct(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

function timeQuery(store: HistoryStore, label: string, q: HistoryQuery): number {
  const times: number[] = []
  let points = 0
  let resolution = ''
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now()
    const r = store.query(q)
    times.push(performance.now() - t0)
    points = r.series.reduce((n, s) => n + s.v.filter((v) => v !== null).length, 0)
    resolution = `${r.resolution} step ${r.stepMs / 1000}s, ${r.series.length} series`
  }
  // The first run is cold (decode code not yet optimized by the JIT; the write loop never decodes):
  // shown separately, the median of the three is what the summary line reports.
  const median = [...times].sort((a, b) => a - b)[1] as number
  console.log(
    `query ${label}: runs ${times.map((t) => t.toFixed(1)).join(' / ')} ms (first is cold; median ${median.toFixed(1)}), ${resolution}, ${points} non-null points`
  )
  return median
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'prescal-bench-history-'))
  const path = join(dir, 'history.sqlite')
  const start = Date.UTC(2025, 0, 6, 0, 0, 0)
  let clock = start
  const store = HistoryStore.open(path, { now: () => clock })
  console.log(`history bench: ${BACKENDS} backends × ${TICKS} ticks (${HOURS} h simulated) into ${path}`)

  const durations = new Float64Array(TICKS)
  // CPU time of the writing thread per tick: separates our cost from time lost to other processes.
  const cpu = new Float64Array(TICKS)
  const wall0 = performance.now()
  for (let tick = 0; tick < TICKS; tick++) {
    // Real ticks jitter by a few ms around the second.
    const at = start + tick * 1000 + Math.round(rand() * 6)
    clock = at
    const rows = sims.map((s) => sample(s, tick))
    const services = [0, 1, 2, 3, 4].map((i) => ({ service: `svc-${i}`, desired: 10, running: 10, ready: tick % 600 < 2 ? 9 : 10 }))
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    store.writeTick(at, rows, services)
    durations[tick] = performance.now() - t0
    const c = process.cpuUsage(c0)
    cpu[tick] = (c.user + c.system) / 1000
    if ((tick + 1) % 3600 === 0) {
      const hour = durations.slice(tick + 1 - 3600, tick + 1).sort()
      console.log(
        `  ${(tick + 1) / 3600} h simulated: this hour median ${pct(hour, 50).toFixed(3)} ms, p99 ${pct(hour, 99).toFixed(3)} ms, max ${pct(hour, 100).toFixed(1)} ms (${((performance.now() - wall0) / 1000).toFixed(0)} s elapsed)`
      )
    }
  }
  const sorted = durations.slice().sort()
  const p50 = pct(sorted, 50)
  const p99 = pct(sorted, 99)
  const cpuSorted = cpu.slice().sort()
  console.log(`tick write (wall clock): median ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, max ${pct(sorted, 100).toFixed(1)} ms`)
  console.log(
    `tick write (CPU time of this process, includes GC threads): median ${pct(cpuSorted, 50).toFixed(3)} ms, p99 ${pct(cpuSorted, 99).toFixed(3)} ms, max ${pct(cpuSorted, 100).toFixed(1)} ms`
  )
  console.log(`  load average during the run: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`)

  const end = clock
  const ids = sims.slice(0, 10).map((s) => s.id)
  const metrics: Metric[] = ['rps', 'cpuPercent', 'memoryBytes', 'p50', 'p95', 'p99', 's2xx', 's4xx', 's5xx', 'inFlight', 'up']
  const q24 = timeQuery(store, '24 h, 10 backends, 1000 points, 11 metrics', { from: end - 24 * 3600_000, to: end, backends: ids, metrics, maxPoints: 1000 })
  timeQuery(store, '7 d, 10 backends, 1000 points, 11 metrics', { from: end - 7 * 24 * 3600_000, to: end, backends: ids, metrics, maxPoints: 1000 })
  timeQuery(store, '1 h raw, 10 backends, 3600 points, 11 metrics', { from: end - 3600_000, to: end, backends: ids, metrics, maxPoints: 3600 })
  store.close()

  const fileBytes = statSync(path).size
  const db = new DatabaseSync(path, { readOnly: true })
  const pages = db
    .prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat WHERE name IN ('chunk_raw', 'chunk_raw_by_backend', 'chunk_raw_by_start', 'head') GROUP BY name")
    .all()
  const headShare = db.prepare('SELECT (SELECT COUNT(*) FROM head WHERE level = 0) * 1.0 / MAX(1, (SELECT COUNT(*) FROM head)) AS f').get()
  db.close()
  let rawBytes = 0
  for (const r of pages) {
    const bytes = Number(r.bytes)
    rawBytes += r.name === 'head' ? bytes * Number(headShare?.f ?? 1) : bytes
    console.log(`  ${String(r.name)}: ${(bytes / 1024 / 1024).toFixed(2)} MiB`)
  }
  const values = BACKENDS * TICKS * VALUES_PER_SAMPLE
  const bpv = rawBytes / values
  console.log(`database file: ${(fileBytes / 1024 / 1024).toFixed(1)} MiB (${(fileBytes / values).toFixed(2)} bytes per raw value if the whole file, rollups and events included, is counted)`)
  console.log(
    `raw data (dbstat pages of chunk_raw + its 2 indexes + the raw rows' share of head): ${(rawBytes / 1024 / 1024).toFixed(1)} MiB` +
      ` for ${values} values (${BACKENDS} backends × ${TICKS} ticks × ${VALUES_PER_SAMPLE}: 12 metric fields + timestamp) = ${bpv.toFixed(2)} bytes per value`
  )
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true })
  console.log(`history: tick write p99 ${p99.toFixed(2)} ms, 24h query ${q24.toFixed(1)} ms, bytes per value ${bpv.toFixed(2)}`)
}

main()
