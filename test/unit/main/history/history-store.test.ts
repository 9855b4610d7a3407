import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isPrescalError } from '../../../../src/shared/errors'
import { HistoryStore } from '../../../../src/main/history/history-store'
import type { HistoryOptions, Metric } from '../../../../src/main/history/history-types'
import { countRows, sample, T0, tempDir } from './history-fixtures'

const S = 1_000
const M = 60 * S
const H = 60 * M

let dir: { dir: string; cleanup: () => void }
let path: string
let store: HistoryStore | null = null

function open(opts: Partial<HistoryOptions> = {}): HistoryStore {
  store = HistoryStore.open(path, opts)
  return store
}

function writeTicks(s: HistoryStore, from: number, to: number, ids = ['a']): void {
  for (let i = from; i < to; i++) s.writeTick(T0 + i * S, ids.map((id) => sample(id, i)), [])
}

beforeEach(() => {
  dir = tempDir()
  path = join(dir.dir, 'history.sqlite')
})

afterEach(() => {
  store?.close()
  store = null
  dir.cleanup()
})

describe('HistoryStore writes and reads', () => {
  it('returns raw values as written (quantized), on a 1 s grid', () => {
    const s = open()
    writeTicks(s, 0, 10)
    expect(s.status()).toEqual({ ok: true, message: null, path })
    const r = s.query({ from: T0, to: T0 + 9 * S, metrics: ['rps', 'cpuPercent', 'memoryBytes', 'p50', 'up'], maxPoints: 100 })
    expect(r.resolution).toBe('raw')
    expect(r.stepMs).toBe(S)
    const [rps, cpu, mem, p50, up] = r.series
    expect(rps?.t).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i * S))
    expect(rps?.v).toEqual(Array.from({ length: 10 }, (_, i) => sample('a', i).rps))
    expect(cpu?.v).toEqual(Array.from({ length: 10 }, (_, i) => sample('a', i).cpuPercent))
    expect(mem?.v).toEqual(Array.from({ length: 10 }, (_, i) => sample('a', i).memoryBytes))
    expect(p50?.v).toEqual(Array.from({ length: 10 }, (_, i) => sample('a', i).p50))
    expect(up?.v).toEqual(new Array(10).fill(1))
  })

  it('keeps gaps as null: missing ticks, NaN, null fields and unknown up', () => {
    const s = open()
    for (let i = 0; i < 6; i++) {
      if (i === 2 || i === 3) {
        s.writeTick(T0 + i * S, [sample('b', i)], []) // 'a' missing
        continue
      }
      const over = i === 4 ? { rps: NaN, cpuPercent: null, up: null } : {}
      s.writeTick(T0 + i * S, [sample('a', i, over), sample('b', i)], [])
    }
    const r = s.query({ from: T0, to: T0 + 5 * S, backends: ['a'], metrics: ['rps', 'cpuPercent', 'up'], maxPoints: 100 })
    const [rps, cpu, up] = r.series
    expect(rps?.v).toEqual([100, 101, null, null, null, 105])
    expect(cpu?.v).toEqual([20, 21.25, null, null, null, 20])
    expect(up?.v).toEqual([1, 1, null, null, null, 1])
    expect(rps?.min[2]).toBeNull()
  })

  it('keeps history across close and reopen (sealed chunks and the open minute)', () => {
    const s = open()
    writeTicks(s, 0, 150, ['a', 'b']) // 2.5 minutes: two sealed chunks and an open one
    const q = { from: T0, to: T0 + 149 * S, metrics: ['rps', 'p99', 's5xx'] as Metric[], maxPoints: 200 }
    const before = s.query(q)
    s.close()
    const again = open()
    expect(again.query(q)).toEqual(before)
    expect(before.series[0]?.v.filter((v) => v !== null)).toHaveLength(150)
  })

  it('the open chunk survives a clean close: its points live in head rows until sealed', () => {
    const s = open()
    writeTicks(s, 0, 30)
    s.close()
    store = null
    expect(countRows(path, 'SELECT COUNT(*) FROM chunk_raw')).toBe(0)
    expect(countRows(path, 'SELECT COUNT(*) FROM head WHERE level = 0')).toBe(30)
    const again = open()
    const r = again.query({ from: T0, to: T0 + 29 * S, metrics: ['rps'], maxPoints: 100 })
    expect(r.series[0]?.v).toEqual(Array.from({ length: 30 }, (_, i) => sample('a', i).rps))
    // Writing on after the reopen continues the same minute and seals it whole.
    writeTicks(again, 30, 125)
    expect(countRows(path, 'SELECT COUNT(*) FROM chunk_raw WHERE n = 60')).toBeGreaterThanOrEqual(1)
    const all = again.query({ from: T0, to: T0 + 124 * S, metrics: ['rps'], maxPoints: 1000 })
    expect(all.series[0]?.v.every((v) => v !== null)).toBe(true)
  })

  it('drops samples older than the newest one (clock set back) without throwing', () => {
    const s = open()
    writeTicks(s, 10, 12)
    s.writeTick(T0 + 5 * S, [sample('a', 5)], [])
    const r = s.query({ from: T0, to: T0 + 11 * S, metrics: ['rps'], maxPoints: 100 })
    expect(r.series[0]?.v.filter((v) => v !== null)).toHaveLength(2)
  })
})

describe('HistoryStore rollups and resolution', () => {
  it('serves 1 min points (sealed and the current partial minute) with by-hand averages', () => {
    const s = open()
    writeTicks(s, 0, 200) // minutes 0,1,2 complete, minute 3 partial (20 s)
    // 200 s is 3.3 one-minute points: ≥ maxPoints / 2 with maxPoints 6, so 1 min is chosen.
    const r = s.query({ from: T0, to: T0 + 200 * S, metrics: ['rps', 'cpuPercent', 's2xx', 'p99'], maxPoints: 6 })
    expect(r.resolution).toBe('1m')
    expect(r.stepMs).toBe(M)
    const [rps, cpu, s2xx, p99] = r.series
    const ticks = (m: number) => Array.from({ length: m === 3 ? 20 : 60 }, (_, k) => m * 60 + k)
    for (let m = 0; m < 4; m++) {
      const rows = ticks(m).map((i) => sample('a', i))
      const avg = (f: (x: (typeof rows)[number]) => number) => rows.reduce((n, x) => n + f(x), 0) / rows.length
      expect(rps?.v[m]).toBeCloseTo(avg((x) => x.rps), 2)
      expect(rps?.max[m]).toBe(109)
      expect(rps?.min[m]).toBe(100)
      expect(cpu?.v[m]).toBeCloseTo(avg((x) => x.cpuPercent ?? 0), 2)
      expect(s2xx?.v[m]).toBe(rows.reduce((n, x) => n + x.s2xx, 0))
      expect(p99?.v[m]).toBe(32)
    }
  })

  it('hourly rollups keep a one-second peak in max', () => {
    const s = open()
    for (let i = 0; i < 2 * 3600 + 120; i++) {
      const spike = i === 1234 ? { rps: 5000, cpuPercent: 99.5 } : {}
      s.writeTick(T0 + i * S, [sample('a', i, spike)], [])
    }
    const r = s.query({ from: T0, to: T0 + 2 * H - 1, metrics: ['rps', 'cpuPercent'], maxPoints: 2 })
    expect(r.resolution).toBe('1h')
    const [rps, cpu] = r.series
    expect(rps?.max[0]).toBe(5000)
    expect(cpu?.max[0]).toBe(99.5)
    expect(rps?.max[1]).toBe(109)
    // Ticks 0..3599 average 104.5 rps; tick 1234 (normally 104) was 5000.
    expect(rps?.v[0]).toBeCloseTo((3600 * 104.5 - 104 + 5000) / 3600, 1)
    expect(countRows(path, 'SELECT COUNT(*) FROM chunk_1m')).toBe(2)
  })

  it('downsamples raw to at most maxPoints and keeps the spike', () => {
    const s = open()
    for (let i = 0; i < 600; i++) s.writeTick(T0 + i * S, [sample('a', i, i === 77 ? { p99: 900, rps: 777 } : {})], [])
    const r = s.query({ from: T0, to: T0 + 599 * S, metrics: ['rps', 'p99'], maxPoints: 500 })
    expect(r.resolution).toBe('raw')
    expect(r.series[0]?.t.length).toBeLessThanOrEqual(500)
    expect(Math.max(...(r.series[0]?.max as number[]))).toBe(777)
    expect(Math.max(...(r.series[1]?.v as number[]))).toBe(900)
  })
})

describe('HistoryStore retention', () => {
  it('deletes expired raw chunks in batches of at most retentionBatch per tick', () => {
    const s = open()
    writeTicks(s, 0, 10 * 60 + 30, ['a', 'b', 'c']) // 10 sealed minutes × 3 backends
    s.close()
    const sealed = countRows(path, 'SELECT COUNT(*) FROM chunk_raw')
    expect(sealed).toBe(30)
    const r = open({ rawRetentionMs: 2 * M, retentionBatch: 4 })
    // At 11:00 the horizon is 9:00: chunks of minutes 0..7 (whole window before it) expire.
    const expiredSql = `SELECT COUNT(*) FROM chunk_raw WHERE start_ms < ${T0 + 8 * M}`
    expect(countRows(path, expiredSql)).toBe(24)
    const left: number[] = []
    for (let i = 0; i < 8; i++) {
      r.writeTick(T0 + (11 * 60 + i) * S, [sample('a', 700 + i)], [])
      left.push(countRows(path, expiredSql))
    }
    expect(left).toEqual([20, 16, 12, 8, 4, 0, 0, 0])
    // By 11:07 the horizon is 9:07, so minute 8 went too; minutes 9 and 10 end after it and stay.
    expect(countRows(path, `SELECT COUNT(*) FROM chunk_raw WHERE start_ms >= ${T0 + 8 * M}`)).toBe(6)
    expect(countRows(path, `SELECT MIN(start_ms) FROM chunk_raw`)).toBe(T0 + 9 * M)
  })
})

describe('HistoryStore events, backends, CSV, lifecycle', () => {
  it('events come back newest first, limited, within the range', () => {
    const s = open()
    s.writeTick(T0, [sample('a', 0)], [])
    for (let i = 0; i < 5; i++) s.writeEvent({ at: T0 + i * S, kind: 'backend.down', level: 'warn', message: `m${i}`, backendId: 'a' })
    s.writeEvent({ at: T0 + 10 * S, kind: 'scale', level: 'info', message: 'x', service: 'web' })
    expect(s.events(T0, T0 + 4 * S, 3).map((e) => e.message)).toEqual(['m4', 'm3', 'm2'])
    expect(s.events(T0 + 10 * S, T0 + 10 * S, 10)).toEqual([{ at: T0 + 10 * S, kind: 'scale', level: 'info', message: 'x', service: 'web' }])
  })

  it('lists the backends that have data in a range, with their service', () => {
    const s = open()
    writeTicks(s, 0, 70, ['a'])
    for (let i = 70; i < 80; i++) s.writeTick(T0 + i * S, [sample('b', i, { service: null })], [])
    expect(s.backendsInRange(T0, T0 + 10 * S)).toEqual([{ backendId: 'a', name: null, service: 'web' }])
    expect(s.backendsInRange(T0 + 75 * S, T0 + 76 * S)).toEqual([{ backendId: 'b', name: null, service: null }])
    expect(s.backendsInRange(T0 + 65 * S, T0 + 75 * S).map((b) => b.backendId).sort()).toEqual(['a', 'b'])
    expect(s.backendsInRange(T0 + H, T0 + 2 * H)).toEqual([])
  })

  it('selects backends by service, and by id list intersected with the service', () => {
    const s = open()
    for (let i = 0; i < 5; i++) {
      s.writeTick(T0 + i * S, [sample('a', i), sample('b', i, { service: 'api' }), sample('c', i, { service: 'api' })], [])
    }
    const base = { from: T0, to: T0 + 4 * S, metrics: ['rps'] as Metric[], maxPoints: 10 }
    expect(s.query({ ...base, service: 'api' }).series.map((x) => x.backendId)).toEqual(['b', 'c'])
    expect(s.query({ ...base, service: 'api', backends: ['a', 'c', 'zz'] }).series.map((x) => x.backendId)).toEqual(['c'])
    expect(s.query({ ...base, from: T0 + H, to: T0 + 2 * H }).series).toEqual([])
  })

  it('exports CSV: header, one row per timestamp and backend, gaps as empty cells', () => {
    const s = open()
    s.writeTick(T0, [sample('a', 0, { name: 'demo-a' }), sample('b,"x"', 0, { cpuPercent: null })], [])
    s.writeTick(T0 + S, [sample('a', 1)], [])
    let out = ''
    s.exportCsv({ from: T0, to: T0 + S, metrics: ['rps', 'cpuPercent'], maxPoints: 10 }, (c) => (out += c))
    expect(out.split('\r\n')).toEqual([
      'time_ms,time_iso,backend_id,backend_name,service,rps,cpuPercent',
      `${T0},2025-01-06T00:00:00.000Z,a,demo-a,web,100,20`,
      `${T0},2025-01-06T00:00:00.000Z,"b,""x""",,web,100,`,
      `${T0 + S},2025-01-06T00:00:01.000Z,a,demo-a,web,101,21.25`,
      ''
    ])
  })

  it('rejects calls after close with CLOSED, and close is idempotent', () => {
    const s = open()
    s.close()
    s.close()
    let err: unknown
    try {
      s.writeTick(T0, [], [])
    } catch (e) {
      err = e
    }
    expect(isPrescalError(err, 'CLOSED')).toBe(true)
  })

  it('stores service replica counts only when they change', () => {
    const s = open()
    for (let i = 0; i < 5; i++) s.writeTick(T0 + i * S, [], [{ service: 'web', desired: 3, running: i < 3 ? 2 : 3, ready: 2 }])
    expect(countRows(path, 'SELECT COUNT(*) FROM service_samples')).toBe(2)
  })
})
