/**
 * The autoscaling overlay of the live RPS chart: per autoscaled service, its total rate (sum of
 * its backends), the forecast ahead of now (dashed, past the newest tick) and the rate its ready
 * replicas serve (a dashed horizontal line). Pure: it extends the window's aligned data with
 * future x values and the extra y arrays; backend lines get nulls in the future.
 */
import type { ServiceView } from '../../../shared/types'
import type { AlignedSeries } from './series-window'

export type OverlayKind = 'total' | 'forecast' | 'capacity'

export interface OverlaySpec {
  key: string
  service: string
  kind: OverlayKind
  label: string
}

export interface OverlaidSeries extends AlignedSeries {
  /** Extra y arrays after the backends' ones, in this order. */
  extras: OverlaySpec[]
  /** Index of the newest real tick in x (the "now" of the chart); -1 when empty. */
  nowIdx: number
}

/** Services whose overlay is drawn: autoscaling on (otherwise forecast and capacity mean nothing). */
export function overlayServices(services: readonly ServiceView[]): ServiceView[] {
  return services.filter((s) => s.autoscale.mode !== 'off')
}

/** The series list an overlay adds; a chart rebuilds only when this key changes. */
export function overlayKey(services: readonly ServiceView[]): string {
  return overlayServices(services)
    .map((s) => s.name)
    .join('|')
}

export function withServiceOverlay(
  aligned: AlignedSeries,
  services: readonly ServiceView[],
  serviceOf: Readonly<Record<string, string | null>>
): OverlaidSeries {
  const shown = overlayServices(services)
  const xs = aligned.data[0]
  const nowIdx = xs.length - 1
  if (shown.length === 0 || xs.length === 0) return { ...aligned, extras: [], nowIdx }
  const nowSec = xs[nowIdx] as number
  const futureSet = new Set<number>()
  for (const s of shown) for (const p of s.autoscale.forecast) if (p.at / 1000 > nowSec) futureSet.add(p.at / 1000)
  const future = [...futureSet].sort((a, b) => a - b)
  const allX = [...xs, ...future]
  const pad = (ys: readonly (number | null)[]): (number | null)[] => [...ys, ...future.map(() => null)]
  const backendYs = aligned.data.slice(1).map((ys) => pad(ys as (number | null)[]))

  const extras: OverlaySpec[] = []
  const extraYs: (number | null)[][] = []
  for (const s of shown) {
    const cols = aligned.ids.map((id, i) => (serviceOf[id] === s.name ? (aligned.data[i + 1] as (number | null)[]) : null))
    const mine = cols.filter((c): c is (number | null)[] => c !== null)
    const total: (number | null)[] = xs.map((_, row) => {
      let sum: number | null = null
      for (const c of mine) {
        const v = c[row]
        if (v !== null && v !== undefined) sum = (sum ?? 0) + v
      }
      return sum
    })
    extras.push({ key: `${s.name}:total`, service: s.name, kind: 'total', label: `${s.name} total` })
    extraYs.push(pad(total))

    const forecast: (number | null)[] = allX.map(() => null)
    // Anchored at the newest total so the dashed line starts where the solid one ends.
    if (s.autoscale.forecast.length > 0) forecast[nowIdx] = total[nowIdx] ?? null
    const byX = new Map(s.autoscale.forecast.map((p) => [p.at / 1000, p.rps]))
    for (let i = xs.length; i < allX.length; i++) forecast[i] = byX.get(allX[i] as number) ?? null
    // Always present (all gaps until the forecaster has enough history): the series list stays stable.
    extras.push({ key: `${s.name}:forecast`, service: s.name, kind: 'forecast', label: `${s.name} forecast` })
    extraYs.push(forecast)

    extras.push({ key: `${s.name}:capacity`, service: s.name, kind: 'capacity', label: `${s.name} capacity` })
    extraYs.push(allX.map(() => s.autoscale.capacityLineRps))
  }
  return { ids: aligned.ids, data: [allX, ...backendYs, ...extraYs], extras, nowIdx }
}
