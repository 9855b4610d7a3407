/**
 * Backend id → small integer slot, so per-backend counters can live in SharedArrayBuffers that
 * worker threads update with Atomics. A slot is freed only after its id was released and a
 * quarantine passed: a worker acting on a pool update that is a few milliseconds old may still
 * count against the slot, and must not land on a different backend that reused it. Pure apart
 * from the injected clock.
 */

/** How many backends can be known at once (members plus recently removed ones). */
export const SLOT_CAPACITY = 1024
/** Longer than any pool update takes to reach a worker, by orders of magnitude. */
const QUARANTINE_MS = 30_000

export class SlotTable {
  private readonly slotById = new Map<string, number>()
  private readonly idBySlot: (string | undefined)[] = []
  /** Released slots with the time they were released; reused oldest first after QUARANTINE_MS. */
  private readonly released = new Map<number, number>()
  private nextFresh = 0

  constructor(
    private readonly now: () => number = Date.now,
    /** Called before a slot is handed to a new id: zero its counters. */
    private readonly onReuse: (slot: number) => void = () => undefined
  ) {}

  /** The slot of `id`, allocating one if needed; undefined when every slot is taken. */
  slotFor(id: string): number | undefined {
    const known = this.slotById.get(id)
    if (known !== undefined) {
      this.released.delete(known)
      return known
    }
    let slot: number | undefined
    if (this.nextFresh < SLOT_CAPACITY) slot = this.nextFresh++
    else slot = this.reclaim()
    if (slot === undefined) return undefined
    this.slotById.set(id, slot)
    this.idBySlot[slot] = id
    return slot
  }

  /** The slot of `id` if it has one; never allocates. */
  find(id: string): number | undefined {
    return this.slotById.get(id)
  }

  idOf(slot: number): string | undefined {
    return this.idBySlot[slot]
  }

  /** The id left the pool: its slot may be reused once `isIdle(slot)` and the quarantine passed. */
  release(id: string): void {
    const slot = this.slotById.get(id)
    if (slot !== undefined && !this.released.has(slot)) this.released.set(slot, this.now())
  }

  /** Every slot currently bound to an id (members and quarantined ones). */
  entries(): IterableIterator<[string, number]> {
    return this.slotById.entries()
  }

  /** Set by the owner: a slot with work in flight is never reclaimed. */
  isIdle: (slot: number) => boolean = () => true

  private reclaim(): number | undefined {
    const cutoff = this.now() - QUARANTINE_MS
    for (const [slot, at] of this.released) {
      if (at > cutoff || !this.isIdle(slot)) continue
      this.released.delete(slot)
      const old = this.idBySlot[slot]
      if (old !== undefined) this.slotById.delete(old)
      this.onReuse(slot)
      return slot
    }
    return undefined
  }
}
