import { maxHeaderSize, STATUS_CODES, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'

/**
 * Answers a request with a short plain-text error. `close` asks the client to reconnect, used
 * when part of the request body is still unread on the socket (reading it would waste the
 * upload; leaving it would desynchronise keep-alive). Never throws; if headers already went out,
 * the only honest signal left is to cut the connection.
 */
export function sendPlainError(
  res: ServerResponse,
  status: number,
  text: string,
  close: boolean,
  extra?: readonly string[]
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy()
    return
  }
  const body = `${text}\n`
  const headers = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body))]
  if (extra) headers.push(...extra)
  if (close) headers.push('Connection', 'close')
  res.writeHead(status, headers)
  res.end(body)
}

/**
 * The status line and headers of sendPlainError's answer as raw text, for a socket without
 * node:http; the caller adds its connection fields, the blank line and `${text}\n`.
 */
export function plainErrorHead(status: number, text: string, extra?: readonly string[]): string {
  let head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text) + 1}\r\n`
  if (extra) for (let i = 0; i + 1 < extra.length; i += 2) head += `${extra[i]}: ${extra[i + 1]}\r\n`
  return head
}

/** A whole plain-text answer that closes the connection, for a raw socket. */
export function rawErrorResponse(status: number, text: string, extra?: readonly string[]): string {
  return `${plainErrorHead(status, text, extra)}Connection: close\r\n\r\n${text}\n`
}

/** What node:http's parser errors mean for the client: status and a line saying why. */
function clientErrorAnswer(err: NodeJS.ErrnoException & { rawPacket?: unknown }): { status: number; why: string } {
  const limit = `${Math.round(maxHeaderSize / 1024)} KB`
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return requestLineOverflowed(err.rawPacket)
      ? { status: 414, why: `the request line (method, URL, version) is over ${limit}` }
      : { status: 431, why: `the request line and headers are over ${limit}` }
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, why: 'the request headers did not arrive in time' }
  return { status: 400, why: err.code ?? 'malformed request' }
}

/**
 * True when the head overflowed inside its first line: the packet the parser gave up on starts a
 * request (`METHOD target`) and the line has no end within the limit. A long URL is a 414 (as
 * nginx answers), long headers a 431.
 */
function requestLineOverflowed(raw: unknown): boolean {
  if (!Buffer.isBuffer(raw) || !/^[A-Z]{1,20} \S/.test(raw.toString('latin1', 0, 24))) return false
  const eol = raw.indexOf(10)
  return eol === -1 || eol >= maxHeaderSize
}

interface SocketWithMessage extends Duplex {
  _httpMessage?: { headersSent?: boolean } | null
}

/**
 * `clientError` handler: the request could not be parsed (bad framing, oversized headers,
 * timeout). Answers 400 / 408 / 414 / 431 when nothing of a response went out on the socket yet
 * (writing into a half-sent response would corrupt it), then closes the socket.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const s = socket as SocketWithMessage
  if (err.code === 'ECONNRESET' || !s.writable || s._httpMessage?.headersSent) {
    s.destroy()
    return
  }
  const { status, why } = clientErrorAnswer(err)
  s.end(rawErrorResponse(status, `${STATUS_CODES[status]}: ${why}`))
  // end() flushes then closes; destroySoon-like fallback so a peer that never reads cannot pin it.
  ;(s as Socket).setTimeout?.(1000, () => s.destroy())
}

const REFUSALS: Record<number, string> = {
  400: 'Bad Request: an Upgrade request needs exactly one Host header',
  501: 'Not Implemented: CONNECT is not proxied',
  502: 'Bad Gateway: the backend could not be reached for this upgrade',
  503: 'Service Unavailable: no healthy backend',
  504: 'Gateway Timeout: the backend did not answer the upgrade in time'
}

/**
 * Answers an `upgrade` / `connect` request on its raw socket and closes it: 501 for CONNECT
 * (tunnels are not proxied), or the given status when an Upgrade cannot be tunnelled.
 */
export function refuseUpgrade(_req: unknown, socket: Duplex, status = 501): void {
  socket.on('error', () => socket.destroy())
  if (!socket.writable) {
    socket.destroy()
    return
  }
  socket.end(rawErrorResponse(status, REFUSALS[status] ?? 'Error', status === 503 ? ['Retry-After', '1'] : undefined))
  ;(socket as Socket).setTimeout?.(1000, () => socket.destroy())
}
