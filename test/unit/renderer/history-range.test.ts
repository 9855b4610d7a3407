import { describe, expect, it } from 'vitest'
import {
  customRangeError,
  endsNow,
  formatRangeLabel,
  formatStep,
  formatRangeInput,
  MIN_SPAN_MS,
  panRange,
  parseRangeInput,
  presetRange,
  zoomRange
} from '../../../src/renderer/src/core/history-range'

const NOW = new Date(2026, 11, 3, 18, 30, 0).getTime()
const MIN = 60_000
const H = 3_600_000

describe('history ranges', () => {
  it.each([
    ['15m', 15 * MIN],
    ['1h', H],
    ['6h', 6 * H],
    ['24h', 24 * H],
    ['7d', 7 * 24 * H],
    ['30d', 30 * 24 * H]
  ] as const)('preset %s ends at now and spans %i ms', (id, span) => {
    expect(presetRange(id, NOW)).toEqual({ from: NOW - span, to: NOW })
  })

  it.each([
    { desc: 'earlier by half', range: { from: NOW - 2 * H, to: NOW - H }, dir: -1 as const, expected: { from: NOW - 2.5 * H, to: NOW - 1.5 * H } },
    { desc: 'later by half', range: { from: NOW - 4 * H, to: NOW - 2 * H }, dir: 1 as const, expected: { from: NOW - 3 * H, to: NOW - H } },
    { desc: 'later stops at now, span kept', range: { from: NOW - 2 * H, to: NOW - 0.5 * H }, dir: 1 as const, expected: { from: NOW - 1.5 * H, to: NOW } }
  ])('pan: $desc', ({ range, dir, expected }) => {
    expect(panRange(range, dir, NOW)).toEqual(expected)
  })

  it.each([
    { desc: 'ordered', a: NOW, b: NOW - 10 * MIN, expected: { from: NOW - 10 * MIN, to: NOW } },
    { desc: 'rounded', a: 1000.4, b: 1000.6 + 10 * MIN, expected: { from: 1000, to: 1001 + 10 * MIN } },
    { desc: 'widened to the minimum around its middle', a: NOW, b: NOW + 2000, expected: { from: NOW + 1000 - MIN_SPAN_MS / 2, to: NOW + 1000 + MIN_SPAN_MS / 2 } }
  ])('zoom: $desc', ({ a, b, expected }) => {
    expect(zoomRange(a, b)).toEqual(expected)
  })

  it('endsNow allows a little slack only', () => {
    expect(endsNow({ from: 0, to: NOW - 1000 }, NOW)).toBe(true)
    expect(endsNow({ from: 0, to: NOW - 60_000 }, NOW)).toBe(false)
  })

  it.each<{ desc: string; at: number; expected: string }>([
    { desc: 'this year: day, month, time', at: new Date(2026, 1, 7, 9, 5).getTime(), expected: '7 Feb 09:05' },
    { desc: 'seconds are not shown', at: new Date(2026, 11, 3, 18, 5, 59).getTime(), expected: '3 Dec 18:05' },
    { desc: 'another year carries it', at: new Date(2025, 11, 28, 10, 0).getTime(), expected: '28 Dec 2025 10:00' }
  ])('formatRangeInput: $desc', ({ at, expected }) => {
    expect(formatRangeInput(at, NOW)).toBe(expected)
  })

  // NOW is 3 Dec 2026 18:30 local time.
  it.each<{ text: string; expected: number | null }>([
    { text: '7 Feb 09:05', expected: new Date(2026, 1, 7, 9, 5).getTime() },
    { text: '  7 feb 09:05  ', expected: new Date(2026, 1, 7, 9, 5).getTime() },
    { text: '7 February 2025 09:05:30', expected: new Date(2025, 1, 7, 9, 5, 30).getTime() },
    { text: '3 Dec, 9:05', expected: new Date(2026, 11, 3, 9, 5).getTime() },
    { text: '3 Dec', expected: new Date(2026, 11, 3).getTime() },
    { text: '18:05', expected: new Date(2026, 11, 3, 18, 5).getTime() },
    { text: '2026-02-07 09:05', expected: new Date(2026, 1, 7, 9, 5).getTime() },
    { text: '2026-02-07T09:05:30', expected: new Date(2026, 1, 7, 9, 5, 30).getTime() },
    // No year: the latest such date not more than a day ahead of now.
    { text: '4 Dec 10:00', expected: new Date(2026, 11, 4, 10, 0).getTime() },
    { text: '20 Dec 10:00', expected: new Date(2025, 11, 20, 10, 0).getTime() },
    { text: '', expected: null },
    { text: 'yesterday', expected: null },
    { text: '31 Feb 2026 10:00', expected: null },
    { text: '2026-13-01 10:00', expected: null },
    { text: '7 Fex 09:05', expected: null },
    { text: '7 Feb 24:00', expected: null },
    { text: '7 Feb 09:60', expected: null },
    { text: '12/04/2026, 06:58 AM', expected: null }
  ])('parseRangeInput($text)', ({ text, expected }) => {
    expect(parseRangeInput(text, NOW)).toBe(expected)
  })

  it('what formatRangeInput writes parses back (to the minute)', () => {
    for (const at of [new Date(2026, 1, 7, 9, 5).getTime(), new Date(2025, 11, 28, 10, 0).getTime(), NOW]) {
      expect(parseRangeInput(formatRangeInput(at, NOW), NOW)).toBe(at)
    }
  })

  it.each([
    { from: null, to: NOW, error: /both/ },
    { from: NOW, to: NOW - H, error: /before the end/ },
    { from: NOW - 10_000, to: NOW, error: /at least 30 seconds/ },
    { from: NOW + H, to: NOW + 2 * H, error: /future/ },
    { from: NOW - H, to: NOW, error: null }
  ])('customRangeError($from, $to)', ({ from, to, error }) => {
    const got = customRangeError(from, to, NOW)
    if (error === null) expect(got).toBeNull()
    else expect(got).toMatch(error)
  })

  it.each([
    [1000, '1 s'],
    [10_000, '10 s'],
    [60_000, '1 min'],
    [300_000, '5 min'],
    [3_600_000, '1 h'],
    [7_200_000, '2 h'],
    [86_400_000, '1 d'],
    [1500, '1.5 s'],
    [0, '—']
  ])('formatStep(%i) = %s', (ms, text) => {
    expect(formatStep(ms)).toBe(text)
  })

  // NOW is 3 Dec 2026 18:30 local time.
  const at = (y: number, mo: number, d: number, h: number, mi: number): number => new Date(y, mo, d, h, mi).getTime()
  it.each([
    { desc: 'within a day: the day once', from: at(2026, 11, 3, 18, 5), to: at(2026, 11, 3, 18, 20), label: '3 Dec 18:05 – 18:20' },
    { desc: 'across days: the day twice', from: at(2026, 11, 3, 18, 5), to: at(2026, 11, 4, 9, 0), label: '3 Dec 18:05 – 4 Dec 09:00' },
    { desc: 'this year, from January', from: at(2026, 0, 1, 0, 0), to: at(2026, 11, 3, 18, 30), label: '1 Jan 00:00 – 3 Dec 18:30' },
    { desc: 'a day in another year', from: at(2020, 11, 4, 10, 0), to: at(2020, 11, 4, 11, 0), label: '4 Dec 2020 10:00 – 11:00' },
    { desc: 'days in another year', from: at(2020, 11, 3, 22, 0), to: at(2020, 11, 4, 11, 0), label: '3 Dec 2020 22:00 – 4 Dec 2020 11:00' },
    { desc: 'from the epoch to now', from: at(1970, 0, 1, 0, 0), to: at(2026, 11, 3, 18, 30), label: '1 Jan 1970 00:00 – 3 Dec 2026 18:30' },
    { desc: 'across a new year', from: at(2025, 11, 31, 22, 0), to: at(2026, 0, 1, 2, 0), label: '31 Dec 2025 22:00 – 1 Jan 2026 02:00' }
  ])('range label, $desc: $label', ({ from, to, label }) => {
    expect(formatRangeLabel({ from, to }, NOW)).toBe(label)
  })
})
