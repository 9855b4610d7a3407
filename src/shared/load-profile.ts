/**
 * What traffic the load generator sends: the LoadProfile type and its zod schema (for the contract:
 * every profile coming from a window is parsed with it before the generator sees it).
 *
 * Trace replay keeps the *rate* shape of the trace and compresses its *time*: trace time advances
 * `compression` times faster than wall time (60 plays one trace minute per second), and the rate
 * at each moment is the trace's rate (requests / step) × `multiplier`. So a per-minute trace of a
 * day plays in 24 min at compression 60, and `multiplier` sizes its rates to this machine.
 */
import { z } from 'zod'

export const LOAD_LIMITS = Object.freeze({
  /** A workstation proxy handles a few thousand req/s; a generator above that measures itself. */
  maxRps: 2000,
  minDurationMs: 1000,
  /** A forgotten run must end by itself. */
  maxDurationMs: 30 * 60_000,
  maxTracePoints: 200_000,
  /** Phases shorter than this alternate faster than any scaler can see. */
  minPhaseMs: 100,
  /** Longest request path the generator sends. */
  maxPathLength: 2000,
  /** Trace replay: compression and multiplier bounds, and the longest step between rows. */
  minCompression: 0.001,
  maxFactor: 1_000_000,
  maxTraceStepMs: 7 * 86_400_000
})

/** A run's traffic. Times are ms from the start of the run (trace `at` is trace time, any origin). */
export type LoadProfile =
  | { kind: 'constant'; rps: number; durationMs: number }
  /** Alternating phases, low first: lowRps for lowMs, then highRps for highMs, repeated. */
  | { kind: 'step'; lowRps: number; highRps: number; lowMs: number; highMs: number; durationMs: number }
  /** Linear from fromRps at 0 to toRps at durationMs. */
  | { kind: 'ramp'; fromRps: number; toRps: number; durationMs: number }
  /** `requests` arrived during [at, at + stepMs) of trace time; rows ascending, gaps are silence. */
  | {
      kind: 'trace'
      points: { at: number; requests: number }[]
      stepMs: number
      compression: number
      multiplier: number
      durationMs: number
    }

const rps = z.number().finite().min(0).max(LOAD_LIMITS.maxRps)
const durationMs = z.number().int().min(LOAD_LIMITS.minDurationMs).max(LOAD_LIMITS.maxDurationMs)
const phaseMs = z.number().int().min(LOAD_LIMITS.minPhaseMs).max(LOAD_LIMITS.maxDurationMs)

const traceProfile = z
  .object({
    kind: z.literal('trace'),
    points: z
      .array(z.object({ at: z.number().finite(), requests: z.number().finite().min(0) }).strict())
      .min(1)
      .max(LOAD_LIMITS.maxTracePoints),
    stepMs: z.number().finite().min(1).max(LOAD_LIMITS.maxTraceStepMs),
    compression: z.number().finite().min(LOAD_LIMITS.minCompression).max(LOAD_LIMITS.maxFactor),
    multiplier: z.number().finite().gt(0, 'a multiplier of 0 sends nothing').max(LOAD_LIMITS.maxFactor),
    durationMs
  })
  .strict()
  .superRefine((p, ctx) => {
    let peak = 0
    for (let i = 0; i < p.points.length; i++) {
      const pt = p.points[i]!
      if (i > 0 && pt.at - p.points[i - 1]!.at < p.stepMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['points', i, 'at'],
          message: `trace rows must be in time order at least stepMs (${p.stepMs} ms) apart`
        })
        return
      }
      if (pt.requests > peak) peak = pt.requests
    }
    const peakRps = (peak / (p.stepMs / 1000)) * p.multiplier
    if (peakRps > LOAD_LIMITS.maxRps) {
      const fit = (LOAD_LIMITS.maxRps / (peakRps / (p.multiplier || 1))).toPrecision(3)
      ctx.addIssue({
        code: 'custom',
        path: ['multiplier'],
        message: `the trace peaks at ${Math.round(peakRps)} req/s with multiplier ${p.multiplier}, above the ${LOAD_LIMITS.maxRps} req/s limit; use a multiplier of at most ${fit}`
      })
    }
  })

// A run that can send nothing would still show "sending": a profile must have some rate above 0.
const nothingSent = (path: string) => ({ message: 'every rate is 0: nothing would be sent', path: [path] })

export const loadProfileSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant'), rps: rps.gt(0, 'a rate of 0 sends nothing'), durationMs }).strict(),
  z
    .object({ kind: z.literal('step'), lowRps: rps, highRps: rps, lowMs: phaseMs, highMs: phaseMs, durationMs })
    .strict()
    .refine((p) => p.lowRps > 0 || p.highRps > 0, nothingSent('highRps')),
  z
    .object({ kind: z.literal('ramp'), fromRps: rps, toRps: rps, durationMs })
    .strict()
    .refine((p) => p.fromRps > 0 || p.toRps > 0, nothingSent('toRps')),
  traceProfile
])

// The hand-written type and the schema must describe the same thing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const schemaMatchesType: Same<z.infer<typeof loadProfileSchema>, LoadProfile> = true
void schemaMatchesType
