import { describe, expect, it } from 'vitest'
import { rollupAgg, rollupRaw } from '../../../../src/main/history/rollup-math'
import { aggFieldFor, aggFields, sampleToRaw } from '../../../../src/main/history/series-columns'
import type { BackendSampleRow, Metric } from '../../../../src/main/history/history-types'

const g = NaN

function row(over: Partial<BackendSampleRow>): BackendSampleRow {
  return {
    backendId: 'b',
    service: null,
    rps: 0,
    s2xx: 0,
    s3xx: 0,
    s4xx: 0,
    s5xx: 0,
    inFlight: 0,
    p50: null,
    p95: null,
    p99: null,
    cpuPercent: null,
    memoryBytes: null,
    up: null,
    ...over
  }
}

/** Raw columns from rows (column-major, as chunks hold them). */
function columns(rows: BackendSampleRow[]): number[][] {
  const raws = rows.map(sampleToRaw)
  return (raws[0] ?? []).map((_, c) => raws.map((r) => r[c] as number))
}

/** Reads a named part of an aggregate point: 'rps.avg', 'cpuPercent.n', 's2xx', ... */
function part(agg: number[], metric: Metric | 's3xx', which: 'avg' | 'min' | 'max' | 'n' | 'value' = 'value'): number {
  const f = aggFields.find((x) => x.name === metric)
  if (f === undefined) throw new Error(metric)
  const idx = { avg: 0, value: 0, min: 1, max: 2, n: f.kind === 'avg' ? 1 : 3 }[which]
  return agg[f.cols[idx] as number] as number
}

describe('rollupRaw (1 min from 1 s, worked by hand)', () => {
  const rows = [
    row({ rps: 10, s2xx: 9, s5xx: 1, inFlight: 2, p50: 5, p95: 9, p99: 12, cpuPercent: 20, memoryBytes: 1000, up: true }),
    row({ rps: 30, s2xx: 28, s4xx: 2, inFlight: 4, p50: 7, p95: 15, p99: 40, cpuPercent: null, memoryBytes: 3000, up: false }),
    row({ rps: 20, s2xx: 20, inFlight: 3, p50: null, p95: null, p99: null, cpuPercent: 50, memoryBytes: null, up: null })
  ]
  const agg = rollupRaw(columns(rows))

  it.each([
    { what: 'rps average', metric: 'rps' as const, which: 'avg' as const, expected: 20 },
    { what: 'rps minimum', metric: 'rps' as const, which: 'min' as const, expected: 10 },
    { what: 'rps maximum', metric: 'rps' as const, which: 'max' as const, expected: 30 },
    { what: 'rps count', metric: 'rps' as const, which: 'n' as const, expected: 3 },
    { what: '2xx sum', metric: 's2xx' as const, which: 'value' as const, expected: 57 },
    { what: '4xx sum', metric: 's4xx' as const, which: 'value' as const, expected: 2 },
    { what: '5xx sum', metric: 's5xx' as const, which: 'value' as const, expected: 1 },
    { what: '3xx sum of zeros is 0, not a gap', metric: 's3xx' as const, which: 'value' as const, expected: 0 },
    { what: 'in-flight average', metric: 'inFlight' as const, which: 'avg' as const, expected: 3 },
    { what: 'p50 is the max', metric: 'p50' as const, which: 'value' as const, expected: 7 },
    { what: 'p99 is the max', metric: 'p99' as const, which: 'value' as const, expected: 40 },
    { what: 'cpu average skips the unknown tick', metric: 'cpuPercent' as const, which: 'avg' as const, expected: 35 },
    { what: 'cpu count', metric: 'cpuPercent' as const, which: 'n' as const, expected: 2 },
    { what: 'cpu max', metric: 'cpuPercent' as const, which: 'max' as const, expected: 50 },
    { what: 'memory average', metric: 'memoryBytes' as const, which: 'avg' as const, expected: 2000 },
    { what: 'memory min', metric: 'memoryBytes' as const, which: 'min' as const, expected: 1000 },
    { what: 'up fraction of known ticks', metric: 'up' as const, which: 'avg' as const, expected: 0.5 },
    { what: 'up count', metric: 'up' as const, which: 'n' as const, expected: 2 }
  ])('$what', ({ metric, which, expected }) => {
    expect(part(agg, metric, which)).toBe(expected)
  })

  it('a field with no value in the bucket is a gap, not 0', () => {
    const a = rollupRaw(columns([row({ rps: 1 }), row({ rps: 2 })]))
    expect(part(a, 'cpuPercent', 'avg')).toBeNaN()
    expect(part(a, 'p95')).toBeNaN()
    expect(part(a, 'up', 'avg')).toBeNaN()
  })

  it('NaN input counts as a gap', () => {
    const a = rollupRaw(columns([row({ rps: NaN, cpuPercent: NaN }), row({ rps: 4, cpuPercent: 8 })]))
    expect(part(a, 'rps', 'avg')).toBe(4)
    expect(part(a, 'rps', 'n')).toBe(1)
    expect(part(a, 'cpuPercent', 'avg')).toBe(8)
  })
})

describe('rollupAgg (1 h from 1 min)', () => {
  it('weights averages by the values each minute covered and keeps the extremes', () => {
    const m1 = rollupRaw(columns([row({ rps: 10, cpuPercent: 10, p99: 5, s5xx: 1 }), row({ rps: 10, cpuPercent: null, s5xx: 2 })]))
    const m2 = rollupRaw(columns([row({ rps: 40, cpuPercent: 40, p99: 80 }), row({ rps: 0, cpuPercent: 70, p99: 1 })]))
    const cols = m1.map((_, c) => [m1[c] as number, m2[c] as number])
    const h = rollupAgg(cols)
    expect(part(h, 'rps', 'avg')).toBe(15) // (10+10+40+0)/4
    expect(part(h, 'rps', 'min')).toBe(0)
    expect(part(h, 'rps', 'max')).toBe(40)
    expect(part(h, 'rps', 'n')).toBe(4)
    expect(part(h, 'cpuPercent', 'avg')).toBe(40) // (10 + 40 + 70) / 3, not avg of avgs (10+55)/2
    expect(part(h, 'p99')).toBe(80)
    expect(part(h, 's5xx')).toBe(3)
  })

  it('a minute that was a gap adds nothing', () => {
    const m1 = rollupRaw(columns([row({ rps: 6 })]))
    const gap = m1.map(() => g)
    const cols = m1.map((_, c) => [m1[c] as number, gap[c] as number])
    expect(part(rollupAgg(cols), 'rps', 'avg')).toBe(6)
  })

  it('maps every query metric to a field', () => {
    for (const m of ['rps', 'cpuPercent', 'memoryBytes', 'p50', 'p95', 'p99', 's2xx', 's4xx', 's5xx', 'inFlight', 'up'] as const) {
      expect(aggFieldFor(m).name).toBe(m)
    }
  })
})
