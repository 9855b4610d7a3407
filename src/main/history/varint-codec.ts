/**
 * Byte-level primitives for the history chunk format: unsigned LEB128 varints, zigzag for signed
 * integers, and a "delta stream" that stores a sequence of integers as zigzag deltas with runs of
 * zero deltas collapsed into one token.
 *
 * All arithmetic uses plain numbers (not 32-bit bitwise ops) so integers up to 2^53 survive; callers
 * clamp their quantized values to ±MAX_QUANTIZED so every intermediate (delta, zigzag, token) stays
 * an exact integer below 2^53.
 */

/** Largest magnitude a quantized value may have: deltas ≤ 2^49, zigzag ≤ 2^50, tokens ≤ 2^51. */
export const MAX_QUANTIZED = 2 ** 48

/** Growable byte buffer; `bytes()` returns a copy sized to what was written. */
export class ByteWriter {
  private buf: Uint8Array
  private len = 0

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity)
  }

  get length(): number {
    return this.len
  }

  /** Forgets what was written, keeping the buffer (for a reused scratch writer). */
  reset(): void {
    this.len = 0
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < this.len + extra) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }

  u8(v: number): void {
    this.ensure(1)
    this.buf[this.len++] = v & 0xff
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length)
    this.buf.set(bytes, this.len)
    this.len += bytes.length
  }

  /** Unsigned varint; `v` must be a non-negative safe integer. */
  uvarint(v: number): void {
    this.ensure(8)
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.buf[this.len++] = v
  }

  svarint(v: number): void {
    this.uvarint(zigzag(v))
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len)
  }
}

/** Reads what ByteWriter wrote; throws RangeError on truncated input (callers treat that as corrupt). */
export class ByteReader {
  private pos = 0

  constructor(private readonly buf: Uint8Array) {}

  get offset(): number {
    return this.pos
  }

  /** The underlying bytes, for tight decode loops that track their own position (see seek). */
  get bytesView(): Uint8Array {
    return this.buf
  }

  seek(pos: number): void {
    this.pos = pos
  }

  u8(): number {
    const v = this.buf[this.pos++]
    if (v === undefined) throw new RangeError('history chunk truncated')
    return v
  }

  take(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new RangeError('history chunk truncated')
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  uvarint(): number {
    // Most tokens are one byte: take that path without the loop (queries decode ~10^5 per call).
    const b0 = this.buf[this.pos]
    if (b0 !== undefined && b0 < 0x80) {
      this.pos++
      return b0
    }
    let result = 0
    let mul = 1
    for (let i = 0; i < 8; i++) {
      const b = this.u8()
      result += (b & 0x7f) * mul
      if (b < 0x80) return result
      mul *= 0x80
    }
    throw new RangeError('history varint too long')
  }

  svarint(): number {
    return unzigzag(this.uvarint())
  }
}

export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1
}

export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2
}

/**
 * Writes `values` (integers) as deltas from the previous value (the first from 0). A token is
 * `zigzag(delta) * 2` for one value, or `run * 2 + 1` for `run` consecutive zero deltas, so
 * constant stretches (0 errors, steady memory, `up`) cost one byte per run.
 */
export function writeDeltaStream(w: ByteWriter, values: ArrayLike<number>): void {
  let prev = 0
  let run = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number
    const d = v - prev
    prev = v
    if (d === 0) {
      run++
      continue
    }
    if (run > 0) {
      w.uvarint(run * 2 + 1)
      run = 0
    }
    w.uvarint(zigzag(d) * 2)
  }
  if (run > 0) w.uvarint(run * 2 + 1)
}

/**
 * Reads `count` integers written by writeDeltaStream into `out` starting at index 0. The varint
 * decoding is inlined: queries decode ~10^5 values per call and this loop is most of their time.
 */
export function readDeltaStream(r: ByteReader, count: number, out: { [i: number]: number }): void {
  const buf = r.bytesView
  let pos = r.offset
  let prev = 0
  let i = 0
  while (i < count) {
    let token = buf[pos++]
    if (token === undefined) throw new RangeError('history chunk truncated')
    if (token >= 0x80) {
      token &= 0x7f
      let mul = 0x80
      for (let k = 1; ; k++) {
        const b = buf[pos++]
        if (b === undefined) throw new RangeError('history chunk truncated')
        if (k >= 8) throw new RangeError('history varint too long')
        token += (b & 0x7f) * mul
        if (b < 0x80) break
        mul *= 0x80
      }
    }
    if (token % 2 === 1) {
      const run = (token - 1) / 2
      if (run === 0 || i + run > count) throw new RangeError('history delta run out of range')
      for (let k = 0; k < run; k++) out[i++] = prev
    } else {
      const z = token / 2
      prev += z % 2 === 0 ? z / 2 : -(z + 1) / 2
      out[i++] = prev
    }
  }
  r.seek(pos)
}
