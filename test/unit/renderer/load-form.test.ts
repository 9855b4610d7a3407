import { describe, expect, it } from 'vitest'
import { loadProfileSchema } from '../../../src/shared/load-profile'
import { buildLoadProfile, defaultLoadForm, tracePlaySeconds, type LoadForm } from '../../../src/renderer/src/core/load-form'
import type { ParsedTrace } from '../../../src/renderer/src/core/trace-csv'

const trace: ParsedTrace = {
  points: [
    { at: 0, requests: 60 },
    { at: 60_000, requests: 120 }
  ],
  stepMs: 60_000,
  spanMs: 120_000,
  peakRps: 2
}

const form = (patch: Partial<LoadForm>): LoadForm => ({ ...defaultLoadForm, ...patch })

describe('buildLoadProfile', () => {
  it.each([
    {
      desc: 'constant, seconds to ms',
      input: form({ kind: 'constant', rps: '30', durationSeconds: '5' }),
      profile: { kind: 'constant', rps: 30, durationMs: 5000 }
    },
    {
      desc: 'step phases in seconds',
      input: form({ kind: 'step', lowRps: '10', highRps: '80', lowSeconds: '2.5', highSeconds: '20', durationSeconds: '60' }),
      profile: { kind: 'step', lowRps: 10, highRps: 80, lowMs: 2500, highMs: 20_000, durationMs: 60_000 }
    },
    {
      desc: 'ramp',
      input: form({ kind: 'ramp', fromRps: '0', toRps: '100', durationSeconds: '30' }),
      profile: { kind: 'ramp', fromRps: 0, toRps: 100, durationMs: 30_000 }
    }
  ])('$desc', ({ input, profile }) => {
    const r = buildLoadProfile(input, null)
    expect(r).toEqual({ ok: true, profile, path: '/' })
    // What the form builds is what the engine's schema accepts.
    if (r.ok) expect(loadProfileSchema.safeParse(r.profile).success).toBe(true)
  })

  it('trace: points and step from the parsed file, compression and multiplier from the form', () => {
    const r = buildLoadProfile(form({ kind: 'trace', compression: '60', multiplier: '2', durationSeconds: '2' }), trace)
    expect(r.ok && r.profile).toEqual({ kind: 'trace', points: trace.points, stepMs: 60_000, compression: 60, multiplier: 2, durationMs: 2000 })
    if (r.ok) expect(loadProfileSchema.safeParse(r.profile).success).toBe(true)
  })

  it.each([
    { desc: 'empty rate', input: form({ rps: '' }), trace: null, error: /Rate must be a number/ },
    { desc: 'text duration', input: form({ durationSeconds: 'abc' }), trace: null, error: /Duration must be a number/ },
    { desc: 'trace without a file', input: form({ kind: 'trace' }), trace: null, error: /Choose a trace CSV/ },
    { desc: 'a constant rate of 0', input: form({ rps: '0' }), trace: null, error: /^Rate is 0 req\/s: nothing would be sent$/ },
    { desc: 'a negative rate', input: form({ rps: '-5' }), trace: null, error: /^Rate must not be negative$/ },
    { desc: 'a step of 0 and 0', input: form({ kind: 'step', lowRps: '0', highRps: '0' }), trace: null, error: /Both rates are 0/ },
    { desc: 'a negative step rate', input: form({ kind: 'step', lowRps: '-1' }), trace: null, error: /Low rate must not be negative/ },
    { desc: 'a ramp from 0 to 0', input: form({ kind: 'ramp', fromRps: '0', toRps: '0' }), trace: null, error: /from 0 to 0/ },
    { desc: 'a trace multiplier of 0', input: form({ kind: 'trace', multiplier: '0' }), trace, error: /Multiplier is 0: nothing would be sent/ },
    { desc: 'a trace compression of 0', input: form({ kind: 'trace', compression: '0' }), trace, error: /Compression must be above 0/ },
    { desc: 'path without a slash', input: form({ path: 'work=5' }), trace: null, error: /Path must start with \// }
  ])('rejects $desc', ({ input, trace: t, error }) => {
    const r = buildLoadProfile(input, t)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(error)
  })

  it.each([
    { desc: 'a step with a low rate of 0', input: form({ kind: 'step', lowRps: '0', highRps: '50' }) },
    { desc: 'a ramp from 0', input: form({ kind: 'ramp', fromRps: '0', toRps: '10' }) },
    { desc: 'a ramp down to 0', input: form({ kind: 'ramp', fromRps: '10', toRps: '0' }) }
  ])('accepts $desc: it sends something', ({ input }) => {
    const r = buildLoadProfile(input, null)
    expect(r.ok).toBe(true)
    if (r.ok) expect(loadProfileSchema.safeParse(r.profile).success).toBe(true)
  })

  it('passes the path through', () => {
    const r = buildLoadProfile(form({ path: ' /?work=5 ' }), null)
    expect(r.ok && r.path).toBe('/?work=5')
  })

  // The engine's limits, checked before anything is sent and said in plain words next to the field,
  // instead of the engine's "startLoad: profile.rps: Too big: expected number to be <=2000".
  // 18000 requests in a minute: 300 req/s at its peak.
  const bigTrace: ParsedTrace = { ...trace, points: [{ at: 0, requests: 18_000 }, { at: 60_000, requests: 60 }], peakRps: 300 }
  it.each<{ desc: string; input: LoadForm; trace?: ParsedTrace; field: string; error: string }>([
    { desc: 'a rate above 2000', input: form({ rps: '2001' }), field: 'rps', error: 'Rate is at most 2000 req/s' },
    { desc: 'a step high rate above 2000', input: form({ kind: 'step', highRps: '5000' }), field: 'highRps', error: 'High rate is at most 2000 req/s' },
    { desc: 'a ramp end above 2000', input: form({ kind: 'ramp', toRps: '2500' }), field: 'toRps', error: 'To rate is at most 2000 req/s' },
    { desc: 'a duration under 1 s', input: form({ durationSeconds: '0.4' }), field: 'durationSeconds', error: 'Duration is at least 1 s' },
    { desc: 'a duration over 30 min', input: form({ durationSeconds: '1801' }), field: 'durationSeconds', error: 'Duration is at most 1800 s (30 min)' },
    { desc: 'a phase under 0.1 s', input: form({ kind: 'step', lowSeconds: '0.05' }), field: 'lowSeconds', error: 'Low phase is at least 0.1 s' },
    { desc: 'a phase over 30 min', input: form({ kind: 'step', highSeconds: '4000' }), field: 'highSeconds', error: 'High phase is at most 1800 s (30 min)' },
    { desc: 'a tiny compression', input: form({ kind: 'trace', compression: '0.0001' }), trace, field: 'compression', error: 'Compression is at least 0.001' },
    { desc: 'a huge compression', input: form({ kind: 'trace', compression: '2e6' }), trace, field: 'compression', error: 'Compression is at most 1000000' },
    {
      desc: 'a multiplier that takes the trace peak over 2000 req/s',
      input: form({ kind: 'trace', multiplier: '7' }),
      trace: bigTrace,
      field: 'multiplier',
      error: 'The trace peaks at 2100 req/s with this multiplier, over the 2000 req/s limit: use at most 6.66'
    },
    { desc: 'a path over 2000 characters', input: form({ path: `/${'a'.repeat(2000)}` }), field: 'path', error: 'Path is at most 2000 characters' },
    { desc: 'a negative rate', input: form({ rps: '-5' }), field: 'rps', error: 'Rate must not be negative' },
    { desc: 'an empty rate', input: form({ rps: '' }), field: 'rps', error: 'Rate must be a number' }
  ])('refuses $desc, next to its field, before the engine would', ({ input, trace: t, field, error }) => {
    const r = buildLoadProfile(input, t ?? null)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.fields).toEqual({ [field]: error })
      expect(r.error).toBe(error)
    }
  })

  it.each([
    { desc: 'the top rate', input: form({ rps: '2000' }), trace: null },
    { desc: 'the shortest run', input: form({ durationSeconds: '1' }), trace: null },
    { desc: 'a 30 min run', input: form({ durationSeconds: '1800' }), trace: null },
    { desc: 'the shortest phases', input: form({ kind: 'step', lowSeconds: '0.1', highSeconds: '0.1' }), trace: null },
    { desc: 'the suggested multiplier', input: form({ kind: 'trace', multiplier: '6.66' }), trace: bigTrace },
    { desc: 'the smallest compression', input: form({ kind: 'trace', compression: '0.001', durationSeconds: '60' }), trace }
  ])('accepts $desc at the limit, and so does the engine', ({ input, trace: t }) => {
    const r = buildLoadProfile(input, t)
    expect(r.ok).toBe(true)
    if (r.ok) expect(loadProfileSchema.safeParse(r.profile).success).toBe(true)
  })

  it('a problem of the whole profile has no field', () => {
    const r = buildLoadProfile(form({ kind: 'step', lowRps: '0', highRps: '0' }), null)
    expect(r.ok === false && r.fields).toEqual({})
  })

  it('several problems: each field keeps its own, the line has them all', () => {
    const r = buildLoadProfile(form({ rps: '3000', durationSeconds: '0' }), null)
    expect(r.ok === false && r.fields).toEqual({ rps: 'Rate is at most 2000 req/s', durationSeconds: 'Duration is at least 1 s' })
    expect(r.ok === false && r.error).toBe('Duration is at least 1 s; Rate is at most 2000 req/s')
  })

  it('tracePlaySeconds divides trace time by compression', () => {
    expect(tracePlaySeconds(trace, 60)).toBe(2)
    expect(tracePlaySeconds(trace, 1)).toBe(120)
    expect(tracePlaySeconds(trace, 0)).toBeNaN()
  })
})
