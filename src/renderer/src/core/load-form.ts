/**
 * The load generator form: what the user typed (text, in req/s and seconds) to the contract's
 * LoadProfile (ms). Checked here: every field is a number, rates are not negative, and the profile
 * sends something (a rate of 0 would show "sending" while nothing goes out). Limits (max rate,
 * duration, phase length, trace peak) are the engine's to enforce, and its INVALID_ARGUMENT
 * message is shown as is.
 */
import type { LoadKind } from '../../../shared/autoscale'
import type { LoadProfile } from '../../../shared/load-profile'
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

export type LoadFormResult = { ok: true; profile: LoadProfile; path: string } | { ok: false; error: string }

/** Reads `text` as a number; empty and non-numeric text are errors naming `label`. */
function num(text: string, label: string): number | string {
  const t = text.trim()
  const v = Number(t)
  if (t === '' || !Number.isFinite(v)) return `${label} must be a number`
  return v
}

export function buildLoadProfile(form: LoadForm, trace: ParsedTrace | null): LoadFormResult {
  const errors: string[] = []
  const read = (text: string, label: string): number => {
    const v = num(text, label)
    if (typeof v === 'string') {
      errors.push(v)
      return 0
    }
    return v
  }
  /** A rate or factor: a number, not negative. */
  const rate = (text: string, label: string): number => {
    const v = read(text, label)
    if (v < 0) errors.push(`${label} must not be negative`)
    return v
  }
  const sendsNothing = (what: string): void => {
    errors.push(`${what}: nothing would be sent`)
  }
  const durationMs = Math.round(read(form.durationSeconds, 'Duration') * 1000)
  let profile: LoadProfile
  switch (form.kind) {
    case 'constant':
      profile = { kind: 'constant', rps: rate(form.rps, 'Rate'), durationMs }
      if (profile.rps === 0 && errors.length === 0) sendsNothing('Rate is 0 req/s')
      break
    case 'step':
      profile = {
        kind: 'step',
        lowRps: rate(form.lowRps, 'Low rate'),
        highRps: rate(form.highRps, 'High rate'),
        lowMs: Math.round(read(form.lowSeconds, 'Low phase') * 1000),
        highMs: Math.round(read(form.highSeconds, 'High phase') * 1000),
        durationMs
      }
      if (profile.lowRps === 0 && profile.highRps === 0 && errors.length === 0) sendsNothing('Both rates are 0 req/s')
      break
    case 'ramp':
      profile = { kind: 'ramp', fromRps: rate(form.fromRps, 'From rate'), toRps: rate(form.toRps, 'To rate'), durationMs }
      if (profile.fromRps === 0 && profile.toRps === 0 && errors.length === 0) sendsNothing('The ramp goes from 0 to 0 req/s')
      break
    case 'trace':
      if (!trace) errors.push('Choose a trace CSV file (timestamp,requests)')
      profile = {
        kind: 'trace',
        points: trace?.points ?? [],
        stepMs: trace?.stepMs ?? 1000,
        compression: rate(form.compression, 'Compression'),
        multiplier: rate(form.multiplier, 'Multiplier'),
        durationMs
      }
      if (profile.compression === 0 && errors.length === 0) errors.push('Compression must be above 0 (1 plays the trace in real time)')
      if (profile.multiplier === 0 && errors.length === 0) sendsNothing('Multiplier is 0')
      break
  }
  const path = form.path.trim() === '' ? '/' : form.path.trim()
  if (!/^\/\S*$/.test(path)) errors.push('Path must start with / and contain no spaces')
  return errors.length > 0 ? { ok: false, error: errors.join('; ') } : { ok: true, profile, path }
}

/** Seconds a trace takes to play at `compression` (trace time per wall time). */
export function tracePlaySeconds(trace: ParsedTrace, compression: number): number {
  if (!(compression > 0)) return Number.NaN
  return Math.ceil(trace.spanMs / compression / 1000)
}
