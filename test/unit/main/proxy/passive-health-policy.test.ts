import { describe, expect, it } from 'vitest'
import { EjectionPolicy, defaultPassiveHealth } from '../../../../src/main/proxy/ejection-policy'
import { FailureDetector, TimeoutTally, type FailureKind } from '../../../../src/main/proxy/failure-detector'

describe('FailureDetector', () => {
  type Ev = [at: number, what: FailureKind | 'ok']
  it.each([
    { desc: '3 failures in a row report once', evs: [[0, 'connect'], [1, 'connect'], [2, 'connect']] as Ev[], reports: [2] },
    { desc: 'a success resets the streak', evs: [[0, '5xx'], [1, '5xx'], [2, 'ok'], [3, '5xx'], [4, '5xx']] as Ev[], reports: [] },
    { desc: 'a gap longer than the window restarts it', evs: [[0, 'reset'], [1, 'reset'], [200, 'reset'], [201, 'reset']] as Ev[], reports: [] },
    { desc: 'after a report the count starts over', evs: [0, 1, 2, 3, 4, 5].map((t) => [t, 'reset']) as Ev[], reports: [2, 5] },
    { desc: '2 timeouts report, however far apart', evs: [[0, 'timeout'], [500, 'timeout'], [501, 'connect'], [502, 'timeout']] as Ev[], reports: [1] },
    { desc: 'a success clears the timeouts', evs: [[0, 'timeout'], [1, 'ok'], [2, 'timeout'], [3, 'reset']] as Ev[], reports: [] },
    { desc: 'a window gap keeps the timeouts', evs: [[0, 'timeout'], [1, 'reset'], [300, 'reset'], [301, 'timeout']] as Ev[], reports: [3] }
  ])('$desc', ({ evs, reports }) => {
    let now = 0
    const d = new FailureDetector(3, 100, 2, () => now)
    const got: number[] = []
    evs.forEach(([at, what], i) => {
      now = at
      if (what === 'ok') d.success('a')
      else if (d.failure('a', what) !== null) got.push(i)
    })
    expect(got).toEqual(reports)
  })

  it('marks a streak of 5xx only, and one with any connection failure', () => {
    const d = new FailureDetector(2, 1_000, 0, () => 0)
    d.failure('a', '5xx')
    expect(d.failure('a', '5xx')).toMatchObject({ only5xx: true, failures: 2, lastKind: '5xx' })
    d.failure('b', 'connect')
    expect(d.failure('b', '5xx')).toMatchObject({ only5xx: false })
  })

  it('with timeoutThreshold 0, timeouts count only inside the window', () => {
    let now = 0
    const d = new FailureDetector(3, 100, 0, () => now)
    for (const at of [0, 200, 400, 600]) {
      now = at
      expect(d.failure('a', 'timeout')).toBeNull()
    }
  })
})

describe('TimeoutTally (timeouts over all threads)', () => {
  it('reports at the threshold, then starts over; watches a backend while it has timeouts', () => {
    const t = new TimeoutTally(2)
    expect(t.watching('a')).toBe(false)
    expect(t.timedOut('a')).toBeNull()
    expect(t.watching('a')).toBe(true)
    expect(t.timedOut('a')).toEqual({ id: 'a', failures: 2, only5xx: false, lastKind: 'timeout' })
    expect(t.watching('a')).toBe(false)
  })

  it('an answer in between clears the count', () => {
    const t = new TimeoutTally(2)
    t.timedOut('a')
    t.answered('a')
    expect(t.watching('a')).toBe(false)
    expect(t.timedOut('a')).toBeNull()
  })

  it('lists the backends watched now, for a thread started later', () => {
    const t = new TimeoutTally(3)
    t.timedOut('a')
    t.timedOut('b')
    t.answered('b')
    t.timedOut('c')
    expect(t.watched().sort()).toEqual(['a', 'c'])
  })

  it('threshold 0 counts nothing', () => {
    const t = new TimeoutTally(0)
    expect(t.timedOut('a')).toBeNull()
    expect(t.watching('a')).toBe(false)
  })
})

describe('EjectionPolicy', () => {
  const opts = { ...defaultPassiveHealth, baseEjectionMs: 1_000, maxEjectionMs: 8_000 }
  const streak = (only5xx: boolean) => ({ id: 'a', failures: 5, only5xx, lastKind: only5xx ? ('5xx' as const) : ('connect' as const) })

  it.each([
    { desc: 'connection failures eject with others left', only5xx: false, others: 2, eject: true },
    { desc: '5xx ejects when others are left', only5xx: true, others: 1, eject: true },
    { desc: 'the last healthy backend is kept for 5xx alone', only5xx: true, others: 0, eject: false },
    { desc: 'the last one goes on connection failures (503 beats 502s)', only5xx: false, others: 0, eject: true }
  ])('$desc', ({ only5xx, others, eject }) => {
    const p = new EjectionPolicy(opts, () => 0)
    expect(p.decide(streak(only5xx), others).eject).toBe(eject)
  })

  it('doubles the ejection each time, capped, and resets after a calm period', () => {
    let now = 0
    const p = new EjectionPolicy(opts, () => now)
    const durations: number[] = []
    for (let i = 0; i < 5; i++) {
      const d = p.decide(streak(false), 1)
      durations.push(d.eject ? d.durationMs : -1)
      p.admitted('a')
      now += 100
    }
    expect(durations).toEqual([1_000, 2_000, 4_000, 8_000, 8_000])
    now += opts.maxEjectionMs
    const calm = p.decide(streak(false), 1)
    expect(calm.eject && calm.durationMs).toBe(1_000)
  })

  it('a failed probe ejects again for longer; an ejected backend is not re-ejected', () => {
    const p = new EjectionPolicy(opts, () => 0)
    expect(p.decide(streak(false), 1)).toMatchObject({ eject: true, durationMs: 1_000 })
    expect(p.decide(streak(false), 1).eject).toBe(false)
    expect(p.isEjected('a')).toBe(true)
    expect(p.probeFailed('a')).toBe(2_000)
    expect(p.probeFailed('a')).toBe(4_000)
    p.admitted('a')
    expect(p.isEjected('a')).toBe(false)
  })
})
