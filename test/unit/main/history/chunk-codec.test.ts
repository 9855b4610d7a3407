import { describe, expect, it } from 'vitest'
import { decodeChunk, encodeChunk, encodePoint, quantize, type ColumnSpec } from '../../../../src/main/history/chunk-codec'
import { rawColumns } from '../../../../src/main/history/series-columns'
import {
  ByteReader,
  ByteWriter,
  MAX_QUANTIZED,
  readDeltaStream,
  unzigzag,
  writeDeltaStream,
  zigzag
} from '../../../../src/main/history/varint-codec'

describe('varint primitives', () => {
  it.each([0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 31, 2 ** 40 + 5, 2 ** 52])('uvarint round-trips %d', (v) => {
    const w = new ByteWriter(1)
    w.uvarint(v)
    expect(new ByteReader(w.bytes()).uvarint()).toBe(v)
  })

  it.each([
    [0, 0],
    [-1, 1],
    [1, 2],
    [-2, 3],
    [2 ** 40, 2 ** 41]
  ])('zigzag(%d) = %d and back', (v, z) => {
    expect(zigzag(v)).toBe(z)
    expect(unzigzag(z)).toBe(v)
  })

  it.each([
    { desc: 'empty', values: [] },
    { desc: 'constant run', values: [5, 5, 5, 5, 5, 5] },
    { desc: 'zeros', values: [0, 0, 0] },
    { desc: 'mixed signs', values: [-3, 7, 7, 7, -1_000_000, 2 ** 45, -(2 ** 45), 0] }
  ])('delta stream round-trips: $desc', ({ values }) => {
    const w = new ByteWriter()
    writeDeltaStream(w, values)
    const out: number[] = []
    readDeltaStream(new ByteReader(w.bytes()), values.length, out)
    expect(out).toEqual(values)
  })

  it('collapses a run of equal values into one byte', () => {
    const w = new ByteWriter()
    writeDeltaStream(w, new Array(60).fill(5))
    expect(w.length).toBe(2) // first value, then one run token for 59 zero deltas
  })

  it('rejects a truncated stream', () => {
    const w = new ByteWriter()
    w.uvarint(300)
    expect(() => new ByteReader(w.bytes().subarray(0, 1)).uvarint()).toThrow(RangeError)
  })
})

const g = NaN
const specs: ColumnSpec[] = [
  { name: 'count', scale: 1 },
  { name: 'hundredths', scale: 100 },
  { name: 'kib', scale: 1 / 1024 }
]

describe('chunk codec round trip', () => {
  const cases: { desc: string; t: number[]; cols: number[][]; expected?: number[][] }[] = [
    { desc: 'single point', t: [1_000], cols: [[3], [12.34], [4096]] },
    {
      desc: 'gaps stay gaps (NaN in, NaN out)',
      t: [0, 1_000, 2_000, 3_000],
      cols: [
        [1, g, 3, g],
        [g, g, g, g],
        [4096, 8192, g, 1024]
      ]
    },
    {
      desc: 'negative values and jittered timestamps',
      t: [3, 1_001, 2_010, 2_999, 4_000],
      cols: [
        [-5, 0, 5, -5, 0],
        [-12.5, -0.01, 0, 0.01, 99.99],
        [-1024, 0, 1024, 2048, -4096]
      ]
    },
    {
      desc: 'quantization: hundredths rounded, memory to KiB, Infinity is a gap',
      t: [0, 1_000, 2_000],
      cols: [
        [1.4, 2.6, Infinity],
        [12.344, 12.346, -Infinity],
        [1_000_000, 1_500, 5]
      ],
      expected: [
        [1, 3, g],
        [12.34, 12.35, g],
        [1_000_448, 1_024, 0]
      ]
    },
    {
      desc: 'large values saturate at the clamp instead of wrapping',
      t: [0, 1_000],
      cols: [
        [1e20, -1e20],
        [2 ** 40, -(2 ** 40)],
        [512 * 2 ** 50, 1]
      ],
      expected: [
        [MAX_QUANTIZED, -MAX_QUANTIZED],
        [2 ** 40, -(2 ** 40)],
        [MAX_QUANTIZED * 1024, 0]
      ]
    },
    { desc: 'no points', t: [], cols: [[], [], []] }
  ]

  it.each(cases)('$desc', ({ t, cols, expected }) => {
    const start = 0
    const blob = encodeChunk(start, t, cols, specs)
    const d = decodeChunk(start, blob, specs)
    expect(d.t).toEqual(t)
    expect(d.cols).toEqual(expected ?? cols)
  })

  it.each([
    { desc: 'typical', values: [120, 118, 0, 2, 0, 3.5, 5.25, 9.99, 20, 33.33, 300 * 2 ** 20, 1] },
    { desc: 'gaps and zeros', values: [0, g, 0, Infinity, 0, 0, g, g, g, g, g, 0] },
    { desc: 'negative and huge', values: [-5, -1e20, 1e20, -0.004, 7, -7, 1e-9, -1e-9, 1, -1, -4096, 0] }
  ])('encodePoint writes the same bytes as a one-point encodeChunk ($desc)', ({ values }) => {
    const at = 1_736_121_601_234
    const viaChunk = encodeChunk(at, [at], values.map((v) => [v]), rawColumns)
    expect([...encodePoint(at, values, rawColumns)]).toEqual([...viaChunk])
  })

  it('decoding into a reused buffer leaves nothing of the previous chunk behind', () => {
    const buffer = { t: [] as number[], cols: [] as number[][] }
    decodeChunk(0, encodeChunk(0, [0, 1000, 2000], [[1, 2, 3], [4, 5, 6], [7, 8, 9]], specs), specs, buffer)
    const d = decodeChunk(0, encodeChunk(0, [500], [[g], [1.5], [1024]], specs), specs, buffer)
    expect(d.t).toBe(buffer.t)
    expect(d.cols).toBe(buffer.cols)
    expect(d.t).toEqual([500])
    expect(d.cols).toEqual([[g], [1.5], [1024]])
  })

  it('keeps timestamps relative to the chunk start', () => {
    const start = 1_736_121_600_000
    const t = [start + 17, start + 1_020, start + 2_019]
    expect(decodeChunk(start, encodeChunk(start, t, [[1, 2, 3]], [specs[0] as ColumnSpec]), [specs[0] as ColumnSpec]).t).toEqual(t)
  })

  it('rejects timestamps before the start or descending', () => {
    expect(() => encodeChunk(100, [50], [[1]], [specs[0] as ColumnSpec])).toThrow(RangeError)
    expect(() => encodeChunk(0, [10, 5], [[1, 2]], [specs[0] as ColumnSpec])).toThrow(RangeError)
  })

  it('rejects a truncated blob instead of inventing values', () => {
    const blob = encodeChunk(0, [0, 1000], [[1, 300], [0.5, 7], [4096, 8192]], specs)
    expect(() => decodeChunk(0, blob.subarray(0, blob.length - 2), specs)).toThrow(RangeError)
  })

  it('decodes missing trailing columns (older format) as gaps', () => {
    const blob = encodeChunk(0, [0], [[7]], [specs[0] as ColumnSpec])
    expect(decodeChunk(0, blob, specs).cols).toEqual([[7], [g], [g]])
  })

  it('stores a realistic minute of one backend in about a byte per value', () => {
    const t: number[] = []
    const cols: number[][] = rawColumns.map(() => [])
    for (let i = 0; i < 60; i++) {
      t.push(i * 1000 + (i % 3))
      const row = [200 + (i % 7), 195 + (i % 7), 0, 3, 0, 4, 5.2 + (i % 5) / 10, 9.9, 20.1 + (i % 4), 21 + (i % 9) / 10, 300 * 2 ** 20, 1]
      row.forEach((v, c) => (cols[c] as number[]).push(v))
    }
    const blob = encodeChunk(0, t, cols, rawColumns)
    expect(blob.length / (60 * 13)).toBeLessThan(1.2)
    expect(quantize(-0.001, 100)).toBe(0)
  })
})
