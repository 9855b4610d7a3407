/** The `{ code, message }` the dashboard shows for any failed command. */

export interface ErrorInfo {
  code: string
  message: string
}

/**
 * Reads the code by shape, not by `instanceof PrescalError`: an error that crossed Electron's
 * contextBridge is a copy made in another JavaScript world, so the class identity is lost.
 * Anything without a code (a bug, a transport failure) becomes INTERNAL.
 */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown }
    const text = typeof message === 'string' && message !== '' ? message : String(err)
    return { code: typeof code === 'string' && code !== '' ? code : 'INTERNAL', message: text }
  }
  return { code: 'INTERNAL', message: String(err) }
}
