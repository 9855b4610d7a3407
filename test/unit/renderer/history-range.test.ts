import { describe, expect, it } from 'vitest'
import {
  customRangeError,
  endsNow,
  formatRangeLabel,
  formatStep,
  fromDatetimeLocal,
  MIN_SPAN_MS,
  panRange,
  presetRange,
  toDatetimeLocal,
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

  it('datetime-local text round-trips in local time', () => {
    const at = new Date(2026, 1, 7, 9, 5).getTime()
    expect(toDatetimeLocal(at)).toBe('2026-02-07T09:05')
    expect(fromDatetimeLocal('2026-02-07T09:05')).toBe(at)
    expect(fromDatetimeLocal('2026-02-07T09:05:30')).toBe(at + 30_000)
  })

  it.each(['', '2026-02-31T10:00', '2026-13-01T10:00', 'yesterday', '2026-02-07 09:05'])('fromDatetimeLocal(%j) is null', (text) => {
    expect(fromDatetimeLocal(text)).toBeNull()
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

  it('range labels name the day once within a day, twice across days', () => {
    expect(formatRangeLabel({ from: new Date(2026, 11, 3, 18, 5).getTime(), to: new Date(2026, 11, 3, 18, 20).getTime() })).toBe('3 Dec 18:05 – 18:20')
    expect(formatRangeLabel({ from: new Date(2026, 11, 3, 18, 5).getTime(), to: new Date(2026, 11, 4, 9, 0).getTime() })).toBe(
      '3 Dec 18:05 – 4 Dec 09:00'
    )
  })
})
