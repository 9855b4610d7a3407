import { PrescalError } from '../../../shared/errors'

/**
 * Fixed-capacity FIFO used for everything the dashboard keeps over time (chart points, events):
 * memory stays bounded however long the window stays open. push() is O(1); when full, the oldest
 * item is dropped and returned.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[]
  private start = 0
  private count = 0

  /** Throws PrescalError INVALID_ARGUMENT unless capacity is a positive integer. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new PrescalError('INVALID_ARGUMENT', `ring buffer capacity must be a positive integer, got ${capacity}`)
    }
    this.items = new Array<T | undefined>(capacity)
  }

  get length(): number {
    return this.count
  }

  /** Appends an item; returns the evicted oldest item when the buffer was full. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item
      this.count++
      return undefined
    }
    const evicted = this.items[this.start]
    this.items[this.start] = item
    this.start = (this.start + 1) % this.capacity
    return evicted
  }

  /** Item by age: 0 is the oldest, length - 1 the newest; undefined when out of range. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined
    return this.items[(this.start + index) % this.capacity]
  }

  first(): T | undefined {
    return this.at(0)
  }

  last(): T | undefined {
    return this.at(this.count - 1)
  }

  /** Oldest first, as a new array. */
  toArray(): T[] {
    const out: T[] = []
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity] as T)
    return out
  }

  clear(): void {
    this.items.fill(undefined)
    this.start = 0
    this.count = 0
  }
}
