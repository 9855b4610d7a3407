import { useEffect, useMemo, useRef, useState } from 'react'
import uPlot from 'uplot'
import { buildChartOptions, type ChartSeriesSpec } from './live-chart-options'
import { lastNonNull } from '../core/history-aligned'
import { overlayKey, withServiceOverlay, type OverlaidSeries, type OverlaySpec } from '../core/live-overlay'
import { fallbackLabel, type ChartMetric } from '../core/series-window'
import { useFleet } from '../stores/fleet-store'
import { backendColor, useMetrics, WINDOW_SECONDS } from '../stores/metrics-store'
import { ChartLegend, type LegendExtra } from './chart-legend'

/** How far past now the live charts reach while a forecast is drawn. */
const FUTURE_SECONDS = 30

/** Overlay line styles: neutral colors, so they never look like one more backend. */
const OVERLAY_STYLE: Record<OverlaySpec['kind'], Pick<ChartSeriesSpec, 'color' | 'dash' | 'width' | 'spanGaps'>> = {
  total: { color: '#e6edf3', width: 2 },
  forecast: { color: '#e6edf3', width: 2, dash: [6, 5], spanGaps: true },
  capacity: { color: '#d29922', width: 1.5, dash: [3, 4] }
}

/**
 * One uPlot chart over the metrics window. The chart is built once per set of lines and fed
 * with setData on every tick; it follows its container's width. The RPS chart also draws, for
 * each autoscaled service, its total, the forecast ahead of now and its ready capacity.
 */
export function LiveChart({
  metric,
  title,
  unit,
  minTop,
  format,
  axisFormat
}: {
  metric: ChartMetric
  title: string
  unit: string
  minTop: number
  /** Values in the legend. */
  format(value: number): string
  /** Y axis tick labels. */
  axisFormat(value: number): string
}): React.JSX.Element {
  const hostRef = useRef<HTMLDivElement>(null)
  const plotRef = useRef<uPlot | null>(null)
  const seriesKey = useMetrics((s) => s.seriesKey)
  const version = useMetrics((s) => s.version)
  const names = useMetrics((s) => s.names)
  const serviceOf = useMetrics((s) => s.serviceOf)
  const services = useFleet((s) => s.snapshot?.services)
  // Every live chart reaches into the future when any does, so their time axes stay aligned.
  const overlaid = useFleet((s) => overlayKey(s.snapshot?.services ?? []))
  const futureSeconds = overlaid !== '' ? FUTURE_SECONDS : 0
  const lineKey = metric === 'rps' ? overlaid : ''
  const [cursorIdx, setCursorIdx] = useState<number | null>(null)
  const axisFormatRef = useRef(axisFormat)
  axisFormatRef.current = axisFormat

  // The window is mutated in place; `version` says when to read it again.
  const aligned = useMemo(() => useMetrics.getState().window.toAligned(metric), [version, metric])
  const shown: OverlaidSeries = useMemo(
    () =>
      metric === 'rps'
        ? withServiceOverlay(aligned, services ?? [], serviceOf)
        : { ...aligned, extras: [], nowIdx: aligned.data[0].length - 1 },
    [aligned, services, serviceOf, metric]
  )
  const shownRef = useRef(shown)
  shownRef.current = shown

  useEffect(() => {
    const host = hostRef.current
    if (!host) return
    const { ids, data, extras } = shownRef.current
    const labels = useMetrics.getState().names
    const options = buildChartOptions({
      width: Math.max(host.clientWidth, 200),
      series: [
        ...ids.map((id) => ({ id, label: labels[id] ?? fallbackLabel(id), color: backendColor(id) })),
        ...extras.map((x) => ({ id: x.key, label: x.label, ...OVERLAY_STYLE[x.kind] }))
      ],
      windowSeconds: WINDOW_SECONDS,
      futureSeconds,
      end: () => {
        const s = shownRef.current
        return s.nowIdx >= 0 ? (s.data[0][s.nowIdx] ?? null) : null
      },
      minTop,
      formatTick: (v) => axisFormatRef.current(v),
      onCursor: setCursorIdx
    })
    const plot = new uPlot(options, data, host)
    plotRef.current = plot
    const observer = new ResizeObserver(() => {
      const width = Math.max(host.clientWidth, 200)
      if (width !== plot.width) plot.setSize({ width, height: plot.height })
    })
    observer.observe(host)
    return () => {
      observer.disconnect()
      plot.destroy()
      plotRef.current = null
      setCursorIdx(null)
    }
  }, [seriesKey, lineKey, metric, minTop, futureSeconds])

  useEffect(() => {
    plotRef.current?.setData(shown.data)
  }, [shown])

  const legendExtras: LegendExtra[] = shown.extras.map((x, i) => {
    const ys = shown.data[shown.ids.length + 1 + i] ?? []
    return {
      key: x.key,
      label: x.kind === 'forecast' ? `${x.label} +${Math.round(FUTURE_SECONDS)} s` : x.label,
      color: OVERLAY_STYLE[x.kind].color,
      dashed: x.kind !== 'total',
      ys,
      idleValue: x.kind === 'forecast' ? forecastAt(shown, ys, FUTURE_SECONDS) : lastNonNull(ys.slice(0, shown.nowIdx + 1))
    }
  })

  return (
    <figure className="chart card">
      <figcaption className="chart-title">
        {title} <span className="unit">({unit})</span>
      </figcaption>
      <div ref={hostRef} className="chart-host" data-testid={`chart-${metric}`} />
      <ChartLegend
        series={shown}
        names={names}
        cursorIdx={cursorIdx}
        unit={unit}
        format={format}
        extras={legendExtras}
        idleValueOf={(ys) => (shown.nowIdx >= 0 ? (ys[shown.nowIdx] ?? null) : null)}
      />
    </figure>
  )
}

/** The forecast value nearest `ahead` seconds past now (the right edge of the chart). */
function forecastAt(shown: OverlaidSeries, ys: readonly (number | null)[], ahead: number): number | null {
  const xs = shown.data[0]
  const now = xs[shown.nowIdx]
  if (now === undefined) return null
  let best: number | null = null
  for (let i = shown.nowIdx + 1; i < xs.length; i++) {
    const v = ys[i]
    if (v === null || v === undefined) continue
    best = v
    if ((xs[i] as number) >= now + ahead) break
  }
  return best
}
