import type net from 'node:net'

/**
 * Node's own HTTP/1 parser binding (llhttp), the one node:http is built on. An internal module,
 * but its API has been stable since Node 12; loaded lazily so a runtime without it only loses the
 * fast paths that use it (the raw upstream client and the fast lane fall back to node:http).
 */

export interface NodeHttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void
  execute(data: Buffer): number | Error
  finish(): number | Error | undefined
  /** Frees the native parser. Without it a parser (and all its callbacks reach) is never collected. */
  close(): void
  /** Reads `handle` natively: each read is parsed in C++, then `kOnExecute` gets execute()'s result. */
  consume(handle: unknown): void
  unconsume(): void
  /** A copy of the bytes of the read being reported to `kOnExecute`. */
  getCurrentBuffer(): Buffer
  [k: number]: unknown
}

export interface HttpParserClass {
  new (): NodeHttpParser
  REQUEST: number
  RESPONSE: number
  kOnMessageBegin: number
  kOnHeaders: number
  kOnHeadersComplete: number
  kOnBody: number
  kOnMessageComplete: number
  kOnExecute: number
}

interface Binding {
  HTTPParser: HttpParserClass
  /** Method names by the index llhttp reports. */
  methods: string[]
}

let binding: Binding | null | undefined

/** The parser class and method table, or null when this runtime lacks them. */
export function llhttp(): Binding | null {
  if (binding === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const common = require('_http_common') as Partial<Binding>
      binding = common.HTTPParser !== undefined && Array.isArray(common.methods) ? (common as Binding) : null
    } catch {
      binding = null
    }
  }
  return binding
}

/** The parts of a net.Socket's native handle (and of net.Socket) that consuming touches. */
interface StreamHandle {
  isStreamBase?: boolean
  _consumed?: boolean
  reading?: boolean
  readStart(): number
  readStop(): number
}
type HandleSocket = net.Socket & { _handle?: StreamHandle | null; _unrefTimer?: () => void }

/**
 * What node:http's server does with its connections: the parser reads the socket's native
 * handle itself, so a read costs no Buffer, no stream push and no 'data' event; only EOF and
 * errors still reach the socket (its 'end', 'error', 'close' work as before). The socket's
 * own reading state then means nothing: pause and resume with `pauseReading`/`resumeReading`,
 * and call `readActivity` on each read so `setTimeout` idles count from the last byte in.
 * Returns false (nothing changed) when the socket has no consumable handle.
 */
export function consumeSocket(parser: NodeHttpParser, socket: net.Socket): boolean {
  const h = (socket as HandleSocket)._handle
  if (!h?.isStreamBase || h._consumed === true) return false
  h._consumed = true
  parser.consume(h)
  return true
}

/** Gives reading back to the socket (node:http may then consume it itself). */
export function unconsumeSocket(parser: NodeHttpParser, socket: net.Socket): void {
  parser.unconsume()
  const h = (socket as HandleSocket)._handle
  if (h) h._consumed = false
}

export function pauseReading(socket: net.Socket): void {
  const h = (socket as HandleSocket)._handle
  if (h?.reading) {
    h.reading = false
    h.readStop()
  }
}

export function resumeReading(socket: net.Socket): void {
  const h = (socket as HandleSocket)._handle
  if (h && !h.reading && !socket.destroyed) {
    h.reading = true
    h.readStart()
  }
}

/** Restarts the socket's `setTimeout` clock, as a read through the stream would. */
export function readActivity(socket: net.Socket): void {
  ;(socket as HandleSocket)._unrefTimer?.()
}

/**
 * Stops reading a node:http server socket in a way node:http's own flow control does not undo:
 * it resumes sockets with socket.resume(), which restarts only a handle marked as not reading,
 * and this one stays marked as reading. Undone only by `releaseReading`. False: not reading.
 */
export function holdReading(socket: net.Socket): boolean {
  const h = (socket as HandleSocket)._handle
  if (!h?.reading) return false
  h.readStop()
  return true
}

export function releaseReading(socket: net.Socket): void {
  const h = (socket as HandleSocket)._handle
  if (h?.reading && !socket.destroyed) h.readStart()
}
