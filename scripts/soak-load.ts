/**
 * The load side of `npm run soak` (scripts/soak.ts forks this file): every fault backend at once,
 * two demo backend processes and a steady open-loop load through the engine's proxy. It runs in
 * its own process so none of its sockets count against the engine being measured.
 *
 * Protocol (IPC): sends `ready` with the backend addresses; on `load` starts the load; answers
 * `stats`; on `stop` (or when the engine process goes away) closes everything and sends `stopped`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { Agent, request } from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { closeAll, startFaultBackends, type FaultBackend } from '../test/helpers/fault-backends'

export type ToChild = { t: 'load'; proxyUrl: string; rps: number } | { t: 'stats' } | { t: 'stop' }
export type LoadStats = { sent: number; ok: number; failed: number; keepAliveRetries: number; byReason: Record<string, number> }
export type ToParent =
  | { t: 'ready'; faults: Array<{ kind: string; address: string }>; demos: string[] }
  | { t: 'stats'; stats: LoadStats }
  | { t: 'stopped'; stats: LoadStats }

const repoRoot = join(__dirname, '..')
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

async function startDemo(): Promise<{ address: string; proc: ChildProcess }> {
  const port = await freePort()
  const proc = spawn(process.execPath, [join(repoRoot, 'resources/demo-backend/server.js')], {
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore'
  })
  const address = `127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((res) => {
      const req = request(`http://${address}/health`, (r) => {
        r.resume()
        res(r.statusCode === 200)
      })
      req.on('error', () => res(false))
      req.end()
    })
    if (ok) return { address, proc }
    await sleep(100)
  }
  proc.kill('SIGKILL')
  throw new Error(`demo backend on ${address} did not start`)
}

export async function runLoadChild(): Promise<void> {
  const send = (m: ToParent): void => void process.send!(m)
  const faults: FaultBackend[] = await startFaultBackends(undefined, { restartEveryMs: 5_000 })
  const demos = await Promise.all([startDemo(), startDemo()])
  const stats: LoadStats = { sent: 0, ok: 0, failed: 0, keepAliveRetries: 0, byReason: {} }
  let running = false
  let loadDone: Promise<void> = Promise.resolve()

  const fail = (why: string): void => {
    stats.failed++
    stats.byReason[why] = (stats.byReason[why] ?? 0) + 1
  }
  const lastUse = new WeakMap<object, number>()
  let agent = new Agent()

  /**
   * One GET. A request that dies before any response on a REUSED keep-alive connection is the
   * keep-alive race (the server closed the idle connection as we sent): it never reached the proxy,
   * and like browsers (RFC 9112 §9.3.1) we retry it once; it is counted in `keepAliveRetries`.
   */
  function send1(url: string, mayRetry: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      let idleMs = -1
      let gotResponse = false
      const req = request(url, { agent, timeout: 10_000 }, (res) => {
        gotResponse = true
        res.resume()
        res.on('end', () => {
          lastUse.set(req.socket!, Date.now())
          if (res.statusCode === 200) stats.ok++
          else failLogged(`HTTP ${res.statusCode}`, url, req.reusedSocket, idleMs)
          resolve()
        })
        res.on('error', (err) => (failLogged(`${err.message} (mid-response)`, url, req.reusedSocket, idleMs), resolve()))
      })
      req.on('socket', (socket) => {
        const last = lastUse.get(socket)
        idleMs = last === undefined ? -1 : Date.now() - last
      })
      req.on('timeout', () => req.destroy(new Error('client timeout 10 s')))
      req.on('error', (err) => {
        if (gotResponse) return
        if (mayRetry && req.reusedSocket && /socket hang up|ECONNRESET/.test(err.message)) {
          stats.keepAliveRetries++
          console.log(`[load] keep-alive race on a connection idle ${idleMs} ms (${err.message}); retrying once`)
          return void send1(url, false).then(resolve)
        }
        failLogged(err.message, url, req.reusedSocket, idleMs)
        resolve()
      })
      req.end()
    })
  }

  function failLogged(why: string, url: string, reused: boolean, idleMs: number): void {
    console.log(`[load] ${new Date().toISOString().slice(11, 23)} FAILED ${url}: ${why} (reused connection: ${reused}, idle ${idleMs} ms)`)
    fail(why)
  }

  async function runLoad(proxyUrl: string, rps: number): Promise<void> {
    // A few connections are plenty for this rate; more would make the engine's fd count swing
    // with every burst of keep-alive sockets, which is load, not a leak.
    agent = new Agent({ keepAlive: true, maxSockets: 4 })
    const inFlight = new Set<Promise<void>>()
    const started = Date.now()
    for (let i = 0; running; i++) {
      const wait = started + (i * 1000) / rps - Date.now()
      if (wait > 0) await sleep(wait)
      stats.sent++
      const p = send1(`${proxyUrl}/?n=${i}`, true).then(() => void inFlight.delete(p))
      inFlight.add(p)
    }
    await Promise.all([...inFlight])
    agent.destroy()
  }

  const shutdown = (): Promise<void> => {
    running = false
    for (const d of demos) d.proc.kill('SIGTERM')
    return closeAll(faults)
  }
  // The engine process died or was interrupted: take the servers and demo processes down too.
  process.on('disconnect', () => void shutdown().then(() => process.exit(0)))
  process.on('message', (m: ToChild) => {
    if (m.t === 'load') {
      running = true
      loadDone = runLoad(m.proxyUrl, m.rps)
    } else if (m.t === 'stats') {
      send({ t: 'stats', stats })
    } else if (m.t === 'stop') {
      running = false
      void loadDone
        .then(shutdown)
        .then(() => {
          send({ t: 'stopped', stats })
          process.disconnect()
        })
    }
  })
  send({ t: 'ready', faults: faults.map((f) => ({ kind: f.kind, address: f.address })), demos: demos.map((d) => d.address) })
}
if (process.send) void runLoadChild()
