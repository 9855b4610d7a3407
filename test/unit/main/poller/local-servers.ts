/**
 * Real loopback servers on port 0 for the poller tests, plus resource probes (fds, libuv handles).
 * Each server counts the connections it accepted and how many are open, so a test can tell a
 * client that leaks or overlaps from one that does not.
 */
import { readdirSync } from 'node:fs'
import { createServer as createHttpServer, type RequestListener } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net'

export interface LocalServer {
  readonly port: number
  /** Connections accepted since start. */
  readonly accepted: number
  /** Server-side connections open right now. */
  readonly open: number
  /** Highest `open` seen. */
  readonly maxOpen: number
  /** Destroys every open connection, closes the listener and waits until it is closed. */
  close(): Promise<void>
}

class TrackedServer implements LocalServer {
  accepted = 0
  open = 0
  maxOpen = 0
  private readonly sockets = new Set<Socket>()

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.accepted++
      this.open++
      this.maxOpen = Math.max(this.maxOpen, this.open)
      this.sockets.add(socket)
      // The client may reset; a test server must not crash the worker over it.
      socket.on('error', () => {})
      socket.on('close', () => {
        this.open--
        this.sockets.delete(socket)
      })
    })
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(0, '127.0.0.1', () => resolve())
    })
    return this
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const s of this.sockets) s.destroy()
      if (!this.server.listening) return resolve()
      this.server.close(() => resolve())
    })
  }
}

/**
 * A TCP server whose handler writes whatever bytes (or nothing) it likes. It reads and discards
 * the request, so it notices (and closes on) the client's FIN like a real server would.
 */
export function startRawServer(onSocket: (socket: Socket) => void): Promise<LocalServer> {
  return new TrackedServer(
    createNetServer((socket) => {
      socket.resume()
      onSocket(socket)
    })
  ).listen()
}

/** A node:http server. */
export function startHttpServer(handler: RequestListener): Promise<LocalServer> {
  const server = createHttpServer(handler)
  // Keep-alive would let an idle server socket outlive the scrape and blur the counts.
  server.keepAliveTimeout = 1
  return new TrackedServer(server).listen()
}

/** A loopback port that refuses connections: bound once, then closed. */
export async function refusedPort(): Promise<number> {
  const server = createNetServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Open file descriptors of this process (Linux). */
export function fdCount(): number {
  return readdirSync('/proc/self/fd').length
}

/** libuv handles/requests by type, e.g. { Timeout: 2, TCPSocketWrap: 1 }. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
  return counts
}

/**
 * Resolves once handles closed in this turn have left libuv's lists: close callbacks run after
 * the check phase (setImmediate), so wait for a timer of the next turn as well.
 */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setTimeout(resolve, 1))
}

export function httpHead(status: string, headers: Record<string, string | number> = {}): string {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`)
  return `HTTP/1.1 ${status}\r\n${lines.join('')}\r\n`
}

/** Polls `condition` every few ms; rejects with `what` when it is still false after timeoutMs. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
