/**
 * Backtest the scaling policies on a real trace:
 *   npm run backtest -- --trace FILE [--policy reactive|predictive|hybrid|all] [--capacity RPS]
 *     [--cold-start S] [--every S] [--window S] [--predictive-window S] [--plot FILE.svg]
 *
 * --window overrides the reactive scale-down stabilization window, --predictive-window the
 * forecast-driven policies' one (defaults: defaultScalerSettings; the latter is derived from the
 * cold start, see forecastScaleDownWindowMs).
 * A bare trace name (or no --trace: worldcup98_1min.csv) is looked up in ../shared/data/traces/
 * beside the repository, where CI clones the shared data. Minute traces default to evaluating
 * every 60 s with a 120 s cold start, finer traces to every 15 s with a 30 s cold start; capacity
 * defaults to the trace's peak rate / 20 (the peak needs 20 replicas). Prints a markdown table (one
 * row per policy plus the oracle) and ends with the one-line summary CI reads. The first column and
 * R1 are the share of requests that ARRIVED while ready capacity was short (all of them, see
 * simulator.ts); the old "requests exceeding ready capacity" is kept as the last column. The trace
 * is streamed into typed columns so the 5-million-row per-second trace stays a few hundred MB.
 */
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { policyFor } from '../src/main/scaler/hybrid-policy'
import { createOraclePolicy } from '../src/main/scaler/oracle-policy'
import { MIN_RESCUED_SHARE } from '../src/main/scaler/forecast-sizing'
import { SURPRISE_SDS } from '../src/main/scaler/predictive-policy'
import { defaultScalerSettings } from '../src/main/scaler/scaler-types'
import type { ScalerSettings } from '../src/main/scaler/scaler-types'
import { forecastScaleDownWindowMs } from '../src/main/scaler/scaling-limits'
import { detectStepMs, simulate } from '../src/main/scaler/simulator'
import type { SeriesPoint, SimulationResult } from '../src/main/scaler/simulator'
import type { TraceColumns } from '../src/main/scaler/trace-columns'
import { readTraceColumns } from '../src/main/scaler/trace-reader'

const POLICIES = ['reactive', 'predictive', 'hybrid'] as const
type PolicyName = (typeof POLICIES)[number]
const PEAK_REPLICAS = 20
const DAY_MS = 86_400_000

interface Args {
  trace: string
  policy: PolicyName | 'all'
  capacity: number | null
  coldStartS: number | null
  everyS: number | null
  windowS: number | null
  predictiveWindowS: number | null
  plot: string | null
}

function usage(message: string): never {
  console.error(`backtest: ${message}`)
  console.error(
    'usage: npm run backtest -- --trace FILE [--policy reactive|predictive|hybrid|all] [--capacity RPS] [--cold-start S] [--every S] [--window S] [--predictive-window S] [--plot FILE.svg]'
  )
  process.exit(2)
}

function parseArgs(argv: string[]): Args {
  const args: Args = { trace: 'worldcup98_1min.csv', policy: 'all', capacity: null, coldStartS: null, everyS: null, windowS: null, predictiveWindowS: null, plot: null }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    if (flag === '--') continue
    const value = argv[i + 1]
    if (value === undefined) usage(`${flag} needs a value`)
    i++
    const num = (): number => {
      const n = Number(value)
      if (!(n > 0)) usage(`${flag} must be a positive number`)
      return n
    }
    switch (flag) {
      case '--trace':
        args.trace = value
        break
      case '--policy':
        if (value !== 'all' && !(POLICIES as readonly string[]).includes(value)) usage(`unknown policy ${value}`)
        args.policy = value as Args['policy']
        break
      case '--capacity':
        args.capacity = num()
        break
      case '--cold-start':
        args.coldStartS = num()
        break
      case '--every':
        args.everyS = num()
        break
      case '--window':
        args.windowS = num()
        break
      case '--predictive-window':
        args.predictiveWindowS = num()
        break
      case '--plot':
        args.plot = value
        break
      default:
        usage(`unknown option ${flag}`)
    }
  }
  return args
}

function resolveTrace(arg: string): string {
  if (existsSync(arg)) return path.resolve(arg)
  const repoRoot = path.resolve(__dirname, '..')
  const shared = path.resolve(repoRoot, '..', 'shared', 'data', 'traces', path.basename(arg))
  if (existsSync(shared)) return shared
  usage(`trace not found: ${arg} (also looked in ${path.dirname(shared)})`)
}

/** The UTC day with the most requests, for the plot. */
function busiestDay(trace: TraceColumns): { from: number; to: number } {
  const totals = new Map<number, number>()
  for (let i = 0; i < trace.length; i++) {
    const day = Math.floor(trace.at[i]! / DAY_MS) * DAY_MS
    totals.set(day, (totals.get(day) ?? 0) + trace.requests[i]!)
  }
  let best = trace.at[0] ?? 0
  let bestTotal = -1
  for (const [day, sum] of totals) {
    if (sum > bestTotal) {
      best = day
      bestTotal = sum
    }
  }
  return { from: best, to: best + DAY_MS }
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x)
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const file = resolveTrace(args.trace)
  const started = performance.now()
  const trace = await readTraceColumns(file)
  const stepMs = detectStepMs(trace)
  const minuteOrCoarser = stepMs >= 60_000
  const everyMs = (args.everyS ?? (minuteOrCoarser ? 60 : 15)) * 1000
  const coldStartMs = (args.coldStartS ?? (minuteOrCoarser ? 120 : 30)) * 1000
  let peakRps = 0
  for (let i = 0; i < trace.length; i++) peakRps = Math.max(peakRps, trace.requests[i]! / (stepMs / 1000))
  const capacityRps = args.capacity ?? peakRps / PEAK_REPLICAS
  const settings: ScalerSettings = {
    ...defaultScalerSettings,
    capacityRps,
    coldStartMs,
    minReplicas: 1,
    // A ceiling that never binds (the peak needs 20): the backtest measures policies, not a cap.
    maxReplicas: 2 * PEAK_REPLICAS,
    scaleDownStabilizationMs:
      args.windowS === null ? defaultScalerSettings.scaleDownStabilizationMs : args.windowS * 1000,
    predictiveScaleDownStabilizationMs:
      args.predictiveWindowS === null ? defaultScalerSettings.predictiveScaleDownStabilizationMs : args.predictiveWindowS * 1000
  }
  const record = args.plot === null ? undefined : busiestDay(trace)
  const readMs = performance.now() - started

  const results = new Map<string, SimulationResult>()
  for (const name of POLICIES) {
    if (args.policy !== 'all' && args.policy !== name && name !== 'hybrid' && name !== 'reactive') continue
    results.set(name, simulate(trace, policyFor(name), { settings, everyMs, stepMs, record }))
  }
  const oracle = simulate(trace, createOraclePolicy(trace, stepMs, everyMs), { settings, everyMs, stepMs, record })
  const simMs = performance.now() - started - readMs

  const base = path.basename(file)
  const reactive = results.get('reactive')!
  const hybrid = results.get('hybrid')!
  const hours = oracle.simulatedSeconds / 3600
  console.log(
    `trace ${base}: ${trace.length} rows, step ${stepMs / 1000} s, ${fmt(hours, 1)} h with data, peak ${fmt(peakRps, 1)} req/s`
  )
  console.log(
    `settings: capacity ${fmt(capacityRps, 3)} req/s per replica, cold start ${coldStartMs / 1000} s, every ${everyMs / 1000} s, ` +
      `target ${settings.targetUtilization}, tolerance ${settings.tolerance}, headroom ${settings.headroom}, ` +
      `scale-down window ${settings.scaleDownStabilizationMs / 1000} s (reactive) / ${forecastScaleDownWindowMs(settings) / 1000} s (predictive, hybrid), ` +
      `replica added while it rescues ≥ ${MIN_RESCUED_SHARE} of its capacity, reactive scale-up beyond ${SURPRISE_SDS} sd, steps +${settings.maxStepUp}/-${settings.maxStepDown}`
  )
  console.log('')
  console.log(
    '| policy | requests that arrived while ready capacity was short | container-seconds vs oracle | actions/hour | peak replicas | (extra) requests exceeding ready capacity |'
  )
  console.log('|---|---:|---:|---:|---:|---:|')
  const rows: Array<[string, SimulationResult]> = [...results].filter(([n]) => args.policy === 'all' || n === args.policy)
  rows.push(['oracle', oracle])
  for (const [name, r] of rows) {
    console.log(
      `| ${name} | ${fmt(r.arrivedShortShare * 100, 3)}% | ${fmt(r.containerSeconds / oracle.containerSeconds, 3)} | ` +
        `${fmt(r.actionsPerHour, 2)} | ${r.peakReplicas} | ${fmt(r.underProvisionedShare * 100, 3)}% |`
    )
  }
  console.log('')
  console.log(`read ${fmt(readMs / 1000, 1)} s, simulated ${results.size + 1} policies in ${fmt(simMs / 1000, 1)} s`)

  if (args.plot !== null && record !== undefined) {
    const svg = renderBusyDaySvg({
      title: `${base}: demand vs ready capacity, busiest day (UTC ${new Date(record.from).toISOString().slice(0, 10)})`,
      capacityRps,
      stepMs,
      series: [...rows].map(([name, r]) => ({ name, points: r.series })),
      from: record.from,
      to: record.to
    })
    await mkdir(path.dirname(path.resolve(args.plot)), { recursive: true })
    await writeFile(args.plot, svg)
    console.log(`plot written to ${args.plot}`)
  }

  // R1 is on the primary metric: the share of requests that arrived while ready capacity was short.
  const r1 = reactive.arrivedShortShare > 0 ? hybrid.arrivedShortShare / reactive.arrivedShortShare : 0
  const r2 = hybrid.containerSeconds / oracle.containerSeconds
  console.log(
    `backtest ${base}: hybrid/reactive under-provisioned ratio ${fmt(r1, 3)}, container-seconds ratio ${fmt(r2, 3)}, actions/hour ${fmt(hybrid.actionsPerHour, 2)}`
  )
}

interface PlotInput {
  title: string
  capacityRps: number
  stepMs: number
  series: Array<{ name: string; points: readonly SeriesPoint[] }>
  from: number
  to: number
}

const COLORS: Record<string, string> = {
  reactive: '#d62728',
  predictive: '#2ca02c',
  hybrid: '#1f77b4',
  oracle: '#9467bd'
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A self-made SVG: demand as a grey area, each policy's ready capacity (ready × capacity) as a line. */
function renderBusyDaySvg(input: PlotInput): string {
  const W = 1200
  const H = 520
  const left = 70
  const right = 20
  const top = 48
  const bottom = 80
  const plotW = W - left - right
  const plotH = H - top - bottom
  const demand = input.series[0]?.points ?? []
  let yMax = 1
  for (const s of input.series) for (const p of s.points) yMax = Math.max(yMax, p.demandRps, p.ready * input.capacityRps)
  // Round tick spacing (1, 2 or 5 × 10^k) so the axis reads 500, 1000, … rather than 763, 1526.
  const raw = (yMax * 1.05) / 5
  const mag = 10 ** Math.floor(Math.log10(raw))
  const tick = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag
  const ticks = Math.ceil((yMax * 1.05) / tick)
  yMax = ticks * tick
  const x = (at: number): number => left + ((at - input.from) / (input.to - input.from)) * plotW
  const y = (v: number): number => top + plotH - (v / yMax) * plotH
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`)
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`)
  parts.push(`<text x="${left}" y="20" font-size="15">${escapeXml(input.title)}</text>`)
  parts.push(
    `<text x="${left}" y="${top - 4}" font-size="11" fill="#555">capacity per replica ${input.capacityRps.toFixed(1)} req/s; ready capacity = ready replicas × that (replicas still in their cold start do not count)</text>`
  )
  for (let i = 0; i <= ticks; i++) {
    const v = tick * i
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`)
    parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v)}</text>`)
  }
  for (let hr = 0; hr <= 24; hr += 3) {
    const at = input.from + hr * 3_600_000
    parts.push(`<line x1="${x(at).toFixed(1)}" x2="${x(at).toFixed(1)}" y1="${top}" y2="${top + plotH}" stroke="#eee"/>`)
    parts.push(`<text x="${x(at).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle">${String(hr).padStart(2, '0')}:00</text>`)
  }
  parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 36}" text-anchor="middle" font-weight="bold">time of day (UTC, hours)</text>`)
  // Horizontal, above the axis: rotated text is lost by some SVG renderers (ImageMagick's among them).
  parts.push(`<text x="8" y="${top - 4}" font-size="12" font-weight="bold">req/s</text>`)
  if (demand.length > 0) {
    const pts = demand.map((p) => `${x(p.at).toFixed(1)},${y(p.demandRps).toFixed(1)}`)
    const base = y(0).toFixed(1)
    parts.push(`<polygon fill="#ccc" stroke="none" points="${x(demand[0]!.at).toFixed(1)},${base} ${pts.join(' ')} ${x(demand[demand.length - 1]!.at).toFixed(1)},${base}"/>`)
  }
  let legendX = left
  parts.push(`<rect x="${legendX}" y="${H - 22}" width="12" height="12" fill="#ccc"/><text x="${legendX + 16}" y="${H - 12}">demand</text>`)
  legendX += 90
  for (const s of input.series) {
    const color = COLORS[s.name] ?? '#333'
    // Step line: capacity holds over each row.
    const pts: string[] = []
    for (const p of s.points) {
      const v = y(p.ready * input.capacityRps).toFixed(1)
      pts.push(`${x(p.at).toFixed(1)},${v}`, `${x(p.at + input.stepMs).toFixed(1)},${v}`)
    }
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.2" stroke-opacity="0.85" points="${pts.join(' ')}"/>`)
    parts.push(`<line x1="${legendX}" x2="${legendX + 14}" y1="${H - 16}" y2="${H - 16}" stroke="${color}" stroke-width="2"/><text x="${legendX + 18}" y="${H - 12}">${escapeXml(s.name)} ready capacity</text>`)
    legendX += 170
  }
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}

main().catch((err: unknown) => {
  console.error(`backtest: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
