/**
 * Reads `timestamp,requests` CSV traces (the format of shared/data/traces) into TracePoints.
 * Timestamps are ISO-8601 (any offset) or unix seconds; a `.gz` file is gunzipped. Intervals
 * absent from the file stay absent: the simulator skips that time rather than reading it as zero
 * load, because "no data" (log lost, server down) is not "no users".
 */
import { readFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { PrescalError } from '../../shared/errors'
import type { TracePoint } from './scaler-types'

const UNIX_SECONDS = /^\d+(\.\d+)?$/

function parseTimestamp(raw: string): number {
  if (UNIX_SECONDS.test(raw)) return Math.round(Number(raw) * 1000)
  // Date.parse accepts more than ISO-8601 on some engines; insist on a date-first shape.
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw)) return Number.NaN
  return Date.parse(raw)
}

/**
 * Parses CSV text. A first line that does not start with a digit is a header. Throws PrescalError
 * INVALID_ARGUMENT naming `source` and the line for a bad timestamp, a bad or negative count, or
 * rows out of time order (duplicates included).
 */
export function parseTraceCsv(text: string, source = 'trace'): TracePoint[] {
  const out: TracePoint[] = []
  let lineNo = 0
  let start = 0
  let prev = -Infinity
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    const line = text.slice(start, end).trim()
    start = end + 1
    lineNo++
    if (line === '') continue
    if (lineNo === 1 && !/^\d/.test(line)) continue
    const comma = line.indexOf(',')
    const fail = (what: string): never => {
      throw new PrescalError('INVALID_ARGUMENT', `${source}:${lineNo}: ${what} in "${line.slice(0, 80)}"`)
    }
    if (comma === -1) fail('expected "timestamp,requests"')
    const at = parseTimestamp(line.slice(0, comma).trim())
    if (!Number.isFinite(at)) fail('bad timestamp (ISO-8601 or unix seconds)')
    const requests = Number(line.slice(comma + 1).trim())
    if (!Number.isFinite(requests) || requests < 0) fail('bad request count')
    if (at <= prev) fail('timestamps must increase')
    prev = at
    out.push({ at, requests })
  }
  return out
}

/** Reads and parses a trace file (gunzipped when it ends in .gz). I/O errors become NOT_FOUND / INVALID_ARGUMENT. */
export async function readTrace(path: string): Promise<TracePoint[]> {
  let buf: Buffer
  try {
    buf = await readFile(path)
  } catch (err) {
    throw new PrescalError('NOT_FOUND', `cannot read trace ${path}: ${(err as Error).message}`, { cause: err })
  }
  if (path.endsWith('.gz')) {
    try {
      buf = gunzipSync(buf)
    } catch (err) {
      throw new PrescalError('INVALID_ARGUMENT', `${path} is not valid gzip`, { cause: err })
    }
  }
  return parseTraceCsv(buf.toString('utf8'), path)
}
