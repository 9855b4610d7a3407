/**
 * Misbehaving backends on loopback (port 0), one small real server per fault, for the fault and
 * soak tests. Each answers the proxy's traffic and the poller's `/metrics` scrape the way a broken
 * backend really would: the sockets, bytes and timings are real, only the misbehaviour is staged.
 *
 * Every backend has `close()`, which destroys its open connections, clears its timers and closes
 * the listener (the `refused` one holds no socket at all: its port was bound once and released).
 */
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { FailureReason, Health } from '../../src/shared/types'

export type FaultKind =
  | 'healthy'
  | 'refused'
  | 'silent'
  | 'slow-drip'
  | 'garbage'
  | 'not-http'
  | 'huge-body'
  | 'reset-mid-body'
  | 'close-after-headers'
  | 'no-trailing-newline'
  | 'truncated-label'
  | 'special-values'
  | 'restarting'

export const faultKinds: readonly FaultKind[] = [
  'healthy',
  'refused',
  'silent',
  'slow-drip',
  'garbage',
  'not-http',
  'huge-body',
  'reset-mid-body',
  'close-after-headers',
  'no-trailing-newline',
  'truncated-label',
  'special-values',
  'restarting'
]

/** What the poller must report for each fault (health after enough scrapes, and the reason). */
export const expectedVerdict: Record<FaultKind, { health: Health; reason: FailureReason | null; what: string }> = {
  healthy: { health: 'up', reason: null, what: 'answers valid metrics' },
  refused: { health: 'down', reason: 'refused', what: 'refuses connections (port bound once, then closed)' },
  silent: { health: 'down', reason: 'timeout', what: 'accepts and never answers' },
  'slow-drip': { health: 'down', reason: 'timeout', what: 'answers one byte per second' },
  garbage: { health: 'down', reason: 'parse_error', what: 'HTTP 200 with a binary (gzip) body' },
  'not-http': { health: 'down', reason: 'connection_error', what: 'answers bytes that are not HTTP' },
  'huge-body': { health: 'down', reason: 'body_too_large', what: '50 MB of valid metrics, no Content-Length' },
  'reset-mid-body': { health: 'down', reason: 'connection_error', what: 'resets the connection mid-body' },
  'close-after-headers': { health: 'down', reason: 'connection_error', what: 'closes right after the headers' },
  'no-trailing-newline': { health: 'up', reason: null, what: 'valid body without a trailing newline' },
  'truncated-label': { health: 'down', reason: 'parse_error', what: 'body truncated in the middle of a label' },
  'special-values': { health: 'up', reason: null, what: 'NaN / +Inf / -Inf values and samples with timestamps' },
  restarting: { health: 'up', reason: null, what: 'process restarts: CPU counter goes back to zero' }
}

/** One running misbehaving backend. `close()` releases its listener, connections and timers. */
export interface FaultBackend {
  readonly kind: FaultKind
  readonly port: number
  /** `127.0.0.1:PORT`, as a static backend entry of the config. */
  readonly address: string
  /** Connections accepted so far (0 for `refused`). */
  readonly accepted: number
  /** Requests answered 2xx on a path other than /metrics (proxy traffic that succeeded). */
  readonly served: number
  /** Only for `restarting`: counter resets so far. */
  readonly restarts: number
  /** Only for `restarting`: restart now (the CPU counter goes back to ~0). */
  restart(): void
  close(): Promise<void>
}

export interface FaultOptions {
  /** `huge-body`: bytes to send (default 50 MB). */
  hugeBytes?: number
  /** `restarting`: restart automatically this often (default never; call restart()). */
  restartEveryMs?: number
  /** `restarting`: CPU seconds the process burns per wall second (default 0.5 = 50 %). */
  cpuRate?: number
}

const fixture = (name: string): Buffer =>
  readFileSync(fileURLToPath(new URL(`../fixtures/prometheus/${name}`, import.meta.url)))

const MB = 1_000_000

function metricsBody(cpuSeconds: number, rssBytes: number): string {
  return [
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${cpuSeconds}`,
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${rssBytes}`,
    ''
  ].join('\n')
}

// NaN, +Inf and -Inf where the poller looks (CPU and memory) and elsewhere, every line timestamped.
const SPECIAL_BODY = [
  '# TYPE process_cpu_seconds_total counter',
  'process_cpu_seconds_total NaN 1733245391000',
  '# TYPE process_resident_memory_bytes gauge',
  'process_resident_memory_bytes +Inf 1733245391000',
  'process_open_fds -Inf 1733245391000',
  'queue_depth{q="a"} NaN -1395066363000',
  ''
].join('\n')

class Tracker {
  accepted = 0
  served = 0
  restarts = 0
  /** Set by the `restarting` backend. */
  restart: (() => void) | null = null
  readonly sockets = new Set<Socket>()
  readonly timers = new Set<NodeJS.Timeout>()

  track(socket: Socket): void {
    this.accepted++
    this.sockets.add(socket)
    // The client (poller or proxy) may reset or time out; a test server must not crash over it.
    socket.on('error', () => {})
    socket.on('close', () => this.sockets.delete(socket))
  }

  every(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setInterval(fn, ms)
    this.timers.add(t)
    return t
  }

  stop(t: NodeJS.Timeout): void {
    clearInterval(t)
    this.timers.delete(t)
  }

  destroyAll(): void {
    for (const t of this.timers) clearInterval(t)
    this.timers.clear()
    for (const s of this.sockets) s.destroy()
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

function closeServer(server: Server, t: Tracker): Promise<void> {
  t.destroyAll()
  return new Promise((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
  })
}

/** Reads the request head, then calls `onRequest` once with its path (raw TCP backends). */
function onRequestHead(socket: Socket, onRequest: (path: string) => void): void {
  let head = ''
  let done = false
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    if (done) return
    head += chunk
    const end = head.indexOf('\r\n\r\n')
    if (end < 0) return
    done = true
    onRequest(/^[A-Z]+ (\S+)/.exec(head)?.[1] ?? '/')
  })
}

/** Raw TCP backend: misbehaves the same way on every path (a broken process is broken for all). */
async function rawBackend(kind: FaultKind, t: Tracker, opts: FaultOptions): Promise<{ port: number; close(): Promise<void> }> {
  const server = createNetServer((socket) => {
    t.track(socket)
    if (kind === 'silent') {
      socket.resume()
      return
    }
    onRequestHead(socket, () => {
      switch (kind) {
        case 'slow-drip': {
          const text = `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 30\r\n\r\nprocess_cpu_seconds_total 1.5\n`
          let i = 0
          const timer = t.every(1000, () => {
            if (socket.destroyed || i >= text.length) return t.stop(timer)
            socket.write(text[i++]!)
          })
          socket.on('close', () => t.stop(timer))
          return
        }
        case 'not-http':
          socket.end(Buffer.from('\x00\x01\x02SSH-2.0-garbage\r\n\xff\xfe\r\n\r\n', 'latin1'))
          return
        case 'huge-body':
          return streamHuge(socket, opts.hugeBytes ?? 50 * MB)
        case 'reset-mid-body':
          socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100000\r\n\r\n`)
          socket.write(metricsBody(1, 1000).repeat(50), () => {
            // An RST, not a FIN: the client sees ECONNRESET in the middle of the body.
            setTimeout(() => socket.resetAndDestroy(), 20)
          })
          return
        case 'close-after-headers':
          socket.end(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 4096\r\n\r\n`)
          return
        default:
          socket.destroy()
      }
    })
  })
  const port = await listen(server)
  return { port, close: () => closeServer(server, t) }
}

/** Close-delimited 200 of valid metric lines (no Content-Length, no chunking), with backpressure. */
function streamHuge(socket: Socket, total: number): void {
  socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4\r\nconnection: close\r\n\r\n')
  socket.write(metricsBody(1, 1000))
  let line = ''
  for (let i = 0; line.length < 64 * 1024; i++) line += `filler_metric{series="${i}"} ${i}\n`
  const chunk = Buffer.from(line)
  let sent = 0
  const pump = (): void => {
    while (sent < total && !socket.destroyed) {
      sent += chunk.length
      if (!socket.write(chunk)) return void socket.once('drain', pump)
    }
    if (!socket.destroyed) socket.end()
  }
  pump()
}

/** node:http backend: answers the proxy with 200 on any path, /metrics with its (possibly bad) body. */
async function httpBackend(kind: FaultKind, t: Tracker, opts: FaultOptions): Promise<{ port: number; close(): Promise<void> }> {
  const cpuRate = opts.cpuRate ?? 0.5
  let bootedAt = Date.now()
  if (kind === 'restarting' && opts.restartEveryMs) {
    t.every(opts.restartEveryMs, () => restart())
  }
  function restart(): void {
    bootedAt = Date.now()
    t.restarts++
  }
  const metrics = (): Buffer | string => {
    switch (kind) {
      case 'garbage':
        return fixture('garbage.bin')
      case 'no-trailing-newline':
        return fixture('no-trailing-newline.txt')
      case 'truncated-label':
        return fixture('truncated-label.txt')
      case 'special-values':
        return SPECIAL_BODY
      case 'restarting':
        // A fresh process has used a little CPU to start; then `cpuRate` seconds per second.
        return metricsBody(0.01 + ((Date.now() - bootedAt) / 1000) * cpuRate, 30 * 1024 * 1024)
      default:
        return metricsBody(process.cpuUsage().user / 1e6, process.memoryUsage().rss)
    }
  }
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    if (req.url === '/metrics') {
      const body = metrics()
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(body) })
      res.end(body)
      return
    }
    t.served++
    const body = JSON.stringify({ kind, port })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
  server.on('connection', (s: Socket) => t.track(s))
  const port = await listen(server)
  if (kind === 'restarting') t.restart = restart
  return {
    port,
    close: () => {
      server.closeAllConnections()
      return closeServer(server, t)
    }
  }
}

/** A loopback port that refuses connections: bound once, then closed (the port is kept, unused). */
export async function refusedPort(): Promise<number> {
  const server = createNetServer()
  const port = await listen(server)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const HTTP_KINDS = new Set<FaultKind>(['healthy', 'garbage', 'no-trailing-newline', 'truncated-label', 'special-values', 'restarting'])

/** Starts one backend of the given kind on 127.0.0.1, port 0. */
export async function startFaultBackend(kind: FaultKind, opts: FaultOptions = {}): Promise<FaultBackend> {
  const t = new Tracker()
  let port: number
  let close: () => Promise<void>
  if (kind === 'refused') {
    port = await refusedPort()
    close = async () => {}
  } else if (HTTP_KINDS.has(kind)) {
    ;({ port, close } = await httpBackend(kind, t, opts))
  } else {
    ;({ port, close } = await rawBackend(kind, t, opts))
  }
  return {
    kind,
    port,
    address: `127.0.0.1:${port}`,
    get accepted() {
      return t.accepted
    },
    get served() {
      return t.served
    },
    get restarts() {
      return t.restarts
    },
    restart() {
      const hook = t.restart
      if (!hook) throw new Error(`restart() is only for the 'restarting' backend, not '${kind}'`)
      hook()
    },
    close
  }
}

/** Starts one backend of every kind (or of `kinds`). Close them with `closeAll`. */
export async function startFaultBackends(
  kinds: readonly FaultKind[] = faultKinds,
  opts: FaultOptions = {}
): Promise<FaultBackend[]> {
  const started: FaultBackend[] = []
  try {
    for (const k of kinds) started.push(await startFaultBackend(k, opts))
  } catch (err) {
    await closeAll(started)
    throw err
  }
  return started
}

export async function closeAll(backends: readonly FaultBackend[]): Promise<void> {
  await Promise.all(backends.map((b) => b.close()))
}
