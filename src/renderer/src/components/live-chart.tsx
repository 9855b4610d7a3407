import { useEffect, useMemo, useRef, useState } from 'react'
import uPlot from 'uplot'
import { buildChartOptions } from './live-chart-options'
import { fallbackLabel, type ChartMetric } from '../core/series-window'
import { backendColor, useMetrics, WINDOW_SECONDS } from '../stores/metrics-store'
import { ChartLegend } from './chart-legend'

/**
 * One uPlot chart over the metrics window. The chart is built once per set of backends and fed
 * with setData on every tick; it follows its container's width.
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
  const [cursorIdx, setCursorIdx] = useState<number | null>(null)
  const axisFormatRef = useRef(axisFormat)
  axisFormatRef.current = axisFormat

  // The window is mutated in place; `version` says when to read it again.
  const aligned = useMemo(() => useMetrics.getState().window.toAligned(metric), [version, metric])
  const alignedRef = useRef(aligned)
  alignedRef.current = aligned

  useEffect(() => {
    const host = hostRef.current
    if (!host) return
    const { ids, data } = alignedRef.current
    const labels = useMetrics.getState().names
    const options = buildChartOptions({
      width: Math.max(host.clientWidth, 200),
      series: ids.map((id) => ({ id, label: labels[id] ?? fallbackLabel(id), color: backendColor(id) })),
      windowSeconds: WINDOW_SECONDS,
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
  }, [seriesKey, metric, minTop])

  useEffect(() => {
    plotRef.current?.setData(aligned.data)
  }, [aligned])

  return (
    <figure className="chart card">
      <figcaption className="chart-title">
        {title} <span className="unit">({unit})</span>
      </figcaption>
      <div ref={hostRef} className="chart-host" data-testid={`chart-${metric}`} />
      <ChartLegend series={aligned} names={names} cursorIdx={cursorIdx} unit={unit} format={format} />
    </figure>
  )
}
