/**
 * History view benchmark, end to end: a history file with 20 backends × 24 h at 1 s (ending now,
 * written through the real HistoryStore with an accelerated clock), the built headless app on that
 * file, Debian's Chromium on the Dashboard. Opens History, clicks the 24 h preset, then drag-zooms
 * the RPS chart 5 times, and for each action measures:
 *
 *   response   input event (mouseup) → the charts' commit (aria-busy back to false) → two frames
 *              later ("painted"); split into debounce (input → queryHistory sent), bridge
 *              (sent → reply received), and render (reply → painted)
 *   longest    the longest main-thread task of the page in that window (Chromium trace, every
 *              task; the longtask observer only sees ≥ 50 ms ones and is counted too)
 *
 * plus queryHistory over the WebSocket bridge from Node (engine + JSON + transfer) and
 * HistoryStore.query in-process on the same file (engine only), for the same requests.
 *
 *   npx tsx scripts/bench-history-view.ts [--backends 20] [--hours 24] [--zooms 5] [--port 0]
 *       [--listen 127.0.0.1:0] [--skip-build] [--keep] [--screenshot docs/history-24h.png]
 *
 * Temp files go under os.tmpdir() (set TMPDIR to move them); XDG_CONFIG_HOME of the headless child
 * points there too. Docker is not used (docker.host is a socket that does not exist).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { chromium, type Browser, type Page } from 'playwright-core'
import WebSocket from 'ws'
import { HistoryStore } from '../src/main/history/history-store'
import type { BackendSampleRow, HistoryQuery } from '../src/main/history/history-types'
import { seededRandom as prng } from '../test/helpers/seeded-random'

const ROOT = resolve(__dirname, '..')
const argv = process.argv
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : fallback
}
const BACKENDS = Number(opt('backends', '20'))
const HOURS = Number(opt('hours', '24'))
const ZOOMS = Number(opt('zooms', '5'))
const PORT = Number(opt('port', '0'))
const LISTEN = opt('listen', '127.0.0.1:0')
const SCREENSHOT = opt('screenshot', join(ROOT, 'docs/history-24h.png'))
const EXPLAIN = argv.includes('--explain')
const CHROMIUM = process.env.PRESCAL_CHROMIUM ?? '/usr/bin/chromium'

// ---------------------------------------------------------------- 1. the history file

function fillHistory(path: string, end: number): { ticks: number; seconds: number } {
  const rand = prng(7)
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
  const sims = Array.from({ length: BACKENDS }, (_, i) => ({
    id: `s:127.0.0.1:${4000 + i}`,
    base: 20 + rand() * 300,
    mem: (60 + rand() * 200) * 1e6,
    lat: 2 + rand() * 15,
    downUntil: -1
  }))
  const ticks = Math.round(HOURS * 3600)
  const start = end - ticks * 1000
  let clock = start
  const store = HistoryStore.open(path, { now: () => clock })
  const t0 = performance.now()
  for (let tick = 1; tick <= ticks; tick++) {
    clock = start + tick * 1000
    const daily = 1 + 0.5 * Math.sin((2 * Math.PI * tick) / 86_400)
    const rows: BackendSampleRow[] = sims.map((s) => {
      if (s.downUntil < tick && rand() < 1 / 30_000) s.downUntil = tick + 120
      const down = s.downUntil >= tick
      const rps = down ? 0 : Math.max(0, Math.round(s.base * daily * (1 + 0.1 * gauss())))
      const lat = s.lat * (1 + 0.15 * gauss()) * (1 + rps / 2000)
      return {
        backendId: s.id,
        service: null,
        rps,
        s2xx: rps,
        s3xx: 0,
        s4xx: 0,
        s5xx: 0,
        inFlight: Math.max(0, Math.round((rps * lat) / 1000)),
        p50: down ? null : Math.max(0.1, lat),
        p95: down ? null : Math.max(0.1, lat * 2.2),
        p99: down ? null : Math.max(0.1, lat * 4),
        cpuPercent: down ? null : Math.max(0, rps / 10 + gauss()),
        memoryBytes: down ? null : Math.round(s.mem + 20e6 * Math.sin(tick / 3600) + gauss() * 1e6),
        up: !down
      }
    })
    store.writeTick(clock, rows, [])
    if (tick % 21_600 === 0) console.log(`  filled ${tick / 3600} h of ${HOURS} h (${((performance.now() - t0) / 1000).toFixed(0)} s)`)
  }
  store.close()
  return { ticks, seconds: (performance.now() - t0) / 1000 }
}

// ---------------------------------------------------------------- 2. headless app

interface Headless {
  child: ChildProcess
  url: string
  output(): string
  stop(): Promise<number | null>
}

async function startHeadless(configPath: string, home: string): Promise<Headless> {
  const child = spawn(process.execPath, [join(ROOT, 'out/main/headless.js'), '--config', configPath, '--port', String(PORT)], {
    cwd: ROOT,
    env: { ...process.env, XDG_CONFIG_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d))
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)))
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  const deadline = Date.now() + 30_000
  for (;;) {
    const url = /Dashboard: (http:\/\/\S+)/.exec(out)?.[1]
    if (url) return { child, url, output: () => out, stop }
    if (child.exitCode !== null) throw new Error(`headless exited with ${child.exitCode}:\n${out}`)
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`headless printed no Dashboard URL in 30 s:\n${out}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

// ---------------------------------------------------------------- 3. browser measurements

/** What the page probe reports for one action (ms, page clock). */
interface ActionTiming {
  debounceMs: number | null
  bridgeMs: number | null
  renderMs: number | null
  responseMs: number | null
  /** Tasks the longtask observer saw (≥ 50 ms) between arming and painted. */
  longTasks: number
  replyBytes: number
  /** The queryHistory request the page sent (replayed over the bridge and in-process). */
  request: HistoryQuery | null
  /** data-points of the RPS chart, and the step badge, after the action. */
  points: number
  step: string
}

/**
 * Injected before the app loads (a string: tsx's helpers must not leak into the page). Wraps
 * WebSocket to time the last queryHistory sent and its reply (by a prefix test, never a second
 * JSON.parse of the payload), and watches `aria-busy` on the charts, which the one store update
 * carrying the result flips to false; "painted" is one frame after the last chart's
 * `data-drawn` changed (the charts draw one per frame after that commit).
 */
const PAGE_PROBE = `(() => {
  const hv = { armed: null, done: null, resolve: null, longTasks: [] }
  window.__hv = hv
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) hv.longTasks.push({ start: e.startTime, dur: e.duration }) })
      .observe({ type: 'longtask', buffered: true })
  } catch {}
  hv.arm = () => {
    hv.armed = { tArm: performance.now(), tInput: null, tSent: null, sentId: null, request: null, tReply: null, replyBytes: 0, tCommit: null }
    hv.done = new Promise((r) => { hv.resolve = r })
  }
  addEventListener('mouseup', () => { const a = hv.armed; if (a && a.tInput === null) a.tInput = performance.now() }, true)
  const Native = window.WebSocket
  class Probe extends Native {
    constructor(...args) {
      super(...args)
      this.addEventListener('message', (e) => {
        const a = hv.armed
        if (!a || a.sentId === null || typeof e.data !== 'string') return
        if (e.data.startsWith('{"t":"reply","id":' + a.sentId + ',')) { a.tReply = performance.now(); a.replyBytes = e.data.length }
      })
    }
    send(data) {
      const a = hv.armed
      if (a && typeof data === 'string' && data.includes('"name":"queryHistory"')) {
        const m = JSON.parse(data)
        a.sentId = m.id; a.request = m.request; a.tSent = performance.now(); a.tReply = null
      }
      return super.send(data)
    }
  }
  window.WebSocket = Probe
  const frame = () => new Promise((r) => requestAnimationFrame(() => {
    const c = new MessageChannel(); c.port1.onmessage = () => r(); c.port2.postMessage(0)
  }))
  new MutationObserver(async (muts) => {
    const a = hv.armed
    if (!a || a.tReply === null || a.tCommit !== null) return
    if (!muts.some((m) => m.target.classList && m.target.classList.contains('history-charts') && m.target.getAttribute('aria-busy') === 'false')) return
    a.tCommit = performance.now()
    // The charts draw one per frame after the commit: wait until every one has drawn, then
    // one more frame for its raster.
    const hosts = [...document.querySelectorAll('.history-chart .chart-host')]
    const before = hosts.map((h) => h.getAttribute('data-drawn'))
    for (let i = 0; i < 120 && hosts.some((h, j) => h.getAttribute('data-drawn') === before[j]); i++) await frame()
    await frame()
    const tPainted = performance.now()
    const d = (x, y) => (x === null || y === null ? null : y - x)
    const rps = document.querySelector('[data-testid="history-chart-rps"]')
    const badge = document.querySelector('[data-testid="history-resolution"]')
    hv.resolve({
      debounceMs: d(a.tInput, a.tSent), bridgeMs: d(a.tSent, a.tReply), renderMs: d(a.tReply, tPainted), responseMs: d(a.tInput, tPainted),
      longTasks: hv.longTasks.filter((t) => t.start >= a.tArm && t.start <= tPainted).length,
      replyBytes: a.replyBytes, request: a.request,
      points: Number(rps ? rps.getAttribute('data-points') : 0), step: badge ? badge.textContent.trim() : ''
    })
    hv.armed = null
  }).observe(document, { attributes: true, attributeFilter: ['aria-busy'], subtree: true })
})()`

interface Measured extends ActionTiming {
  label: string
  longestTaskMs: number
}

/** The longest task on the page's renderer main thread in a Chromium trace (µs → ms). */
function longestTask(trace: Buffer): number {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`))
  let max = 0
  let longest: TraceEvent | null = null
  for (const e of events) {
    if (e.ph !== 'X' || (e.name !== 'RunTask' && e.name !== 'ThreadControllerImpl::RunTask')) continue
    if (!mains.has(`${e.pid}:${e.tid}`)) continue
    if ((e.dur ?? 0) / 1000 > max) {
      max = (e.dur ?? 0) / 1000
      longest = e
    }
  }
  if (EXPLAIN && longest !== null) explainTask(events, longest)
  return max
}

/** --explain: what the longest task spent its time on (its longest events, nested ones included). */
function explainTask(events: TraceEvent[], task: TraceEvent): void {
  const start = task.ts ?? 0
  const end = start + (task.dur ?? 0)
  const inside = events
    .filter((e) => e !== task && e.ph === 'X' && e.pid === task.pid && e.tid === task.tid && (e.ts ?? 0) >= start && (e.ts ?? 0) < end)
    .sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0))
    .slice(0, 24)
  console.log(`  longest task ${((task.dur ?? 0) / 1000).toFixed(1)} ms:`)
  for (const e of inside) {
    const d = e.args?.data
    const where = d?.functionName !== undefined ? ` ${d.functionName || '(anonymous)'} ${String(d.url ?? '').split('/').pop()}:${d.lineNumber ?? ''}` : ''
    console.log(`    ${((e.dur ?? 0) / 1000).toFixed(1).padStart(7)} ms  +${(((e.ts ?? 0) - start) / 1000).toFixed(1)} ms  ${e.name}${where}`)
  }
}
interface TraceEvent {
  ph: string
  name: string
  pid: number
  tid: number
  ts?: number
  dur?: number
  args?: { name?: string; data?: { functionName?: string; url?: string; lineNumber?: number } }
}

async function measure(browser: Browser, page: Page, label: string, act: () => Promise<void>): Promise<Measured> {
  await page.evaluate('window.__hv.arm()')
  await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink', 'cc', 'gpu', 'disabled-by-default-devtools.timeline.frame'] })
  await act()
  const timing = (await page.evaluate('window.__hv.done', { timeout: 30_000 } as never)) as ActionTiming
  // Let the trace take the painted frame's tasks too.
  await page.waitForTimeout(50)
  const trace = await browser.stopTracing()
  return { label, ...timing, longestTaskMs: longestTask(trace) }
}

/**
 * Polls an expression with page.evaluate: waitForFunction compiles its predicate with
 * `new Function` in the page, which the dashboard's CSP (no 'unsafe-eval') refuses.
 */
async function waitInPage(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`)
    await page.waitForTimeout(25)
  }
}

async function dragZoom(page: Page, fromFrac: number, toFrac: number): Promise<void> {
  const box = await page.locator('[data-testid="history-chart-rps"] .u-over').boundingBox()
  if (!box) throw new Error('RPS chart plot area not found')
  const y = box.y + box.height / 2
  await page.mouse.move(box.x + box.width * fromFrac, y)
  await page.mouse.down()
  const steps = 8
  for (let i = 1; i <= steps; i++) await page.mouse.move(box.x + box.width * (fromFrac + ((toFrac - fromFrac) * i) / steps), y)
  await page.mouse.up()
}

// ---------------------------------------------------------------- 4. queryHistory outside the page

async function bridgeQueryTimes(dashboardUrl: string, requests: HistoryQuery[]): Promise<{ ms: number; bytes: number }[]> {
  const u = new URL(dashboardUrl)
  const ws = new WebSocket(`ws://${u.host}/bridge?token=${u.searchParams.get('token') ?? ''}`)
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res())
    ws.once('error', rej)
  })
  const out: { ms: number; bytes: number }[] = []
  let id = 1_000_000
  for (const request of requests) {
    const mine = id++
    const t0 = performance.now()
    const bytes = await new Promise<number>((res, rej) => {
      const onMessage = (data: WebSocket.RawData): void => {
        const text = data.toString()
        if (!text.startsWith(`{"t":"reply","id":${mine},`)) return
        ws.off('message', onMessage)
        const msg = JSON.parse(text) as { reply: { ok: boolean; error?: { message: string } } }
        if (!msg.reply.ok) rej(new Error(`queryHistory failed: ${msg.reply.error?.message}`))
        else res(text.length)
      }
      ws.on('message', onMessage)
      ws.send(JSON.stringify({ t: 'cmd', id: mine, name: 'queryHistory', request }))
    })
    out.push({ ms: performance.now() - t0, bytes })
  }
  ws.close()
  return out
}

function inProcessQueryTimes(path: string, requests: HistoryQuery[]): number[] {
  const store = HistoryStore.open(path)
  try {
    // One warm-up: in the app the decoder is warm after the first query.
    if (requests[0]) store.query(requests[0])
    return requests.map((q) => {
      const t0 = performance.now()
      store.query(q)
      return performance.now() - t0
    })
  } finally {
    store.close()
  }
}

// ---------------------------------------------------------------- main

const fmt = (ms: number | null): string => (ms === null ? '—' : ms.toFixed(0))
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'prescal-bench-history-view-'))
  const dbPath = join(dir, 'history.db')
  const configPath = join(dir, 'config.yaml')
  let app: Headless | null = null
  let browser: Browser | null = null
  try {
    const end = Math.floor(Date.now() / 1000) * 1000
    console.log(`history view bench: ${BACKENDS} backends × ${HOURS} h at 1 s into ${dbPath}`)
    const fill = fillHistory(dbPath, end)
    console.log(`  ${fill.ticks} ticks written in ${fill.seconds.toFixed(1)} s; file ${(statSync(dbPath).size / 1024 / 1024).toFixed(1)} MiB`)

    if (!argv.includes('--skip-build')) {
      console.log('building (electron-vite build)…')
      const b = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
      if (b.status !== 0) throw new Error(`electron-vite build failed (${b.status})`)
    }

    writeFileSync(
      configPath,
      `listen: ${LISTEN}\nservices: []\nbackends: []\ndocker: { host: "unix:///nonexistent.sock" }\nhistory: { path: ${JSON.stringify(dbPath)} }\n`
    )
    app = await startHeadless(configPath, dir)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
    })
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.addInitScript(PAGE_PROBE)
    await page.goto(app.url)
    await page.locator('[data-testid="view-toggle-history"]').click()
    // Opening History queries the last hour; wait for it so the 24 h click is measured alone.
    await waitInPage(page, `document.querySelector('.history-charts')?.getAttribute('aria-busy') === 'false'`, 30_000)
    await page.waitForTimeout(500)

    const rows: Measured[] = []
    rows.push(await measure(browser, page, 'open 24 h', () => page.locator('[data-testid="history-range-24h"]').click()))
    await page.mouse.move(5, 5)
    await page.waitForTimeout(300)
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    // Each zoom keeps a different 30–40 % slice: 24 h → ~8 h → ~2.5 h → ~50 min → ~17 min → ~5 min.
    const slices: [number, number][] = [
      [0.3, 0.65],
      [0.55, 0.9],
      [0.1, 0.42],
      [0.35, 0.7],
      [0.6, 0.92]
    ]
    for (let i = 0; i < ZOOMS; i++) {
      const [a, b] = slices[i % slices.length] as [number, number]
      rows.push(await measure(browser, page, `zoom ${i + 1}`, () => dragZoom(page, a, b)))
      await page.waitForTimeout(300)
    }

    const requests = rows.map((r) => r.request).filter((q): q is HistoryQuery => q !== null)
    const bridge = await bridgeQueryTimes(app.url, requests)
    await browser.close()
    browser = null
    const code = await app.stop()
    app = null
    if (code !== 0) console.log(`  (headless exited with ${code})`)
    const engine = inProcessQueryTimes(dbPath, requests)

    console.log('')
    console.log(
      'action     | span     | step  | points | payload | debounce | bridge | render | response | longest task | long tasks ≥50ms | query via ws | query in-process'
    )
    rows.forEach((r, i) => {
      const span = r.request ? (r.request.to - r.request.from) / 60_000 : 0
      const cells = [
        r.label.padEnd(10),
        (span >= 120 ? `${(span / 60).toFixed(1)} h` : `${span.toFixed(0)} min`).padEnd(8),
        r.step.padEnd(5),
        String(r.points).padStart(6),
        `${(r.replyBytes / 1e6).toFixed(2)} MB`.padStart(7),
        `${fmt(r.debounceMs)} ms`.padStart(8),
        `${fmt(r.bridgeMs)} ms`.padStart(6),
        `${fmt(r.renderMs)} ms`.padStart(6),
        `${fmt(r.responseMs)} ms`.padStart(8),
        `${r.longestTaskMs.toFixed(0)} ms`.padStart(12),
        String(r.longTasks).padStart(16),
        `${fmt(bridge[i]?.ms ?? null)} ms`.padStart(12),
        `${engine[i]?.toFixed(1) ?? '—'} ms`.padStart(16)
      ]
      console.log(cells.join(' | '))
    })
    console.log('')
    console.log('  debounce = mouseup → queryHistory sent; bridge = sent → reply received;')
    console.log('  render = reply → every chart drawn and painted; response = mouseup → painted.')
    console.log(`  load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
    console.log(`  screenshot of the 24 h view: ${SCREENSHOT}`)
    const open = rows[0] as Measured
    const zooms = rows.slice(1)
    const zResp = median(zooms.map((r) => r.responseMs ?? NaN))
    const zLong = Math.max(...zooms.map((r) => r.longestTaskMs))
    console.log(
      `history view: open 24h ${fmt(open.responseMs)} ms (longest task ${open.longestTaskMs.toFixed(0)} ms), zoom median ${fmt(zResp)} ms (longest task ${zLong.toFixed(0)} ms)`
    )
  } finally {
    await browser?.close().catch(() => {})
    if (app) await app.stop()
    if (argv.includes('--keep')) console.log(`kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
