/**
 * zod schemas for every command a window may send. Main parses each request with its schema
 * before a handler runs; a request that does not parse is rejected with INVALID_ARGUMENT.
 */
import { z } from 'zod'
import type { CommandName } from './channels'
import { historyMetrics } from './history'
import { autoscaleModes, CAPACITY_LIMITS } from './autoscale'
import { balancingNames } from './balancing'
import { LOAD_LIMITS, loadProfileSchema } from './load-profile'

/**
 * The most replicas any service can be configured for (`services[].maxReplicas`): as many as the
 * default host port range (3000–3099) holds. Each service's own limit is in its ServiceView and
 * enforced by the engine; this only bounds what a request may carry.
 */
export const REPLICAS_CEILING = 100

const containerId = z
  .string()
  .regex(/^[a-f0-9]{12,64}$/, 'must be a Docker container id (12 to 64 hex characters)')

const empty = z.object({}).strict()

const epochMs = z.number().int().min(0).max(8.64e15)

const historyRange = {
  from: epochMs,
  to: epochMs,
  backends: z.array(z.string().min(1).max(200)).max(100).optional(),
  service: z.string().min(1).max(64).optional()
}

const ordered = (r: { from: number; to: number }): boolean => r.from <= r.to
const orderedMessage = { message: '`from` must not be after `to`', path: ['from'] }

export const commandSchemas = {
  getSnapshot: empty,
  getEvents: z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict(),
  getRecentSeries: z.object({ seconds: z.number().int().min(1).max(900).default(300) }).strict(),
  startContainer: z.object({ id: containerId }).strict(),
  stopContainer: z.object({ id: containerId }).strict(),
  restartContainer: z.object({ id: containerId }).strict(),
  removeContainer: z.object({ id: containerId }).strict(),
  scaleService: z
    .object({
      service: z.string().min(1).max(64),
      replicas: z.number().int().min(0).max(REPLICAS_CEILING)
    })
    .strict(),
  buildDemoImage: empty,
  queryHistory: z
    .object({
      ...historyRange,
      metrics: z.array(z.enum(historyMetrics)).min(1).max(historyMetrics.length),
      maxPoints: z.number().int().min(10).max(10_000).default(1000)
    })
    .strict()
    .refine(ordered, orderedMessage),
  historyEvents: z
    .object({ from: epochMs, to: epochMs, limit: z.number().int().min(1).max(10_000).default(1000) })
    .strict()
    .refine(ordered, orderedMessage),
  historyBackends: z.object({ from: epochMs, to: epochMs }).strict().refine(ordered, orderedMessage),
  exportHistoryCsv: z
    .object({ ...historyRange, metrics: z.array(z.enum(historyMetrics)).min(1).max(historyMetrics.length).optional() })
    .strict()
    .refine(ordered, orderedMessage),
  /** `service` null: the static backends. Applies until the app restarts (the config file is not changed). */
  setBalancing: z
    .object({
      service: z.string().min(1).max(64).nullable(),
      strategy: z.enum(balancingNames)
    })
    .strict(),
  setAutoscale: z
    .object({
      service: z.string().min(1).max(64),
      mode: z.enum(autoscaleModes),
      minReplicas: z.number().int().min(0).max(REPLICAS_CEILING).optional(),
      maxReplicas: z.number().int().min(1).max(REPLICAS_CEILING).optional(),
      capacityRps: z.number().finite().min(CAPACITY_LIMITS.min).max(CAPACITY_LIMITS.max).optional()
    })
    .strict()
    .refine((r) => r.minReplicas === undefined || r.maxReplicas === undefined || r.minReplicas <= r.maxReplicas, {
      message: 'minReplicas must not exceed maxReplicas',
      path: ['minReplicas']
    }),
  whatIf: z
    .object({
      service: z.string().min(1).max(64),
      capacityRps: z.number().finite().min(CAPACITY_LIMITS.min).max(CAPACITY_LIMITS.max).optional(),
      coldStartSeconds: z.number().finite().min(0).max(3600).optional(),
      /** A `timestamp,requests` CSV to replay instead of the service's own recorded history. */
      traceCsv: z.string().max(16 * 1024 * 1024).optional()
    })
    .strict(),
  startLoad: z.object({ profile: loadProfileSchema, path: z.string().regex(/^\/[^\s]*$/).max(LOAD_LIMITS.maxPathLength).default('/') }).strict(),
  stopLoad: empty
} satisfies Record<CommandName, z.ZodType>
