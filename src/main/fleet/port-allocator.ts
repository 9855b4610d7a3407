/**
 * Host port choice for new replicas: the lowest ports of the configured range that no container of
 * the engine holds and that nothing else on this machine listens on, and, when there are too few,
 * a message that says who holds the rest and what to change.
 */
import { createServer } from 'node:net'
import { PrescalError } from '../../shared/errors'

export interface PortRange {
  from: number
  to: number
}

/** Who holds the ports of the range that a scale cannot have. */
export interface PortHolders {
  /** Host ports Docker containers publish or reserve (any container, any state). */
  containers: ReadonlySet<number>
  /** Ports handed to creates that have not settled yet (another scale in flight). */
  reserved?: ReadonlySet<number>
}

/** What a search of the range found when it could not find every port asked for. */
export interface PortShortage {
  range: PortRange
  /** Ports asked for: one per new replica. */
  need: number
  /** Free ports found (fewer than need). */
  found: number
  containers: number
  reserved: number
  otherPrograms: number
}

export interface PortChoice {
  /** The lowest free ports, at most `need`, in order. */
  ports: number[]
  /** PORT_EXHAUSTED saying why there are fewer than `need` (describePortShortage), or null. */
  shortage: PrescalError | null
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * Why a scale got `found` of the `need` ports it asked for, and what to change. When the range is
 * smaller than the new replicas alone, that is the whole story; otherwise the message counts who
 * holds the range's ports, each port once (containers, then creates in flight, then the OS probe).
 */
export function describePortShortage(s: PortShortage): string {
  const size = Math.max(0, s.range.to - s.range.from + 1)
  const short = s.need - s.found
  const range = `${s.range.from}-${s.range.to}`
  const held = [
    `${s.containers} held by Docker containers`,
    s.reserved > 0 ? `${s.reserved} by replicas being created` : null,
    `${s.otherPrograms} by other programs`
  ].filter((x) => x !== null)
  const newTo = s.range.to + short
  const widen =
    newTo <= 65535
      ? `widen ports.to in the config (to ${newTo} or more)`
      : `widen ports in the config (ports.to cannot pass 65535: lower ports.from by ${short} or more)`
  if (size < s.need) {
    const holders = s.containers + s.reserved + s.otherPrograms > 0 ? ` (${held.join(', ')})` : ''
    const needs = `${plural(s.need, 'new replica')} ${s.need === 1 ? 'needs' : 'need'} ${plural(s.need, 'port')}`
    return `The port range ${range} has ${plural(size, 'port')}${holders}; ${needs}: ${widen}`
  }
  return `No free host port for ${short} of ${plural(s.need, 'new replica')} in ${range} (${held.join(', ')}): ${widen}, or free the ports`
}

/**
 * Chooses the lowest `need` ports in `range` that no holder has and `isFreeOnOs` says are free,
 * probing one at a time in order (deterministic for a given machine; held ports are never probed).
 * When fewer are free it returns those it found, with the shortage explained: the caller decides
 * whether a partial scale is worth starting. Not a reservation: the caller must hand the ports to
 * the engine (or its own reserved set) before asking again.
 */
export async function choosePorts(
  range: PortRange,
  need: number,
  holders: PortHolders,
  isFreeOnOs: (port: number) => Promise<boolean> = isPortFreeOnOs
): Promise<PortChoice> {
  const ports: number[] = []
  let containers = 0
  let reserved = 0
  let otherPrograms = 0
  for (let port = range.from; port <= range.to && ports.length < need; port++) {
    if (holders.containers.has(port)) containers++
    else if (holders.reserved?.has(port)) reserved++
    else if (await isFreeOnOs(port)) ports.push(port)
    else otherPrograms++
  }
  if (ports.length >= need) return { ports, shortage: null }
  const message = describePortShortage({ range, need, found: ports.length, containers, reserved, otherPrograms })
  return { ports, shortage: new PrescalError('PORT_EXHAUSTED', message) }
}

/**
 * True when 127.0.0.1:port can be bound now. The probe socket is always closed before resolving.
 * A wildcard (0.0.0.0) listener on the port also makes this bind fail, so it counts as busy.
 */
export function isPortFreeOnOs(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => {
      server.close(() => resolve(false))
    })
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(true))
    })
  })
}
