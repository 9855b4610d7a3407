/**
 * Reads a `timestamp,requests` CSV (a recorded request-rate trace) for the load generator's trace
 * replay, in the window: the engine's zod schema checks the profile again, but parsing here lets
 * the form show the row count, step and peak before anything is sent. Timestamps are ISO-8601 or
 * unix seconds; a first line that does not start with a digit is a header. Same rules as the
 * engine's trace reader (src/main/scaler/trace-reader.ts), which the renderer cannot import.
 */

export interface ParsedTrace {
  /** Trace time (ms, the file's own origin) and the requests counted in [at, at + stepMs). */
  points: { at: number; requests: number }[]
  /** The smallest gap between rows: the trace's bucket width. */
  stepMs: number
  /** Last row start - first row start + stepMs. */
  spanMs: number
  /** Highest rate in the file, requests per second. */
  peakRps: number
}

export type TraceParseResult = { ok: true; trace: ParsedTrace } | { ok: false; error: string }

const UNIX_SECONDS = /^\d+(\.\d+)?$/

function parseTimestamp(raw: string): number {
  if (UNIX_SECONDS.test(raw)) return Math.round(Number(raw) * 1000)
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw)) return Number.NaN
  return Date.parse(raw)
}

/** Never throws: an error names the line, like "line 3: bad request count". */
export function parseTraceCsv(text: string): TraceParseResult {
  const points: { at: number; requests: number }[] = []
  const lines = text.split(/\r?\n/)
  let prev = -Infinity
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim()
    if (line === '') continue
    if (points.length === 0 && i === 0 && !/^\d/.test(line)) continue
    const fail = (what: string): TraceParseResult => ({ ok: false, error: `line ${i + 1}: ${what} in "${line.slice(0, 60)}"` })
    const comma = line.indexOf(',')
    if (comma === -1) return fail('expected "timestamp,requests"')
    const at = parseTimestamp(line.slice(0, comma).trim())
    if (!Number.isFinite(at)) return fail('bad timestamp (ISO-8601 or unix seconds)')
    const requests = Number(line.slice(comma + 1).trim())
    if (!Number.isFinite(requests) || requests < 0) return fail('bad request count')
    if (at <= prev) return fail('timestamps must increase')
    prev = at
    points.push({ at, requests })
  }
  if (points.length < 2) return { ok: false, error: 'the file needs at least two rows of timestamp,requests' }
  let stepMs = Infinity
  let peak = 0
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as { at: number; requests: number }
    if (i > 0) stepMs = Math.min(stepMs, p.at - (points[i - 1] as { at: number }).at)
    peak = Math.max(peak, p.requests)
  }
  const spanMs = (points[points.length - 1] as { at: number }).at - (points[0] as { at: number }).at + stepMs
  return { ok: true, trace: { points, stepMs, spanMs, peakRps: peak / (stepMs / 1000) } }
}
