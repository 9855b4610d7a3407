/**
 * Time-axis tick labels for charts spanning seconds to a month, in local time: the label says
 * as much as the span needs ("18:05:30", "18:05", "3 Dec", "3 Dec 12:00") and never more. With
 * `withYear` (the range is not all in the current year, see rangeNeedsYear) a date carries its year.
 */
import { MONTHS } from './history-range'

const pad = (n: number): string => String(n).padStart(2, '0')

/**
 * `ms`: the tick; `spanMs`: the visible range, which decides whether a date is worth showing. The
 * year goes on date-only (midnight) ticks: "3 Dec 2025 12:00" would be too wide for the tick spacing.
 */
export function timeAxisLabel(ms: number, spanMs: number, withYear = false): string {
  const d = new Date(ms)
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`
  const date = `${d.getDate()} ${MONTHS[d.getMonth()]}`
  const midnight = d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0
  const dateOnly = withYear ? `${date} ${d.getFullYear()}` : date
  if (spanMs <= 20 * 60_000) return d.getSeconds() === 0 ? hm : `${hm}:${pad(d.getSeconds())}`
  if (spanMs <= 36 * 3_600_000) return midnight ? dateOnly : hm
  return midnight ? dateOnly : `${date} ${hm}`
}

/** The hovered time in a legend: time of day, with the date when the span crosses days (and its year with `withYear`). */
export function cursorTimeLabel(ms: number, spanMs: number, withYear = false): string {
  const d = new Date(ms)
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  if (spanMs <= 20 * 3_600_000) return time
  return `${d.getDate()} ${MONTHS[d.getMonth()]}${withYear ? ` ${d.getFullYear()}` : ''} ${time}`
}
