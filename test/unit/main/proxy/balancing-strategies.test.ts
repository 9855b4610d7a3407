import { describe, expect, it } from 'vitest'
import type { PoolMember } from '../../../../src/main/proxy/backend-pool'
import { LeastConnectionsStrategy } from '../../../../src/main/proxy/least-connections-strategy'
import { P2cLatencyStrategy } from '../../../../src/main/proxy/p2c-latency-strategy'
import { createStrategy } from '../../../../src/main/proxy/strategy-factory'
import { WeightedRoundRobinStrategy } from '../../../../src/main/proxy/weighted-round-robin-strategy'
import { RoundRobinStrategy } from '../../../../src/main/proxy/round-robin-strategy'

const m = (id: string, weight?: number): PoolMember => ({ id, host: '127.0.0.1', port: 1, weight })

describe('LeastConnectionsStrategy', () => {
  it.each([
    { desc: 'fewest in flight wins', load: { a: 3, b: 1, c: 2 }, exclude: [], expected: ['b', 'b', 'b'] },
    { desc: 'ties rotate', load: { a: 0, b: 0, c: 0 }, exclude: [], expected: ['a', 'b', 'c', 'a'] },
    { desc: 'tie among the least loaded only', load: { a: 5, b: 1, c: 1 }, exclude: [], expected: ['b', 'b', 'c'] },
    { desc: 'excluded ids are skipped', load: { a: 0, b: 9, c: 4 }, exclude: ['a'], expected: ['c', 'c'] },
    { desc: 'all excluded gives undefined', load: { a: 0 }, exclude: ['a'], expected: [undefined] }
  ])('$desc', ({ load, exclude, expected }) => {
    const loads = load as Record<string, number>
    const s = new LeastConnectionsStrategy((id) => loads[id] ?? 0)
    const candidates = Object.keys(loads).map((id) => m(id))
    const got = expected.map(() => s.pick(candidates, new Set(exclude))?.id)
    expect(got).toEqual(expected)
  })
})

describe('WeightedRoundRobinStrategy', () => {
  it.each([
    { desc: 'equal weights = round robin', weights: { a: 1, b: 1, c: 1 }, picks: 6, expected: 'abcabc' },
    { desc: '5:1:1 is smooth, not bursty', weights: { a: 5, b: 1, c: 1 }, picks: 7, expected: 'aabacaa' },
    { desc: '2:1 over two cycles', weights: { a: 2, b: 1 }, picks: 6, expected: 'abaaba' },
    { desc: 'missing weight counts as 1', weights: { a: undefined, b: 3 }, picks: 4, expected: 'babb' },
    { desc: 'weight 0 only when nothing else is left', weights: { a: 0, b: 1 }, picks: 3, expected: 'bbb' }
  ])('$desc', ({ weights, picks, expected }) => {
    const s = new WeightedRoundRobinStrategy()
    const candidates = Object.entries(weights as Record<string, number | undefined>).map(([id, w]) => m(id, w))
    let got = ''
    for (let i = 0; i < picks; i++) got += s.pick(candidates)?.id ?? '-'
    expect(got).toBe(expected)
  })

  it('falls back to a weight-0 member when the others are excluded, and to undefined when none is left', () => {
    const s = new WeightedRoundRobinStrategy()
    const list = [m('a', 0), m('b', 1)]
    expect(s.pick(list, new Set(['b']))?.id).toBe('a')
    expect(s.pick(list, new Set(['a', 'b']))).toBeUndefined()
  })

  it('keeps proportions over 700 picks (5:1:1 → 500/100/100)', () => {
    const s = new WeightedRoundRobinStrategy()
    const list = [m('a', 5), m('b', 1), m('c', 1)]
    const counts: Record<string, number> = {}
    for (let i = 0; i < 700; i++) {
      const id = s.pick(list)!.id
      counts[id] = (counts[id] ?? 0) + 1
    }
    expect(counts).toEqual({ a: 500, b: 100, c: 100 })
  })
})

describe('P2cLatencyStrategy', () => {
  // random() values pick indexes: i = floor(r0 * n), j = floor(r1 * (n - 1)) skipping i.
  it.each([
    { desc: 'the faster of the two drawn wins', ewma: { a: 10, b: 2, c: 1 }, load: {}, rnd: [0, 0], expected: 'b' },
    { desc: 'draws b and c, c is faster', ewma: { a: 1, b: 5, c: 3 }, rnd: [0.4, 0.9], load: {}, expected: 'c' },
    { desc: 'never the slowest when it is not drawn', ewma: { a: 1, b: 50, c: 100 }, rnd: [0, 0.9], load: {}, expected: 'a' },
    { desc: 'in-flight counts: 2 ms × 5 loses to 5 ms × 1', ewma: { a: 2, b: 5 }, load: { a: 4, b: 0 }, rnd: [0, 0], expected: 'b' },
    { desc: 'a backend with no sample yet is tried first', ewma: { a: 3 }, load: {}, rnd: [0, 0], candidates: ['a', 'new'], expected: 'new' }
  ])('$desc', ({ ewma, load, rnd, expected, candidates }) => {
    const loads = load as Record<string, number>
    const seq = [...rnd]
    const s = new P2cLatencyStrategy((id) => loads[id] ?? 0, () => seq.shift() ?? 0, () => 0)
    for (const [id, ms] of Object.entries(ewma)) s.observe(id, ms)
    const list = (candidates ?? Object.keys(ewma)).map((id) => m(id))
    expect(s.pick(list)?.id).toBe(expected)
  })

  it('moves the average towards new samples (EWMA, alpha 0.2)', () => {
    const s = new P2cLatencyStrategy(() => 0, Math.random, () => 0)
    s.observe('a', 10)
    expect(s.latencyOf('a')).toBe(10)
    s.observe('a', 20)
    expect(s.latencyOf('a')).toBeCloseTo(12)
  })

  it('respects exclusions and single candidates', () => {
    const s = new P2cLatencyStrategy(() => 0, () => 0)
    expect(s.pick([m('a'), m('b')], new Set(['a']))?.id).toBe('b')
    expect(s.pick([m('a')])?.id).toBe('a')
    expect(s.pick([m('a')], new Set(['a']))).toBeUndefined()
    expect(s.pick([])).toBeUndefined()
  })

  it('lets an average fade while its backend gets no traffic, so a slow spell does not starve it for good', () => {
    let now = 0
    const s = new P2cLatencyStrategy(() => 0, () => 0, () => now)
    s.observe('a', 2)
    s.observe('b', 40) // b was slow once; with two candidates p2c always compares both
    const list = [m('a'), m('b')]
    expect(s.pick(list)?.id).toBe('a')
    // a keeps answering in 2 ms, every 100 ms; b gets nothing.
    for (now = 100; now <= 10_000; now += 100) s.observe('a', 2)
    expect(s.pick(list)?.id).toBe('a') // b: 40 ms × e^-2 ≈ 5.4 ms, still slower
    for (; now <= 20_000; now += 100) s.observe('a', 2)
    expect(s.latencyOf('b')).toBeCloseTo(40 * Math.exp(-now / 5_000), 5) // ≈ 0.7 ms
    expect(s.pick(list)?.id).toBe('b')
  })

  it('sends most traffic to the fast backend over many picks', () => {
    const s = new P2cLatencyStrategy(() => 0, Math.random, () => 0)
    s.observe('fast', 1)
    s.observe('slow', 20)
    s.observe('mid', 5)
    const list = [m('fast'), m('slow'), m('mid')]
    const counts: Record<string, number> = {}
    for (let i = 0; i < 3000; i++) {
      const id = s.pick(list)!.id
      counts[id] = (counts[id] ?? 0) + 1
    }
    // fast wins whenever drawn (2/3 of draws), mid when paired with slow (1/3), slow never.
    expect(counts.slow ?? 0).toBe(0)
    expect(counts.fast!).toBeGreaterThan(1800)
  })
})

describe('createStrategy', () => {
  it.each([
    { name: 'round-robin', type: RoundRobinStrategy },
    { name: 'least-connections', type: LeastConnectionsStrategy },
    { name: 'p2c-latency', type: P2cLatencyStrategy },
    { name: 'weighted', type: WeightedRoundRobinStrategy }
  ] as const)('$name', ({ name, type }) => {
    expect(createStrategy(name, () => 0)).toBeInstanceOf(type)
  })
})
