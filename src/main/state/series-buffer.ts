import type { SeriesTick } from '../../shared/types'

/** The last `capacity` ticks of per-backend values, for filling live charts when a window opens. */
export class SeriesBuffer {
  private readonly ticks: (SeriesTick | undefined)[]
  private next = 0
  private size = 0

  constructor(private readonly capacity: number) {
    this.ticks = new Array<SeriesTick | undefined>(capacity)
  }

  push(tick: SeriesTick): void {
    this.ticks[this.next] = tick
    this.next = (this.next + 1) % this.capacity
    this.size = Math.min(this.size + 1, this.capacity)
  }

  /** Ticks not older than `seconds` before `now`, oldest first. */
  since(now: number, seconds: number): SeriesTick[] {
    const out: SeriesTick[] = []
    const from = now - seconds * 1000
    for (let i = 0; i < this.size; i++) {
      const tick = this.ticks[(this.next - this.size + i + this.capacity) % this.capacity]
      if (tick && tick.at >= from) out.push(tick)
    }
    return out
  }
}
