/**
 * One color per backend id, the same in every chart and the legend. A hash picks the preferred
 * slot so an id tends to keep its color across reloads; an id whose slot is taken gets the next
 * free one, so backends shown together never share a color until the palette runs out.
 */
// Ten hues that stay apart on a dark background; no red, which means "error" everywhere else.
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
  '#c9d1d9' // grey
] as const

export class ColorAssigner {
  private readonly assigned = new Map<string, number>()

  constructor(private readonly palette: readonly string[] = CHART_PALETTE) {}

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

  private pickSlot(id: string): number {
    const size = this.palette.length
    const preferred = hashString(id) % size
    const used = new Set(this.assigned.values())
    for (let i = 0; i < size; i++) {
      const slot = (preferred + i) % size
      if (!used.has(slot)) return slot
    }
    return preferred
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
