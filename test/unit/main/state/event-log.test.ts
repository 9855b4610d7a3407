import { describe, expect, it } from 'vitest'
import { EventLog, type RestoredEvent } from '../../../../src/main/state/event-log'

const stored = (at: number, over: Partial<RestoredEvent> = {}): RestoredEvent => ({
  at,
  kind: 'backend.down',
  level: 'warn',
  message: `event at ${at}`,
  ...over
})

describe('EventLog.restore', () => {
  it('starts the log with earlier events, oldest first, and numbers this run after them', () => {
    const log = new EventLog(10, () => 1000)
    const heard: number[] = []
    log.subscribe((e) => heard.push(e.seq))
    // History answers newest first.
    log.restore([stored(30, { service: 'demo' }), stored(20, { backendId: 'c:abc' }), stored(10)])
    log.add('docker.connected', 'info', 'Connected')
    const events = log.recent(10)
    expect(events.map((e) => [e.seq, e.at])).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 1000]
    ])
    expect(events[1]).toMatchObject({ backendId: 'c:abc', level: 'warn', kind: 'backend.down', message: 'event at 20' })
    expect(events[2]).toMatchObject({ service: 'demo' })
    expect('backendId' in events[0]!).toBe(false)
    // Already stored: listeners (the history recorder) hear only new events.
    expect(heard).toEqual([4])
  })

  it('keeps the newest when history has more than fit', () => {
    const log = new EventLog(2, () => 4)
    log.restore([stored(3), stored(2), stored(1)])
    expect(log.recent(10).map((e) => [e.seq, e.at])).toEqual([
      [1, 2],
      [2, 3]
    ])
  })

  it('shows an unknown level as info', () => {
    const log = new EventLog(5, () => 4)
    log.restore([stored(1, { level: 'fatal' })])
    expect(log.recent(1)[0]!.level).toBe('info')
  })

  it('refuses to run after an event was added (seq must never go backwards)', () => {
    const log = new EventLog(5, () => 1)
    log.add('docker.connected', 'info', 'x')
    expect(() => log.restore([stored(0)])).toThrow(/after add/)
  })
})
