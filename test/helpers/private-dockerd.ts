/**
 * A second, private Docker engine on its own socket, data and exec roots, so a test can stop and
 * start an engine without disturbing the machine's main one (or other tests). No bridge network:
 * containers in it can be created and listed, not published.
 *
 * It runs in its own network namespace: dockerd started with `--bridge none` deletes the host's
 * `docker0` interface on start-up, which would break the main engine's networking. The socket is a
 * file, so it is reachable from the host namespace all the same.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Docker from 'dockerode'

export const DOCKERD = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => existsSync(p)) ?? null

export class PrivateDockerd {
  readonly dir = mkdtempSync(join(tmpdir(), 'prescal-dockerd-'))
  readonly socket = join(this.dir, 'docker.sock')
  private child: ChildProcess | null = null
  log = ''

  get host(): string {
    return `unix://${this.socket}`
  }

  client(): Docker {
    return new Docker({ socketPath: this.socket })
  }

  async start(timeoutMs = 30_000): Promise<void> {
    if (!DOCKERD) throw new Error('dockerd is not installed')
    // `unshare --net` (not `ip netns exec`, which remounts /sys and hides the cgroup mounts).
    const child = spawn(
      'unshare',
      [
        '--net', DOCKERD,
        '--host', this.host,
        '--data-root', join(this.dir, 'data'),
        '--exec-root', join(this.dir, 'exec'),
        '--pidfile', join(this.dir, 'docker.pid'),
        '--bridge', 'none',
        '--iptables=false',
        '--ip6tables=false',
        '--ip-masq=false'
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()))
    this.child = child
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (child.exitCode !== null) throw new Error(`private dockerd exited:\n${this.log.slice(-2000)}`)
      try {
        await this.client().ping()
        return
      } catch {
        if (Date.now() > deadline) throw new Error(`private dockerd did not answer in time:\n${this.log.slice(-2000)}`)
        await new Promise((r) => setTimeout(r, 200))
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    await exited
    clearTimeout(timer)
    this.child = null
  }

  /** Stops the engine; its network namespace goes with its last process. */
  async dispose(): Promise<void> {
    await this.stop()
  }
}
