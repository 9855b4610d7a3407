/**
 * Number and time formatting for the dashboard. Every function takes a plain value and returns
 * text without the unit unless its name says otherwise; null means "unavailable" and is never
 * shown as 0 (callers render NA_TEXT with a reason).
 */

/** What the dashboard shows for an unavailable value. */
export const NA_TEXT = '—'

/** Requests per second: integers as is, fractions with one decimal; no grouping so it parses back. */
export function formatRate(rps: number): string {
  if (!Number.isFinite(rps)) return NA_TEXT
  return Number.isInteger(rps) ? String(rps) : rps.toFixed(1)
}

export function formatPercent(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NA_TEXT
  return value < 10 ? value.toFixed(1) : value.toFixed(0)
}

/** Bytes as megabytes (10^6), one decimal below 100 MB. */
export function formatMegabytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return NA_TEXT
  const mb = bytes / 1_000_000
  return mb < 100 ? mb.toFixed(1) : mb.toFixed(0)
}

/** Latency in ms: two decimals below 1 ms, one below 10 ms, whole above. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return NA_TEXT
  if (ms < 1) return ms.toFixed(2)
  if (ms < 10) return ms.toFixed(1)
  return ms.toFixed(0)
}

/** Counts that only grow (totals): 999, 1.2k, 34k, 1.2M. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return NA_TEXT
  const abs = Math.abs(n)
  if (abs < 1000) return String(Math.round(n))
  if (abs < 10_000) return `${trimZero((n / 1000).toFixed(1))}k`
  if (abs < 1_000_000) return `${Math.round(n / 1000)}k`
  if (abs < 10_000_000) return `${trimZero((n / 1_000_000).toFixed(1))}M`
  return `${Math.round(n / 1_000_000)}M`
}

/** A duration for people: 850 ms, 4.2 s, 1 min 5 s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return NA_TEXT
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${trimZero((ms / 1000).toFixed(1))} s`
  const totalSeconds = Math.round(ms / 1000)
  const minutes = Math.floor(totalSeconds / 60)
  const seconds = totalSeconds % 60
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`
}

/** Wall-clock time of day, HH:MM:SS, in the given (default: local) time zone offset. */
export function formatClock(at: number, timeZone?: string): string {
  return new Date(at).toLocaleTimeString('en-GB', { hour12: false, timeZone })
}

/** Axis tick labels: whole numbers without decimals, others with as few as the step needs. */
export function formatAxisTick(value: number): string {
  if (!Number.isFinite(value)) return ''
  if (Number.isInteger(value)) return String(value)
  return trimZero(value.toFixed(Math.abs(value) < 1 ? 2 : 1))
}

/**
 * Splits a backend name into a head that may be cut with an ellipsis and the tail that tells
 * replicas apart and must stay visible ("prescal-demo-" + "2baba7", "127.0.0.1" + ":9000"): the
 * text after the last "-" or ":" when that is short, else the last 8 characters. Names short
 * enough to always fit are not split. Laid out with CSS, the cut falls wherever the room ends.
 */
export function splitNameTail(name: string): { head: string; tail: string } {
  if (name.length <= 12) return { head: name, tail: '' }
  const cut = Math.max(name.lastIndexOf('-'), name.lastIndexOf(':'))
  const at = cut > 0 && name.length - cut <= 13 ? cut : name.length - 8
  return { head: name.slice(0, at), tail: name.slice(at) }
}

function trimZero(s: string): string {
  return s.endsWith('.0') ? s.slice(0, -2) : s
}

/** A share 0..1 as a percentage: "0 %", "0.4 %", "12 %". */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return NA_TEXT
  const pct = share * 100
  if (pct === 0) return '0 %'
  if (pct < 0.1) return '<0.1 %'
  return `${pct < 10 ? trimZero(pct.toFixed(1)) : pct.toFixed(0)} %`
}

/** A ratio to a baseline: "1.00×", "1.35×"; null (no baseline) is unavailable. */
export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return NA_TEXT
  return `${ratio.toFixed(2)}×`
}
