/**
 * The YAML configuration, validated with zod. Every key has a default so an empty file is a valid
 * config; a bad key is reported with its path (e.g. `services[0].containerPort`).
 */
import { z } from 'zod'

const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:8080')
  .refine((s) => {
    const port = Number(s.slice(s.lastIndexOf(':') + 1))
    return port >= 0 && port <= 65535
  }, 'port must be 0..65535')

const httpPath = z.string().regex(/^\/[^\s]*$/, 'must be a path starting with /')

const staticBackend = z.union([
  hostPort.transform((address) => ({ address, metricsPath: '/metrics' })),
  z
    .object({ address: hostPort, metricsPath: httpPath.default('/metrics') })
    .strict()
])

const serviceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'must be lowercase letters, digits, ".", "_" or "-"')

const service = z
  .object({
    name: serviceName,
    image: z.string().min(1),
    containerPort: z.number().int().min(1).max(65535),
    replicas: z.number().int().min(0).max(20).default(0),
    env: z.record(z.string(), z.string()).default({}),
    metricsPath: httpPath.default('/metrics'),
    /** Path probed before a new replica joins the pool. */
    readyPath: httpPath.default('/'),
    readyTimeoutMs: z.number().int().min(100).max(600_000).default(30_000)
  })
  .strict()

export const configSchema = z
  .object({
    listen: hostPort.default('127.0.0.1:8080'),
    poll: z
      .object({
        intervalMs: z.number().int().min(50).max(60_000).default(1000),
        timeoutMs: z.number().int().min(10).max(60_000).default(800),
        maxBodyBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(4 * 1024 * 1024),
        failuresBeforeDown: z.number().int().min(1).max(100).default(3)
      })
      .strict()
      .default({ intervalMs: 1000, timeoutMs: 800, maxBodyBytes: 4 * 1024 * 1024, failuresBeforeDown: 3 }),
    proxy: z
      .object({
        upstreamTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
        drainTimeoutMs: z.number().int().min(0).max(600_000).default(10_000)
      })
      .strict()
      .default({ upstreamTimeoutMs: 30_000, drainTimeoutMs: 10_000 }),
    backends: z.array(staticBackend).default([]),
    services: z.array(service).default([]),
    ports: z
      .object({
        from: z.number().int().min(1).max(65535).default(3000),
        to: z.number().int().min(1).max(65535).default(3099)
      })
      .strict()
      .refine((p) => p.from <= p.to, 'ports.from must not exceed ports.to')
      .default({ from: 3000, to: 3099 }),
    docker: z
      .object({
        /** Engine endpoint; empty means DOCKER_HOST or the default socket. */
        host: z.string().optional(),
        callTimeoutMs: z.number().int().min(100).max(600_000).default(15_000)
      })
      .strict()
      .default({ callTimeoutMs: 15_000 })
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>()
    cfg.services.forEach((s, i) => {
      if (seen.has(s.name)) {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'name'], message: `duplicate service name "${s.name}"` })
      }
      seen.add(s.name)
    })
  })

export type Config = z.output<typeof configSchema>
export type ServiceConfig = Config['services'][number]
export type StaticBackendConfig = Config['backends'][number]

export function parseHostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':')
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) }
}
