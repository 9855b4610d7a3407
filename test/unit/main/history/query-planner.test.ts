import { describe, expect, it } from 'vitest'
import { isPrescalError } from '../../../../src/shared/errors'
import { chooseLevel, planQuery, validateQuery } from '../../../../src/main/history/query-planner'
import { assembleSeries } from '../../../../src/main/history/series-assembler'
import { rawColumns } from '../../../../src/main/history/series-columns'
import type { HistoryQuery } from '../../../../src/main/history/history-types'

const S = 1_000
const M = 60 * S
const H = 60 * M
const D = 24 * H
const now = Date.UTC(2025, 5, 1)
const retention = [48 * H, 30 * D, 730 * D]

describe('chooseLevel', () => {
  it.each([
    { desc: '5 min at 1000 points: raw (nothing reaches 500, finest)', span: 5 * M, maxPoints: 1000, level: 0 },
    { desc: '1 h at 1000 points: raw (3600 ≥ 500, 1 min gives 60)', span: H, maxPoints: 1000, level: 0 },
    { desc: '1 h at 100 points: 1 min (60 ≥ 50)', span: H, maxPoints: 100, level: 1 },
    { desc: '24 h at 1000 points: 1 min (1440 ≥ 500, 1 h gives 24)', span: D, maxPoints: 1000, level: 1 },
    { desc: '7 d at 1000 points: 1 min (10080 ≥ 500, 1 h gives 168)', span: 7 * D, maxPoints: 1000, level: 1 },
    { desc: '30 d at 1000 points: 1 h (720 ≥ 500)', span: 30 * D, maxPoints: 1000, level: 2 },
    { desc: '1 year at 300 points: 1 h', span: 365 * D, maxPoints: 300, level: 2 }
  ])('$desc', ({ span, maxPoints, level }) => {
    expect(chooseLevel(now - span, now, maxPoints, now, retention)).toBe(level)
  })

  it('skips a level whose retention no longer covers the start', () => {
    // 2 h of data from 3 days ago: raw is gone (48 h), 1 min still there.
    expect(chooseLevel(now - 3 * D, now - 3 * D + 2 * H, 5000, now, retention)).toBe(1)
    // 2 h from 60 days ago: only hourly rollups remain.
    expect(chooseLevel(now - 60 * D, now - 60 * D + 2 * H, 5000, now, retention)).toBe(2)
  })
})

describe('planQuery', () => {
  const base: HistoryQuery = { from: now - D, to: now, metrics: ['rps'], maxPoints: 1000 }

  it.each([
    { span: H, maxPoints: 1000 },
    { span: H, maxPoints: 3600 },
    { span: D, maxPoints: 1000 },
    { span: 7 * D, maxPoints: 1000 },
    { span: 90 * D, maxPoints: 7 },
    { span: 10 * S, maxPoints: 1 }
  ])('never returns more than maxPoints ($span ms at $maxPoints)', ({ span, maxPoints }) => {
    const plan = planQuery({ ...base, from: now - span + 123, to: now + 77, maxPoints }, now, retention)
    expect(plan.count).toBeLessThanOrEqual(maxPoints)
    expect(plan.count).toBeGreaterThan(0)
    expect(plan.start % plan.stepMs).toBe(0)
    expect(plan.start).toBeLessThanOrEqual(now - span + 123)
    expect(plan.start + plan.count * plan.stepMs).toBeGreaterThan(now + 77)
  })

  it.each([
    { desc: 'to before from', q: { ...base, to: base.from - 1 } },
    { desc: 'zero points', q: { ...base, maxPoints: 0 } },
    { desc: 'fractional points', q: { ...base, maxPoints: 1.5 } },
    { desc: 'no metric', q: { ...base, metrics: [] } },
    { desc: 'unknown metric', q: { ...base, metrics: ['bogus' as 'rps'] } },
    { desc: 'NaN time', q: { ...base, from: NaN } }
  ])('rejects $desc with INVALID_ARGUMENT', ({ q }) => {
    let err: unknown
    try {
      validateQuery(q)
    } catch (e) {
      err = e
    }
    expect(isPrescalError(err, 'INVALID_ARGUMENT')).toBe(true)
  })
})

describe('assembleSeries (downsampling keeps peaks, gaps stay null)', () => {
  const g = NaN
  /** Raw block with only rps and cpu set. */
  function rawBlock(t: number[], rps: number[], cpu: number[]) {
    const cols = rawColumns.map(() => t.map(() => g))
    cols[0] = rps
    cols[9] = cpu
    return { agg: false, t, cols }
  }

  it('folds 10 s buckets: average, with the 1-second spike kept in max', () => {
    const t = Array.from({ length: 30 }, (_, i) => i * S)
    const rps = t.map((_, i) => (i === 13 ? 1000 : 10))
    const plan = { level: 0, stepMs: 10 * S, start: 0, count: 3 }
    const [s] = assembleSeries('b', ['rps'], plan, [rawBlock(t, rps, t.map(() => g))])
    expect(s?.t).toEqual([0, 10 * S, 20 * S])
    expect(s?.v).toEqual([10, 109, 10])
    expect(s?.max).toEqual([10, 1000, 10])
    expect(s?.min).toEqual([10, 10, 10])
  })

  it('a bucket without samples is null, and a metric never sampled is null (not 0)', () => {
    const plan = { level: 0, stepMs: S, start: 0, count: 4 }
    const series = assembleSeries('b', ['rps', 'cpuPercent', 'p99'], plan, [rawBlock([0, 3 * S], [5, 7], [g, 12.5])])
    const [rps, cpu, p99] = series
    expect(rps?.v).toEqual([5, null, null, 7])
    expect(cpu?.v).toEqual([null, null, null, 12.5])
    expect(p99?.v).toEqual([null, null, null, null])
    expect(p99?.min).toEqual([null, null, null, null])
  })

  it('ignores points outside the grid', () => {
    const plan = { level: 0, stepMs: S, start: 10 * S, count: 2 }
    const [s] = assembleSeries('b', ['rps'], plan, [rawBlock([9 * S, 10 * S, 11 * S, 12 * S], [1, 2, 3, 4], [g, g, g, g])])
    expect(s?.v).toEqual([2, 3])
  })
})
