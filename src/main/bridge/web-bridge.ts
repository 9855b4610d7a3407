/**
 * Headless transport: serves the built dashboard and the contract over HTTP + WebSocket on
 * loopback. The Docker engine is root-equivalent, so every request must carry the session token
 * (query `token` once, then an HttpOnly SameSite=Strict cookie) and a loopback Host and Origin;
 * the Host check stops DNS rebinding, the Origin check stops other pages in the user's browser.
 */
import { timingSafeEqual } from 'node:crypto'
import { createReadStream, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import type { CommandHandlers } from '../../shared/channels'
import { PrescalError } from '../../shared/errors'
import type { EngineEvent, Snapshot } from '../../shared/types'
import { BRIDGE_PATH, TOKEN_COOKIE, type ClientMessage, type ServerMessage } from '../../shared/web-protocol'
import { dispatchCommand } from './command-dispatcher'

export interface WebBridgeSource {
  handlers: CommandHandlers
  onSnapshot(fn: (s: Snapshot) => void): () => void
  onEvent(fn: (e: EngineEvent) => void): () => void
}

export interface WebBridgeOptions {
  port: number
  token: string
  /** Folder with the built renderer (index.html + assets). */
  rendererDir: string
  source: WebBridgeSource
  /** Extra GET routes that also require the token, e.g. `/metrics`. */
  routes?: Record<string, (res: ServerResponse) => void>
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2'
}

/** A client that cannot keep up skips snapshots (the next one supersedes it) instead of queueing. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

export class WebBridge {
  private readonly server: Server
  private readonly wss: WebSocketServer
  private readonly unsubscribe: (() => void)[] = []
  private port = 0

  constructor(private readonly opts: WebBridgeOptions) {
    this.server = createServer((req, res) => this.onRequest(req, res))
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head))
    this.server.on('clientError', (_err, socket) => socket.destroy())
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new PrescalError(
            'INVALID_ARGUMENT',
            err.code === 'EADDRINUSE'
              ? `Dashboard port 127.0.0.1:${this.opts.port} is in use: pass another with --port N (or --port 0 for any free port).`
              : `Cannot serve the dashboard on 127.0.0.1:${this.opts.port}: ${err.message}`,
            { cause: err }
          )
        )
      )
      this.server.listen(this.opts.port, '127.0.0.1', () => resolve())
    })
    this.port = (this.server.address() as { port: number }).port
    const { source } = this.opts
    this.unsubscribe.push(
      source.onSnapshot((s) => this.broadcast({ t: 'evt', name: 'snapshot', payload: s }, true)),
      source.onEvent((e) => this.broadcast({ t: 'evt', name: 'event', payload: e }, false))
    )
    return this.port
  }

  url(): string {
    return `http://127.0.0.1:${this.port}/?token=${this.opts.token}`
  }

  async close(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off()
    for (const ws of this.wss.clients) ws.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private broadcast(msg: ServerMessage, droppable: boolean): void {
    let data: string | null = null
    for (const ws of this.wss.clients) {
      if (ws.readyState !== ws.OPEN) continue
      if (droppable && ws.bufferedAmount > MAX_BUFFERED_BYTES) continue
      data ??= JSON.stringify(msg)
      ws.send(data)
    }
  }

  /** Loopback Host (and Origin, when sent) on our own port, and the right token. */
  private authorize(req: IncomingMessage, url: URL): boolean {
    if (!isLoopbackAuthority(req.headers.host, this.port)) return false
    const origin = req.headers.origin
    if (origin !== undefined) {
      let parsed: URL
      try {
        parsed = new URL(origin)
      } catch {
        return false
      }
      if (parsed.protocol !== 'http:' || !isLoopbackAuthority(parsed.host, this.port)) return false
    }
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null
    const given = url.searchParams.get('token') ?? bearer ?? readCookie(req.headers.cookie, TOKEN_COOKIE)
    return given !== null && sameSecret(given, this.opts.token)
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    // Whatever a request does wrong, it must never take the engine (and the proxy) down with it.
    try {
      this.handleRequest(req, res)
    } catch (err) {
      if (!res.headersSent) deny(res, 500, `Internal error: ${(err as Error).message}`)
      else res.destroy()
    }
  }

  private handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (!this.authorize(req, url)) return deny(res, 403, 'Forbidden: open the Dashboard URL printed by `npm run headless` (it carries the token).')
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed')
    if (url.searchParams.has('token')) {
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${this.opts.token}; HttpOnly; SameSite=Strict; Path=/`)
    }
    const route = this.opts.routes?.[url.pathname]
    if (route) return route(res)
    this.serveFile(url.pathname, res)
  }

  private serveFile(pathname: string, res: ServerResponse): void {
    const root = normalize(this.opts.rendererDir)
    let rel: string
    try {
      rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '')
    } catch {
      return deny(res, 400, 'Bad request: malformed URL')
    }
    const file = normalize(join(root, rel))
    if (!file.startsWith(root + sep)) return deny(res, 404, 'Not found')
    let size: number
    try {
      const st = statSync(file)
      if (!st.isFile()) return deny(res, 404, 'Not found')
      size = st.size
    } catch {
      return deny(res, 404, pathname === '/' ? 'Dashboard not built: run `npm run build` first.' : 'Not found')
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store'
    })
    const stream = createReadStream(file)
    stream.on('error', () => res.destroy())
    res.on('close', () => stream.destroy())
    stream.pipe(res)
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname !== BRIDGE_PATH || !this.authorize(req, url)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onClient(ws))
  }

  private onClient(ws: WebSocket): void {
    ws.on('error', () => ws.terminate())
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only')
      let msg: ClientMessage
      try {
        msg = JSON.parse(data.toString()) as ClientMessage
      } catch {
        return ws.close(1007, 'invalid JSON')
      }
      if (typeof msg !== 'object' || msg === null || msg.t !== 'cmd' || typeof msg.id !== 'number') {
        return ws.close(1008, 'unexpected message')
      }
      void dispatchCommand(this.opts.source.handlers, msg.name, msg.request).then((reply) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'reply', id: msg.id, reply } satisfies ServerMessage))
      })
    })
  }
}

function deny(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

function isLoopbackAuthority(authority: string | undefined, port: number): boolean {
  if (!authority) return false
  const i = authority.lastIndexOf(':')
  if (i <= 0) return false
  return LOOPBACK_HOSTS.has(authority.slice(0, i).toLowerCase()) && authority.slice(i + 1) === String(port)
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return v.join('=')
  }
  return null
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
