import type { HistoryResultView } from '../../shared/history'
import type { BackendPoint, SeriesTick } from '../../shared/types'

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

/**
 * Live-chart ticks from a history query of rps, cpuPercent and memoryBytes (one shared time
 * grid): a backend is in a tick where its rps was recorded; ticks with no backend are left out.
 * `names`: display names by backend id (the id when history has none).
 */
export function seriesTicksOf(result: HistoryResultView, names: ReadonlyMap<string, string | null>): SeriesTick[] {
  const byBackend = new Map<string, Partial<Record<'rps' | 'cpuPercent' | 'memoryBytes', (number | null)[]>>>()
  let t: readonly number[] = []
  for (const s of result.series) {
    if (s.metric !== 'rps' && s.metric !== 'cpuPercent' && s.metric !== 'memoryBytes') continue
    t = s.t
    let m = byBackend.get(s.backendId)
    if (m === undefined) byBackend.set(s.backendId, (m = {}))
    m[s.metric] = s.v
  }
  const ticks: SeriesTick[] = []
  for (let i = 0; i < t.length; i++) {
    const points: BackendPoint[] = []
    for (const [id, m] of byBackend) {
      const rps = m.rps?.[i]
      if (rps === null || rps === undefined) continue
      points.push({ id, name: names.get(id) ?? id, rps, cpuPercent: m.cpuPercent?.[i] ?? null, memoryBytes: m.memoryBytes?.[i] ?? null })
    }
    if (points.length > 0) ticks.push({ at: t[i]!, points })
  }
  return ticks
}
