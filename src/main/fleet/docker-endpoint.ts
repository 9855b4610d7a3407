/**
 * Where the Docker engine is and how to reach it: pure parsing of `docker.host` / DOCKER_HOST into
 * dockerode connection options, the endpoint text for messages, and the reconnect backoff.
 */

/** The subset of dockerode's constructor options the fleet sets. */
export interface DockerConnection {
  socketPath?: string
  host?: string
  port?: number
  protocol?: 'http' | 'https' | 'ssh'
  username?: string
}

const defaultSocket = process.platform === 'win32' ? '//./pipe/docker_engine' : '/var/run/docker.sock'

/**
 * Options for `new Docker(...)`. Without an explicit host, {} lets docker-modem apply DOCKER_HOST
 * (and its TLS variables) or the default socket itself.
 */
export function dockerConnection(host: string | undefined): DockerConnection {
  const h = host?.trim()
  if (!h) return {}
  if (h.startsWith('/')) return { socketPath: h }
  if (h.startsWith('unix://')) return { socketPath: h.slice('unix://'.length) }
  if (h.startsWith('npipe://')) return { socketPath: h.slice('npipe://'.length) }
  const url = new URL(h.includes('://') ? h : `tcp://${h}`)
  const port = url.port ? Number(url.port) : undefined
  if (url.protocol === 'ssh:') {
    return { protocol: 'ssh', host: url.hostname, port: port ?? 22, ...(url.username ? { username: url.username } : {}) }
  }
  const https = url.protocol === 'https:'
  return { protocol: https ? 'https' : 'http', host: url.hostname, port: port ?? (https ? 2376 : 2375) }
}

/** The endpoint as a user would recognise it in a message. */
export function describeEndpoint(host: string | undefined, env: Record<string, string | undefined> = process.env): string {
  const h = host?.trim() || env['DOCKER_HOST']?.trim() || defaultSocket
  return h.startsWith('unix://') ? h.slice('unix://'.length) : h
}

/** Delay before reconnect attempt `attempt` (0-based): 1 s doubling, capped at 30 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, Math.min(attempt, 15)))
}
