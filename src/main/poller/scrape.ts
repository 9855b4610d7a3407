/**
 * One HTTP GET of a backend's metrics path, with every resource released on every path.
 *
 * The predecessor of this project opened a socket per scrape and never closed it when the backend
 * was down. Here the request owns exactly one socket (created by us, no agent, no keep-alive pool),
 * one timer and at most one abort listener; `finish` is the only exit and it releases all three,
 * and the promise resolves only after the socket has emitted 'close' (its fd is gone).
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { FailureReason } from '../../shared/types'

export interface ScrapeEndpoint {
  host: string
  port: number
  /** Request path, e.g. `/metrics`. */
  path: string
}

export interface ScrapeOptions {
  /** One deadline for connect + response headers + the whole body. */
  timeoutMs: number
  /** The socket is destroyed as soon as the body grows past this many bytes. */
  maxBodyBytes: number
  /** Aborting settles the scrape at once with reason 'connection_error' and message 'aborted'. */
  signal?: AbortSignal
  /**
   * A health check instead of a scrape: the status alone decides (healthy: `ok` with a null
   * body, else 'bad_status'), at the response headers; the body is never read.
   */
  judgeStatus?: (status: number) => boolean
}

/**
 * `ok: true` when the backend answered 2xx (body is the decoded text) or 404 (body is null: the
 * backend is alive but has no metrics endpoint). Every other result is a failure with a reason.
 */
export type ScrapeOutcome =
  | { ok: true; status: number; body: string | null; durationMs: number }
  | { ok: false; reason: FailureReason; message: string; durationMs: number }

type Verdict =
  | { ok: true; status: number; body: string | null }
  | { ok: false; reason: FailureReason; message: string }

const REQUEST_HEADERS = {
  // Ask for the text format and no compression: the cap counts bytes on the wire.
  accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1',
  'accept-encoding': 'identity',
  connection: 'close',
  'user-agent': 'prescal-poller'
}

/**
 * Scrapes `target` once. Never throws and never rejects; the promise settles exactly once, after
 * the timer is cleared, the abort listener removed and the socket closed.
 *
 * Failure reasons: ECONNREFUSED → 'refused'; deadline → 'timeout'; status other than 2xx/404 →
 * 'bad_status' (message has the code); body past the cap → 'body_too_large'; reset, close before
 * the body ends, malformed HTTP, invalid target or abort → 'connection_error'.
 */
export function scrapeOnce(target: ScrapeEndpoint, opts: ScrapeOptions): Promise<ScrapeOutcome> {
  return new Promise<ScrapeOutcome>((resolve) => {
    const startedAt = performance.now()
    const { signal, maxBodyBytes } = opts
    let settled = false
    let timer: NodeJS.Timeout | null = null
    let socket: Socket | null = null
    let req: ClientRequest | null = null
    let res: IncomingMessage | null = null

    const finish = (verdict: Verdict): void => {
      if (settled) return
      settled = true
      if (timer !== null) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      const outcome: ScrapeOutcome = { ...verdict, durationMs: performance.now() - startedAt }
      // Destroying all three is idempotent and covers every stage (connecting, headers, body).
      res?.destroy()
      req?.destroy()
      socket?.destroy()
      if (socket === null || socket.closed) resolve(outcome)
      else socket.once('close', () => resolve(outcome))
    }
    const onAbort = (): void => finish(failure('connection_error', 'aborted'))

    if (signal?.aborted) {
      finish(failure('connection_error', 'aborted'))
      return
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    timer = setTimeout(
      () => finish(failure('timeout', `no complete response within ${opts.timeoutMs} ms`)),
      opts.timeoutMs
    )

    try {
      req = request({
        host: target.host,
        port: target.port,
        path: target.path,
        method: 'GET',
        headers: REQUEST_HEADERS,
        // Our own socket instead of an agent: nothing is pooled, so nothing can linger. It is
        // created only after http has validated the path, so a bad target opens nothing.
        createConnection: () => {
          const own = new Socket()
          socket = own
          // Stays attached after finish: a late error on a destroyed socket must not go uncaught.
          own.on('error', (err) => finish(classifyError(err)))
          // connect() can throw (bad port) after it has opened a TCP handle; holding the socket
          // first lets finish() close that handle instead of leaking it.
          return own.connect({ host: target.host, port: target.port })
        }
      })
    } catch (err) {
      // e.g. characters http refuses in the path, rejected before any socket exists.
      finish(failure('connection_error', `invalid target: ${errorMessage(err)}`))
      return
    }

    req.on('error', (err) => finish(classifyError(err)))
    req.on('response', (response) => {
      res = response
      response.on('error', (err) => finish(classifyError(err)))
      response.on('close', () =>
        finish(failure('connection_error', 'connection closed before the body was complete'))
      )
      const status = response.statusCode ?? 0
      if (opts.judgeStatus !== undefined) {
        return finish(opts.judgeStatus(status) ? { ok: true, status, body: null } : badStatus(response))
      }
      if (status === 404) return finish({ ok: true, status, body: null })
      if (status < 200 || status > 299) return finish(badStatus(response))
      const declared = Number(response.headers['content-length'])
      if (declared > maxBodyBytes) {
        return finish(tooLarge(`Content-Length ${declared}`, maxBodyBytes))
      }
      const chunks: Buffer[] = []
      let size = 0
      response.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > maxBodyBytes) return finish(tooLarge(`at least ${size} bytes`, maxBodyBytes))
        chunks.push(chunk)
      })
      response.on('end', () =>
        finish({ ok: true, status, body: Buffer.concat(chunks, size).toString('utf8') })
      )
    })
    req.end()
  })
}

function failure(reason: FailureReason, message: string): Verdict {
  return { ok: false, reason, message }
}

function badStatus(response: IncomingMessage): Verdict {
  const text = response.statusMessage ? ` ${response.statusMessage}` : ''
  return failure('bad_status', `HTTP ${response.statusCode ?? 0}${text}`)
}

function tooLarge(what: string, cap: number): Verdict {
  return failure('body_too_large', `body of ${what} exceeds the cap of ${cap} bytes`)
}

function classifyError(err: unknown): Verdict {
  const code = errorCode(err)
  if (code === 'ECONNREFUSED') return failure('refused', errorMessage(err))
  return failure('connection_error', errorMessage(err))
}

/** The errno code; with autoSelectFamily a failed connect is an AggregateError of attempts. */
function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') return code
  if (err instanceof AggregateError) return errorCode(err.errors[0])
  return undefined
}

function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.message === '') {
    return err.errors.map(errorMessage).join('; ')
  }
  return err instanceof Error ? err.message : String(err)
}
