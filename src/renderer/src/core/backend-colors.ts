/**
 * One color per backend id, the same in every chart and the legend. The id's hash picks its
 * preferred color, so a backend gets the same color on every page load; an id whose preferred
 * color is held by another backend shown at the same time takes the next free one (the backend
 * that came first keeps its color), so backends shown together never share a color until the
 * palette runs out. With twenty colors and a handful of replicas that is rare, which keeps
 * colors stable across reloads in practice.
 */
// Twenty colors that stay apart on a dark background (ten hues, each in a second shade); no red,
// which means "error" everywhere else.
export const CHART_PALETTE = [
  '#4c9aff', // blue
  '#3fb950', // green
  '#f0883e', // orange
  '#bc8cff', // purple
  '#f2d94e', // yellow
  '#39c5cf', // cyan
  '#ff7b9c', // pink
  '#a3e635', // lime
  '#b07d62', // brown
  '#c9d1d9', // light grey
  '#9cc8ff', // pale blue
  '#1a9e6e', // teal green
  '#ffc08a', // peach
  '#7c6cf0', // indigo
  '#c2a23a', // ochre
  '#1f8fb0', // steel blue
  '#e060c8', // magenta
  '#6f8f2e', // olive
  '#e6d3b3', // sand
  '#7f8a99' // slate
] as const

export class ColorAssigner {
  private readonly assigned: Map<string, number>

  constructor(
    private readonly palette: readonly string[] = CHART_PALETTE,
    assigned: ReadonlyMap<string, number> = new Map()
  ) {
    this.assigned = new Map(assigned)
  }

  /** The color of `id`, assigning one on first use. */
  colorOf(id: string): string {
    let slot = this.assigned.get(id)
    if (slot === undefined) {
      slot = this.pickSlot(id)
      this.assigned.set(id, slot)
    }
    return this.palette[slot] as string
  }

  /** Frees the slot of an id that is gone, so a later backend can use the color. */
  release(id: string): void {
    this.assigned.delete(id)
  }

  /**
   * A copy that keeps every color assigned so far: colors assigned in it (backends that only
   * exist in history) avoid the ones in use without taking any away from later live backends.
   */
  fork(): ColorAssigner {
    return new ColorAssigner(this.palette, this.assigned)
  }

  /** The preferred slot when free, else the next free one, else the least used (from the preferred on). */
  private pickSlot(id: string): number {
    const size = this.palette.length
    const preferred = hashString(id) % size
    const uses = new Array<number>(size).fill(0)
    for (const slot of this.assigned.values()) uses[slot] = (uses[slot] ?? 0) + 1
    let best = preferred
    for (let i = 0; i < size; i++) {
      const slot = (preferred + i) % size
      if ((uses[slot] as number) < (uses[best] as number)) best = slot
      if (uses[best] === 0) break
    }
    return best
  }
}

/** FNV-1a, 32 bit: small, stable across runs and platforms. */
export function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
