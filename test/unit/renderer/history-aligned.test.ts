import { describe, expect, it } from 'vitest'
import type { HistoryResultView, HistorySeriesView } from '../../../src/shared/history'
import { historyAligned, lastNonNull, wantsBand } from '../../../src/renderer/src/core/history-aligned'

const t = [1_000_000, 1_060_000, 1_120_000]

function series(backendId: string, metric: HistorySeriesView['metric'], v: (number | null)[]): HistorySeriesView {
  return { backendId, metric, t, v, min: v.map((x) => (x === null ? null : x - 1)), max: v.map((x) => (x === null ? null : x + 1)) }
}

function result(stepMs: number, list: HistorySeriesView[]): HistoryResultView {
  return { resolution: stepMs >= 60_000 ? '1m' : 'raw', stepMs, series: list }
}

describe('historyAligned', () => {
  const r = result(60_000, [
    series('c:a', 'rps', [10, null, 30]),
    series('c:b', 'rps', [null, null, null]),
    series('c:a', 'memoryBytes', [50_000_000, 51_000_000, null])
  ])

  it('x in seconds, one y per backend of the metric, gaps stay null', () => {
    const a = historyAligned(r, 'rps', () => true)
    expect(a.ids).toEqual(['c:a', 'c:b'])
    expect(a.data[0]).toEqual([1000, 1060, 1120])
    expect(a.data[1]).toEqual([10, null, 30])
    expect(a.data[2]).toEqual([null, null, null])
    expect(a.points).toBe(2)
  })

  it('a coarse step adds max and min per backend after the lines', () => {
    const a = historyAligned(r, 'rps', () => true)
    expect(a.bands).toBe(true)
    expect(a.data).toHaveLength(1 + 2 + 4)
    expect(a.data[3]).toEqual([11, null, 31])
    expect(a.data[4]).toEqual([9, null, 29])
  })

  it('a 1 s step has no band', () => {
    const a = historyAligned(result(1000, [series('c:a', 'rps', [1, 2, 3])]), 'rps', () => true)
    expect(a.bands).toBe(false)
    expect(a.data).toHaveLength(2)
  })

  it('hidden backends are left out', () => {
    const a = historyAligned(r, 'rps', (id) => id !== 'c:a')
    expect(a.ids).toEqual(['c:b'])
    expect(a.points).toBe(0)
  })

  it('memory is in MB, and a missing value is not turned into 0', () => {
    const a = historyAligned(r, 'memoryBytes', () => true)
    expect(a.data[1]).toEqual([50, 51, null])
  })

  it('no result is empty data', () => {
    expect(historyAligned(null, 'rps', () => true)).toEqual({ ids: [], data: [[]], bands: false, points: 0 })
  })

  it.each([
    [1000, false],
    [2000, true],
    [3_600_000, true]
  ])('wantsBand(%i) = %s', (step, expected) => {
    expect(wantsBand(step)).toBe(expected)
  })

  it.each([
    [[1, 2, null], 2],
    [[null, null], null],
    [[], null],
    [[0, null], 0]
  ])('lastNonNull(%j) = %j', (ys, expected) => {
    expect(lastNonNull(ys as (number | null)[])).toBe(expected)
  })
})
