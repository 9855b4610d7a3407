import http from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { PoolMember } from './backend-pool'
import { rawErrorResponse } from './error-responses'
import { buildResponseHeaders, buildUpstreamRequestHeaders, requestTarget } from './hop-by-hop'
import type { PoolView, StatsSink } from './proxy-ports'

export interface TunnelContext {
  readonly pool: PoolView
  readonly stats: StatsSink
  readonly upstreamTimeoutMs: number
  readonly fallbackHost: string
}

/**
 * One `Upgrade` request (WebSocket, h2c...) tunnelled to a backend: the request goes upstream
 * with its Upgrade / Connection headers (the only hop-by-hop fields allowed through, and only
 * here); a 101 joins the two sockets byte for byte; any other answer is passed to the client
 * as is (the connection is closed after it). Failures: 502 unreachable, 504 no answer within
 * `upstreamTimeoutMs`. When either side closes or errors, both sockets are destroyed, the
 * in-flight count is released and `onEnd` runs, exactly once.
 */
export class UpgradeTunnel {
  private upstreamReq: http.ClientRequest | null = null
  private upstreamSocket: Duplex | null = null
  private acquired = false
  private ended = false
  private answered = false
  private readonly startedAt = performance.now()

  constructor(
    private readonly ctx: TunnelContext,
    private readonly req: http.IncomingMessage,
    private readonly client: Socket,
    private readonly head: Buffer,
    private readonly member: PoolMember,
    private readonly onEnd: () => void
  ) {}

  start(): void {
    const client = this.client
    client.on('error', () => this.destroy())
    client.on('close', () => this.destroy())
    const target = requestTarget(this.req.url ?? '/')
    const headers = buildUpstreamRequestHeaders(this.req.rawHeaders, {
      clientAddress: client.remoteAddress,
      fallbackHost: this.ctx.fallbackHost,
      authority: target.authority
    })
    const upgrade = headerValue(this.req.rawHeaders, 'upgrade')
    if (upgrade !== undefined) headers.push('Connection', 'Upgrade', 'Upgrade', upgrade)
    this.ctx.pool.acquire(this.member.id)
    this.acquired = true
    this.ctx.stats.touch(this.member.id)
    let up: http.ClientRequest
    try {
      up = http.request({
        host: this.member.host,
        port: this.member.port,
        method: this.req.method,
        path: target.path,
        headers,
        // A tunnel owns its connection for its whole life: never from, never back to a pool.
        agent: false,
        timeout: this.ctx.upstreamTimeoutMs
      })
    } catch {
      this.refuse(400)
      return
    }
    this.upstreamReq = up
    up.on('upgrade', (res: http.IncomingMessage, socket: Duplex, upHead: Buffer) => this.joined(res, socket, upHead))
    up.on('response', (res: http.IncomingMessage) => this.passThrough(res))
    up.on('timeout', () => this.refuse(504))
    up.on('error', () => this.refuse(502))
    up.end()
  }

  /** Ends the tunnel at once (also from the listener's close()). Idempotent. */
  destroy(): void {
    if (this.ended) return
    this.ended = true
    this.upstreamReq?.destroy()
    this.upstreamSocket?.destroy()
    this.client.destroy()
    if (this.acquired) {
      this.acquired = false
      this.ctx.pool.release(this.member.id)
    }
    this.onEnd()
  }

  private joined(res: http.IncomingMessage, upstream: Duplex, upHead: Buffer): void {
    if (this.ended) {
      upstream.destroy()
      return
    }
    this.upstreamSocket = upstream
    this.answered = true
    this.ctx.stats.record(this.member.id, res.statusCode ?? 101, performance.now() - this.startedAt)
    // The handshake timeout must not cut an idle WebSocket; its own pings are its keep-alive.
    ;(upstream as Socket).setTimeout?.(0)
    this.upstreamReq?.setTimeout(0)
    upstream.on('error', () => this.destroy())
    upstream.on('close', () => this.destroy())
    const lines = [`HTTP/1.1 ${res.statusCode ?? 101} ${res.statusMessage || 'Switching Protocols'}`]
    const raw = res.rawHeaders
    // Upgrade and Connection belong to this hop's handshake: relay them as the backend sent them.
    const kept = buildResponseHeaders(raw)
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const lower = raw[i]!.toLowerCase()
      if (lower === 'upgrade' || lower === 'connection') kept.push(raw[i]!, raw[i + 1]!)
    }
    for (let i = 0; i + 1 < kept.length; i += 2) lines.push(`${kept[i]}: ${kept[i + 1]}`)
    this.client.write(`${lines.join('\r\n')}\r\n\r\n`)
    if (upHead.length > 0) this.client.write(upHead)
    if (this.head.length > 0) upstream.write(this.head)
    upstream.pipe(this.client)
    this.client.pipe(upstream)
  }

  /** The backend declined the upgrade: its answer goes to the client unchanged, then close. */
  private passThrough(res: http.IncomingMessage): void {
    if (this.ended) {
      res.destroy()
      return
    }
    this.answered = true
    const status = res.statusCode ?? 502
    this.ctx.stats.record(this.member.id, status, performance.now() - this.startedAt)
    const headers = buildResponseHeaders(res.rawHeaders)
    const lines = [`HTTP/1.1 ${status} ${res.statusMessage ?? ''}`]
    for (let i = 0; i + 1 < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`)
    // The body is delimited by the close (Transfer-Encoding was decoded and stripped).
    lines.push('Connection: close')
    this.client.write(`${lines.join('\r\n')}\r\n\r\n`)
    res.on('error', () => this.destroy())
    res.on('end', () => this.client.end())
    res.pipe(this.client, { end: false })
  }

  private refuse(status: number): void {
    if (this.ended) return
    if (this.answered) {
      this.destroy()
      return
    }
    this.answered = true
    this.ctx.stats.record(this.member.id, status, performance.now() - this.startedAt)
    this.upstreamReq?.destroy()
    const text = status === 504 ? 'Gateway Timeout: the backend did not answer the upgrade in time' : 'Bad Gateway: upgrade failed'
    if (!this.client.writable) return this.destroy()
    this.client.end(rawErrorResponse(status, text))
    // A client that never closes its side must not pin the socket.
    this.client.setTimeout(1_000, () => this.destroy())
  }
}

function headerValue(raw: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === lowerName) return raw[i + 1]
  return undefined
}
