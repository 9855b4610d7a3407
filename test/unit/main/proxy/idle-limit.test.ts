import { describe, expect, it } from 'vitest'
import { IdleLimit } from '../../../../src/main/proxy/idle-limit'

describe('IdleLimit', () => {
  it.each([
    { desc: 'nothing observed: the configured limit', closes: [], expected: 4_000 },
    { desc: 'a 2 s close: a quarter less', closes: [2_000], expected: 1_500 },
    { desc: 'a 10 s close: 1 s less, still above the configured limit', closes: [10_000], expected: 4_000 },
    { desc: 'a 4.4 s close: 1 s less', closes: [4_400], expected: 3_400 },
    { desc: 'the shortest close wins', closes: [2_000, 400, 3_000], expected: 300 },
    { desc: 'closes under 100 ms are restarts, not timeouts', closes: [30], expected: 4_000 }
  ])('$desc', ({ closes, expected }) => {
    const limit = new IdleLimit(4_000, () => 0)
    for (const c of closes) limit.closedByBackend(c)
    expect(limit.current()).toBe(expected)
  })

  it('forgets what it learnt after a minute (it may have been a restart)', () => {
    let now = 0
    const limit = new IdleLimit(4_000, () => now)
    limit.closedByBackend(1_000)
    now = 59_000
    expect(limit.current()).toBe(750)
    now = 61_000
    expect(limit.current()).toBe(4_000)
  })
})
