import { useEffect, useMemo } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { formatAxisTick, formatMegabytes, formatMs, formatPercent, formatRate } from '../core/format'
import { historyNames } from '../core/history-legend'
import { useFleet } from '../stores/fleet-store'
import { useHistory } from '../stores/history-store'
import { historyColors, useMetrics } from '../stores/metrics-store'
import { EmptyState } from './empty-state'
import { HistoryBackendToggles } from './history-backend-toggles'
import { HistoryChart } from './history-chart'
import { HistoryToolbar } from './history-toolbar'

const formatRateValue = (v: number): string => formatRate(Math.round(v * 10) / 10)
const formatMbValue = (v: number): string => formatMegabytes(v * 1_000_000)

/**
 * The metrics history over a chosen range: four charts sharing a cursor, backend toggles, events on
 * the time axis. Queried when the range changes, never per tick (the range stays where the user
 * put it until they pick a preset again or go back to Live).
 */
export function HistoryView(): React.JSX.Element {
  const history = useFleet((s) => s.snapshot?.history)
  const enter = useHistory((s) => s.enter)
  const status = useHistory((s) => s.status)
  const error = useHistory((s) => s.error)
  const liveNames = useMetrics((s) => s.names)
  const recorded = useHistory((s) => s.backends)
  // Live names when the backend is still known to this window; else the name history recorded.
  const current = useFleet(useShallow((s) => Object.fromEntries((s.snapshot?.backends ?? []).map((b) => [b.id, b.name]))))
  const names = useMemo(() => historyNames(recorded, { ...liveNames, ...current }), [recorded, liveNames, current])
  const colors = useMemo(() => historyColors(recorded.map((b) => b.backendId)), [recorded])
  const historyOn = history !== null

  useEffect(() => {
    if (historyOn) enter()
  }, [enter, historyOn])

  if (history === null) {
    return (
      <section className="section">
        <EmptyState title="Metrics history is off" testId="history-off">
          Prescal is not recording history, so there is nothing to browse. Set <code>history: {'{ enabled: true }'}</code> in
          the config file (or remove <code>enabled: false</code>) and restart Prescal; charts fill from then on.
        </EmptyState>
      </section>
    )
  }

  return (
    <section className="section history-view" data-testid="history-view">
      <HistoryToolbar />
      <HistoryBackendToggles names={names} colors={colors} />
      {error ? (
        <div className="notice notice-warn" data-testid="history-error">
          <strong>Could not read the history.</strong> {error.message} <span className="code">{error.code}</span>
        </div>
      ) : null}
      {/* Mounted before the first result arrives, so the first query already knows the chart width. */}
      <div className="history-charts" aria-busy={status === 'loading'}>
        <HistoryChart metric="rps" drawOrder={0} title="Requests" unit="req/s" minTop={5} names={names} colors={colors} format={formatRateValue} axisFormat={formatAxisTick} reportWidth />
        <HistoryChart metric="cpuPercent" drawOrder={1} title="CPU" unit="%" minTop={10} names={names} colors={colors} format={formatPercent} axisFormat={formatAxisTick} />
        <HistoryChart metric="memoryBytes" drawOrder={2} title="Memory" unit="MB" minTop={10} names={names} colors={colors} format={formatMbValue} axisFormat={formatAxisTick} />
        <HistoryChart metric="p95" drawOrder={3} title="Latency p95" unit="ms" minTop={5} names={names} colors={colors} format={formatMs} axisFormat={formatAxisTick} />
      </div>
      <p className="history-hint muted">Drag across a chart to zoom in; ◀ ▶ move by half the range. Markers on the time axis are events (hover for details).</p>
    </section>
  )
}
