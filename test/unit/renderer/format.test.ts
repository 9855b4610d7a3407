import { describe, expect, it } from 'vitest'
import {
  formatAxisTick,
  formatClock,
  formatCount,
  formatDuration,
  formatMegabytes,
  formatMs,
  formatPercent,
  formatRate,
  formatRatio,
  formatShare,
  NA_TEXT,
  splitNameTail
} from '../../../src/renderer/src/core/format'

describe('format', () => {
  it.each([
    [0, '0'],
    [13, '13'],
    [1234, '1234'],
    [2.25, '2.3'],
    [Number.NaN, NA_TEXT]
  ])('formatRate(%s) = %s (no grouping, so the text parses back)', (input, expected) => {
    expect(formatRate(input)).toBe(expected)
    if (expected !== NA_TEXT) expect(Number.parseFloat(formatRate(input))).toBeCloseTo(input, 0)
  })

  it.each([
    [null, NA_TEXT],
    [0, '0.0'],
    [3.14159, '3.1'],
    [57.6, '58'],
    [250, '250']
  ])('formatPercent(%s) = %s', (input, expected) => {
    expect(formatPercent(input)).toBe(expected)
  })

  it.each([
    [null, NA_TEXT],
    [0, '0.0'],
    [56_789_000, '56.8'],
    [123_456_789, '123'],
    [1_500_000_000, '1500']
  ])('formatMegabytes(%s) = %s', (input, expected) => {
    expect(formatMegabytes(input)).toBe(expected)
  })

  it.each([
    [null, NA_TEXT],
    [0.123, '0.12'],
    [4.04, '4.0'],
    [9.96, '10.0'],
    [12.6, '13'],
    [1500, '1500']
  ])('formatMs(%s) = %s', (input, expected) => {
    expect(formatMs(input)).toBe(expected)
  })

  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1k'],
    [1234, '1.2k'],
    [56_789, '57k'],
    [1_250_000, '1.3M'],
    [42_000_000, '42M']
  ])('formatCount(%s) = %s', (input, expected) => {
    expect(formatCount(input)).toBe(expected)
  })

  it.each([
    [850, '850 ms'],
    [4200, '4.2 s'],
    [4000, '4 s'],
    [65_000, '1 min 5 s'],
    [120_000, '2 min'],
    [-1, NA_TEXT]
  ])('formatDuration(%s) = %s', (input, expected) => {
    expect(formatDuration(input)).toBe(expected)
  })

  it.each([
    [0, '0'],
    [10, '10'],
    [2.5, '2.5'],
    [0.25, '0.25'],
    [5.0000001, '5']
  ])('formatAxisTick(%s) = %s', (input, expected) => {
    expect(formatAxisTick(input)).toBe(expected)
  })

  it('formatClock is 24-hour HH:MM:SS', () => {
    expect(formatClock(Date.UTC(2025, 0, 2, 18, 5, 9), 'UTC')).toBe('18:05:09')
    expect(formatClock(Date.UTC(2025, 0, 2, 0, 0, 0), 'UTC')).toBe('00:00:00')
  })

  it.each([
    { name: 'short-name', head: 'short-name', tail: '' },
    { name: 'prescal-demo-2baba7', head: 'prescal-demo', tail: '-2baba7' },
    { name: 'prescal-keepmx8qpeiz-680845', head: 'prescal-keepmx8qpeiz', tail: '-680845' },
    { name: '127.0.0.1:9000', head: '127.0.0.1', tail: ':9000' },
    { name: 'my-service-with-a-very-long-last-part_abcdefghijklmnop', head: 'my-service-with-a-very-long-last-part_abcdefgh', tail: 'ijklmnop' },
    { name: 'nodashesatallinthisname', head: 'nodashesatallin', tail: 'thisname' }
  ])('splitNameTail($name)', ({ name, head, tail }) => {
    const out = splitNameTail(name)
    expect(out).toEqual({ head, tail })
    expect(out.head + out.tail).toBe(name)
  })
})

describe('format: what-if figures', () => {
  it.each([
    [0, '0 %'],
    [0.0004, '<0.1 %'],
    [0.004, '0.4 %'],
    [0.05, '5 %'],
    [0.123, '12 %'],
    [Number.NaN, NA_TEXT]
  ])('formatShare(%s) = %s', (share, text) => {
    expect(formatShare(share)).toBe(text)
  })

  it.each([
    [1, '1.00×'],
    [1.349, '1.35×'],
    [null, NA_TEXT]
  ])('formatRatio(%s) = %s', (ratio, text) => {
    expect(formatRatio(ratio)).toBe(text)
  })
})
