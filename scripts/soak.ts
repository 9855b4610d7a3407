/**
 * Soak test: the real Engine runs IN this process (so its fds, RSS, heap and event-loop delay are
 * this process's), while a CHILD process (scripts/soak-load.ts) runs every fault
 * backend at once, two demo backend processes and a steady load through the proxy, so none of the
 * load's sockets count against the engine. With Docker, a demo service is scaled to 2 through the
 * command dispatcher (what both bridges call) and one replica is stopped and started every 30 s.
 *
 *   npm run soak -- --minutes 10 [--rps 100]
 *
 * Prints the engine's open fds, RSS, heap and event-loop delay every 30 s and ends with exactly:
 *   soak: fd growth N, rss growth MB MB, heap growth MB MB, event-loop p99 MS ms, failed requests F
 * Exits 1 when a target is missed (fd growth <= 5, RSS growth <= 20 MB, event-loop p99 <= 20 ms,
 * failed requests = 0).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import Module from 'node:module'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import Docker from 'dockerode'
import type { Engine as EngineType } from '../src/main/engine'
import type { Reply } from '../src/shared/channels'
import type { Snapshot } from '../src/shared/types'
import type { ToChild, ToParent } from './soak-load'
import { dockerAvailable } from '../test/helpers/requirements'

const REPORT_EVERY_MS = 30_000
const CYCLE_EVERY_MS = 30_000
const WARMUP_MS = 15_000
/**
 * monitorEventLoopDelay records the whole interval between its timer's runs (an idle loop shows
 * ~RESOLUTION), so the delay, how late the timer ran, is the recorded value minus the resolution.
 */
const ELD_RESOLUTION_MS = 10
/** Stalls longer than this are logged with their time, to be matched with what happened then. */
const STALL_LOG_MS = 100
const SERVICE = 'soak'
const DEMO_IMAGE = 'prescal-demo:latest'
const MB = 1024 * 1024


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
type Engine = EngineType

/**
 * src/main/fleet/demo-image.ts embeds the demo server with Vite's `import ... from 'server.js?raw'`.
 * tsx does not know `?raw`: it would *run* server.js (a server on :3000) instead of returning its
 * text. Until src stops depending on Vite for that, give `?raw` requires their Vite meaning here.
 */
function supportViteRawImports(): void {
  const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown }
  const load = loader._load
  loader._load = function (request, parent, isMain) {
    if (!request.endsWith('?raw')) return load.call(this, request, parent, isMain)
    const from = (parent as { filename?: string } | null)?.filename ?? __filename
    const file = Module.createRequire(from).resolve(request.slice(0, -'?raw'.length))
    return { __esModule: true, default: readFileSync(file, 'utf8') }
  }
}

/** Loaded after supportViteRawImports(), so importing the engine starts nothing. */
async function loadEngineModules(): Promise<{
  Engine: typeof EngineType
  parseConfig: typeof import('../src/main/config/config-loader').parseConfig
  dispatchCommand: (h: EngineType['handlers'], name: unknown, req: unknown) => Promise<Reply<unknown>>
  ensureDemoImage: (docker: Docker) => Promise<void>
}> {
  supportViteRawImports()
  const { Engine } = await import('../src/main/engine')
  const { parseConfig } = await import('../src/main/config/config-loader')
  const { dispatchCommand } = await import('../src/main/bridge/command-dispatcher')
  const { ensureDemoImage } = await import('../test/helpers/demo-image')
  return { Engine, parseConfig, dispatchCommand, ensureDemoImage }
}
let dispatchCommand: Awaited<ReturnType<typeof loadEngineModules>>['dispatchCommand']

// ---- engine (parent) --------------------------------------------------------------------------

function collector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc
  if (typeof existing === 'function') return existing
  try {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as unknown
    if (typeof gc === 'function') return gc as () => void
  } catch {
    /* measured without a forced collection */
  }
  return () => {}
}

interface Probe {
  fds: number
  /** What the fds are, to tell pooled keep-alive connections from growth: e.g. `proxy-in 4, tcp-out 12, unix 3, other 40`. */
  kinds: string
  rssMb: number
  heapMb: number
}

/**
 * Sockets of scrapes in flight come and go within a second (a silent backend holds one for the
 * whole timeout), so the fd figure is the least of five readings 200 ms apart: what is held
 * for good. A leak holds its fds for good too, so it shows the same.
 */
async function probe(gc: () => void): Promise<Probe> {
  let fds = Infinity
  for (let i = 0; i < 5; i++) {
    if (i > 0) await sleep(200)
    fds = Math.min(fds, readdirSync('/proc/self/fd').length)
  }
  const kinds = fdKinds()
  gc()
  await sleep(50)
  gc()
  return {
    fds,
    kinds,
    rssMb: process.memoryUsage().rss / MB,
    heapMb: getHeapStatistics().used_heap_size / MB
  }
}

let proxyPort = -1

/** Sorts this process's fds into proxy-in (client connections), tcp-out, listen, unix and other. */
function fdKinds(): string {
  const tcp = new Map<string, { local: number; state: string }>()
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length < 10) continue
      tcp.set(f[9]!, { local: parseInt(f[1]!.split(':')[1]!, 16), state: f[3]! })
    }
  }
  const counts: Record<string, number> = {}
  for (const fd of readdirSync('/proc/self/fd')) {
    let link = ''
    try {
      link = readlinkSync(`/proc/self/fd/${fd}`)
    } catch {
      continue
    }
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1]
    const t = inode ? tcp.get(inode) : undefined
    const kind = !inode ? 'other' : !t ? 'unix' : t.state === '0A' ? 'listen' : t.local === proxyPort ? 'proxy-in' : 'tcp-out'
    counts[kind] = (counts[kind] ?? 0) + 1
  }
  return Object.entries(counts)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')
}

function waitMessage<T extends ToParent['t']>(child: ChildProcess, t: T, timeoutMs = 60_000): Promise<Extract<ToParent, { t: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`load child sent no "${t}" within ${timeoutMs} ms`)), timeoutMs)
    const on = (m: ToParent): void => {
      if (m.t !== t) return
      clearTimeout(timer)
      child.off('message', on)
      resolve(m as Extract<ToParent, { t: T }>)
    }
    child.on('message', on)
  })
}

async function waitFor(engine: Engine, what: string, ok: (s: Snapshot) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!ok(engine.snapshot())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

async function command(engine: Engine, name: string, req: unknown): Promise<unknown> {
  const reply = await dispatchCommand(engine.handlers, name, req)
  if (!reply.ok) throw new Error(`${name}: ${reply.error.code} ${reply.error.message}`)
  return reply.value
}

/** Every CYCLE_EVERY_MS: stop one replica of the service (drained first), wait 5 s, start it again. */
function startContainerCycle(engine: Engine, log: (s: string) => void): () => Promise<void> {
  let stopped = false
  let busy: Promise<void> = Promise.resolve()
  const timer = setInterval(() => {
    busy = (async () => {
      const c = engine.fleet.containers().find((x) => x.service === SERVICE && x.state === 'running')
      if (!c || stopped) return
      try {
        await command(engine, 'stopContainer', { id: c.id })
        await sleep(5_000)
        await command(engine, 'startContainer', { id: c.id })
        log(`cycled container ${c.name}`)
      } catch (err) {
        log(`container cycle failed: ${(err as Error).message}`)
      }
    })()
  }, CYCLE_EVERY_MS)
  return async () => {
    stopped = true
    clearInterval(timer)
    await busy
  }
}

/** Logs every stall of the event loop longer than STALL_LOG_MS; returns the function that stops it. */
function watchStalls(log: (s: string) => void): () => void {
  const every = 50
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    const late = now - last - every
    if (late > STALL_LOG_MS) log(`event loop stalled ${late.toFixed(0)} ms`)
    last = now
  }, every)
  return () => clearInterval(timer)
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, rps: { type: 'string', default: '100' } } })
  const minutes = Number(values.minutes)
  const rps = Number(values.rps)
  if (!(minutes > 0) || !(rps > 0)) throw new Error('usage: npm run soak -- --minutes N [--rps R]')
  const log = (s: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`)
  const gc = collector()
  const mods = await loadEngineModules()
  dispatchCommand = mods.dispatchCommand

  const child = fork(join(__dirname, 'soak-load.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const ready = await waitMessage(child, 'ready')
  log(`load child ${child.pid}: ${ready.faults.length} fault backends, demo backends ${ready.demos.join(' ')}`)

  const withDocker = await dockerAvailable()
  if (withDocker) await mods.ensureDemoImage(new Docker())
  const yaml = [
    'listen: 127.0.0.1:0',
    'poll: { intervalMs: 1000, timeoutMs: 800 }',
    withDocker ? 'ports: { from: 3900, to: 3949 }' : 'docker: { host: "unix:///nonexistent.sock" }',
    withDocker ? `services: [{ name: ${SERVICE}, image: ${DEMO_IMAGE}, containerPort: 3000, replicas: 0, readyTimeoutMs: 20000 }]` : 'services: []',
    'backends:',
    ...[...ready.faults.map((f) => f.address), ...ready.demos].map((a) => `  - ${a}`),
    ''
  ].join('\n')
  // History is part of what runs for 10 minutes, but in a scratch folder, not the user's data dir.
  const dataDir = mkdtempSync(join(tmpdir(), 'prescal-soak-'))
  const engine = new mods.Engine({ config: mods.parseConfig(yaml, 'soak config'), dataDir })
  let interrupted = false
  process.once('SIGINT', () => {
    // Stop early but still scale the service back to 0 and close everything.
    interrupted = true
    log('SIGINT: finishing early')
  })
  await engine.start()
  const proxyUrl = engine.proxyUrl()
  if (!proxyUrl) throw new Error(`proxy did not listen: ${engine.snapshot().proxy.error}`)
  proxyPort = Number(new URL(proxyUrl).port)
  log(`engine in process ${process.pid}, proxy ${proxyUrl}, Docker ${withDocker ? 'available' : 'not available: no container cycling'}`)

  const demoIds = ready.demos.map((a) => `s:${a}`)
  await waitFor(engine, 'both demo backends up', (s) => demoIds.every((id) => s.backends.some((b) => b.id === id && b.health === 'up')), 30_000)
  let stopCycle = async (): Promise<void> => {}
  if (withDocker) {
    await waitFor(engine, 'Docker connected', (s) => s.docker.status === 'connected', 30_000)
    await command(engine, 'scaleService', { service: SERVICE, replicas: 2 })
    log(`service ${SERVICE} scaled to 2`)
    stopCycle = startContainerCycle(engine, log)
  }

  child.send({ t: 'load', proxyUrl, rps } satisfies ToChild)
  const runMs = minutes * 60_000
  const started = Date.now()
  const delay = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS })
  const interval = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS })
  const lateMs = (h: typeof delay, q: number): number => Math.max(0, h.percentile(q) / 1e6 - ELD_RESOLUTION_MS)
  const stalls = watchStalls(log)
  let baseline: Probe | null = null
  const report = async (label: string): Promise<Probe> => {
    // The histograms stay on: re-enabling one records the whole time it was off as one sample.
    // The probe's forced collections are one short pause per 30 s, far outside the p99.
    const p = await probe(gc)
    child.send({ t: 'stats' } satisfies ToChild)
    const { stats } = await waitMessage(child, 'stats')
    const s = engine.snapshot()
    const down = s.backends.filter((b) => b.health === 'down').length
    log(
      `${label}: fds ${p.fds} (${p.kinds}), rss ${p.rssMb.toFixed(1)} MB, heap ${p.heapMb.toFixed(1)} MB, ` +
        `event-loop delay p99 ${lateMs(interval, 99).toFixed(1)} ms this period, ${lateMs(delay, 99).toFixed(1)} ms so far ` +
        `(max ${Math.max(0, delay.max / 1e6 - ELD_RESOLUTION_MS).toFixed(0)}), ` +
        `requests ${stats.ok} ok / ${stats.failed} failed (${stats.keepAliveRetries} keep-alive retries), backends ${s.backends.length} (${down} down), proxy ${s.proxy.rps} rps, ` +
        // Other work on the machine delays this loop too: the load average tells that apart.
        `machine load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`
    )
    interval.reset()
    return p
  }

  // Warm-up: pools, JIT and the first failures settle before the baseline is taken.
  await sleep(Math.min(WARMUP_MS, runMs / 4))
  delay.enable()
  interval.enable()
  baseline = await report('baseline')
  delay.reset()
  let nextReport = Date.now() + REPORT_EVERY_MS
  while (Date.now() - started < runMs && !interrupted) {
    await sleep(Math.max(0, Math.min(nextReport, started + runMs, Date.now() + 500) - Date.now()))
    if (Date.now() >= nextReport) {
      await report(`t+${Math.round((Date.now() - started) / 1000)} s`)
      nextReport += REPORT_EVERY_MS
    }
  }

  await stopCycle()
  const end = await report('end')
  delay.disable()
  interval.disable()
  stalls()
  const p99 = lateMs(delay, 99)
  child.send({ t: 'stop' } satisfies ToChild)
  const { stats } = await waitMessage(child, 'stopped')
  if (stats.failed > 0) log(`failed requests by reason: ${JSON.stringify(stats.byReason)}`)
  if (withDocker) {
    await command(engine, 'scaleService', { service: SERVICE, replicas: 0 }).catch((err: Error) => log(`scale to 0 failed: ${err.message}`))
  }
  await engine.close()
  rmSync(dataDir, { recursive: true, force: true })

  const fdGrowth = end.fds - baseline.fds
  const rssGrowth = end.rssMb - baseline.rssMb
  const heapGrowth = end.heapMb - baseline.heapMb
  const pass = fdGrowth <= 5 && rssGrowth <= 20 && p99 <= 20 && stats.failed === 0
  log(`${stats.ok + stats.failed} requests over ${minutes} min (${stats.keepAliveRetries} keep-alive races retried); targets ${pass ? 'met' : 'MISSED'} (fd <= 5, rss <= 20 MB, p99 <= 20 ms, failed 0)`)
  console.log(
    `soak: fd growth ${fdGrowth}, rss growth ${rssGrowth.toFixed(1)} MB, heap growth ${heapGrowth.toFixed(1)} MB, ` +
      `event-loop p99 ${p99.toFixed(1)} ms, failed requests ${stats.failed}`
  )
  process.exitCode = pass ? 0 : 1
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
