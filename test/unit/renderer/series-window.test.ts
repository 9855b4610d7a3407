import { describe, expect, it } from 'vitest'
import { fallbackLabel, lastValue, SeriesWindow, snapshotToTick } from '../../../src/renderer/src/core/series-window'
import type { BackendPoint, SeriesTick, Snapshot } from '../../../src/shared/types'

const pt = (id: string, rps: number, cpuPercent: number | null = null, memoryBytes: number | null = null): BackendPoint => ({
  id,
  name: id,
  rps,
  cpuPercent,
  memoryBytes
})
const tick = (sec: number, ...points: BackendPoint[]): SeriesTick => ({ at: sec * 1000, points })

function windowWith(ticks: SeriesTick[], capacity = 5, gapAfterMs = 3000): SeriesWindow {
  const w = new SeriesWindow({ capacity, gapAfterMs })
  for (const t of ticks) w.push(t)
  return w
}

describe('SeriesWindow', () => {
  it.each([
    {
      desc: 'one backend, steady',
      ticks: [tick(1, pt('a', 1)), tick(2, pt('a', 2)), tick(3, pt('a', 3))],
      expected: { ids: ['a'], data: [[1, 2, 3], [1, 2, 3]] }
    },
    {
      desc: 'a backend appearing later is backfilled with nulls',
      ticks: [tick(1, pt('a', 1)), tick(2, pt('a', 2), pt('b', 7))],
      expected: { ids: ['a', 'b'], data: [[1, 2], [1, 2], [null, 7]] }
    },
    {
      desc: 'a backend missing from a tick is a gap, not 0',
      ticks: [tick(1, pt('a', 1), pt('b', 1)), tick(2, pt('a', 2)), tick(3, pt('a', 3), pt('b', 3))],
      expected: { ids: ['a', 'b'], data: [[1, 2, 3], [1, 2, 3], [1, null, 3]] }
    },
    {
      desc: 'oldest ticks fall out at capacity',
      ticks: [1, 2, 3, 4, 5, 6, 7].map((s) => tick(s, pt('a', s))),
      expected: { ids: ['a'], data: [[3, 4, 5, 6, 7], [3, 4, 5, 6, 7]] }
    },
    {
      desc: 'a backend gone for the whole window is dropped',
      ticks: [tick(1, pt('a', 1), pt('b', 1)), ...[2, 3, 4, 5, 6].map((s) => tick(s, pt('a', s)))],
      expected: { ids: ['a'], data: [[2, 3, 4, 5, 6], [2, 3, 4, 5, 6]] }
    },
    {
      desc: 'a backend appearing when the window is full stays aligned',
      ticks: [...[1, 2, 3, 4, 5, 6].map((s) => tick(s, pt('a', s))), tick(7, pt('a', 7), pt('b', 70))],
      expected: { ids: ['a', 'b'], data: [[3, 4, 5, 6, 7], [3, 4, 5, 6, 7], [null, null, null, null, 70]] }
    },
    {
      desc: 'a hole longer than gapAfterMs gets a null row in the middle',
      ticks: [tick(1, pt('a', 1)), tick(2, pt('a', 2)), tick(10, pt('a', 10))],
      expected: { ids: ['a'], data: [[1, 2, 6, 10], [1, 2, null, 10]] }
    },
    {
      desc: 'duplicate and older ticks are ignored',
      ticks: [tick(1, pt('a', 1)), tick(2, pt('a', 2)), tick(2, pt('a', 99)), tick(1, pt('a', 98)), tick(3, pt('a', 3))],
      expected: { ids: ['a'], data: [[1, 2, 3], [1, 2, 3]] }
    }
  ])('rps: $desc', ({ ticks, expected }) => {
    expect(windowWith(ticks).toAligned('rps')).toEqual(expected)
  })

  it('push reports whether the tick was taken', () => {
    const w = new SeriesWindow({ capacity: 3, gapAfterMs: 3000 })
    expect(w.push(tick(5, pt('a', 1)))).toBe(true)
    expect(w.push(tick(5, pt('a', 1)))).toBe(false)
    expect(w.push(tick(4, pt('a', 1)))).toBe(false)
    expect(w.lastAt()).toBe(5000)
  })

  it('cpu keeps nulls and memory is converted to MB', () => {
    const w = windowWith([tick(1, pt('a', 0, null, 50_000_000)), tick(2, pt('a', 0, 12.5, null))])
    expect(w.toAligned('cpu').data[1]).toEqual([null, 12.5])
    expect(w.toAligned('memory').data[1]).toEqual([50, null])
  })

  it('memory stays bounded over a long run with churning backends', () => {
    const w = new SeriesWindow({ capacity: 300, gapAfterMs: 3000 })
    for (let s = 1; s <= 5000; s++) w.push(tick(s, pt(`c:${Math.floor(s / 100)}`, s), pt('static', 1)))
    const { ids, data } = w.toAligned('rps')
    expect(data[0]).toHaveLength(300)
    for (const ys of data.slice(1)) expect(ys).toHaveLength(300)
    // 300 ticks span at most 4 churned ids plus the static one.
    expect(ids.length).toBeLessThanOrEqual(5)
    expect(ids).toContain('static')
  })

  it('clear() empties everything', () => {
    const w = windowWith([tick(1, pt('a', 1))])
    w.clear()
    expect(w.length).toBe(0)
    expect(w.toAligned('rps')).toEqual({ ids: [], data: [[]] })
  })
})

describe('lastValue', () => {
  it.each([
    { ys: [], expected: null },
    { ys: [1, 2, 3], expected: 3 },
    { ys: [1, null], expected: null },
    { ys: [0], expected: 0 }
  ])('$ys -> $expected', ({ ys, expected }) => {
    expect(lastValue(ys)).toBe(expected)
  })
})

describe('snapshotToTick', () => {
  it('takes the time and each backend point from a snapshot', () => {
    const backend = { id: 'c:abc', rps: 4, cpuPercent: 1.5, memoryBytes: 2e6, name: 'x' }
    const snapshot = { at: 1234, backends: [backend] } as unknown as Snapshot
    expect(snapshotToTick(snapshot)).toEqual({ at: 1234, points: [{ id: 'c:abc', name: 'x', rps: 4, cpuPercent: 1.5, memoryBytes: 2e6 }] })
  })
})

describe('fallbackLabel', () => {
  it.each([
    ['c:0123456789ab', 'container 0123456789ab'],
    ['s:127.0.0.1:9000', '127.0.0.1:9000'],
    ['other', 'other']
  ])('%s -> %s', (id, expected) => {
    expect(fallbackLabel(id)).toBe(expected)
  })
})
