import { describe, expect, it } from 'vitest'
import { RingBuffer } from '../../../src/renderer/src/core/ring-buffer'
import { isPrescalError } from '../../../src/shared/errors'

describe('RingBuffer', () => {
  it.each([
    { desc: 'under capacity keeps everything', capacity: 3, pushes: [1, 2], expected: [1, 2] },
    { desc: 'exactly full', capacity: 3, pushes: [1, 2, 3], expected: [1, 2, 3] },
    { desc: 'drops the oldest when full', capacity: 3, pushes: [1, 2, 3, 4, 5], expected: [3, 4, 5] },
    { desc: 'wraps many times', capacity: 2, pushes: [1, 2, 3, 4, 5, 6, 7], expected: [6, 7] },
    { desc: 'capacity one', capacity: 1, pushes: [1, 2, 3], expected: [3] },
    { desc: 'empty', capacity: 4, pushes: [], expected: [] }
  ])('$desc', ({ capacity, pushes, expected }) => {
    const ring = new RingBuffer<number>(capacity)
    for (const p of pushes) ring.push(p)
    expect(ring.toArray()).toEqual(expected)
    expect(ring.length).toBe(expected.length)
    expect(ring.first()).toBe(expected[0])
    expect(ring.last()).toBe(expected[expected.length - 1])
  })

  it('returns the evicted item only when full', () => {
    const ring = new RingBuffer<string>(2)
    expect(ring.push('a')).toBeUndefined()
    expect(ring.push('b')).toBeUndefined()
    expect(ring.push('c')).toBe('a')
    expect(ring.push('d')).toBe('b')
  })

  it('at() indexes from the oldest and rejects out-of-range indexes', () => {
    const ring = new RingBuffer<number>(3)
    for (const p of [1, 2, 3, 4]) ring.push(p)
    expect([ring.at(0), ring.at(1), ring.at(2)]).toEqual([2, 3, 4])
    expect(ring.at(-1)).toBeUndefined()
    expect(ring.at(3)).toBeUndefined()
  })

  it('clear() empties it and it refills from the start', () => {
    const ring = new RingBuffer<number>(2)
    for (const p of [1, 2, 3]) ring.push(p)
    ring.clear()
    expect(ring.length).toBe(0)
    ring.push(9)
    expect(ring.toArray()).toEqual([9])
  })

  it.each([0, -1, 1.5, Number.NaN])('rejects capacity %s with INVALID_ARGUMENT', (capacity) => {
    let caught: unknown
    try {
      new RingBuffer(capacity)
    } catch (err) {
      caught = err
    }
    expect(isPrescalError(caught, 'INVALID_ARGUMENT')).toBe(true)
  })
})
