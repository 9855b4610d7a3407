import { formatAxisTick, formatMegabytes, formatPercent, formatRate } from '../core/format'
import { useMetrics } from '../stores/metrics-store'
import { EmptyState } from './empty-state'
import { LiveChart } from './live-chart'

const formatRateValue = (v: number): string => formatRate(Math.round(v * 10) / 10)
const formatPercentValue = (v: number): string => formatPercent(v)
const formatMbValue = (v: number): string => formatMegabytes(v * 1_000_000)

/** The last five minutes of every backend: load, CPU and memory. */
export function ChartsSection(): React.JSX.Element {
  const hasSeries = useMetrics((s) => s.seriesKey !== '')
  const loaded = useMetrics((s) => s.loaded)
  return (
    <section className="section charts-section">
      <div className="section-head">
        <h2>Live</h2>
        <span className="section-meta">last 5 minutes · 1 s resolution</span>
      </div>
      {!hasSeries ? (
        <EmptyState title={loaded ? 'No data to chart yet' : 'Loading the last five minutes…'}>
          {loaded ? 'Lines appear here, one per backend, as soon as backends report.' : null}
        </EmptyState>
      ) : (
        <div className="charts">
          <LiveChart metric="rps" title="Requests" unit="req/s" minTop={5} format={formatRateValue} axisFormat={formatAxisTick} />
          <LiveChart metric="cpu" title="CPU" unit="%" minTop={10} format={formatPercentValue} axisFormat={formatAxisTick} />
          <LiveChart metric="memory" title="Memory" unit="MB" minTop={10} format={formatMbValue} axisFormat={formatAxisTick} />
        </div>
      )}
    </section>
  )
}
