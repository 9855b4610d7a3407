import {
  ByteReader,
  ByteWriter,
  MAX_QUANTIZED,
  readDeltaStream,
  writeDeltaStream,
  zigzag
} from './varint-codec'

/**
 * Chunk format (version 1): a column-oriented block of `n` points of one backend, all inside one
 * chunk window starting at `start` (the row's `start_ms`, not repeated in the blob).
 *
 * ```
 * u8       format version (1)
 * uvarint  n            points
 * uvarint  ncols        columns that follow (decoders fill missing trailing columns with gaps)
 * stream   timestamps   d0 = t0 - start, di = ti - t(i-1), written as a delta stream of d,
 *                       i.e. the first offset, the first interval, then delta-of-delta
 * per column:
 *   u8       presence   0 = all present, 1 = all absent (nothing follows), 2 = bitmap follows
 *   bytes    bitmap     ceil(n/8) bytes, bit i (LSB first) set = point i has a value
 *   uvarint  divisor    GCD of the quantized values present (1 when all are 0)
 *   stream   values     (quantized / divisor) as a delta stream (see varint-codec.ts)
 * ```
 *
 * Quantization is per column: `q = round(v * scale)`, clamped to ±MAX_QUANTIZED. The scale is
 * fixed by the column spec (0.01 for latencies and CPU%, 1 KiB for memory...); the per-chunk GCD
 * divisor then makes values that are coarser than the scale free (integer RPS stored at 0.01
 * costs nothing extra; page-multiple memory divides by 4 KiB). NaN and ±Infinity are gaps, and a gap
 * is never written as a value: it decodes back to NaN, which readers turn into null.
 */

export interface ColumnSpec {
  name: string
  /** Multiplier applied before rounding: 100 keeps two decimals, 1/1024 stores KiB. */
  scale: number
}

export interface DecodedChunk {
  t: number[]
  /** One array per column spec, NaN where a point has no value. */
  cols: number[][]
}

const FORMAT_VERSION = 1
const ALL_PRESENT = 0
const ALL_ABSENT = 1
const BITMAP = 2

export function quantize(v: number, scale: number): number | null {
  if (!Number.isFinite(v)) return null
  const q = Math.round(v * scale)
  if (q > MAX_QUANTIZED) return MAX_QUANTIZED
  if (q < -MAX_QUANTIZED) return -MAX_QUANTIZED
  // Math.round(-0.4) is -0; keep the stream canonical.
  return q === 0 ? 0 : q
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const r = a % b
    a = b
    b = r
  }
  return a
}

/**
 * Encodes points into a chunk blob. `t` must be ascending and ≥ `start`; every `cols[c]` has
 * `t.length` entries. Throws RangeError on malformed input (a programming error, not I/O).
 */
export function encodeChunk(
  start: number,
  t: ArrayLike<number>,
  cols: ArrayLike<number>[],
  specs: readonly ColumnSpec[]
): Uint8Array {
  const n = t.length
  if (cols.length !== specs.length) throw new RangeError('history chunk: column count mismatch')
  const w = new ByteWriter(64 + n * specs.length)
  w.u8(FORMAT_VERSION)
  w.uvarint(n)
  w.uvarint(specs.length)

  const intervals: number[] = new Array(n)
  let prev = start
  for (let i = 0; i < n; i++) {
    const ti = t[i] as number
    if (!(ti >= prev)) throw new RangeError('history chunk: timestamps must ascend from start')
    intervals[i] = ti - prev
    prev = ti
  }
  writeDeltaStream(w, intervals)

  const q: number[] = []
  const bitmap = new Uint8Array(Math.ceil(n / 8))
  for (let c = 0; c < specs.length; c++) {
    const col = cols[c] as ArrayLike<number>
    const spec = specs[c] as ColumnSpec
    if (col.length !== n) throw new RangeError(`history chunk: column ${spec.name} length mismatch`)
    q.length = 0
    bitmap.fill(0)
    let divisor = 0
    for (let i = 0; i < n; i++) {
      const v = quantize(col[i] as number, spec.scale)
      if (v === null) continue
      q.push(v)
      bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7))
      divisor = gcd(divisor, Math.abs(v))
    }
    if (q.length === 0) {
      w.u8(ALL_ABSENT)
      continue
    }
    if (q.length === n) {
      w.u8(ALL_PRESENT)
    } else {
      w.u8(BITMAP)
      w.raw(bitmap)
    }
    if (divisor === 0) divisor = 1
    w.uvarint(divisor)
    if (divisor !== 1) for (let i = 0; i < q.length; i++) q[i] = (q[i] as number) / divisor
    writeDeltaStream(w, q)
  }
  return w.bytes()
}

const scratch = new ByteWriter(1024)
/** Reused by decodeChunk for intermediate integers (decoding is synchronous, never re-entered). */
const decodeScratch: number[] = []

/**
 * The one-point chunk `encodeChunk(at, [at], values.map((v) => [v]), specs)` would produce (the
 * same bytes), written without per-column arrays: head rows are encoded for every backend on
 * every tick, and allocation there is what makes the garbage collector pause ticks.
 */
export function encodePoint(at: number, values: ArrayLike<number>, specs: readonly ColumnSpec[]): Uint8Array {
  const w = scratch
  w.reset()
  w.u8(FORMAT_VERSION)
  w.uvarint(1)
  w.uvarint(specs.length)
  w.uvarint(3) // timestamps: one zero interval from `at`, i.e. a run of one zero delta
  for (let c = 0; c < specs.length; c++) {
    const q = quantize(values[c] as number, (specs[c] as ColumnSpec).scale)
    if (q === null) {
      w.u8(ALL_ABSENT)
      continue
    }
    w.u8(ALL_PRESENT)
    const divisor = q === 0 ? 1 : Math.abs(q)
    w.uvarint(divisor)
    w.uvarint(q === 0 ? 3 : zigzag(q / divisor) * 2)
  }
  return w.bytes()
}

/**
 * Decodes a chunk blob; throws RangeError when the blob is truncated or malformed. With `into`,
 * its arrays are reused (queries decode hundreds of chunks one after the other).
 */
export function decodeChunk(start: number, blob: Uint8Array, specs: readonly ColumnSpec[], into?: DecodedChunk): DecodedChunk {
  const r = new ByteReader(blob)
  const version = r.u8()
  if (version !== FORMAT_VERSION) throw new RangeError(`history chunk: unknown format ${version}`)
  const n = r.uvarint()
  const ncols = r.uvarint()

  // Plain arrays on purpose: allocating many small Float64Arrays made decoding 3× slower.
  const intervals = decodeScratch
  readDeltaStream(r, n, intervals)
  const t: number[] = into?.t ?? new Array<number>(n)
  t.length = n
  let prev = start
  for (let i = 0; i < n; i++) {
    prev += intervals[i] as number
    t[i] = prev
  }

  const cols: number[][] = into?.cols ?? []
  cols.length = specs.length
  const q = decodeScratch
  for (let c = 0; c < specs.length; c++) {
    let out = cols[c]
    if (out === undefined) {
      out = new Array<number>(n).fill(NaN)
      cols[c] = out
    } else {
      out.length = n
      out.fill(NaN)
    }
    if (c >= ncols) continue
    const spec = specs[c] as ColumnSpec
    const mode = r.u8()
    if (mode === ALL_ABSENT) continue
    let bitmap: Uint8Array | null = null
    let present = n
    if (mode === BITMAP) {
      bitmap = r.take(Math.ceil(n / 8))
      present = 0
      for (let i = 0; i < n; i++) if (((bitmap[i >> 3] as number) >> (i & 7)) & 1) present++
    } else if (mode !== ALL_PRESENT) {
      throw new RangeError(`history chunk: bad presence mode ${mode}`)
    }
    const divisor = r.uvarint()
    readDeltaStream(r, present, q)
    let k = 0
    for (let i = 0; i < n; i++) {
      if (bitmap !== null && !(((bitmap[i >> 3] as number) >> (i & 7)) & 1)) continue
      out[i] = ((q[k++] as number) * divisor) / spec.scale
    }
  }
  return { t, cols }
}
