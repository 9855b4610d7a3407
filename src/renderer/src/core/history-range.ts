/**
 * Time ranges of the History view: presets relative to now, pan and zoom, the text the
 * custom-range inputs show and read, and labels for the query's resolution. Pure; `now` is passed in.
 */

export interface TimeRange {
  /** Epoch ms, inclusive. */
  from: number
  to: number
}

export const historyPresets = [
  { id: '15m', label: '15 min', ms: 15 * 60_000 },
  { id: '1h', label: '1 h', ms: 3_600_000 },
  { id: '6h', label: '6 h', ms: 6 * 3_600_000 },
  { id: '24h', label: '24 h', ms: 24 * 3_600_000 },
  { id: '7d', label: '7 d', ms: 7 * 86_400_000 },
  { id: '30d', label: '30 d', ms: 30 * 86_400_000 }
] as const

export type HistoryPresetId = (typeof historyPresets)[number]['id']

/** Narrower than this and a 1 s grid has too few points to read; zooming stops here. */
export const MIN_SPAN_MS = 30_000

/** The last `preset` up to `now`. */
export function presetRange(id: HistoryPresetId, now: number): TimeRange {
  const preset = historyPresets.find((p) => p.id === id) ?? historyPresets[0]
  return { from: now - preset.ms, to: now }
}

/**
 * Shifts by half the span (direction -1 = earlier, 1 = later). A later pan never runs past `now`:
 * there is no data in the future, so the range stops with its end at now, keeping its span.
 */
export function panRange(range: TimeRange, direction: -1 | 1, now: number): TimeRange {
  const span = range.to - range.from
  const shift = Math.round(span / 2) * direction
  if (direction === 1 && range.to + shift > now) return { from: now - span, to: now }
  return { from: range.from + shift, to: range.to + shift }
}

/**
 * The range a drag selected, in whole ms, ordered, and at least MIN_SPAN_MS wide (widened
 * around its middle), so a stray click-drag of a few pixels cannot zoom into nothing.
 */
export function zoomRange(a: number, b: number): TimeRange {
  let from = Math.round(Math.min(a, b))
  let to = Math.round(Math.max(a, b))
  if (to - from < MIN_SPAN_MS) {
    const mid = (from + to) / 2
    from = Math.round(mid - MIN_SPAN_MS / 2)
    to = from + MIN_SPAN_MS
  }
  return { from: Math.max(0, from), to }
}

/** Whether a range ends close enough to `now` to count as "the last N" rather than the past. */
export function endsNow(range: TimeRange, now: number, slackMs = 5000): boolean {
  return now - range.to <= slackMs
}

const pad = (n: number): string => String(n).padStart(2, '0')

/**
 * A time as the custom-range inputs show it, written like every other date in the app: "4 Dec
 * 08:22" in local time, with the year only when it is not the year of `now` ("28 Dec 2025 10:00").
 * (A datetime-local input would show the browser's locale instead, e.g. "12/04/2026, 08:22 AM".)
 */
export function formatRangeInput(ms: number, now: number): string {
  const d = new Date(ms)
  const year = d.getFullYear() === new Date(now).getFullYear() ? '' : ` ${d.getFullYear()}`
  return `${d.getDate()} ${MONTHS[d.getMonth()]}${year} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']
const DAY_MONTH = /^(\d{1,2})\s+([a-z]{3,9})\.?(?:\s+(\d{4}))?(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/
const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})(?:[t\s](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/
const TIME_ONLY = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/

/**
 * Reads a time typed into a range input, in local time: "4 Dec 08:22", "4 December 2026 08:22:30",
 * "4 Dec" (midnight), "08:22" (today), or "2026-12-04 08:22" / "2026-12-04T08:22" (pasted).
 * Without a year it is the latest such date no more than a day after `now`, so "28 Dec" typed on
 * 3 Jan means last December. Null when the text is not a real time.
 */
export function parseRangeInput(text: string, now: number): number | null {
  const t = text.trim().toLowerCase()
  const today = new Date(now)
  let m = TIME_ONLY.exec(t)
  if (m) return localTime(today.getFullYear(), today.getMonth(), today.getDate(), m[1], m[2], m[3])
  m = ISO_LIKE.exec(t)
  if (m) return localTime(Number(m[1]), Number(m[2]) - 1, Number(m[3]), m[4], m[5], m[6])
  m = DAY_MONTH.exec(t)
  if (!m) return null
  const word = m[2] as string
  const month = MONTH_NAMES.findIndex((name) => name.startsWith(word))
  if (month < 0) return null
  const day = Number(m[1])
  if (m[3] !== undefined) return localTime(Number(m[3]), month, day, m[4], m[5], m[6])
  const thisYear = localTime(today.getFullYear(), month, day, m[4], m[5], m[6])
  if (thisYear !== null && thisYear <= now + 86_400_000) return thisYear
  return localTime(today.getFullYear() - 1, month, day, m[4], m[5], m[6])
}

/** A local date and time (hour/minute/second as matched text, absent = 0); null when it does not exist. */
function localTime(y: number, mo: number, d: number, h?: string, mi?: string, sec?: string): number | null {
  const [hh, mm, ss] = [h, mi, sec].map((x) => (x === undefined ? 0 : Number(x))) as [number, number, number]
  if (hh > 23 || mm > 59 || ss > 59) return null
  const date = new Date(y, mo, d, hh, mm, ss)
  // Date rolls 31 Feb over into March; a rolled date was not a real one.
  if (date.getFullYear() !== y || date.getMonth() !== mo || date.getDate() !== d || date.getHours() !== hh) return null
  return date.getTime()
}

/**
 * Validates a custom range typed by the user: an error text, or null when it is usable.
 */
export function customRangeError(from: number | null, to: number | null, now: number): string | null {
  if (from === null || to === null) return 'Enter both a start and an end.'
  if (from >= to) return 'The start must be before the end.'
  if (to - from < MIN_SPAN_MS) return 'Pick a range of at least 30 seconds.'
  if (from > now) return 'The range starts in the future; there is no data there yet.'
  return null
}

/** A grid step as people say it: "1 s", "10 s", "1 min", "5 min", "1 h", "2 h", "1 d". */
export function formatStep(stepMs: number): string {
  if (!Number.isFinite(stepMs) || stepMs <= 0) return '—'
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's']
  ]
  for (const [size, name] of units) {
    if (stepMs >= size && stepMs % size === 0) return `${stepMs / size} ${name}`
  }
  if (stepMs >= 1000) return `${Math.round(stepMs / 100) / 10} s`
  return `${Math.round(stepMs)} ms`
}

/**
 * Whether a range's dates need their year: when it does not lie entirely within the year of `now`
 * (a range in another year, or one that spans a new year). "4 Dec" alone would read as this year.
 */
export function rangeNeedsYear(range: TimeRange, now: number): boolean {
  const year = new Date(now).getFullYear()
  return new Date(range.from).getFullYear() !== year || new Date(range.to).getFullYear() !== year
}

/**
 * "3 Dec 18:05 – 18:20" within one day, "3 Dec 18:05 – 4 Dec 09:00" across days; each date with its
 * year when the range is not all in the year of `now` ("1 Jan 1970 00:00 – 4 Dec 2026 22:20").
 */
export function formatRangeLabel(range: TimeRange, now: number): string {
  const a = new Date(range.from)
  const b = new Date(range.to)
  const withYear = rangeNeedsYear(range, now)
  const hm = (d: Date): string => `${pad(d.getHours())}:${pad(d.getMinutes())}`
  const day = (d: Date): string => `${d.getDate()} ${MONTHS[d.getMonth()]}${withYear ? ` ${d.getFullYear()}` : ''}`
  if (a.toDateString() === b.toDateString()) return `${day(a)} ${hm(a)} – ${hm(b)}`
  return `${day(a)} ${hm(a)} – ${day(b)} ${hm(b)}`
}

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const
