/**
 * The load generator form: what the user typed (text, in req/s and seconds) to the contract's
 * LoadProfile (ms). Only "is it a number" is checked here; limits (max rate, duration, phase
 * length, trace peak) are the engine's to enforce, and its INVALID_ARGUMENT message is shown as is.
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
  const durationMs = Math.round(read(form.durationSeconds, 'Duration') * 1000)
  let profile: LoadProfile
  switch (form.kind) {
    case 'constant':
      profile = { kind: 'constant', rps: read(form.rps, 'Rate'), durationMs }
      break
    case 'step':
      profile = {
        kind: 'step',
        lowRps: read(form.lowRps, 'Low rate'),
        highRps: read(form.highRps, 'High rate'),
        lowMs: Math.round(read(form.lowSeconds, 'Low phase') * 1000),
        highMs: Math.round(read(form.highSeconds, 'High phase') * 1000),
        durationMs
      }
      break
    case 'ramp':
      profile = { kind: 'ramp', fromRps: read(form.fromRps, 'From rate'), toRps: read(form.toRps, 'To rate'), durationMs }
      break
    case 'trace':
      if (!trace) errors.push('Choose a trace CSV file (timestamp,requests)')
      profile = {
        kind: 'trace',
        points: trace?.points ?? [],
        stepMs: trace?.stepMs ?? 1000,
        compression: read(form.compression, 'Compression'),
        multiplier: read(form.multiplier, 'Multiplier'),
        durationMs
      }
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
