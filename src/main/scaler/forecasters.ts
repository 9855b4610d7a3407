/**
 * Request-rate forecasting for the predictive policy: additive Holt-Winters (level, damped trend,
 * seasonal) on fixed-width buckets, updated online in O(1) per bucket.
 *
 * Until a season is known (configured, or detected by autocorrelation once two seasons of history
 * exist) the same recursion runs without the seasonal term, i.e. Holt's damped linear trend, which
 * is the fallback while history is short. Seasonal slots are keyed by the bucket's absolute index
 * (epoch time / bucket width), so a gap in the data (no samples) keeps the phase right without
 * inventing values for the missing buckets.
 *
 * All state is plain data (ForecasterState) so a policy can keep it in its PolicyState.
 */

/**
 * Smoothing, chosen on the NASA and World Cup minute traces together (no per-trace values): a slow
 * level (α 0.15, ≈ 12 buckets of memory) because minute counts are noisy and the reactive policy
 * already answers sudden jumps; a trend that follows ramps within ~20 buckets (β 0.05; World Cup
 * match-day ramps are where prediction pays); each seasonal slot learns over ~20 seasons (γ 0.05)
 * because one slot sees one noisy value per season.
 */
const ALPHA = 0.15
const BETA = 0.05
const GAMMA = 0.05
/** Trend damping: a trend is extrapolated over the next tens of buckets, never indefinitely. */
const PHI = 0.98
/** Weight of the newest absolute one-step error in the error average (≈ last 20 buckets). */
const ERROR_WEIGHT = 0.05
/** Candidate seasons tried by detection (ms): hour, day, week. */
export const SEASON_CANDIDATES_MS = [3_600_000, 86_400_000, 604_800_000] as const
/** A candidate needs r(L) − r(L/2) above this to count as seasonal. */
const MIN_SEASON_SCORE = 0.2
/** A longer candidate must beat a shorter one by this much (it learns each slot less often). */
const LONGER_SEASON_MARGIN = 0.1
/** History kept for detection; bounded so a 1 s bucket width cannot grow it without end. */
const MAX_BUFFER = 50_000

export interface ForecasterState {
  bucketMs: number
  /** Seasonal slots (season length / bucket width); null while unknown or when none was found. */
  seasonSlots: number | null
  /** True when the season came from settings: no detection is attempted then. */
  seasonConfigured: boolean
  openBucket: number | null
  openSum: number
  openCount: number
  /** Index (epoch ms / bucketMs) of the newest closed bucket; null before the first. */
  lastBucket: number | null
  level: number | null
  trend: number
  /** Seasonal offsets by slot; null until the seasonal model is initialised. */
  season: number[] | null
  /** Closed bucket values (NaN for missing buckets) while no seasonal model runs. */
  buffer: number[]
  /** Closed buckets seen in total, and when detection last ran. */
  closed: number
  lastDetectAt: number
  /** Moving average of |actual − one-step forecast|, in req/s; a scale for forecast uncertainty. */
  meanAbsError: number
}

export function createForecaster(bucketMs: number, seasonLengthMs: number | null): ForecasterState {
  const width = Math.max(1, Math.round(bucketMs))
  const slots = seasonLengthMs === null ? null : Math.max(2, Math.round(seasonLengthMs / width))
  return {
    bucketMs: width,
    seasonSlots: slots,
    seasonConfigured: slots !== null,
    openBucket: null,
    openSum: 0,
    openCount: 0,
    lastBucket: null,
    level: null,
    trend: 0,
    season: null,
    buffer: [],
    closed: 0,
    lastDetectAt: 0,
    meanAbsError: 0
  }
}

/**
 * Feeds one sample: the mean rate over an interval ending at `at` (ms). Samples must come in time
 * order; an older one than the open bucket is ignored. A bucket closes when a sample reaching its
 * end arrives, so samples aligned with the buckets are used at once.
 */
export function observe(state: ForecasterState, at: number, rps: number): void {
  if (!Number.isFinite(rps) || !Number.isFinite(at)) return
  const b = Math.ceil(at / state.bucketMs) - 1
  if (state.openBucket !== null && b < state.openBucket) return
  if (state.lastBucket !== null && b <= state.lastBucket) return
  if (state.openBucket !== null && b > state.openBucket) closeBucket(state)
  state.openBucket = b
  state.openSum += rps
  state.openCount += 1
  if (at >= (b + 1) * state.bucketMs) closeBucket(state)
}

/** The forecast rate (req/s, ≥ 0) for the bucket `h` ≥ 1 buckets after the newest closed one; 0 before any data. */
export function forecast(state: ForecasterState, h: number): number {
  if (state.level === null || state.lastBucket === null) return 0
  const steps = Math.max(1, Math.floor(h))
  let value = state.level + state.trend * dampedSum(steps)
  if (state.season !== null && state.seasonSlots !== null) {
    value += state.season[slotOf(state.lastBucket + steps, state.seasonSlots)] ?? 0
  }
  return Math.max(0, value)
}

/** True once the seasonal (Holt-Winters) model runs; false while on the trend-only fallback. */
export function isSeasonal(state: ForecasterState): boolean {
  return state.season !== null
}

function dampedSum(h: number): number {
  // PHI + PHI² + … + PHI^h
  return (PHI * (1 - PHI ** h)) / (1 - PHI)
}

function slotOf(bucket: number, slots: number): number {
  return ((bucket % slots) + slots) % slots
}

function closeBucket(state: ForecasterState): void {
  const b = state.openBucket
  if (b === null || state.openCount === 0) return
  const y = state.openSum / state.openCount
  state.openBucket = null
  state.openSum = 0
  state.openCount = 0

  const gap = state.lastBucket === null ? 1 : b - state.lastBucket
  if (state.level === null) {
    state.level = y
  } else {
    const predicted = forecast(state, gap)
    state.meanAbsError += ERROR_WEIGHT * (Math.abs(y - predicted) - state.meanAbsError)
    const base = state.level + state.trend * dampedSum(gap)
    let s = 0
    const slots = state.seasonSlots
    if (state.season !== null && slots !== null) s = state.season[slotOf(b, slots)] ?? 0
    const level = ALPHA * (y - s) + (1 - ALPHA) * base
    state.trend = BETA * (level - state.level) + (1 - BETA) * PHI * state.trend
    state.level = level
    if (state.season !== null && slots !== null) {
      state.season[slotOf(b, slots)] = GAMMA * (y - level) + (1 - GAMMA) * s
    }
  }
  state.lastBucket = b
  state.closed += 1
  if (state.season === null) bufferValue(state, y, gap)
}

function bufferValue(state: ForecasterState, y: number, gap: number): void {
  const buf = state.buffer
  if (gap > MAX_BUFFER) buf.length = 0
  // A gap stays a gap: NaN marks missing buckets so detection skips them instead of reading zeros.
  for (let i = 1; i < gap && buf.length > 0; i++) buf.push(Number.NaN)
  buf.push(y)
  if (buf.length > MAX_BUFFER) buf.splice(0, buf.length - MAX_BUFFER)

  if (state.seasonConfigured) {
    const slots = state.seasonSlots!
    if (buf.length >= 2 * slots) initSeason(state, slots)
    return
  }
  // Detection waits for two days (the season that matters for web traffic) and retries daily.
  const day = Math.max(2, Math.round(86_400_000 / state.bucketMs))
  const firstAt = Math.min(2 * day, MAX_BUFFER)
  if (buf.length < firstAt) return
  if (state.lastDetectAt !== 0 && state.closed - state.lastDetectAt < day) return
  state.lastDetectAt = state.closed
  const slots = detectSeason(buf, state.bucketMs)
  if (slots !== null) {
    state.seasonSlots = slots
    initSeason(state, slots)
  }
}

/** Seasonal offsets from the buffered whole seasons; level and trend from their means. */
function initSeason(state: ForecasterState, slots: number): void {
  const buf = state.buffer
  const cycles = Math.floor(buf.length / slots)
  if (cycles < 2 || state.lastBucket === null) return
  const start = buf.length - cycles * slots
  const sums = new Float64Array(slots)
  const counts = new Uint32Array(slots)
  const means: number[] = []
  for (let c = 0; c < cycles; c++) {
    const from = start + c * slots
    const m = nanMean(buf, from, from + slots)
    means.push(m)
    if (Number.isNaN(m)) continue
    for (let i = from; i < from + slots; i++) {
      const v = buf[i]!
      if (Number.isNaN(v)) continue
      // Buffer position i holds bucket lastBucket − (len − 1 − i).
      const slot = slotOf(state.lastBucket - (buf.length - 1 - i), slots)
      sums[slot] = sums[slot]! + v - m
      counts[slot] = counts[slot]! + 1
    }
  }
  const season = new Array<number>(slots)
  for (let s = 0; s < slots; s++) season[s] = counts[s]! > 0 ? sums[s]! / counts[s]! : 0
  const valid = means.filter((m) => !Number.isNaN(m))
  const last = valid[valid.length - 1] ?? 0
  const first = valid[0] ?? last
  const trend = valid.length > 1 ? (last - first) / ((valid.length - 1) * slots) : 0
  state.season = season
  // The last cycle's mean sits at its middle; move it to the newest bucket.
  state.level = last + (trend * (slots - 1)) / 2
  state.trend = trend
  state.buffer = []
}

function nanMean(xs: readonly number[], from: number, to: number): number {
  let sum = 0
  let n = 0
  for (let i = from; i < to; i++) {
    const v = xs[i]!
    if (!Number.isNaN(v)) {
      sum += v
      n++
    }
  }
  return n === 0 ? Number.NaN : sum / n
}

/** Pearson correlation of (x[t], x[t+lag]) over pairs where both are present; NaN if too few. */
export function autocorrelation(xs: readonly number[], lag: number): number {
  let n = 0
  let sa = 0
  let sb = 0
  let saa = 0
  let sbb = 0
  let sab = 0
  for (let t = 0; t + lag < xs.length; t++) {
    const a = xs[t]!
    const b = xs[t + lag]!
    if (Number.isNaN(a) || Number.isNaN(b)) continue
    n++
    sa += a
    sb += b
    saa += a * a
    sbb += b * b
    sab += a * b
  }
  if (n < 3) return Number.NaN
  const cov = sab - (sa * sb) / n
  const va = saa - (sa * sa) / n
  const vb = sbb - (sb * sb) / n
  if (va <= 0 || vb <= 0) return Number.NaN
  return cov / Math.sqrt(va * vb)
}

/**
 * The season (in buckets) of `xs`, or null if none stands out. A candidate L (hour, day, week with
 * at least two periods of data) scores r(L) − r(L/2): a real season correlates with itself one
 * period later and anti-correlates half a period later, whereas a trend makes every lag correlate,
 * the short ones most, so the difference rejects it.
 */
export function detectSeason(xs: readonly number[], bucketMs: number): number | null {
  let best: number | null = null
  let bestScore = -Infinity
  for (const ms of SEASON_CANDIDATES_MS) {
    const lag = Math.round(ms / bucketMs)
    if (lag < 4 || 2 * lag > xs.length) continue
    const score = autocorrelation(xs, lag) - autocorrelation(xs, Math.round(lag / 2))
    if (!(score >= MIN_SEASON_SCORE)) continue
    const needed = best === null ? score : bestScore + LONGER_SEASON_MARGIN
    if (score >= needed) {
      best = lag
      bestScore = score
    }
  }
  return best
}
