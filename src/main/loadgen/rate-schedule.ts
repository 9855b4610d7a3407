/**
 * The open-loop arrival schedule of a load profile. Pure: times are ms from the start of the run.
 *
 * Arrivals are deterministic, not Poisson: with C(t) = ∫₀ᵗ rate, arrival k (k = 1, 2, …) is at the
 * first t where C(t) = k − ½. So a constant 100 req/s for 2 s sends exactly 200 requests at
 * 5, 15, …, 1995 ms, a step profile switches rate exactly at its phase edges, and the count due by
 * t is floor(C(t) + ½) — which is all the live generator needs, however late its timer fires.
 * Deterministic spacing keeps a short demo run's achieved rate equal to its target; real traffic's
 * burstiness comes from the trace profile.
 */
import type { LoadProfile } from './load-profile-schema'

/** A compiled profile. All methods are O(log segments). */
export interface RateSchedule {
  /** When the run ends (ms): durationMs, or earlier when a replayed trace runs out. */
  readonly endMs: number
  /** Highest rate anywhere in the run (req/s). */
  readonly peakRps: number
  /** Requests the whole run sends. */
  readonly totalRequests: number
  /** Target rate at t (req/s); 0 outside [0, endMs). */
  rateAt(tMs: number): number
  /** C(t): requests the schedule has asked for by t (fractional). */
  expectedBy(tMs: number): number
  /** Whole arrivals due at or before t: floor(C(t) + ½). */
  dueBy(tMs: number): number
  /** Time of arrival k ≥ 1; Infinity when the run never reaches it. */
  arrivalAt(k: number): number
}

/** A stretch of constant rate; stretches are sorted, disjoint, and have rate > 0. */
interface Segment {
  start: number
  end: number
  rate: number
  /** C at `start`. */
  before: number
}

/** Builds the schedule; expects a profile that passed loadProfileSchema (clamps, never throws). */
export function compileSchedule(profile: LoadProfile): RateSchedule {
  if (profile.kind === 'ramp') return rampSchedule(profile.fromRps, profile.toRps, profile.durationMs)
  return segmentSchedule(segmentsOf(profile), endOf(profile))
}

/** durationMs, or the end of a replayed trace when that comes first (silence after it is not a run). */
function endOf(profile: Exclude<LoadProfile, { kind: 'ramp' }>): number {
  if (profile.kind !== 'trace') return profile.durationMs
  const first = profile.points[0]
  const last = profile.points[profile.points.length - 1]
  if (first === undefined || last === undefined || !(profile.compression > 0)) return 0
  return Math.min(profile.durationMs, (last.at + profile.stepMs - first.at) / profile.compression)
}

/** Target rate of `profile` at t ms into the run (req/s). Compiles on every call: for tables and tests. */
export function rateAt(profile: LoadProfile, tMs: number): number {
  return compileSchedule(profile).rateAt(tMs)
}

/** Arrival times in [fromMs, toMs), at most `limit` of them. */
export function arrivalTimes(profile: LoadProfile, fromMs: number, toMs: number, limit = 100_000): number[] {
  const s = compileSchedule(profile)
  const out: number[] = []
  // Arrivals before fromMs are those with C(t_k) = k − ½ < C(fromMs), barring ties at fromMs itself.
  let k = Math.max(1, Math.floor(s.expectedBy(fromMs) + 0.5))
  while (out.length < limit) {
    const t = s.arrivalAt(k)
    if (!(t < toMs)) break
    if (t >= fromMs) out.push(t)
    k++
  }
  return out
}

function segmentsOf(profile: Exclude<LoadProfile, { kind: 'ramp' }>): Segment[] {
  const raw: Array<{ start: number; end: number; rate: number }> = []
  const end = profile.durationMs
  switch (profile.kind) {
    case 'constant':
      raw.push({ start: 0, end, rate: profile.rps })
      break
    case 'step': {
      const period = profile.lowMs + profile.highMs
      if (!(period > 0)) break
      for (let t = 0; t < end; t += period) {
        raw.push({ start: t, end: Math.min(end, t + profile.lowMs), rate: profile.lowRps })
        raw.push({ start: t + profile.lowMs, end: Math.min(end, t + period), rate: profile.highRps })
      }
      break
    }
    case 'trace': {
      const first = profile.points[0]
      if (first === undefined || !(profile.compression > 0) || !(profile.stepMs > 0)) break
      const rowMs = profile.stepMs / profile.compression
      const perSecond = profile.multiplier / (profile.stepMs / 1000)
      for (const p of profile.points) {
        const start = (p.at - first.at) / profile.compression
        if (start >= end) break
        raw.push({ start, end: Math.min(end, start + rowMs), rate: p.requests * perSecond })
      }
      break
    }
  }
  const out: Segment[] = []
  let c = 0
  let prevEnd = 0
  for (const r of raw) {
    // Overlapping trace rows (closer than stepMs) keep the earlier row: the schema rejects them anyway.
    const start = Math.max(r.start, prevEnd)
    if (!(r.end > start) || !(r.rate > 0) || !Number.isFinite(r.rate)) continue
    out.push({ start, end: r.end, rate: r.rate, before: c })
    c += (r.rate * (r.end - start)) / 1000
    prevEnd = r.end
  }
  return out
}

/** Index of the last segment with start <= t, or -1. */
function segmentAt(segs: readonly Segment[], t: number): number {
  let lo = 0
  let hi = segs.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (segs[mid]!.start <= t) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}

function segmentSchedule(segs: readonly Segment[], endMs: number): RateSchedule {
  const last = segs[segs.length - 1]
  const total = last === undefined ? 0 : last.before + (last.rate * (last.end - last.start)) / 1000
  let peak = 0
  for (const s of segs) peak = Math.max(peak, s.rate)
  const expectedBy = (t: number): number => {
    const i = segmentAt(segs, t)
    if (i < 0) return 0
    const s = segs[i]!
    return s.before + (s.rate * (Math.min(t, s.end) - s.start)) / 1000
  }
  return {
    endMs,
    peakRps: peak,
    totalRequests: total,
    rateAt(t) {
      const i = segmentAt(segs, t)
      const s = segs[i]
      return s !== undefined && t < s.end ? s.rate : 0
    },
    expectedBy,
    dueBy: (t) => Math.floor(expectedBy(t) + 0.5),
    arrivalAt(k) {
      const c = k - 0.5
      if (!(k >= 1) || c > total) return Infinity
      // First segment whose end cumulative reaches c.
      let lo = 0
      let hi = segs.length - 1
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        const s = segs[mid]!
        if (s.before + (s.rate * (s.end - s.start)) / 1000 >= c) hi = mid
        else lo = mid + 1
      }
      const s = segs[lo]!
      return s.start + ((c - s.before) * 1000) / s.rate
    }
  }
}

function rampSchedule(fromRps: number, toRps: number, durationMs: number): RateSchedule {
  const d = Math.max(0, durationMs)
  const a = Math.max(0, fromRps)
  const b = Math.max(0, toRps)
  // C(t) = (a t + k t²) / 1000 with k = (b − a) / 2d, for 0 <= t <= d.
  const k = d > 0 ? (b - a) / (2 * d) : 0
  const expectedBy = (t: number): number => {
    const x = Math.min(Math.max(0, t), d)
    return (a * x + k * x * x) / 1000
  }
  const total = expectedBy(d)
  return {
    endMs: d,
    peakRps: Math.max(a, b),
    totalRequests: total,
    rateAt: (t) => (t >= 0 && t < d ? a + ((b - a) * t) / d : 0),
    expectedBy,
    dueBy: (t) => Math.floor(expectedBy(t) + 0.5),
    arrivalAt(n) {
      const c = (n - 0.5) * 1000
      if (!(n >= 1) || c / 1000 > total) return Infinity
      // Root of k t² + a t − c = 0 in the form that stays accurate when k is ~0 or a is 0.
      const disc = Math.max(0, a * a + 4 * k * c)
      const denom = a + Math.sqrt(disc)
      return denom > 0 ? Math.min(d, (2 * c) / denom) : Infinity
    }
  }
}
