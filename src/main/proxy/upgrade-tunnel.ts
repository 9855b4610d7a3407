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

/** After one side of a joined tunnel ended, how long the rest may take to reach the other side. */
const HALF_CLOSE_GRACE_MS = 5_000

/**
 * One `Upgrade` request (WebSocket, h2c...) tunnelled to a backend: the request goes upstream
 * with its Upgrade / Connection headers (the only hop-by-hop fields allowed through, and only
 * here) and its Content-Length body, if any (`curl --http2 -d` sends `Upgrade: h2c` on a POST;
 * the body belongs to the HTTP/1.1 request, RFC 9113 §3.2, and most backends just answer it);
 * a 101 joins the two sockets byte for byte; any other answer is passed to the client
 * as is (the connection is closed after it). Failures: 502 unreachable, 504 no answer within
 * `upstreamTimeoutMs`. When either side closes, errors or ends (FIN), both sockets are destroyed
 * (after an end, once what was sent is passed on), the in-flight count is released and `onEnd`
 * runs, exactly once.
 */
export class UpgradeTunnel {
  private upstreamReq: http.ClientRequest | null = null
  private upstreamSocket: Duplex | null = null
  private acquired = false
  private ended = false
  private answered = false
  /** Request body bytes still to send upstream before the handshake's answer. */
  private bodyLeft = 0
  private readonly startedAt = performance.now()

  constructor(
    private readonly ctx: TunnelContext,
    private readonly req: http.IncomingMessage,
    private readonly client: Socket,
    /** Bytes read past the request head: its body first, then the new protocol's. */
    private head: Buffer,
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
    if (this.req.headers['transfer-encoding'] !== undefined) {
      // Rare enough not to carry a chunked decoder here: say so rather than hang.
      this.refuseBeforeStart(501, 'Not Implemented: an Upgrade request with a chunked body; send Content-Length or drop the Upgrade header')
      return
    }
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
    this.bodyLeft = Number(this.req.headers['content-length'] ?? 0)
    this.head = this.sendBody(up, this.head)
    if (this.bodyLeft === 0) up.end()
    else this.streamBody(up)
  }

  /** Writes what `chunk` holds of the body upstream; returns the bytes past it. */
  private sendBody(up: http.ClientRequest, chunk: Buffer): Buffer {
    const n = Math.min(this.bodyLeft, chunk.length)
    if (n === 0) return chunk
    this.bodyLeft -= n
    if (!up.write(n === chunk.length ? chunk : chunk.subarray(0, n)) && this.bodyLeft > 0) {
      this.client.pause()
      up.once('drain', () => this.client.resume())
    }
    return chunk.subarray(n)
  }

  /** The rest of the body from the client socket; what follows it waits for the 101. */
  private streamBody(up: http.ClientRequest): void {
    const onData = (chunk: Buffer): void => {
      const rest = this.sendBody(up, chunk)
      if (this.bodyLeft > 0) return
      this.client.off('data', onData)
      this.client.pause()
      this.head = rest
      up.end()
    }
    this.client.on('data', onData)
    this.stopBody = () => {
      this.client.off('data', onData)
      this.client.pause()
    }
  }

  private stopBody: () => void = noop

  /** Ends the tunnel at once (also from the listener's close()). Idempotent. */
  destroy(): void {
    if (this.ended) return
    this.ended = true
    if (this.endTimer !== null) clearTimeout(this.endTimer)
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
    // A 101 before the whole body: the rest of it goes through the joined sockets, unchanged.
    this.stopBody()
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
    // One side's end (FIN) ends the tunnel, as in nginx: what it sent is passed on (pipe ends the
    // other side), then both close. Waiting for the other peer to close too would keep both
    // sockets forever when it never does (a WebSocket server that ignores a half-close).
    upstream.once('end', () => this.closeAfterEnd(this.client))
    this.client.once('end', () => this.closeAfterEnd(upstream))
  }

  private endTimer: NodeJS.Timeout | null = null

  /** `dest` is being ended by its pipe: close both once it has flushed, or after a grace period. */
  private closeAfterEnd(dest: Duplex): void {
    if (this.ended || this.endTimer !== null) return
    dest.once('finish', () => this.destroy())
    // A peer that does not read what is left must not hold the tunnel either.
    this.endTimer = setTimeout(() => this.destroy(), HALF_CLOSE_GRACE_MS)
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
    // Closed once the answer is out: the client's reading may be paused (bytes after the request
    // wait for a 101), so its FIN would never be read and the tunnel would never end.
    res.on('end', () => {
      this.client.end()
      this.closeAfterEnd(this.client)
    })
    res.pipe(this.client, { end: false })
  }

  private refuseBeforeStart(status: number, text: string): void {
    this.answered = true
    this.ctx.stats.record(null, status, 0)
    if (!this.client.writable) return this.destroy()
    this.client.end(rawErrorResponse(status, text))
    this.client.setTimeout(1_000, () => this.destroy())
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

function noop(): void {}

function headerValue(raw: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === lowerName) return raw[i + 1]
  return undefined
}
