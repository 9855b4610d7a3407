import { describe, expect, it } from 'vitest'
import type { HistoryEventView } from '../../../src/shared/history'
import { groupMarkers, markerTitle } from '../../../src/renderer/src/core/event-markers'

const ev = (at: number, level: string, message = `e${at}`): HistoryEventView => ({ at, kind: 'k', level, message })
const toPx = (at: number): number => at / 10

describe('groupMarkers', () => {
  it('keeps events in range, ordered by x', () => {
    const m = groupMarkers([ev(500, 'info'), ev(100, 'warn'), ev(-10, 'info'), ev(20_000, 'info')], toPx, 1000)
    expect(m.map((x) => [x.x, x.level])).toEqual([
      [10, 'warn'],
      [50, 'info']
    ])
  })

  it('merges events within a few pixels and takes the worst level', () => {
    const m = groupMarkers([ev(100, 'info'), ev(140, 'error'), ev(150, 'warn'), ev(300, 'info')], toPx, 1000)
    expect(m).toHaveLength(2)
    expect(m[0]!.events).toHaveLength(3)
    expect(m[0]!.level).toBe('error')
  })

  it('an unknown level counts as info', () => {
    expect(groupMarkers([ev(100, 'debug')], toPx, 1000)[0]!.level).toBe('info')
  })

  it('the tooltip lists events and says how many more there are', () => {
    const marker = { x: 0, level: 'info' as const, events: [1, 2, 3].map((i) => ev(i, 'info', `m${i}`)) }
    expect(markerTitle(marker, (at) => `t${at}`, 2)).toBe('t1  m1\nt2  m2\n… and 1 more')
  })
})
