/**
 * Reads `timestamp,requests` CSV traces (the format of shared/data/traces). Timestamps are
 * ISO-8601 (any offset) or unix seconds; a `.gz` file is gunzipped. Intervals absent from the file
 * stay absent: the simulator skips that time rather than reading it as zero load, because "no
 * data" (log lost, server down) is not "no users".
 *
 * `readTraceColumns` streams the file into typed columns (trace-columns.ts) so a 5-million-row
 * trace never exists as one string or as row objects; `readTrace` / `parseTraceCsv` return
 * TracePoint objects for small traces (uploads, tests).
 */
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createGunzip, gunzipSync } from 'node:zlib'
import { PrescalError } from '../../shared/errors'
import { TraceColumnsBuilder } from './trace-columns'
import type { TraceColumns } from './trace-columns'
import type { TracePoint } from './scaler-types'

const UNIX_SECONDS = /^\d+(\.\d+)?$/

function parseTimestamp(raw: string): number {
  if (UNIX_SECONDS.test(raw)) return Math.round(Number(raw) * 1000)
  // Date.parse accepts more than ISO-8601 on some engines; insist on a date-first shape.
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw)) return Number.NaN
  return Date.parse(raw)
}

/**
 * Parses CSV one line at a time and hands each row to `emit`. A first line that does not start
 * with a digit is a header. Throws PrescalError INVALID_ARGUMENT naming `source` and the line for
 * a bad timestamp, a bad or negative count, or rows out of time order (duplicates included).
 */
class TraceLineParser {
  private lineNo = 0
  private prev = -Infinity

  constructor(
    private readonly source: string,
    private readonly emit: (at: number, requests: number) => void
  ) {}

  line(raw: string): void {
    this.lineNo++
    const line = raw.trim()
    if (line === '') return
    if (this.lineNo === 1 && !/^\d/.test(line)) return
    const comma = line.indexOf(',')
    const fail = (what: string): never => {
      throw new PrescalError('INVALID_ARGUMENT', `${this.source}:${this.lineNo}: ${what} in "${line.slice(0, 80)}"`)
    }
    if (comma === -1) fail('expected "timestamp,requests"')
    const at = parseTimestamp(line.slice(0, comma).trim())
    if (!Number.isFinite(at)) fail('bad timestamp (ISO-8601 or unix seconds)')
    const requests = Number(line.slice(comma + 1).trim())
    if (!Number.isFinite(requests) || requests < 0) fail('bad request count')
    if (at <= this.prev) fail('timestamps must increase')
    this.prev = at
    this.emit(at, requests)
  }

  /** Feeds text that may end mid-line; returns the unfinished tail to prepend to the next chunk. */
  chunk(text: string): string {
    let start = 0
    for (;;) {
      const end = text.indexOf('\n', start)
      if (end === -1) return text.slice(start)
      this.line(text.slice(start, end))
      start = end + 1
    }
  }
}

/** Parses CSV text into TracePoints; errors as TraceLineParser (INVALID_ARGUMENT with file:line). */
export function parseTraceCsv(text: string, source = 'trace'): TracePoint[] {
  const out: TracePoint[] = []
  const parser = new TraceLineParser(source, (at, requests) => out.push({ at, requests }))
  const tail = parser.chunk(text)
  if (tail !== '') parser.line(tail)
  return out
}

/** Reads and parses a small trace file (gunzipped when it ends in .gz). I/O errors become NOT_FOUND / INVALID_ARGUMENT. */
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

/**
 * Streams a trace file (gunzipped when it ends in .gz) into typed columns; memory is the columns
 * plus one read chunk. Errors as readTrace: NOT_FOUND when the file cannot be opened or read,
 * INVALID_ARGUMENT for bad gzip or a bad line (file:line in the message).
 */
export async function readTraceColumns(path: string): Promise<TraceColumns> {
  const builder = new TraceColumnsBuilder()
  const parser = new TraceLineParser(path, (at, requests) => builder.push(at, requests))
  const file = createReadStream(path)
  const gz = path.endsWith('.gz')
  const stream = gz ? file.pipe(createGunzip()) : file
  // pipe() does not forward the source's errors: surface a missing file from the gzip path too.
  if (gz) file.on('error', (err) => stream.destroy(err))
  stream.setEncoding('utf8')
  let tail = ''
  try {
    for await (const chunk of stream as AsyncIterable<string>) tail = parser.chunk(tail + chunk)
  } catch (err) {
    file.destroy()
    if (err instanceof PrescalError) throw err
    const e = err as NodeJS.ErrnoException
    if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR' || e.syscall !== undefined) {
      throw new PrescalError('NOT_FOUND', `cannot read trace ${path}: ${e.message}`, { cause: err })
    }
    throw new PrescalError('INVALID_ARGUMENT', `${path} is not valid gzip`, { cause: err })
  }
  if (tail !== '') parser.line(tail)
  return builder.finish()
}
