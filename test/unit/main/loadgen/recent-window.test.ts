import { describe, expect, it } from 'vitest'
import { RecentWindow } from '../../../../src/main/loadgen/recent-window'

describe('RecentWindow', () => {
  it('counts only entries of the last window', () => {
    const w = new RecentWindow(1000, 100)
    for (const t of [0, 100, 500, 999, 1000, 1500]) w.add(t)
    expect(w.count(1500)).toBe(3) // (500, 1500]: 999, 1000, 1500
    expect(w.count(2600)).toBe(0)
  })

  it('reports nearest-rank quantiles of the window and nulls when empty', () => {
    const w = new RecentWindow(1000, 1000)
    for (let i = 1; i <= 100; i++) w.add(i, i)
    expect(w.quantiles(100)).toEqual({ p50: 50, p95: 95, p99: 99 })
    expect(w.quantiles(5000)).toEqual({ p50: null, p95: null, p99: null })
  })

  it('keeps at most maxEntries, dropping the oldest', () => {
    const w = new RecentWindow(1_000_000, 10)
    for (let i = 0; i < 5000; i++) w.add(i, i)
    expect(w.count(5000)).toBe(10)
    expect(w.quantiles(5000).p50).toBe(4994)
  })
})
