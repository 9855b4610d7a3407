/**
 * Runs engine calls under a deadline and maps every failure through mapDockerError. Knows nothing
 * of dockerode: a call is a function of an AbortSignal. close() aborts whatever is in flight.
 */
import { PrescalError } from '../../shared/errors'
import { mapDockerError, type DockerCallContext } from './docker-error-mapper'

export interface CallTarget {
  target?: string
  image?: string
}

export class DockerCallGuard {
  private readonly inflight = new Set<AbortController>()
  private closed = false

  constructor(
    private readonly endpoint: string,
    private readonly defaultTimeoutMs: number,
    /** A call found the engine unreachable (DOCKER_UNAVAILABLE), e.g. its socket is gone. */
    private readonly onUnreachable: () => void = () => undefined
  ) {}

  /** The context mapDockerError needs, for failures that did not come through run(). */
  context(action: string, target: CallTarget, timeoutMs = this.defaultTimeoutMs, timedOut = false): DockerCallContext {
    return { action, ...target, endpoint: this.endpoint, timeoutMs, timedOut }
  }

  /**
   * Runs `fn` with a signal aborted at the deadline. Rejects DOCKER_TIMEOUT at the deadline even if
   * `fn` ignores the signal (not every dockerode method forwards it), CLOSED after close(), else
   * with mapDockerError's mapping.
   */
  async run<T>(
    action: string,
    target: CallTarget,
    fn: (signal: AbortSignal) => Promise<T>,
    timeoutMs: number = this.defaultTimeoutMs
  ): Promise<T> {
    if (this.closed) throw new PrescalError('CLOSED', 'The Docker fleet is closed')
    const ac = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      ac.abort()
    }, timeoutMs)
    this.inflight.add(ac)
    let onAbort = (): void => undefined
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Error(`aborted: ${action}`))
      ac.signal.addEventListener('abort', onAbort, { once: true })
    })
    try {
      return await Promise.race([fn(ac.signal), aborted])
    } catch (err) {
      if (this.closed) throw new PrescalError('CLOSED', 'The Docker fleet is closed', { cause: err })
      const mapped = mapDockerError(err, this.context(action, target, timeoutMs, timedOut))
      if (mapped.code === 'DOCKER_UNAVAILABLE') this.onUnreachable()
      throw mapped
    } finally {
      clearTimeout(timer)
      ac.signal.removeEventListener('abort', onAbort)
      this.inflight.delete(ac)
    }
  }

  /** Aborts every call in flight; later calls reject CLOSED. Idempotent. */
  close(): void {
    this.closed = true
    for (const ac of this.inflight) ac.abort()
    this.inflight.clear()
  }
}
