/**
 * The one place where a failed Docker Engine call becomes a PrescalError. Pure: it reads the
 * error's fields (`statusCode` and `json.message` from docker-modem, `code` from Node's sockets)
 * and the call's context, never the network.
 */
import { PrescalError } from '../../shared/errors'
import { isDemoImage } from '../../shared/demo-image'

export interface DockerCallContext {
  /** Verb phrase for messages: "stop", "create a replica of", "list containers". */
  action: string
  /** Container id or name the call was about. */
  target?: string
  /** Image the call needed (create, build, inspect image). */
  image?: string
  /** Where the engine is, e.g. "/var/run/docker.sock" or "tcp://10.0.0.5:2375". */
  endpoint: string
  timeoutMs: number
  /** True when our deadline aborted the call. */
  timedOut: boolean
}

/** Socket-level codes that mean "no engine there (now)". */
const unreachableCodes = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOTCONN'
])

function field(err: unknown, name: string): unknown {
  return err !== null && typeof err === 'object' ? (err as Record<string, unknown>)[name] : undefined
}

/** The engine's own message ("No such container: abc"), else the error's message. */
export function engineMessage(err: unknown): string {
  const json = field(err, 'json')
  const fromJson = typeof json === 'string' ? json : field(json, 'message')
  if (typeof fromJson === 'string' && fromJson.trim()) return fromJson.trim()
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8').trim()
  return err instanceof Error ? err.message : String(err)
}

/** HTTP 304 from start/stop: the container already is in the asked state. */
export function isNotModified(err: unknown): boolean {
  return field(err, 'statusCode') === 304
}

/** HTTP 404 from the engine, whatever the object. */
export function isEngineNotFound(err: unknown): boolean {
  return field(err, 'statusCode') === 404
}

/** Maps any failure of an engine call to a PrescalError with a message saying what to do. */
export function mapDockerError(err: unknown, ctx: DockerCallContext): PrescalError {
  if (err instanceof PrescalError) return err
  const what = ctx.target ? `${ctx.action} ${ctx.target}` : ctx.action
  const code = field(err, 'code')
  const status = field(err, 'statusCode')
  const msg = engineMessage(err)

  if (ctx.timedOut || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
    return new PrescalError(
      'DOCKER_TIMEOUT',
      `Docker engine at ${ctx.endpoint} did not finish "${what}" within ${ctx.timeoutMs} ms: it may be overloaded or hung; try again or restart Docker`,
      { cause: err }
    )
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new PrescalError(
      'DOCKER_UNAVAILABLE',
      `Permission denied on ${ctx.endpoint}: add your user to the docker group (then log in again) or point docker.host at an engine you may use`,
      { cause: err }
    )
  }
  if (typeof code === 'string' && unreachableCodes.has(code)) {
    return new PrescalError(
      'DOCKER_UNAVAILABLE',
      `Docker engine not reachable at ${ctx.endpoint} (${code}): start Docker (dockerd / Docker Desktop)`,
      { cause: err }
    )
  }
  if (status === 404) {
    if (/no such image|pull access denied|repository .* not found/i.test(msg) && ctx.image) {
      return new PrescalError(
        'IMAGE_MISSING',
        isDemoImage(ctx.image)
          ? `Image ${ctx.image} not found: build it with Build demo image (or npm run demo-image)`
          : `Image ${ctx.image} not found: docker pull ${ctx.image}, or docker build -t ${ctx.image} <dir>, then scale again`,
        { cause: err }
      )
    }
    const subject = ctx.target ? `Container ${ctx.target}` : 'The object'
    return new PrescalError(
      'NOT_FOUND',
      `${subject} not found (${msg}): it may have been removed; refresh the list`,
      { cause: err }
    )
  }
  if (status === 409) {
    return new PrescalError('CONFLICT', `Cannot ${what}: ${msg}`, { cause: err })
  }
  const statusText = typeof status === 'number' ? ` (HTTP ${status})` : ''
  return new PrescalError('DOCKER_ERROR', `Docker could not ${what}${statusText}: ${msg}`, { cause: err })
}
