import type http from 'node:http'
import { sendPlainError } from './error-responses'

/** What the client side tells the exchange it serves. */
export interface ClientSideListener {
  /** The response is over: fully handed to the socket (`finished`), or the client went away. Called once. */
  end(): void
  /** The client's socket took what was buffered: the backend's body may flow again. */
  relayDrain(): void
}

/**
 * The client half of one proxied exchange: the request as it arrived and the response being
 * written back. Two implementations: `NodeClientSide` (node:http, for requests with a body and
 * everything unusual) and the fast lane's `FastResponse` (raw sockets, bodiless requests).
 */
export interface ClientSide {
  readonly method: string
  readonly url: string
  /** The request body was read completely (always true without a body). */
  readonly requestComplete: boolean
  /** The whole response was handed to the socket. */
  readonly finished: boolean
  /** Starts hearing `end` and `relayDrain`; called once, before anything is written. */
  attach(listener: ClientSideListener): void
  /** Streams the request body into the upstream request (requests with a body only). */
  pipeBody(to: NodeJS.WritableStream): void
  /**
   * Status line and headers (flat rawHeaders form, hop-by-hop fields already removed); the
   * client side adds its own framing and connection fields. Throws when node:http refuses a
   * header; nothing was sent then.
   */
  writeHead(status: number, statusMessage: string, headers: string[]): void
  /** A body chunk; false: wait for `relayDrain` before writing more. */
  write(chunk: Buffer): boolean
  end(): void
  /** Cuts the connection: the only signal left once the headers went out. */
  destroy(): void
  /** A complete short plain-text answer (see sendPlainError). */
  sendError(status: number, text: string, close: boolean, extra?: readonly string[]): void
}

const kSide = Symbol('prescal.clientSide')
interface Tagged {
  [kSide]?: NodeClientSide
}

/**
 * A node:http request/response pair as a ClientSide. Event handlers are module-level functions
 * that find their side through a symbol property: no closures per request.
 */
export class NodeClientSide implements ClientSide {
  private listener: ClientSideListener | null = null

  constructor(
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
    /** True once the server is closing: answers carry `Connection: close`. */
    private readonly closing: () => boolean
  ) {}

  get method(): string {
    return this.req.method ?? 'GET'
  }

  get url(): string {
    return this.req.url ?? '/'
  }

  get requestComplete(): boolean {
    return this.req.complete
  }

  get finished(): boolean {
    return this.res.writableFinished
  }

  attach(listener: ClientSideListener): void {
    this.listener = listener
    ;(this.res as Tagged)[kSide] = this
    ;(this.req as Tagged)[kSide] = this
    this.res.on('close', onResClose)
    this.res.on('error', onResError)
    this.res.on('drain', onResDrain)
    this.req.on('error', onReqError)
  }

  pipeBody(to: NodeJS.WritableStream): void {
    this.req.pipe(to)
  }

  writeHead(status: number, statusMessage: string, headers: string[]): void {
    if (this.closing()) headers.push('Connection', 'close')
    this.res.writeHead(status, statusMessage, headers)
  }

  write(chunk: Buffer): boolean {
    return this.res.write(chunk)
  }

  end(): void {
    this.res.end()
  }

  destroy(): void {
    this.res.destroy()
  }

  sendError(status: number, text: string, close: boolean, extra?: readonly string[]): void {
    sendPlainError(this.res, status, text, close, extra)
  }

  /** @internal */ ended(): void {
    this.listener?.end()
  }

  /** @internal */ drained(): void {
    this.listener?.relayDrain()
  }
}

function sideOf(emitter: unknown): NodeClientSide | undefined {
  return (emitter as Tagged)[kSide]
}

// node:http emits 'close' on the response both after a normal finish and when the connection
// goes away.
function onResClose(this: http.ServerResponse): void {
  sideOf(this)?.ended()
}

function onResDrain(this: http.ServerResponse): void {
  sideOf(this)?.drained()
}

// EPIPE / ECONNRESET while writing to the client: the 'close' that follows does the cleanup. The
// listener exists so these never become unhandled 'error' events.
function onResError(): void {}

// The client connection closed before the request was done ('aborted'). Usually the response's
// 'close' follows; for a pipelined request still queued behind another it never does, so this
// ends the exchange too (the exchange's end() is idempotent).
function onReqError(this: http.IncomingMessage): void {
  sideOf(this)?.ended()
}
