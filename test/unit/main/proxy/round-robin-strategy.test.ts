import { describe, expect, it } from 'vitest'
import type { PoolMember } from '../../../../src/main/proxy/backend-pool'
import { RoundRobinStrategy } from '../../../../src/main/proxy/round-robin-strategy'

const m = (id: string): PoolMember => ({ id, host: '127.0.0.1', port: 1 })
const A = m('a')
const B = m('b')
const C = m('c')
const D = m('d')

interface Step {
  candidates: PoolMember[]
  exclude?: string[]
  expected: string | undefined
}

const cases: { desc: string; steps: Step[] }[] = [
  {
    desc: 'rotates in order and wraps',
    steps: ['a', 'b', 'c', 'a', 'b'].map((expected) => ({ candidates: [A, B, C], expected }))
  },
  {
    desc: 'empty list gives undefined',
    steps: [{ candidates: [], expected: undefined }]
  },
  {
    desc: 'skips excluded ids without losing the rotation',
    steps: [
      { candidates: [A, B, C], expected: 'a' },
      { candidates: [A, B, C], exclude: ['b'], expected: 'c' },
      { candidates: [A, B, C], expected: 'a' }
    ]
  },
  {
    desc: 'everything excluded gives undefined',
    steps: [{ candidates: [A, B], exclude: ['a', 'b'], expected: undefined }]
  },
  {
    desc: 'a member joining later is reached in list order',
    steps: [
      { candidates: [A, B], expected: 'a' },
      { candidates: [A, B], expected: 'b' },
      { candidates: [A, B, C], expected: 'c' },
      { candidates: [A, B, C], expected: 'a' }
    ]
  },
  {
    desc: 'the last pick leaving hands the turn to the member that took its place',
    steps: [
      { candidates: [A, B, C], expected: 'a' },
      { candidates: [A, B, C], expected: 'b' },
      { candidates: [A, C], expected: 'c' },
      { candidates: [A, C], expected: 'a' }
    ]
  },
  {
    desc: 'the last pick leaving from the end wraps to the start',
    steps: [
      { candidates: [A, B, C], expected: 'a' },
      { candidates: [A, B, C], expected: 'b' },
      { candidates: [A, B, C], expected: 'c' },
      { candidates: [A, B], expected: 'a' }
    ]
  },
  {
    desc: 'a member removed before the cursor does not cause a double turn',
    steps: [
      { candidates: [A, B, C, D], expected: 'a' },
      { candidates: [A, B, C, D], expected: 'b' },
      { candidates: [B, C, D], expected: 'c' },
      { candidates: [B, C, D], expected: 'd' },
      { candidates: [B, C, D], expected: 'b' }
    ]
  }
]

describe('RoundRobinStrategy', () => {
  it.each(cases)('$desc', ({ steps }) => {
    const rr = new RoundRobinStrategy()
    const got = steps.map((s) => rr.pick(s.candidates, s.exclude ? new Set(s.exclude) : undefined)?.id)
    expect(got).toEqual(steps.map((s) => s.expected))
  })

  it('is exactly fair over a stable list', () => {
    const rr = new RoundRobinStrategy()
    const counts = new Map<string, number>()
    for (let i = 0; i < 300; i++) {
      const id = rr.pick([A, B, C])!.id
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    expect(Object.fromEntries(counts)).toEqual({ a: 100, b: 100, c: 100 })
  })
})
