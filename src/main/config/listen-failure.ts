/**
 * What the user reads when the proxy cannot listen on the configured `listen` address: what
 * happened, in words, and the one fix (edit `listen` in the named config file, restart). The
 * cause is read from the error's code, never from its text.
 */
import { toWireError } from '../../shared/errors'

const reasons: Record<string, (listen: string) => string> = {
  EADDRINUSE: (listen) => `${listen} is already in use by another program (another Prescal, or a server on that port)`,
  EACCES: (listen) => `permission denied to listen on ${listen} (ports below 1024 need privileges)`,
  EADDRNOTAVAIL: (listen) => `${listen} is not an address of this machine`
}

/** The system error code behind a listen failure: on the error itself or on its cause. */
function systemCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code
    if (typeof code === 'string' && code in reasons) return code
  }
  return undefined
}

/** One message for the banner and the event; `configPath` null when the config came from elsewhere. */
export function describeListenFailure(listen: string, err: unknown, configPath: string | null): string {
  const code = systemCode(err)
  const where = configPath ? `in ${configPath}` : 'in the config file'
  if (code === undefined) return `The proxy is not running: ${toWireError(err).message} (config file: ${configPath ?? 'unknown'})`
  return `The proxy is not running: ${reasons[code]!(listen)}. Change \`listen\` ${where} to a free address and port (e.g. 127.0.0.1:8081), then restart Prescal.`
}
