import http from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { IdleLimit } from './idle-limit'

const kIdleSince = Symbol('idleSince')
const kLimit = Symbol('idleLimit')

type Watched = Socket & { [kIdleSince]?: number; [kLimit]?: IdleLimit }

/**
 * node:http's keep-alive Agent, for requests with bodies, with the idle limit its raw twin uses:
 * a free socket is closed after `limit.current()` (or sooner, at the backend's own Keep-Alive
 * hint, which the Agent already honours), and a backend closing a free socket teaches the limit
 * its timeout. keepSocketAlive / reuseSocket are the Agent's documented extension points.
 */
export class UpstreamAgent extends http.Agent {
  constructor(
    private readonly limit: IdleLimit,
    opts: http.AgentOptions
  ) {
    super(opts)
  }

  // Typed void in @types/node; node:http uses the result (falsy: destroy the socket).
  override keepSocketAlive(socket: Duplex): void {
    return this.keep(socket as Socket) as unknown as void
  }

  private keep(socket: Socket): boolean {
    if (!(super.keepSocketAlive(socket) as unknown as boolean)) return false
    const s = socket as Watched
    const limit = Math.max(1, Math.round(this.limit.current()))
    if (!(s.timeout !== undefined && s.timeout > 0 && s.timeout <= limit)) s.setTimeout(limit)
    s[kIdleSince] = performance.now()
    if (s[kLimit] === undefined) {
      s[kLimit] = this.limit
      s.on('end', onEnd)
    }
    return true
  }

  override reuseSocket(socket: Duplex, req: http.ClientRequest): void {
    ;(socket as Watched)[kIdleSince] = -1
    super.reuseSocket(socket, req)
  }
}

function onEnd(this: Watched): void {
  const since = this[kIdleSince] ?? -1
  if (since >= 0) this[kLimit]?.closedByBackend(performance.now() - since)
}
