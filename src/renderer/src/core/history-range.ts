/**
 * Time ranges of the History view: presets relative to now, pan and zoom, the datetime-local
 * text the custom-range inputs use, and labels for the query's resolution. Pure; `now` is passed in.
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

/** Local time as the value of an `<input type="datetime-local">` ("2026-12-03T18:05"). */
export function toDatetimeLocal(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** Parses a datetime-local value (seconds optional) as local time; null when it is not one. */
export function fromDatetimeLocal(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim())
  if (!m) return null
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[]
  const date = new Date(y!, mo! - 1, d!, h!, mi!, s!)
  // Date rolls 2026-02-31 over into March; a rolled date was not a real one.
  if (date.getMonth() !== mo! - 1 || date.getDate() !== d || date.getHours() !== h) return null
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

/** "18:05 – 18:20" within one day, "3 Dec 18:05 – 4 Dec 09:00" across days. */
export function formatRangeLabel(range: TimeRange): string {
  const a = new Date(range.from)
  const b = new Date(range.to)
  const hm = (d: Date): string => `${pad(d.getHours())}:${pad(d.getMinutes())}`
  const day = (d: Date): string => `${d.getDate()} ${MONTHS[d.getMonth()]}`
  if (a.toDateString() === b.toDateString()) return `${day(a)} ${hm(a)} – ${hm(b)}`
  return `${day(a)} ${hm(a)} – ${day(b)} ${hm(b)}`
}

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const
