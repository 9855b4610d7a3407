import { useEffect, useMemo, useRef, useState } from 'react'
import uPlot from 'uplot'
import { historyAligned, type HistoryChartMetric } from '../core/history-aligned'
import { lastDataIndex, latestValue } from '../core/history-legend'
import { rangeNeedsYear } from '../core/history-range'
import { fallbackLabel } from '../core/series-window'
import { cursorTimeLabel } from '../core/time-axis'
import { useHistory } from '../stores/history-store'
import { ChartLegend } from './chart-legend'
import { buildHistoryChartOptions } from './history-chart-options'

/**
 * Grid slots a backend's newest value may lag the range's data end and still be "latest": the
 * newest bucket may not have every backend's sample yet.
 */
const LATEST_SLACK = 2
/** Only for an id missing from `colors`, which the view never passes. */
const FALLBACK_COLOR = '#8b96a5'

const testIds: Record<HistoryChartMetric, string> = {
  rps: 'history-chart-rps',
  cpuPercent: 'history-chart-cpu',
  memoryBytes: 'history-chart-memory',
  p95: 'history-chart-p95'
}

/** Counts setData calls over all charts: `data-drawn` on a host changes when it drew a new result. */
let draws = 0

/**
 * One History chart. Built once per set of lines (backends shown, band or not) and fed with
 * setData when a new query result arrives; events and the range are read at draw time.
 * `data-points` on the host counts the non-null points drawn (tests and debugging read it);
 * `data-drawn` changes each time the chart has drawn a new result.
 */
export function HistoryChart({
  metric,
  title,
  unit,
  minTop,
  names,
  colors,
  format,
  axisFormat,
  drawOrder,
  reportWidth = false
}: {
  metric: HistoryChartMetric
  title: string
  unit: string
  minTop: number
  names: Record<string, string>
  /** Line color by backend id (see historyColors). */
  colors: Record<string, string>
  format(value: number): string
  axisFormat(value: number): string
  /** This chart's place among the charts of the view: it draws a new result that many frames later. */
  drawOrder: number
  /** One chart tells the store its width, which sizes the query (one point per pixel). */
  reportWidth?: boolean
}): React.JSX.Element {
  const hostRef = useRef<HTMLDivElement>(null)
  const plotRef = useRef<uPlot | null>(null)
  const result = useHistory((s) => s.result)
  const range = useHistory((s) => s.resultRange)
  const hidden = useHistory((s) => s.hidden)
  const events = useHistory((s) => s.events)
  const [cursorIdx, setCursorIdx] = useState<number | null>(null)

  const aligned = useMemo(() => historyAligned(result, metric, (id) => !hidden[id]), [result, metric, hidden])
  const dataEnd = useMemo(() => lastDataIndex(result), [result])
  const lineKey = `${aligned.ids.join('|')}#${aligned.bands}`
  const live = useRef({ aligned, range, events, names, colors, axisFormat })
  live.current = { aligned, range, events, names, colors, axisFormat }

  useEffect(() => {
    const host = hostRef.current
    if (!host) return
    const { aligned: a, names: labels, colors: palette } = live.current
    const options = buildHistoryChartOptions({
      width: Math.max(host.clientWidth, 200),
      series: a.ids.map((id) => ({ id, label: labels[id] ?? fallbackLabel(id), color: palette[id] ?? FALLBACK_COLOR })),
      bands: a.bands,
      minTop,
      range: () => live.current.range,
      events: () => live.current.events,
      formatTick: (v) => live.current.axisFormat(v),
      onCursor: setCursorIdx,
      onZoom: (from, to) => useHistory.getState().zoom(from, to)
    })
    // Built empty (axes only, cheap); the data is drawn by the deferred draw below, in this
    // chart's own frame, like any later result.
    const plot = new uPlot(options, a.data.map(() => []) as unknown as uPlot.AlignedData, host)
    plotRef.current = plot
    const observer = new ResizeObserver(() => {
      const width = Math.max(host.clientWidth, 200)
      if (width !== plot.width) plot.setSize({ width, height: plot.height })
      if (reportWidth) useHistory.getState().setWidth(plot.bbox.width / uPlot.pxRatio)
    })
    observer.observe(host)
    return () => {
      observer.disconnect()
      plot.destroy()
      plotRef.current = null
      setCursorIdx(null)
    }
    // Colors come with the result (historyColors), so a new set of lines is when they can change.
  }, [lineKey, minTop, reportWidth])

  useEffect(() => {
    const plot = plotRef.current
    const host = hostRef.current
    if (!plot || !host) return
    // Charts drawn in one task have their canvases rasterised together at its end (100-200 ms
    // for four charts of 20 lines with software rendering): one chart per frame keeps every task
    // short, so the cursor and the next drag never wait for all four.
    let frames = drawOrder
    let handle = requestAnimationFrame(function draw() {
      if (frames-- > 0) {
        handle = requestAnimationFrame(draw)
        return
      }
      plot.setData(aligned.data)
      host.dataset.drawn = String(++draws)
    })
    return () => cancelAnimationFrame(handle)
    // Events arrive with the result they belong to and are read at draw time: the same deferred
    // draw shows them (a redraw of its own here would draw all four charts in the reply's task).
  }, [aligned, range, events, drawOrder])

  const span = range ? range.to - range.from : 0
  const withYear = range ? rangeNeedsYear(range, Date.now()) : false
  return (
    <figure className="chart card history-chart">
      <figcaption className="chart-title">
        {title} <span className="unit">({unit})</span>
      </figcaption>
      <div className="chart-frame">
        <div ref={hostRef} className="chart-host" data-testid={testIds[metric]} data-points={aligned.points} />
        {result === null ? <div className="chart-empty muted">Loading…</div> : null}
        {result !== null && aligned.points === 0 ? <div className="chart-empty muted">No data in this range</div> : null}
      </div>
      <ChartLegend
        series={aligned}
        names={names}
        cursorIdx={cursorIdx}
        unit={unit}
        format={format}
        idleValueOf={(ys) => latestValue(ys, dataEnd, LATEST_SLACK)}
        timeLabel={(seconds) => cursorTimeLabel(seconds * 1000, span, withYear)}
        idleLabel="latest"
        idleMissing="at the end of the range"
        colorOf={(id) => colors[id] ?? FALLBACK_COLOR}
      />
    </figure>
  )
}
