/**
 * DockerFleet's connection lifecycle against a stand-in engine on a unix socket (restarting the
 * machine's real dockerd would break every other test using it): unavailable with a hint and
 * retry, connect when the engine appears, re-list without duplicates when the event stream
 * drops, and close() releasing the stream.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type Server, type ServerResponse } from 'node:http'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DockerFleet } from '../../../src/main/fleet/docker-fleet'
import { RecordingListener, waitFor } from './fleet-test-kit'

const ID = 'c0ffee'.padEnd(64, '0')

/** Just enough of the Engine API for DockerFleet's connect / list / events. */
class StandInEngine {
  server: Server | null = null
  listCalls = 0
  eventStreams = new Set<ServerResponse>()
  containers = [
    {
      Id: ID,
      Names: ['/prescal-web-abc123'],
      Image: 'img',
      State: 'running',
      Labels: { 'prescal.service': 'web', 'prescal.port': '3000' },
      Ports: [{ IP: '127.0.0.1', PrivatePort: 3000, PublicPort: 3001, Type: 'tcp' }],
      Created: 1_700_000_000
    }
  ]
  constructor(readonly socketPath: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0]
      if (path === '/version') {
        res.end(JSON.stringify({ Version: 'stand-in-1', ApiVersion: '1.41' }))
      } else if (path === '/containers/json') {
        this.listCalls++
        res.end(JSON.stringify(this.containers))
      } else if (path === '/events') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.flushHeaders()
        this.eventStreams.add(res)
        res.on('close', () => this.eventStreams.delete(res))
      } else {
        res.statusCode = 404
        res.end(JSON.stringify({ message: 'page not found' }))
      }
    })
    await new Promise<void>((r) => this.server!.listen(this.socketPath, r))
  }

  emit(event: object): void {
    for (const res of this.eventStreams) res.write(JSON.stringify(event) + '\n')
  }

  dropEventStreams(): void {
    for (const res of this.eventStreams) res.destroy()
  }

  async stop(): Promise<void> {
    const s = this.server
    this.server = null
    if (!s) return
    this.dropEventStreams()
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
}

describe('DockerFleet connection lifecycle (stand-in engine on a unix socket)', () => {
  const socketPath = join(tmpdir(), `prescal-fleettest-${randomBytes(4).toString('hex')}.sock`)
  let engine: StandInEngine | null = null
  let fleet: DockerFleet | null = null

  afterEach(async () => {
    await fleet?.close()
    await engine?.stop()
    rmSync(socketPath, { force: true })
  })

  it('reports unavailable with what to do, retries, and connects once the engine is there', async () => {
    const listener = new RecordingListener()
    fleet = new DockerFleet({ host: `unix://${socketPath}`, callTimeoutMs: 2000, listener })
    fleet.start()
    await waitFor('unavailable', () => fleet!.status().status === 'unavailable', 2000)
    expect(fleet.status().message).toBe(
      `Docker engine not reachable at ${socketPath} (ENOENT): start Docker (dockerd / Docker Desktop) — retrying in 1 s`
    )
    await waitFor('second failure', () => /retrying in 2 s/.test(fleet!.status().message ?? ''), 2500)
    engine = new StandInEngine(socketPath)
    await engine.start()
    await waitFor('connected', () => fleet!.status().status === 'connected', 4000)
    expect(fleet.status()).toEqual({ status: 'connected', message: null, version: 'stand-in-1' })
    expect(fleet.containers()).toHaveLength(1)
    expect(listener.statuses.map((s) => s.status)).toEqual(['connecting', 'unavailable', 'unavailable', 'connected'])
  })

  it('re-lists on events and after the event stream drops, never duplicating containers', async () => {
    engine = new StandInEngine(socketPath)
    await engine.start()
    const listener = new RecordingListener()
    fleet = new DockerFleet({ host: socketPath, callTimeoutMs: 2000, listener })
    fleet.start()
    await waitFor('connected', () => fleet!.status().status === 'connected', 3000)
    await waitFor('event stream open', () => engine!.eventStreams.size === 1, 1000)
    const lists = engine.listCalls

    engine.containers[0]!.State = 'exited'
    engine.emit({ Type: 'container', Action: 'die', Actor: { ID, Attributes: { name: 'prescal-web-abc123', 'prescal.service': 'web' } } })
    const ev = await waitFor('stopped event', () => listener.events.find((e) => e.kind === 'stopped'), 2000)
    expect(ev).toMatchObject({ id: ID, name: 'prescal-web-abc123', service: 'web' })
    expect(fleet.get(ID)?.state).toBe('exited')
    expect(engine.listCalls).toBeGreaterThan(lists)

    // Engine restart as the fleet sees it: the stream ends; it reconnects and re-lists.
    engine.containers[0]!.State = 'running'
    engine.dropEventStreams()
    await waitFor('re-listed after reconnect', () => fleet!.get(ID)?.state === 'running', 3000)
    await waitFor('event stream reopened', () => engine!.eventStreams.size === 1, 2000)
    expect(fleet.status().status).toBe('connected')
    expect(fleet.containers()).toHaveLength(1)
    expect(listener.statuses.map((s) => s.status), JSON.stringify(listener.statuses)).toEqual(['connecting', 'connected', 'connecting', 'connected'])

    await fleet.close()
    await waitFor('event stream released by close()', () => engine!.eventStreams.size === 0, 1000)
    await expect(fleet.refresh()).rejects.toMatchObject({ code: 'CLOSED' })
  })

  it('socket gone while the event stream lives on: the first call that fails reports unavailable, then it reconnects', async () => {
    engine = new StandInEngine(socketPath)
    await engine.start()
    const listener = new RecordingListener()
    fleet = new DockerFleet({ host: socketPath, callTimeoutMs: 2000, listener })
    fleet.start()
    await waitFor('connected', () => fleet!.status().status === 'connected', 3000)
    // New connections are refused (the socket file is gone); the open event stream is not cut.
    const old = engine
    old.server!.close()
    rmSync(socketPath, { force: true })
    expect(old.eventStreams.size).toBe(1)
    await expect(fleet.refresh()).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE' })
    await waitFor('unavailable', () => fleet!.status().status === 'unavailable', 3000)
    expect(fleet.status().message).toMatch(/^Docker engine not reachable at .* \(ENOENT\)/)
    old.dropEventStreams()
    old.server!.closeAllConnections()
    engine = new StandInEngine(socketPath)
    await engine.start()
    await waitFor('connected again', () => fleet!.status().status === 'connected', 5000)
    expect(fleet.containers()).toHaveLength(1)
  })

  it('engine gone while connected: unavailable, last list kept; close() releases the stream and timers', async () => {
    engine = new StandInEngine(socketPath)
    await engine.start()
    const listener = new RecordingListener()
    fleet = new DockerFleet({ host: socketPath, callTimeoutMs: 2000, listener })
    fleet.start()
    await waitFor('connected', () => fleet!.status().status === 'connected', 3000)
    expect(fleet.containers()).toHaveLength(1)
    await engine.stop()
    rmSync(socketPath, { force: true })
    await waitFor('unavailable', () => fleet!.status().status === 'unavailable', 3000)
    // The last list stays (its replicas may well still run and serve) until the next connect.
    expect(fleet.containers()).toHaveLength(1)

    const timeouts = (): number =>
      (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const before = timeouts()
    await fleet.close()
    expect(timeouts()).toBeLessThan(before) // the retry timer is gone
    const closedStatuses = listener.statuses.length
    await new Promise((r) => setTimeout(r, 1200))
    expect(listener.statuses.length).toBe(closedStatuses) // no retry after close
  })
})
