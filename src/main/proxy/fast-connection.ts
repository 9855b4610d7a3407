import type net from 'node:net'
import type { ClientSide, ClientSideListener } from './client-side'
import { answerClientError, plainErrorHead } from './error-responses'
import { consumeSocket, llhttp, readActivity, unconsumeSocket, type NodeHttpParser } from './llhttp-binding'
import { hostCount } from './hop-by-hop'
import { checkRequestFraming } from './request-framing'

/** What a fast connection needs from the listener that accepted it. */
export interface FastLane {
  /** True once the listener is closing: connections close after their current answer. */
  readonly closing: boolean
  /** A request's head must be complete this long after its first byte, else 408. */
  readonly headersTimeoutMs: number
  /** An idle keep-alive connection is closed after this long (announced as `Keep-Alive: timeout`). */
  readonly keepAliveMs: number
  /** A complete bodiless request: answer it on `res` (forward it, or answer an error). */
  serve(res: FastResponse, rawHeaders: string[], remoteAddress: string | undefined): void
  /** Anything else: node:http takes the connection over, parsing again from `bytes` (the current request's first byte). */
  handOff(socket: net.Socket, bytes: Buffer | null): void
  /** The connection is gone or was handed off. */
  forget(conn: FastConnection): void
}

// Bytes of pipelined requests held while the current one is answered before reading pauses.
const MAX_QUEUED_BYTES = 64 * 1024

const kConn = Symbol('prescal.fastConnection')
type TaggedSocket = net.Socket & { [kConn]?: FastConnection }

/**
 * One client connection served without node:http: Node's llhttp parser reads request heads off
 * the socket, and a bodiless HTTP/1.1 request (GET, HEAD, DELETE... most traffic) is answered
 * through a `FastResponse` with one write per response when it fits. Everything else (a body,
 * an Upgrade, CONNECT, Expect, HTTP/1.0, a parse error or an oversized head) is handed to the
 * listener's node:http server from that request's first byte on, so those paths keep node:http's
 * behaviour. Requests are answered one at a time, in order; pipelined bytes wait.
 * Every path ends in exactly one of: the socket closes (`forget`), or it is handed off.
 *
 * Reads go straight from the socket's handle into the parser (consumeSocket), as in node:http's
 * server. A client that pipelines (bytes after a head, or while a request is answered) is read
 * through the socket's stream from then on, where queued bytes can pause it.
 */
export class FastConnection {
  private readonly parser: NodeHttpParser
  private readonly remoteAddress: string | undefined
  /** Bytes of the request head being received (kept in case node:http must take over). */
  private pending: Buffer[] = []
  /** Bytes after the current request (pipelining), read once it is answered. */
  private queued: Buffer | null = null
  private current: FastResponse | null = null
  /** The parser reads the socket's handle itself; false: bytes come as 'data' events. */
  private consumed = false
  private headTimer: NodeJS.Timeout | null = null
  private gone = false
  private corked = false
  // The head just parsed (parser callbacks fill these).
  private headDone = false
  private headUrl = ''
  private headHeaders: string[] = []
  private headMethod = ''
  private headSimple = false
  private headKeepAlive = false

  constructor(
    readonly socket: net.Socket,
    private readonly lane: FastLane
  ) {
    const binding = llhttp()!
    const P = binding.HTTPParser
    const methods = binding.methods
    this.parser = new P()
    this.parser.initialize(P.REQUEST, {}, 0, 0)
    this.parser[P.kOnHeaders] = (headers: string[], url: string) => {
      for (const h of headers) this.headHeaders.push(h)
      this.headUrl += url
    }
    this.parser[P.kOnHeadersComplete] = (
      major: number,
      minor: number,
      headers: string[] | undefined,
      method: number,
      url: string | undefined,
      _status: unknown,
      _msg: unknown,
      upgrade: boolean,
      keepAlive: boolean
    ): number => {
      const raw = headers ?? this.headHeaders
      this.headHeaders = raw
      if (url !== undefined) this.headUrl = url
      this.headMethod = methods[method] ?? ''
      this.headKeepAlive = keepAlive
      this.headSimple = major === 1 && minor === 1 && !upgrade && this.headMethod !== 'CONNECT' && isBodiless(raw)
      this.headDone = true
      // 2 = "no body, stop after this message": execute() returns where the head ends, which
      // is where the next request starts (or this one's body, for node:http to read).
      return 2
    }
    this.parser[P.kOnExecute] = (parsed: number | Error) => this.executed(parsed)
    this.remoteAddress = socket.remoteAddress
    ;(socket as TaggedSocket)[kConn] = this
    socket.on('data', onData)
    socket.on('end', onEnd)
    socket.on('error', onError)
    socket.on('close', onClose)
    socket.on('timeout', onTimeout)
    socket.on('drain', onDrain)
    socket.setTimeout(lane.keepAliveMs)
    this.consumed = consumeSocket(this.parser, socket)
  }

  /** Closes the connection if no request is being received or answered (shutdown). */
  closeIfIdle(): void {
    if (this.current === null && this.pending.length === 0) this.socket.destroy()
  }

  destroy(): void {
    this.socket.destroy()
  }

  /** @internal */ data(chunk: Buffer): void {
    if (this.current !== null || this.queued !== null) {
      this.queued = this.queued === null ? chunk : Buffer.concat([this.queued, chunk])
      if (this.queued.length > MAX_QUEUED_BYTES) this.socket.pause()
      return
    }
    this.feed(chunk)
  }

  /** @internal A read the parser consumed from the handle: its bytes are parsed already. */
  executed(parsed: number | Error): void {
    readActivity(this.socket)
    if (this.gone) return
    if (this.current !== null || this.queued !== null) {
      // Pipelined bytes, parsed before their turn: keep them raw, start the parser over, and
      // read the rest of this connection through the stream.
      const chunk = this.parser.getCurrentBuffer()
      this.restartParser()
      this.stopConsuming()
      this.data(chunk)
      return
    }
    this.parsed(parsed, null)
  }

  private feed(chunk: Buffer): void {
    this.headDone = false
    this.parsed(this.parser.execute(chunk), chunk)
  }

  /** After the parser ran over `chunk` (null: the consumed read, fetched only when needed). */
  private parsed(parsed: number | Error, chunk: Buffer | null): void {
    if (typeof parsed !== 'number') {
      // Malformed or oversized: node:http reads it again and answers 400 / 431 as it always does.
      this.handOff(chunk ?? this.parser.getCurrentBuffer())
      return
    }
    if (!this.headDone) {
      this.pending.push(chunk ?? this.parser.getCurrentBuffer())
      this.headTimer ??= setTimeout(onHeadTimeout, this.lane.headersTimeoutMs, this)
      return
    }
    chunk ??= this.parser.getCurrentBuffer()
    const headers = this.headHeaders
    const url = this.headUrl
    this.restartParser()
    if (!this.headSimple) {
      this.handOff(chunk)
      return
    }
    const res = new FastResponse(this, this.headMethod, url, this.headKeepAlive)
    this.pending = []
    if (this.headTimer !== null) {
      clearTimeout(this.headTimer)
      this.headTimer = null
    }
    this.queued = parsed < chunk.length ? chunk.subarray(parsed) : null
    this.current = res
    this.lane.serve(res, headers, this.remoteAddress)
  }

  /** After a "stop after this message" the parser must start over for the next one. */
  private restartParser(): void {
    this.parser.initialize(llhttp()!.HTTPParser.REQUEST, {}, 0, 0)
    this.headDone = false
    this.headHeaders = []
    this.headUrl = ''
  }

  private stopConsuming(): void {
    if (!this.consumed) return
    this.consumed = false
    unconsumeSocket(this.parser, this.socket)
  }

  /** The next pipelined request, once the previous one was answered. */
  /** @internal */ readQueued(): void {
    const q = this.queued
    if (this.gone || this.current !== null || q === null) return
    this.queued = null
    if (this.socket.isPaused()) this.socket.resume()
    this.feed(q)
  }

  private handOff(chunk: Buffer): void {
    const bytes = this.pending.length === 0 ? chunk : Buffer.concat([...this.pending, chunk])
    this.leave()
    this.lane.handOff(this.socket, bytes)
  }

  /** Stops listening to the socket (it closed, or node:http takes it). */
  private leave(): void {
    if (this.gone) return
    this.gone = true
    if (this.headTimer !== null) clearTimeout(this.headTimer)
    this.headTimer = null
    const s = this.socket
    s.off('data', onData)
    s.off('end', onEnd)
    s.off('error', onError)
    s.off('close', onClose)
    s.off('timeout', onTimeout)
    s.off('drain', onDrain)
    s.setTimeout(0)
    ;(s as TaggedSocket)[kConn] = undefined
    // Unconsumed so node:http can read it after a hand-off. Closed (freed) a turn later: this
    // may run inside the parser's own read callback, which touches the parser after it returns.
    this.stopConsuming()
    setImmediate(closeParser, this.parser)
    this.lane.forget(this)
  }

  /** @internal Writes of one response go out together: corked until the end of this tick. */
  write(data: string | Buffer): boolean {
    if (!this.corked) {
      this.corked = true
      this.socket.cork()
      process.nextTick(uncork, this)
    }
    return typeof data === 'string' ? this.socket.write(data, 'latin1') : this.socket.write(data)
  }

  /** @internal */ uncork(): void {
    if (!this.corked) return
    this.corked = false
    this.socket.uncork()
  }

  /** @internal Whether the connection stays open after `res`. */
  keepsAlive(res: FastResponse): boolean {
    return res.keepAlive && !this.lane.closing
  }

  /** @internal The keep-alive announcement for a response that keeps the connection. */
  get keepAliveHeader(): string {
    return `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(this.lane.keepAliveMs / 1000)}\r\n`
  }

  /** @internal `res` was answered completely (`close`: the answer said Connection: close). */
  responseDone(res: FastResponse, close: boolean): void {
    if (this.current !== res) return
    this.current = null
    this.uncork()
    res.listener?.end()
    if (close || !this.keepsAlive(res)) this.socket.destroySoon()
    // A client that pipelines but does not read its answers: the next request waits for 'drain'.
    else if (this.queued !== null && !this.socket.writableNeedDrain) process.nextTick(readQueued, this)
  }

  /**
   * @internal The client closed its side. As node:http does (without httpAllowHalfOpen), that
   * is the client going away: whatever it still waits for is cancelled.
   */
  ended(): void {
    this.socket.destroy()
  }

  /** @internal */ closed(): void {
    const res = this.current
    this.current = null
    this.leave()
    res?.abort()
  }

  /** @internal */ timedOut(): void {
    // Idle keep-alive (or a connection that never sent a byte): close quietly, as node:http does.
    if (this.current === null && this.pending.length === 0) this.socket.destroy()
  }

  /** @internal */ headTimedOut(): void {
    this.headTimer = null
    if (this.gone || this.current !== null) return
    this.leave()
    this.socket.on('error', onError)
    const err: NodeJS.ErrnoException = new Error('request headers timed out')
    err.code = 'ERR_HTTP_REQUEST_TIMEOUT'
    answerClientError(err, this.socket)
  }

  /** @internal */ drained(): void {
    if (this.current !== null) this.current.listener?.relayDrain()
    else if (this.queued !== null) this.readQueued()
  }
}

/**
 * The response to one fast-lane request. HTTP/1.1 framing to the client is its own: a backend's
 * Content-Length is kept, any other body (chunked or close-delimited upstream) goes out chunked.
 */
export class FastResponse implements ClientSide {
  readonly requestComplete = true
  finished = false
  /** @internal */ listener: ClientSideListener | null = null
  private done = false
  private headSent = false
  private chunked = false
  private closeAfter = false

  constructor(
    private readonly conn: FastConnection,
    readonly method: string,
    readonly url: string,
    /** The client wants the connection kept (HTTP/1.1 without Connection: close). */
    readonly keepAlive: boolean
  ) {}

  attach(listener: ClientSideListener): void {
    this.listener = listener
  }

  pipeBody(): void {
    throw new Error('a fast-lane request has no body')
  }

  writeHead(status: number, statusMessage: string, headers: string[]): void {
    if (this.done) return
    // Values come from llhttp, which already refuses CR, LF and NUL in them: nothing to escape.
    let head = `HTTP/1.1 ${status} ${statusMessage}\r\n`
    let hasLength = false
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i]!
      if (name.length === 14 && name.toLowerCase() === 'content-length') hasLength = true
      head += `${name}: ${headers[i + 1]!}\r\n`
    }
    this.chunked = !hasLength && this.method !== 'HEAD' && status !== 204 && status !== 304
    if (this.chunked) head += 'Transfer-Encoding: chunked\r\n'
    this.closeAfter = !this.conn.keepsAlive(this)
    head += this.closeAfter ? 'Connection: close\r\n\r\n' : `${this.conn.keepAliveHeader}\r\n`
    this.headSent = true
    this.conn.write(head)
  }

  write(chunk: Buffer): boolean {
    if (this.done || chunk.length === 0) return true
    if (!this.chunked) return this.conn.write(chunk)
    this.conn.write(`${chunk.length.toString(16)}\r\n`)
    this.conn.write(chunk)
    return this.conn.write('\r\n')
  }

  end(): void {
    if (this.done) return
    if (this.chunked) this.conn.write('0\r\n\r\n')
    this.finish()
  }

  destroy(): void {
    if (!this.done) this.conn.destroy()
  }

  sendError(status: number, text: string, close: boolean, extra?: readonly string[]): void {
    if (this.done) return
    if (this.headSent) {
      this.conn.destroy()
      return
    }
    this.closeAfter = close || !this.conn.keepsAlive(this)
    const connection = this.closeAfter ? 'Connection: close\r\n' : this.conn.keepAliveHeader
    // An answer to HEAD has no body (its Content-Length still says how long it would be).
    const body = this.method === 'HEAD' ? '' : `${text}\n`
    // utf8: the text may name a backend; the head itself is ASCII.
    this.conn.write(Buffer.from(`${plainErrorHead(status, text, extra)}${connection}\r\n${body}`))
    this.finish()
  }

  /** @internal The client went away before the answer was complete. */
  abort(): void {
    if (this.done) return
    this.done = true
    this.listener?.end()
  }

  private finish(): void {
    this.done = true
    this.finished = true
    this.conn.responseDone(this, this.closeAfter)
  }
}

/**
 * No body framing at all, and exactly one Host header. Bodies and Expect go through node:http,
 * and so do HTTP/1.1 requests without Host or with two, which are answered 400 there (RFC 9112
 * §3.2).
 */
function isBodiless(raw: readonly string[]): boolean {
  const framing = checkRequestFraming(raw)
  if (!framing.ok || framing.body !== 'none') return false
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length === 6 && name.toLowerCase() === 'expect') return false
  }
  return hostCount(raw) === 1
}

function connOf(s: net.Socket): FastConnection | undefined {
  return (s as TaggedSocket)[kConn]
}
function onData(this: net.Socket, chunk: Buffer): void {
  connOf(this)?.data(chunk)
}
function onEnd(this: net.Socket): void {
  connOf(this)?.ended()
}
// The 'close' that follows does the cleanup.
function onError(): void {}
function onClose(this: net.Socket): void {
  connOf(this)?.closed()
}
function onTimeout(this: net.Socket): void {
  connOf(this)?.timedOut()
}
function onDrain(this: net.Socket): void {
  connOf(this)?.drained()
}
function onHeadTimeout(conn: FastConnection): void {
  conn.headTimedOut()
}
function uncork(conn: FastConnection): void {
  conn.uncork()
}
function closeParser(parser: NodeHttpParser): void {
  parser.close()
}
function readQueued(conn: FastConnection): void {
  conn.readQueued()
}
