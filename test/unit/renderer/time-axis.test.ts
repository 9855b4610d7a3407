import { describe, expect, it } from 'vitest'
import { cursorTimeLabel, timeAxisLabel } from '../../../src/renderer/src/core/time-axis'

const at = (d: number, h: number, m: number, s = 0): number => new Date(2026, 11, d, h, m, s).getTime()
const MIN = 60_000
const H = 3_600_000

describe('time axis labels', () => {
  it.each([
    { desc: 'minutes: seconds when not whole', ms: at(3, 18, 5, 30), span: 15 * MIN, label: '18:05:30' },
    { desc: 'minutes: whole minute', ms: at(3, 18, 5), span: 15 * MIN, label: '18:05' },
    { desc: 'hours: time of day', ms: at(3, 18, 0), span: 6 * H, label: '18:00' },
    { desc: 'a day: midnight shows the date', ms: at(4, 0, 0), span: 24 * H, label: '4 Dec' },
    { desc: 'days: date and time', ms: at(4, 12, 0), span: 7 * 24 * H, label: '4 Dec 12:00' },
    { desc: 'days: midnight is the date only', ms: at(5, 0, 0), span: 30 * 24 * H, label: '5 Dec' }
  ])('$desc', ({ ms, span, label }) => {
    expect(timeAxisLabel(ms, span)).toBe(label)
  })

  it.each([
    { desc: 'minutes: no date, so no year', ms: at(3, 18, 5), span: 15 * MIN, label: '18:05' },
    { desc: 'a day: midnight shows the date with its year', ms: at(4, 0, 0), span: 24 * H, label: '4 Dec 2026' },
    { desc: 'a day: other ticks stay times', ms: at(4, 6, 0), span: 24 * H, label: '06:00' },
    { desc: 'days: midnight is the date and year', ms: at(5, 0, 0), span: 30 * 24 * H, label: '5 Dec 2026' },
    { desc: 'days: date and time stay short enough for the tick spacing', ms: at(4, 12, 0), span: 7 * 24 * H, label: '4 Dec 12:00' }
  ])('with the year: $desc', ({ ms, span, label }) => {
    expect(timeAxisLabel(ms, span, true)).toBe(label)
  })

  it('the cursor label adds the date only when the span crosses days', () => {
    expect(cursorTimeLabel(at(3, 18, 5, 7), H)).toBe('18:05:07')
    expect(cursorTimeLabel(at(3, 18, 5, 7), 7 * 24 * H)).toBe('3 Dec 18:05:07')
    expect(cursorTimeLabel(at(3, 18, 5, 7), 7 * 24 * H, true)).toBe('3 Dec 2026 18:05:07')
    expect(cursorTimeLabel(at(3, 18, 5, 7), H, true)).toBe('18:05:07')
  })
})
