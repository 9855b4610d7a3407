import { describe, expect, it } from 'vitest'
import type { PoolMember } from '../../../../src/main/proxy/backend-pool'
import type { BalancingName } from '../../../../src/main/proxy/balancing-strategy'
import { GroupedStrategy } from '../../../../src/main/proxy/grouped-strategy'

/** `a1` is member 1 of group `a`; group '' (static backends) is written `s`. */
const member = (id: string): PoolMember => ({ id, host: '127.0.0.1', port: 1, group: id[0] === 's' ? '' : id[0] })

function picks(s: GroupedStrategy, list: PoolMember[], n: number, exclude?: Set<string>): string {
  return Array.from({ length: n }, () => s.pick(list, exclude)?.id ?? '-').join(' ')
}

describe('GroupedStrategy', () => {
  it.each([
    { desc: 'one group is just its strategy (round robin)', ids: ['a1', 'a2', 'a3'], names: {}, n: 4, expected: 'a1 a2 a3 a1' },
    { desc: 'groups alternate when equal in size', ids: ['a1', 'b1'], names: {}, n: 4, expected: 'a1 b1 a1 b1' },
    { desc: 'groups share in proportion to their members, smoothly', ids: ['a1', 'a2', 's1'], names: {}, n: 6, expected: 'a1 s1 a2 a1 s1 a2' },
    { desc: 'each group uses its own strategy', ids: ['a1', 'a2', 'b1', 'b2'], names: { a: 'least-connections' }, n: 4, expected: 'a2 b1 a2 b2' },
    { desc: 'no candidates, no pick', ids: [], names: {}, n: 1, expected: '-' }
  ])('$desc', ({ ids, names, n, expected }) => {
    const load: Record<string, number> = { a1: 5, a2: 0 }
    const s = new GroupedStrategy('round-robin', (g) => (names as Record<string, BalancingName>)[g], (id) => load[id] ?? 0)
    expect(picks(s, ids.map(member), n)).toBe(expected)
  })

  it('a retry excluding the only member of the chosen group goes to another group', () => {
    const s = new GroupedStrategy('round-robin', () => undefined, () => 0)
    const list = ['a1', 'b1'].map(member)
    expect(picks(s, list, 3, new Set(['a1']))).toBe('b1 b1 b1')
    expect(s.pick(list, new Set(['a1', 'b1']))).toBeUndefined()
  })

  it('takes a changed strategy name from the next pick on', () => {
    let name: BalancingName | undefined
    const load: Record<string, number> = { a1: 3, a2: 0 }
    const s = new GroupedStrategy('round-robin', () => name, (id) => load[id] ?? 0)
    const list = ['a1', 'a2'].map(member)
    expect(picks(s, list, 2)).toBe('a1 a2')
    name = 'least-connections'
    expect(picks(s, list, 2)).toBe('a2 a2')
  })

  it('hands latency observations to the strategy of the member’s group', () => {
    const s = new GroupedStrategy('round-robin', (g) => (g === 'a' ? 'p2c-latency' : undefined), () => 0)
    const list = ['a1', 'a2', 's1'].map(member)
    s.pick(list) // learns the groups
    for (let i = 0; i < 20; i++) {
      s.observe('a1', 1)
      s.observe('a2', 500)
      s.observe('s1', 1)
    }
    const counts: Record<string, number> = {}
    for (let i = 0; i < 300; i++) {
      const id = s.pick(list)!.id
      counts[id] = (counts[id] ?? 0) + 1
    }
    // Group a gets 2/3 of the requests, and p2c (two candidates out of two) always its fast one.
    expect(counts).toEqual({ s1: 100, a1: 200 })
  })
})
