/**
 * The load generator form: what the user typed (text, in req/s and seconds) to the contract's
 * LoadProfile (ms). Checked here with the engine's own limits (LOAD_LIMITS, the startLoad schema),
 * each problem tied to its field where it has one, in words a user acts on ("Rate is at most 2000
 * req/s"): the engine's INVALID_ARGUMENT text is written for the wire ("profile.rps: Too big:
 * expected number to be <=2000"). Also refused: a profile that sends nothing (a rate of 0 would
 * show "sending" while nothing goes out).
 */
import type { LoadKind } from '../../../shared/autoscale'
import { LOAD_LIMITS, type LoadProfile } from '../../../shared/load-profile'
import { formatDuration } from './format'
import type { ParsedTrace } from './trace-csv'

export const loadKinds: readonly LoadKind[] = ['constant', 'step', 'ramp', 'trace']

export interface LoadForm {
  kind: LoadKind
  rps: string
  lowRps: string
  highRps: string
  lowSeconds: string
  highSeconds: string
  fromRps: string
  toRps: string
  durationSeconds: string
  compression: string
  multiplier: string
  /** Request path (and query) sent through the proxy, e.g. "/?work=5" for the demo backend. */
  path: string
}

export const defaultLoadForm: LoadForm = {
  kind: 'constant',
  rps: '30',
  lowRps: '10',
  highRps: '80',
  lowSeconds: '20',
  highSeconds: '20',
  fromRps: '0',
  toRps: '100',
  durationSeconds: '60',
  compression: '60',
  multiplier: '1',
  path: '/'
}

export type LoadField = Exclude<keyof LoadForm, 'kind'>

/** The first problem of each field that has one (fields of other profile kinds are not read). */
export type LoadFieldErrors = Partial<Record<LoadField, string>>

export type LoadFormResult =
  | { ok: true; profile: LoadProfile; path: string }
  /** `error`: every problem, in one line; `fields`: those that belong to a field, to show next to it. */
  | { ok: false; error: string; fields: LoadFieldErrors }

const { maxPathLength: MAX_PATH_LENGTH, minCompression: MIN_COMPRESSION, maxFactor: MAX_FACTOR, maxTraceStepMs: MAX_TRACE_STEP_MS } = LOAD_LIMITS

/** Limits as a user would type them: no grouping (a "2,000" typed back is not a number). */
const plain = (n: number): string => String(n)

/** `x` cut (never rounded up) to 3 significant digits, so a suggested limit is within the limit. */
function floor3(x: number): number {
  const unit = 10 ** (Math.floor(Math.log10(x)) - 2)
  return Number((Math.floor(x / unit) * unit).toPrecision(3))
}

export function buildLoadProfile(form: LoadForm, trace: ParsedTrace | null): LoadFormResult {
  const errors: string[] = []
  const fields: LoadFieldErrors = {}
  const fail = (message: string, field?: LoadField): void => {
    errors.push(message)
    if (field !== undefined && fields[field] === undefined) fields[field] = message
  }
  /** `field` read as a number; empty and non-numeric text are errors naming `label`. */
  const read = (field: LoadField, label: string): number => {
    const t = form[field].trim()
    const v = Number(t)
    if (t === '' || !Number.isFinite(v)) {
      fail(`${label} must be a number`, field)
      return 0
    }
    return v
  }
  /** A rate in req/s: not negative, at most the generator's limit. */
  const rate = (field: LoadField, label: string): number => {
    const v = read(field, label)
    if (v < 0) fail(`${label} must not be negative`, field)
    else if (v > LOAD_LIMITS.maxRps) fail(`${label} is at most ${plain(LOAD_LIMITS.maxRps)} req/s`, field)
    return v
  }
  /** A factor (compression, multiplier): not negative, at most MAX_FACTOR. */
  const factor = (field: LoadField, label: string): number => {
    const v = read(field, label)
    if (v < 0) fail(`${label} must not be negative`, field)
    else if (v > MAX_FACTOR) fail(`${label} is at most ${plain(MAX_FACTOR)}`, field)
    return v
  }
  /** Seconds to whole ms, within [minMs, LOAD_LIMITS.maxDurationMs]. */
  const seconds = (field: LoadField, label: string, minMs: number): number => {
    const before = errors.length
    const ms = Math.round(read(field, label) * 1000)
    if (errors.length > before) return ms
    if (ms < minMs) fail(`${label} is at least ${minMs / 1000} s`, field)
    else if (ms > LOAD_LIMITS.maxDurationMs) {
      fail(`${label} is at most ${LOAD_LIMITS.maxDurationMs / 1000} s (${formatDuration(LOAD_LIMITS.maxDurationMs)})`, field)
    }
    return ms
  }
  const sendsNothing = (what: string, field?: LoadField): void => fail(`${what}: nothing would be sent`, field)

  const durationMs = seconds('durationSeconds', 'Duration', LOAD_LIMITS.minDurationMs)
  let profile: LoadProfile
  switch (form.kind) {
    case 'constant':
      profile = { kind: 'constant', rps: rate('rps', 'Rate'), durationMs }
      if (profile.rps === 0 && errors.length === 0) sendsNothing('Rate is 0 req/s', 'rps')
      break
    case 'step':
      profile = {
        kind: 'step',
        lowRps: rate('lowRps', 'Low rate'),
        highRps: rate('highRps', 'High rate'),
        lowMs: seconds('lowSeconds', 'Low phase', LOAD_LIMITS.minPhaseMs),
        highMs: seconds('highSeconds', 'High phase', LOAD_LIMITS.minPhaseMs),
        durationMs
      }
      if (profile.lowRps === 0 && profile.highRps === 0 && errors.length === 0) sendsNothing('Both rates are 0 req/s')
      break
    case 'ramp':
      profile = { kind: 'ramp', fromRps: rate('fromRps', 'From rate'), toRps: rate('toRps', 'To rate'), durationMs }
      if (profile.fromRps === 0 && profile.toRps === 0 && errors.length === 0) sendsNothing('The ramp goes from 0 to 0 req/s')
      break
    case 'trace': {
      if (!trace) fail('Choose a trace CSV file (timestamp,requests)')
      else if (trace.points.length > LOAD_LIMITS.maxTracePoints) {
        fail(`The trace has ${plain(trace.points.length)} rows; the generator plays at most ${plain(LOAD_LIMITS.maxTracePoints)}`)
      } else if (trace.stepMs > MAX_TRACE_STEP_MS) fail('The trace rows are more than 7 days apart')
      const compression = factor('compression', 'Compression')
      const multiplier = factor('multiplier', 'Multiplier')
      profile = { kind: 'trace', points: trace?.points ?? [], stepMs: trace?.stepMs ?? 1000, compression, multiplier, durationMs }
      if (fields.compression === undefined) {
        if (compression === 0) fail('Compression must be above 0 (1 plays the trace in real time)', 'compression')
        else if (compression < MIN_COMPRESSION) fail(`Compression is at least ${MIN_COMPRESSION}`, 'compression')
      }
      if (fields.multiplier === undefined) {
        const peak = trace ? trace.peakRps * multiplier : 0
        if (multiplier === 0 && errors.length === 0) sendsNothing('Multiplier is 0', 'multiplier')
        else if (trace && peak > LOAD_LIMITS.maxRps) {
          fail(
            `The trace peaks at ${plain(Math.round(peak))} req/s with this multiplier, over the ${plain(LOAD_LIMITS.maxRps)} req/s ` +
              `limit: use at most ${floor3(LOAD_LIMITS.maxRps / trace.peakRps)}`,
            'multiplier'
          )
        }
      }
      break
    }
  }
  const path = form.path.trim() === '' ? '/' : form.path.trim()
  if (!/^\/\S*$/.test(path)) fail('Path must start with / and contain no spaces', 'path')
  else if (path.length > MAX_PATH_LENGTH) fail(`Path is at most ${plain(MAX_PATH_LENGTH)} characters`, 'path')
  return errors.length > 0 ? { ok: false, error: errors.join('; '), fields } : { ok: true, profile, path }
}

/** Seconds a trace takes to play at `compression` (trace time per wall time). */
export function tracePlaySeconds(trace: ParsedTrace, compression: number): number {
  if (!(compression > 0)) return Number.NaN
  return Math.ceil(trace.spanMs / compression / 1000)
}
