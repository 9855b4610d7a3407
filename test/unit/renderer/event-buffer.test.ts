import { describe, expect, it } from 'vitest'
import { mergeEvents } from '../../../src/renderer/src/core/event-buffer'
import type { EngineEvent } from '../../../src/shared/types'

const ev = (seq: number, at = seq * 1000): EngineEvent => ({ seq, at, kind: 'backend.up', level: 'info', message: `e${seq}` })
const seqs = (list: readonly EngineEvent[]): number[] => list.map((e) => e.seq)

describe('mergeEvents', () => {
  it.each([
    { desc: 'live events go on top', current: [ev(2), ev(1)], incoming: [ev(3)], limit: 10, expected: [3, 2, 1] },
    { desc: 'an oldest-first fetch is sorted newest first', current: [], incoming: [ev(1), ev(2), ev(3)], limit: 10, expected: [3, 2, 1] },
    { desc: 'overlap between fetch and stream is deduplicated', current: [ev(3), ev(2)], incoming: [ev(1), ev(2), ev(3)], limit: 10, expected: [3, 2, 1] },
    { desc: 'bounded: the oldest are dropped', current: [ev(3), ev(2), ev(1)], incoming: [ev(4)], limit: 2, expected: [4, 3] },
    { desc: 'same time: higher seq first', current: [], incoming: [ev(1, 500), ev(2, 500)], limit: 10, expected: [2, 1] }
  ])('$desc', ({ current, incoming, limit, expected }) => {
    expect(seqs(mergeEvents(current, incoming, limit))).toEqual(expected)
  })

  it('an engine restart (seq starting over) does not hide the new events', () => {
    const before = [ev(2, 2000), ev(1, 1000)]
    const afterRestart = [ev(1, 9000)]
    expect(mergeEvents(before, afterRestart, 10).map((e) => e.at)).toEqual([9000, 2000, 1000])
  })

  it('an event of the earlier run, handed out again by the restarted engine under a new seq, is shown once', () => {
    const before = [ev(2, 2000), ev(1, 1000)]
    // The old run numbered them 1 and 2; the new one restores them as 7 and 8 before its own 9.
    const restored = [{ ...ev(1, 1000), seq: 7 }, { ...ev(2, 2000), seq: 8 }, { ...ev(3, 9000), seq: 9 }]
    expect(mergeEvents(before, restored, 10).map((e) => e.at)).toEqual([9000, 2000, 1000])
  })

  it('returns the same array when nothing is new, so the store can skip the update', () => {
    const current = [ev(2), ev(1)]
    expect(mergeEvents(current, [], 10)).toBe(current)
    expect(mergeEvents(current, [ev(1)], 10)).toBe(current)
  })

  it('does not mutate its inputs', () => {
    const current = [ev(2), ev(1)]
    const incoming = [ev(3)]
    mergeEvents(current, incoming, 10)
    expect(seqs(current)).toEqual([2, 1])
    expect(seqs(incoming)).toEqual([3])
  })
})
