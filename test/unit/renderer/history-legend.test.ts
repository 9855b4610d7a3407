import { describe, expect, it } from 'vitest'
import type { HistoryBackendView, HistoryResultView, HistorySeriesView } from '../../../src/shared/history'
import { historyNames, lastDataIndex, latestValue } from '../../../src/renderer/src/core/history-legend'

const backend = (backendId: string, name: string | null): HistoryBackendView => ({ backendId, name, service: 'demo' })

describe('historyNames', () => {
  it.each<{ desc: string; backends: HistoryBackendView[]; live: Record<string, string>; expected: Record<string, string> }>([
    { desc: 'nothing known', backends: [], live: {}, expected: {} },
    { desc: 'a gone backend keeps its recorded name', backends: [backend('c:aae6912af27f', 'prescal-demo-2baba7')], live: {}, expected: { 'c:aae6912af27f': 'prescal-demo-2baba7' } },
    { desc: 'no recorded name: left out (the caller labels it by id)', backends: [backend('c:aae6912af27f', null)], live: {}, expected: {} },
    { desc: 'the live name wins', backends: [backend('c:1', 'old-name')], live: { 'c:1': 'new-name' }, expected: { 'c:1': 'new-name' } },
    {
      desc: 'live backends not in the range are kept (the live chart shares the map)',
      backends: [backend('c:1', 'one')],
      live: { 'c:2': 'two' },
      expected: { 'c:1': 'one', 'c:2': 'two' }
    }
  ])('$desc', ({ backends, live, expected }) => {
    expect(historyNames(backends, live)).toEqual(expected)
  })
})

function result(...vs: (number | null)[][]): HistoryResultView {
  const series = vs.map<HistorySeriesView>((v, i) => ({ backendId: `b${i}`, metric: 'rps', t: v.map((_, j) => j * 1000), v, min: v, max: v }))
  return { resolution: 'raw', stepMs: 1000, series }
}

describe('lastDataIndex', () => {
  it.each<{ desc: string; result: HistoryResultView | null; expected: number }>([
    { desc: 'no result', result: null, expected: -1 },
    { desc: 'no series', result: result(), expected: -1 },
    { desc: 'all gaps', result: result([null, null]), expected: -1 },
    { desc: 'the newest value of any series', result: result([1, 2, null, null], [1, null, 3, null]), expected: 2 },
    { desc: 'a value in the last slot', result: result([null, null, 5]), expected: 2 }
  ])('$desc', ({ result: r, expected }) => {
    expect(lastDataIndex(r)).toBe(expected)
  })
})

describe('latestValue', () => {
  it.each<{ desc: string; ys: (number | null)[]; end: number; slack: number; expected: number | null }>([
    { desc: 'a value at the end', ys: [1, 2, 3], end: 2, slack: 2, expected: 3 },
    { desc: 'a zero is a value', ys: [5, 0], end: 1, slack: 0, expected: 0 },
    { desc: 'the end slot missing, within slack', ys: [1, 7, null], end: 2, slack: 2, expected: 7 },
    { desc: 'a backend removed long before the end (last value under load)', ys: [20, 20, null, null, null, null], end: 5, slack: 2, expected: null },
    { desc: 'slack reaches exactly back to its last value', ys: [20, null, null], end: 2, slack: 2, expected: 20 },
    { desc: 'no data at all', ys: [null, null], end: -1, slack: 2, expected: null },
    { desc: 'end past the array', ys: [4], end: 3, slack: 3, expected: 4 }
  ])('$desc', ({ ys, end, slack, expected }) => {
    expect(latestValue(ys, end, slack)).toBe(expected)
  })
})
