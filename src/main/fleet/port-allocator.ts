/**
 * Host port choice for new replicas: the lowest port of the configured range that no container of
 * the engine holds and that nothing else on this machine listens on.
 */
import { createServer } from 'node:net'
import { PrescalError } from '../../shared/errors'

export interface PortRange {
  from: number
  to: number
}

/**
 * Returns the lowest port in `range` not in `takenByEngine` for which `isFreeOnOs` says yes.
 * Ports are probed one at a time in order, so the answer is deterministic for a given machine.
 * Rejects PORT_EXHAUSTED when none is left. Not a reservation: the caller must hand the port to
 * the engine before asking again (ServiceScaler adds each choice to `takenByEngine`).
 */
export async function allocatePort(
  range: PortRange,
  takenByEngine: Set<number>,
  isFreeOnOs: (port: number) => Promise<boolean> = isPortFreeOnOs
): Promise<number> {
  let busyOnOs = 0
  for (let port = range.from; port <= range.to; port++) {
    if (takenByEngine.has(port)) continue
    if (await isFreeOnOs(port)) return port
    busyOnOs++
  }
  const size = Math.max(0, range.to - range.from + 1)
  throw new PrescalError(
    'PORT_EXHAUSTED',
    `No free host port in ${range.from}-${range.to} (${size - busyOnOs} held by containers, ${busyOnOs} by other programs): widen \`ports\` (from/to) in the config`
  )
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
