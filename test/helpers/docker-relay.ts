/**
 * A unix socket that relays every connection to the machine's Docker engine, and can be cut and
 * opened again: to the app behind it, the engine went away and came back (the event stream drops,
 * calls are refused), while the real engine, which other tests and sessions use, keeps running.
 */
import { mkdtempSync } from 'node:fs'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The engine's socket: DOCKER_HOST when it is a unix socket, else the default. */
export function engineSocketPath(): string {
  const host = process.env.DOCKER_HOST ?? ''
  return host.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock'
}

export class DockerRelay {
  readonly path = join(mkdtempSync(join(tmpdir(), 'prescal-relay-')), 'docker.sock')
  private server: Server | null = null
  private readonly sockets = new Set<Socket>()

  constructor(private readonly target = engineSocketPath()) {}

  /** DockerFleet's `host` for this relay. */
  get host(): string {
    return `unix://${this.path}`
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      const engine = connect(this.target)
      for (const s of [client, engine]) {
        this.sockets.add(s)
        s.once('close', () => this.sockets.delete(s))
        s.on('error', () => {
          client.destroy()
          engine.destroy()
        })
      }
      client.pipe(engine).pipe(client)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.path, () => resolve())
    })
    this.server = server
  }

  /** Stops accepting and drops every relayed connection (the socket file goes with the server). */
  async cut(): Promise<void> {
    const server = this.server
    this.server = null
    for (const s of this.sockets) s.destroy()
    if (server) await new Promise<void>((r) => server.close(() => r()))
  }
}
