/**
 * Proxy benchmark: the same two demo backends (resources/demo-backend/server.js, separate Node
 * processes) measured with wrk in one go, four ways, in alternating rounds so drift on a shared
 * machine hits every target alike:
 *   direct   wrk → one backend (the ceiling)
 *   prescal  wrk → the real ProxyServer (pool of both backends)
 *   nginx    wrk → Debian's nginx-light, upstream keepalive, worker_processes = cores
 *   naive    wrk → a Node `http.request` + `pipe` proxy (the floor)
 *
 *   npx tsx scripts/bench-proxy.ts [--duration 10] [--rounds 3] [--warmup 3] [--connections 50] [--workers N]
 *
 * Each cell is the median over the rounds. Every child process (backends, nginx, wrk) is killed
 * at the end, also on error and Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { BackendPool } from '../src/main/proxy/backend-pool'
import { ProxyServer } from '../src/main/proxy/proxy-server'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`)
  return v
}

const DURATION_S = arg('duration', 10)
// Unmeasured run against every target first: JIT-compiled code paths, filled keep-alive pools.
const WARMUP_S = arg('warmup', 3)
const ROUNDS = Math.max(1, Math.round(arg('rounds', 3)))
const CONNECTIONS = Math.max(1, Math.round(arg('connections', 50)))
const CORES = availableParallelism()
const WORKERS = Math.round(arg('workers', CORES))
const NGINX = '/usr/sbin/nginx'
const BACKEND_JS = resolve(__dirname, '../resources/demo-backend/server.js')

const children = new Set<ChildProcess>()
const cleanups: Array<() => void | Promise<void>> = []
let tmp: string | undefined

function killChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  children.clear()
}

async function cleanup(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn()
    } catch {
      // Best effort: the children are killed below regardless.
    }
  }
  killChildren()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping`)
    void cleanup().finally(() => process.exit(130))
  })
}
// Last resort (synchronous): a crash must not leave backends or nginx behind.
process.on('exit', killChildren)

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => res(port))
    })
  })
}

async function waitForHttp(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false }, (r) => {
        r.resume()
        r.on('end', () => res((r.statusCode ?? 0) < 500))
      })
      req.on('error', () => res(false))
      req.setTimeout(500, () => req.destroy())
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`nothing answered on 127.0.0.1:${port}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

function track(child: ChildProcess): ChildProcess {
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}

async function startBackend(): Promise<number> {
  const port = await freePort()
  track(spawn(process.execPath, [BACKEND_JS], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' }))
  await waitForHttp(port)
  return port
}

async function startNginx(dir: string, backends: number[]): Promise<number> {
  const port = await freePort()
  const conf = join(dir, 'nginx.conf')
  writeFileSync(
    conf,
    `worker_processes ${CORES};
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  upstream backends {
${backends.map((p) => `    server 127.0.0.1:${p};`).join('\n')}
    keepalive 256;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`
  )
  const child = track(spawn(NGINX, ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] }))
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  try {
    await waitForHttp(port, 5_000)
  } catch (err) {
    throw new Error(`nginx did not start: ${stderr.trim() || (err as Error).message}`)
  }
  // SIGQUIT = graceful stop of master and workers; the SIGKILL fallback only hits the master.
  cleanups.push(
    () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res()
        const t = setTimeout(() => {
          child.kill('SIGKILL')
          res()
        }, 3_000)
        child.once('exit', () => {
          clearTimeout(t)
          res()
        })
        child.kill('SIGQUIT')
      })
  )
  return port
}

/** The floor: what a few lines of node:http give (per-request headers object, pipe both ways). */
async function startNaive(backends: number[]): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
  let next = 0
  const server = http.createServer((req, res) => {
    const port = backends[next++ % backends.length]!
    const up = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers)
      ur.pipe(res)
    })
    up.on('error', () => {
      res.statusCode = 502
      res.end()
    })
    req.pipe(up)
  })
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res))
  cleanups.push(
    () =>
      new Promise<void>((res) => {
        server.closeAllConnections()
        server.close(() => res())
        agent.destroy()
      })
  )
  return (server.address() as net.AddressInfo).port
}

async function startPrescal(backends: number[]): Promise<number> {
  const pool = new BackendPool()
  backends.forEach((port, i) => {
    pool.upsert({ id: `b${i}`, host: '127.0.0.1', port })
    pool.setReady(`b${i}`, true)
  })
  const proxy = new ProxyServer({ host: '127.0.0.1', port: 0, pool, upstreamTimeoutMs: 30_000, workers: WORKERS })
  const addr = await proxy.start()
  // As the engine does: one tick a second, so the counters are exercised as in the app.
  const ticker = setInterval(() => proxy.takeTick(), 1_000)
  cleanups.push(async () => {
    clearInterval(ticker)
    await proxy.close(1_000)
  })
  return addr.port
}

interface Result {
  rps: number
  p50: number
  p99: number
  errors: number
}

function toMs(v: string, unit: string): number {
  const n = Number(v)
  if (unit === 'us') return n / 1000
  if (unit === 's') return n * 1000
  if (unit === 'm') return n * 60_000
  return n
}

function parseWrk(out: string): Result {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m)\b/m.exec(out)
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\b/m.exec(out)
  if (!rps || !p50 || !p99) throw new Error(`cannot parse wrk output:\n${out}`)
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)
  const errors =
    (sock ? [1, 2, 3, 4].reduce((s, i) => s + Number(sock[i]), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0)
  return { rps: Number(rps[1]), p50: toMs(p50[1]!, p50[2]!), p99: toMs(p99[1]!, p99[2]!), errors }
}

function runWrk(port: number, seconds = DURATION_S): Promise<Result> {
  return new Promise((res, rej) => {
    const threads = Math.min(CONNECTIONS, Math.max(1, CORES))
    const child = track(
      spawn('wrk', [`-t${threads}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/`], {
        stdio: ['ignore', 'pipe', 'pipe']
      })
    )
    let out = ''
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', rej)
    child.on('exit', (code) => {
      if (code !== 0) return rej(new Error(`wrk exited with ${code}:\n${out}`))
      try {
        res(parseWrk(out))
      } catch (err) {
        rej(err)
      }
    })
  })
}

/** The machine's CPU counters (jiffies: user, nice, system, idle, ...) from /proc/stat; null off Linux. */
function cpuTimes(): number[] | null {
  try {
    return readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  } catch {
    return null
  }
}

/** Share of the machine's CPU time left idle between two cpuTimes() readings. */
function idleShare(before: number[] | null, after: number[] | null): number | null {
  if (before === null || after === null) return null
  const d = after.map((v, i) => v - (before[i] ?? 0))
  const total = d.reduce((a, b) => a + b, 0)
  return total > 0 ? d[3]! / total : null
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

async function main(): Promise<number> {
  const missing = [!which('wrk') && 'wrk', !existsSync(NGINX) && 'nginx-light'].filter(Boolean)
  if (missing.length > 0) {
    console.error(`missing: ${missing.join(', ')}. Install with: sudo apt-get install nginx-light wrk`)
    return 2
  }
  tmp = mkdtempSync(join(tmpdir(), 'prescal-bench-'))
  const backends = [await startBackend(), await startBackend()]
  const targets: Array<{ name: string; port: number }> = [
    { name: 'direct', port: backends[0]! },
    { name: 'prescal', port: await startPrescal(backends) },
    { name: 'nginx', port: await startNginx(tmp, backends) },
    { name: 'naive', port: await startNaive(backends) }
  ]
  console.log(
    `${CORES} cores, wrk ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} rounds, ` +
      `prescal workers=${WORKERS}, backends on ports ${backends.join(', ')}`
  )
  if (WARMUP_S > 0) {
    console.log(`warm-up: ${WARMUP_S} s against each target, not counted`)
    for (const t of targets) await runWrk(t.port, WARMUP_S)
  }
  const results = new Map<string, Result[]>(targets.map((t) => [t.name, []]))
  for (let r = 1; r <= ROUNDS; r++) {
    for (const t of targets) {
      const before = cpuTimes()
      const res = await runWrk(t.port)
      // Whether the machine was the limit: a target that leaves CPU idle is bound by something else.
      const idle = idleShare(before, cpuTimes())
      results.get(t.name)!.push(res)
      console.log(
        `round ${r} ${t.name.padEnd(8)} ${res.rps.toFixed(0).padStart(8)} req/s  p50 ${res.p50.toFixed(2)} ms  ` +
          `p99 ${res.p99.toFixed(2)} ms${idle === null ? '' : `  cpu idle ${(100 * idle).toFixed(0)} %`}` +
          `${res.errors ? `  errors ${res.errors}` : ''}`
      )
    }
  }
  const summary = new Map<string, { rps: number; p50: number; p99: number; errors: number }>()
  for (const [name, rs] of results) {
    summary.set(name, {
      rps: median(rs.map((x) => x.rps)),
      p50: median(rs.map((x) => x.p50)),
      p99: median(rs.map((x) => x.p99)),
      errors: rs.reduce((s, x) => s + x.errors, 0)
    })
  }
  console.log('\ntarget       req/s    p50 ms    p99 ms  errors   (median of rounds)')
  for (const [name, s] of summary) {
    console.log(
      `${name.padEnd(8)} ${s.rps.toFixed(0).padStart(9)} ${s.p50.toFixed(2).padStart(9)} ${s.p99.toFixed(2).padStart(9)} ${String(s.errors).padStart(7)}`
    )
  }
  const p = summary.get('prescal')!
  const n = summary.get('nginx')!
  const v = summary.get('naive')!
  console.log(
    `prescal/nginx throughput ratio: ${(p.rps / n.rps).toFixed(2)}  p99 ratio: ${(p.p99 / n.p99).toFixed(2)}  ` +
      `prescal/naive throughput ratio: ${(p.rps / v.rps).toFixed(2)}`
  )
  return 0
}

main()
  .then(async (code) => {
    await cleanup()
    process.exit(code)
  })
  .catch(async (err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    await cleanup()
    process.exit(1)
  })
