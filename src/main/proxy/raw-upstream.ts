import net from 'node:net'
import { IdleLimit } from './idle-limit'
import {
  consumeSocket,
  llhttp,
  pauseReading,
  readActivity,
  resumeReading,
  unconsumeSocket,
  type HttpParserClass,
  type NodeHttpParser
} from './llhttp-binding'

/**
 * A lean HTTP/1.1 client for bodiless requests (GET, HEAD, DELETE... the bulk of proxied
 * traffic): one request head written as a single string on a pooled keep-alive socket, the
 * response parsed by Node's own llhttp binding (the parser node:http uses), its body handed over
 * chunk by chunk. It skips what http.request costs per request (ClientRequest, Agent queues,
 * IncomingMessage streams, pipe), about 40 % of the proxy's CPU per request (see docs/proxy.md).
 * The parser consumes the socket's handle as node:http's server does, so reads skip the stream.
 * Requests with a body keep using http.request, which handles upload framing and backpressure.
 */

/** Where one exchange hears about its raw upstream request. Exactly one of onEnd / onError / onTimeout ends it. */
export interface RawResponseHandler {
  /** Status line and headers (flat rawHeaders form). */
  onHead(status: number, statusMessage: string, rawHeaders: string[]): void
  /** A body chunk; return false to pause the backend until `RawRequest.resume()`. */
  onBody(chunk: Buffer): boolean
  onEnd(): void
  /** `reusedSocket`: the failure happened on a pooled keep-alive socket (the keep-alive race). */
  onError(code: string, reusedSocket: boolean): void
  /** No socket activity for `timeoutMs`. */
  /** No socket activity for the timeout. True: the handler waits on (the socket is kept, timer re-armed). */
  onTimeout(): boolean
}

/** A running raw request: the exchange uses it for backpressure and to cancel. */
export interface RawRequest {
  pause(): void
  resume(): void
  /** Cancels: the socket is destroyed (never returned to the pool with a response half read). */
  abort(): void
}

const kConn = Symbol('prescal.rawConn')

class RawConnection implements RawRequest {
  readonly socket: net.Socket
  private readonly parser: NodeHttpParser
  /** The parser reads the socket's handle itself (see consumeSocket). */
  private readonly consumed: boolean
  handler: RawResponseHandler | null = null
  /** This socket already carried a complete exchange. */
  reused = false
  private headersAcc: string[] = []
  private skipBody = false
  private informational = false
  private keepAlive = false
  private gotHead = false
  /** When it went back to the pool (performance.now()); -1 while in use. */
  idleSince = -1
  /** The socket's setTimeout, re-armed only when a request asks for another value. */
  private armedMs = -1

  constructor(
    private readonly pool: RawUpstreamPool,
    P: HttpParserClass
  ) {
    this.socket = net.connect({ host: pool.host, port: pool.port, noDelay: true })
    ;(this.socket as net.Socket & { [kConn]?: RawConnection })[kConn] = this
    this.socket.on('data', onSocketData)
    this.socket.on('end', onSocketEnd)
    this.socket.on('error', onSocketError)
    this.socket.on('close', onSocketClose)
    this.socket.on('timeout', onSocketTimeout)
    const p = new P()
    p.initialize(P.RESPONSE, {}, 0, 0)
    p[P.kOnHeaders] = (h: string[]) => {
      for (const x of h) this.headersAcc.push(x)
    }
    p[P.kOnHeadersComplete] = (
      _maj: number,
      _min: number,
      headers: string[] | undefined,
      _method: unknown,
      _url: unknown,
      status: number,
      statusMessage: string,
      _upgrade: boolean,
      shouldKeepAlive: boolean
    ): number => this.headersComplete(headers, status, statusMessage, shouldKeepAlive)
    p[P.kOnBody] = (chunk: Buffer) => {
      if (this.handler !== null && !this.handler.onBody(chunk)) this.pause()
    }
    p[P.kOnMessageComplete] = () => this.messageComplete()
    p[P.kOnMessageBegin] = () => this.messageBegin()
    p[P.kOnExecute] = (r: number | Error) => this.executed(r)
    this.parser = p
    this.consumed = consumeSocket(p, this.socket)
  }

  start(head: string, isHead: boolean, handler: RawResponseHandler, timeoutMs: number): void {
    this.idleSince = -1
    this.handler = handler
    this.skipBody = isHead
    this.gotHead = false
    this.headersAcc = []
    if (this.armedMs !== timeoutMs) {
      this.armedMs = timeoutMs
      this.socket.setTimeout(timeoutMs)
    }
    this.socket.write(head, 'latin1')
  }

  pause(): void {
    if (this.consumed) pauseReading(this.socket)
    else this.socket.pause()
  }

  resume(): void {
    if (this.consumed) resumeReading(this.socket)
    else this.socket.resume()
  }

  abort(): void {
    this.handler = null
    this.socket.destroy()
  }

  /** @internal Bytes that reached the socket's stream (only when the parser does not consume it). */
  data(d: Buffer): void {
    this.executed(this.parser.execute(d))
  }

  private executed(r: number | Error): void {
    if (this.consumed) readActivity(this.socket)
    if (r instanceof Error) this.fail('HPE_INVALID_RESPONSE')
  }

  /** @internal */ ended(): void {
    if (this.handler === null && this.idleSince >= 0) this.pool.closedByBackend(performance.now() - this.idleSince)
    // A body delimited by the close (no length): finish() completes it.
    if (this.handler !== null && this.gotHead) {
      const r = this.parser.finish()
      if (r instanceof Error) this.fail('ECONNRESET')
    }
    this.socket.destroy()
  }

  /** @internal */ closed(): void {
    this.pool.forget(this)
    if (this.handler !== null) this.fail('ECONNRESET')
    // The socket is gone for good: free the native parser, or it and this connection leak.
    if (this.consumed) unconsumeSocket(this.parser, this.socket)
    this.parser.close()
  }

  /** @internal */ fail(code: string): void {
    const h = this.handler
    this.handler = null
    this.socket.destroy()
    h?.onError(code, this.reused)
  }

  /** @internal */ timedOut(): void {
    if (this.idleSince >= 0 || this.handler === null) {
      this.socket.destroy()
      return
    }
    const h = this.handler
    if (h.onTimeout()) {
      this.socket.setTimeout(this.armedMs) // the exchange waits on (for its client): look again then
      return
    }
    this.handler = null
    this.socket.destroy()
  }

  private headersComplete(headers: string[] | undefined, status: number, msg: string, keepAlive: boolean): number {
    const raw = headers ?? this.headersAcc
    this.headersAcc = []
    if (status >= 100 && status < 200) {
      // 1xx interim answers (100 Continue, 103 Early Hints) are not forwarded; 101 without an
      // Upgrade request is a protocol error.
      if (status === 101) {
        this.fail('HPE_UNEXPECTED_UPGRADE')
        return 1
      }
      this.informational = true
      return 1
    }
    this.gotHead = true
    this.keepAlive = keepAlive
    this.handler?.onHead(status, msg, raw)
    return this.skipBody ? 1 : 0
  }

  /**
   * A response starts. With no request waiting for it (bytes after a complete response, or on
   * an idle pooled socket) it is stray: parsed on, it would become the next client's answer.
   * The socket is closed instead, as nginx does with a keep-alive socket that is not quiet.
   */
  private messageBegin(): void {
    if (this.handler === null) this.socket.destroy()
  }

  private messageComplete(): void {
    if (this.informational) {
      this.informational = false
      return
    }
    const h = this.handler
    this.handler = null
    // h === null: an answer nobody asked for (or to a cancelled request): never reuse the socket.
    if (h !== null && this.keepAlive && !this.socket.destroyed && this.pool.release(this)) {
      this.reused = true
      this.idleSince = performance.now()
      // Backpressure may have paused it mid-body; the next exchange starts with it flowing.
      this.resume()
    } else {
      this.socket.destroy()
    }
    h?.onEnd()
  }
}

function connOf(s: net.Socket): RawConnection | undefined {
  return (s as net.Socket & { [kConn]?: RawConnection })[kConn]
}
function onSocketData(this: net.Socket, d: Buffer): void {
  connOf(this)?.data(d)
}
function onSocketEnd(this: net.Socket): void {
  connOf(this)?.ended()
}
function onSocketError(this: net.Socket, err: NodeJS.ErrnoException): void {
  connOf(this)?.fail(err.code ?? 'ECONNRESET')
}
function onSocketClose(this: net.Socket): void {
  connOf(this)?.closed()
}
function onSocketTimeout(this: net.Socket): void {
  connOf(this)?.timedOut()
}
function sweep(pool: RawUpstreamPool): void {
  pool.sweep()
}

/**
 * Keep-alive sockets to one backend for raw requests. A socket idle for the idle limit (set below
 * the backend's own keep-alive timeout, learnt when it is shorter: IdleLimit) is never used again: it is closed when a request would take
 * it, or by a sweep every quarter of the limit, one timer per pool instead of two timer re-arms per
 * request. At most `maxIdle` are kept. `destroy()` closes every socket, idle or busy.
 */
export class RawUpstreamPool {
  private readonly free: RawConnection[] = []
  private readonly all = new Set<RawConnection>()
  private sweeper: NodeJS.Timeout | null = null
  private destroyed = false

  constructor(
    readonly host: string,
    readonly port: number,
    /** How long a socket may idle and be reused: a number of ms, or a limit shared with other pools. */
    idle: number | IdleLimit,
    private readonly maxIdle = 256
  ) {
    this.idle = typeof idle === 'number' ? new IdleLimit(idle) : idle
  }

  private readonly idle: IdleLimit

  /** True when Node's HTTP parser binding is usable here. */
  static available(): boolean {
    return llhttp() !== null
  }

  /** Sends `head` (a complete request head) and reports to `handler`. `fresh`: a new connection. */
  request(head: string, isHead: boolean, handler: RawResponseHandler, timeoutMs: number, fresh = false): RawRequest {
    let c = fresh ? undefined : this.takeFree()
    if (c === undefined) {
      c = new RawConnection(this, llhttp()!.HTTPParser)
      this.all.add(c)
    }
    c.start(head, isHead, handler, timeoutMs)
    return c
  }

  /** In use or pooled sockets. */
  get size(): number {
    return this.all.size
  }

  /** @internal Back to the pool after a complete response; false: close it instead. */
  release(c: RawConnection): boolean {
    if (this.destroyed || this.free.length >= this.maxIdle) return false
    this.free.push(c)
    this.sweeper ??= setInterval(sweep, Math.max(25, this.idle.current() / 4), this).unref()
    return true
  }

  /**
   * The most recently used idle socket that is still fresh. `free` is in release order, so once
   * the newest is stale every other one is too: all are closed.
   */
  private takeFree(): RawConnection | undefined {
    const now = performance.now()
    const limit = this.idle.current()
    let c: RawConnection | undefined
    while ((c = this.free.pop()) !== undefined) {
      if (!c.socket.destroyed && now - c.idleSince < limit) return c
      this.all.delete(c)
      c.abort()
    }
    return undefined
  }

  /** @internal Closes the sockets idle for idleMs or longer (the oldest are first). */
  sweep(): void {
    const now = performance.now()
    const limit = this.idle.current()
    let stale = 0
    while (stale < this.free.length && now - this.free[stale]!.idleSince >= limit) stale++
    for (const c of this.free.splice(0, stale)) {
      this.all.delete(c)
      c.abort()
    }
    if (this.free.length === 0) this.stopSweeping()
  }

  private stopSweeping(): void {
    if (this.sweeper !== null) clearInterval(this.sweeper)
    this.sweeper = null
  }

  /** @internal The backend closed a pooled socket: it may have just told us its keep-alive timeout. */
  closedByBackend(idleMs: number): void {
    this.idle.closedByBackend(idleMs)
  }

  /** @internal The socket closed. */
  forget(c: RawConnection): void {
    this.all.delete(c)
    const i = this.free.indexOf(c)
    if (i >= 0) this.free.splice(i, 1)
  }

  /** True when no request is running on any socket. */
  get unused(): boolean {
    return this.all.size === this.free.length
  }

  destroy(): void {
    this.destroyed = true
    this.stopSweeping()
    for (const c of [...this.all]) c.abort()
    this.all.clear()
    this.free.length = 0
  }
}
