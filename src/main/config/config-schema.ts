/**
 * The YAML configuration, validated with zod. Every key has a default so an empty file is a valid
 * config; a bad key is reported with its path (e.g. `services[0].containerPort`).
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { REPLICAS_CEILING } from '../../shared/schemas'
import { balancingNames } from '../../shared/balancing'
import { BACKEND_FORMS, BACKEND_KEYS, backendAddressProblem, showValue } from './backend-address'

const HOST_PORT = /^[^\s:]+:\d{1,5}$/
const hostPort = z
  .string()
  .regex(HOST_PORT, 'must be host:port, e.g. 127.0.0.1:8080')
  .refine((s) => {
    // zod runs this check after a failed regex too; without a port there is no range to report.
    if (!HOST_PORT.test(s)) return true
    const port = Number(s.slice(s.lastIndexOf(':') + 1))
    return port >= 0 && port <= 65535
  }, 'port must be 0..65535')

const httpPath = z.string().regex(/^\/[^\s]*$/, 'must be a path starting with /')

const statusRange = z.union([
  z.number().int().min(100).max(599),
  z.string().regex(/^[1-5]\d\d-[1-5]\d\d$/, 'must be a status code or a range like "200-399"')
])

/**
 * Optional active health check (per service, or per static backend). Without one, the metrics
 * scrape is the health check. Defaults and their reasons are in README.md.
 */
const healthCheckDefaults = { path: '/', intervalMs: 2_000, timeoutMs: 1_000, healthyStatuses: ['200-399'], failuresBeforeDown: 3 }
const healthCheck = z
  .object({
    path: httpPath.default(healthCheckDefaults.path),
    intervalMs: z.number().int().min(100).max(600_000).default(healthCheckDefaults.intervalMs),
    timeoutMs: z.number().int().min(10).max(60_000).default(healthCheckDefaults.timeoutMs),
    healthyStatuses: z.array(statusRange).min(1).default(healthCheckDefaults.healthyStatuses),
    failuresBeforeDown: z.number().int().min(1).max(100).default(healthCheckDefaults.failuresBeforeDown)
  })
  .strict()
  .refine((h) => h.timeoutMs <= h.intervalMs, { message: 'timeoutMs must not exceed intervalMs', path: ['timeoutMs'] })

const backendAddress = z
  .string({
    error: (iss) =>
      iss.input === undefined ? 'missing: write host:port, e.g. 127.0.0.1:3001' : `${showValue(iss.input)} is not host:port (e.g. 127.0.0.1:3001)`
  })
  .superRefine((s, ctx) => {
    const problem = backendAddressProblem(s)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })

const backendObject = z.strictObject(
  {
    address: backendAddress,
    metricsPath: httpPath.default('/metrics'),
    /** Share of traffic with `proxy.balancing: weighted` (relative to the others). */
    weight: z.number().int().min(1).max(1000).default(1),
    healthCheck: healthCheck.optional()
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown ${iss.keys.length === 1 ? 'key' : 'keys'} ${iss.keys.map((k) => `"${k}"`).join(', ')}: a backend takes ${BACKEND_KEYS.join(', ')}`
        : undefined
  }
)

type StaticBackend = z.output<typeof backendObject>

/**
 * A static backend: "host:port", or an object with an address and options. Dispatched on the
 * entry's type rather than with z.union: a union both of whose forms fail reports only "Invalid
 * input", and the user needs to read which part of the entry is wrong.
 */
const staticBackend = z.unknown().transform((input, ctx): StaticBackend => {
  if (typeof input === 'string') {
    const problem = backendAddressProblem(input, BACKEND_FORMS)
    if (problem === null) return { address: input, metricsPath: '/metrics', weight: 1 }
    ctx.addIssue({ code: 'custom', message: problem })
    return z.NEVER
  }
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const parsed = backendObject.safeParse(input)
    if (parsed.success) return parsed.data
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message })
    return z.NEVER
  }
  ctx.addIssue({ code: 'custom', message: `${showValue(input)} is not ${BACKEND_FORMS}` })
  return z.NEVER
})

const serviceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'must be lowercase letters, digits, ".", "_" or "-"')

/**
 * Replicas a service may run unless its config says otherwise (`maxReplicas`): twice the
 * autoscaler's default maximum, so scaling by hand has room past it, and still few enough small
 * containers for a workstation (twenty demo replicas take ~1.2 GB).
 */
const DEFAULT_MAX_REPLICAS = 20

/** Per-service autoscaling; the reasons for each default are in README.md (Autoscaling). */
const autoscaleDefaults = {
  mode: 'off' as const,
  minReplicas: 1,
  maxReplicas: 10,
  capacityRps: 60,
  coldStartSeconds: 10,
  scaleDownStabilizationSeconds: 300,
  tolerance: 0.1,
  headroom: 0,
  cpuTargetPercent: null as number | null
}

const autoscaleSchema = z
  .object({
    mode: z.enum(['off', 'reactive', 'predictive', 'hybrid']).default(autoscaleDefaults.mode),
    minReplicas: z.number().int().min(0).max(REPLICAS_CEILING).default(autoscaleDefaults.minReplicas),
    maxReplicas: z.number().int().min(1).max(REPLICAS_CEILING).default(autoscaleDefaults.maxReplicas),
    capacityRps: z.number().min(0.1).default(autoscaleDefaults.capacityRps),
    cpuTargetPercent: z.number().min(1).max(10_000).nullable().default(null),
    coldStartSeconds: z.number().min(0).max(3600).default(autoscaleDefaults.coldStartSeconds),
    scaleDownStabilizationSeconds: z.number().min(0).max(86_400).default(autoscaleDefaults.scaleDownStabilizationSeconds),
    tolerance: z.number().min(0).max(1).default(autoscaleDefaults.tolerance),
    headroom: z.number().min(0).max(10).default(autoscaleDefaults.headroom)
  })
  .strict()
  .refine((a) => a.minReplicas <= a.maxReplicas, { message: 'minReplicas must not exceed maxReplicas', path: ['minReplicas'] })

const service = z
  .object({
    name: serviceName,
    image: z.string().min(1),
    containerPort: z.number().int().min(1).max(65535),
    /** The most replicas the replica box, the scale command and the autoscaler may ask for. */
    maxReplicas: z.number().int().min(1).max(REPLICAS_CEILING).default(DEFAULT_MAX_REPLICAS),
    replicas: z.number().int().min(0).max(REPLICAS_CEILING).default(0),
    env: z.record(z.string(), z.string()).default({}),
    metricsPath: httpPath.default('/metrics'),
    /** Path probed before a new replica joins the pool. */
    readyPath: httpPath.default('/'),
    readyTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** Share of traffic per replica with `balancing: weighted`. */
    weight: z.number().int().min(1).max(1000).default(1),
    /** How requests are spread over this service's replicas; default `proxy.balancing`. */
    balancing: z.enum(balancingNames).optional(),
    healthCheck: healthCheck.optional(),
    autoscale: autoscaleSchema.default(autoscaleDefaults)
  })
  .strict()
  .superRefine((s, ctx) => {
    const over = (path: (string | number)[], what: string, value: number): void =>
      ctx.addIssue({ code: 'custom', path, message: `${what} ${value} is above this service's maxReplicas (${s.maxReplicas})` })
    if (s.replicas > s.maxReplicas) over(['replicas'], 'replicas', s.replicas)
    if (s.autoscale.maxReplicas > s.maxReplicas) over(['autoscale', 'maxReplicas'], 'autoscale.maxReplicas', s.autoscale.maxReplicas)
  })

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
        drainTimeoutMs: z.number().int().min(0).max(600_000).default(10_000),
        /**
         * Proxy threads sharing the listening port (SO_REUSEPORT). 'auto' = one per core: the
         * proxy is CPU-bound in node:http, and one thread per core is what nginx does too. 0 serves
         * in the main (Electron) thread, which then competes with the UI.
         */
        workers: z.union([z.literal('auto'), z.number().int().min(0).max(64)]).default('auto'),
        /**
         * round-robin: even spread, no state to go stale. least-connections: for uneven request
         * cost. p2c-latency: follows the faster backends (EWMA) without herding. weighted: uses each
         * backend's `weight` (mixed machine sizes).
         */
        balancing: z.enum(balancingNames).default('round-robin'),
        /**
         * Idle upstream keep-alive sockets are dropped after this: below the 5 s keep-alive timeout
         * of node:http (and most) backends, so we close first and never write into a socket the
         * backend is closing.
         */
        keepAliveIdleMs: z.number().int().min(100).max(600_000).default(4_000),
        /** Complete request headers within this or 408: 10 s is generous for any real client, short for slow-loris. */
        headersTimeoutMs: z.number().int().min(1_000).max(600_000).default(10_000),
        /**
         * A client that takes no byte of its answer for 60 s is gone (nginx's send_timeout): cut
         * off without blaming the backend. Long, because a slow reader's kernel buffers drain in
         * bursts seconds apart.
         */
        clientSendTimeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
        /**
         * Open client connections beyond this get 503 + close. 10000 stays well under the default
         * 1M fd limit of a desktop session while far above what a local test fleet needs; 0 = none.
         */
        maxConnections: z.number().int().min(0).max(1_000_000).default(10_000),
        passiveHealth: z
          .object({
            /** 5 in a row: one or two failures are noise (a restart, a deploy); five are a pattern. 0 disables. */
            failureThreshold: z.number().int().min(0).max(1_000).default(5),
            /** The five must come within 10 s, or a slow trickle of errors over hours would eject. */
            failureWindowMs: z.number().int().min(100).max(600_000).default(10_000),
            /**
             * 2 timeouts with no success in between also eject, whatever the window: each takes
             * upstreamTimeoutMs (30 s) to arrive, so five could never fit in 10 s, and a backend
             * that takes requests and answers none would keep half the traffic waiting. 0 disables.
             */
            timeoutThreshold: z.number().int().min(0).max(1_000).default(2),
            /** 5 s first: long enough for a crashed process to be restarted, short enough to notice recovery. */
            baseEjectionMs: z.number().int().min(100).max(3_600_000).default(5_000),
            /** Doubling stops at 2 min, so a backend that recovers is back within minutes. */
            maxEjectionMs: z.number().int().min(100).max(3_600_000).default(120_000),
            /** One probe may take 2 s: a healthy local backend answers in milliseconds. */
            probeTimeoutMs: z.number().int().min(50).max(60_000).default(2_000),
            /** GET this path to re-admit; any status below 500 counts (a 404 still proves the app is up). */
            probePath: httpPath.default('/')
          })
          .strict()
          .default({
            failureThreshold: 5,
            failureWindowMs: 10_000,
            timeoutThreshold: 2,
            baseEjectionMs: 5_000,
            maxEjectionMs: 120_000,
            probeTimeoutMs: 2_000,
            probePath: '/'
          })
      })
      .strict()
      .default({
        upstreamTimeoutMs: 30_000,
        drainTimeoutMs: 10_000,
        workers: 'auto',
        balancing: 'round-robin',
        keepAliveIdleMs: 4_000,
        headersTimeoutMs: 10_000,
        clientSendTimeoutMs: 60_000,
        maxConnections: 10_000,
        passiveHealth: {
          failureThreshold: 5,
          failureWindowMs: 10_000,
          timeoutThreshold: 2,
          baseEjectionMs: 5_000,
          maxEjectionMs: 120_000,
          probeTimeoutMs: 2_000,
          probePath: '/'
        }
      }),
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
    autoscale: z
      .object({
        /** How often each service's policy runs: the HPA's sync period. */
        everySeconds: z.number().min(1).max(3600).default(15)
      })
      .strict()
      .default({ everySeconds: 15 }),
    history: z
      .object({
        enabled: z.boolean().default(true),
        /** SQLite file; default history.db in the user data directory. `~/` is the home folder. */
        path: z
          .string()
          .min(1)
          .transform((p) => (p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p))
          .optional(),
        rawRetentionHours: z.number().min(1).max(24 * 366).default(48),
        minuteRetentionDays: z.number().min(1).max(3660).default(30),
        hourRetentionDays: z.number().min(1).max(36600).default(730)
      })
      .strict()
      .default({ enabled: true, rawRetentionHours: 48, minuteRetentionDays: 30, hourRetentionDays: 730 }),
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
export type HealthCheckConfig = NonNullable<ServiceConfig['healthCheck']>

/** Whether `status` is one of a health check's healthy statuses (codes or "lo-hi" ranges). */
export function isHealthyStatus(healthy: HealthCheckConfig['healthyStatuses'], status: number): boolean {
  for (const h of healthy) {
    if (typeof h === 'number') {
      if (h === status) return true
      continue
    }
    const [lo, hi] = h.split('-').map(Number) as [number, number]
    if (status >= lo && status <= hi) return true
  }
  return false
}

export function parseHostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':')
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) }
}
