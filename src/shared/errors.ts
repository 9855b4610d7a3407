/**
 * Every failure that crosses a module boundary is a PrescalError with a stable `code`.
 * Callers branch on `code`, never on message text. Across a bridge an error travels as
 * `{ code, message }` (see `toWireError` / `fromWireError`) and is rebuilt on the other side.
 */
export const errorCodes = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHORIZED',
  'CONFIG_INVALID',
  'DOCKER_UNAVAILABLE',
  'DOCKER_TIMEOUT',
  'DOCKER_ERROR',
  'IMAGE_MISSING',
  'PORT_EXHAUSTED',
  'SCALE_FAILED',
  'READINESS_TIMEOUT',
  'PROXY_NO_HEALTHY_BACKEND',
  'PROXY_UPSTREAM_UNREACHABLE',
  'PROXY_UPSTREAM_TIMEOUT',
  'PROXY_LISTEN_FAILED',
  'SCRAPE_REFUSED',
  'SCRAPE_TIMEOUT',
  'SCRAPE_BAD_STATUS',
  'SCRAPE_PARSE_ERROR',
  'SCRAPE_BODY_TOO_LARGE',
  'SCRAPE_CONNECTION_ERROR',
  'HISTORY_WRITE_FAILED',
  'HISTORY_READ_FAILED',
  'CLOSED',
  'INTERNAL'
] as const

export type ErrorCode = (typeof errorCodes)[number]

export class PrescalError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PrescalError'
    this.code = code
  }
}

export interface WireError {
  code: ErrorCode
  message: string
}

export function isPrescalError(err: unknown, code?: ErrorCode): err is PrescalError {
  return err instanceof PrescalError && (code === undefined || err.code === code)
}

/** Any thrown value to the `{ code, message }` form the bridges send. Unknown errors become INTERNAL. */
export function toWireError(err: unknown): WireError {
  if (err instanceof PrescalError) return { code: err.code, message: err.message }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'INTERNAL', message }
}

export function fromWireError(wire: WireError): PrescalError {
  const code = (errorCodes as readonly string[]).includes(wire.code) ? wire.code : 'INTERNAL'
  return new PrescalError(code, wire.message)
}
