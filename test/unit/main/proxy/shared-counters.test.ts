import { describe, expect, it } from 'vitest'
import { SharedTickStats } from '../../../../src/main/proxy/shared-tick-stats'
import { SLOT_CAPACITY, SlotTable } from '../../../../src/main/proxy/slot-table'
import { TrafficStats } from '../../../../src/main/proxy/traffic-stats'

describe('SharedTickStats', () => {
  it('reports what TrafficStats reports for the same records', () => {
    const shared = new SharedTickStats()
    const plain = new TrafficStats()
    const ids = ['a', 'b']
    const records: Array<[number, number, number]> = [
      [0, 200, 1.5],
      [0, 200, 3],
      [1, 404, 10],
      [0, 503, 250],
      [-1, 503, 0.2],
      [1, 302, 7]
    ]
    for (const [slot, status, ms] of records) {
      shared.record(slot, status, ms)
      plain.record(slot < 0 ? null : ids[slot]!, status, ms)
    }
    shared.addActive(3)
    shared.addActive(-1)
    const got = shared.take((s) => ids[s], () => 0)
    const want = plain.take(() => 0, 2)
    expect(got.total).toEqual(want.total)
    expect(Object.fromEntries(got.perBackend)).toEqual(Object.fromEntries(want.perBackend))
    // Reset after take; a touched backend is reported once with count 0.
    shared.touch(1)
    const next = shared.take((s) => ids[s], () => 0)
    expect(next.total).toMatchObject({ count: 0, inFlight: 2, latencyMs: { p50: null } })
    expect([...next.perBackend.keys()]).toEqual(['b'])
    expect(shared.take((s) => ids[s], () => 0).perBackend.size).toBe(0)
  })

  it('reports a backend while it has requests in flight, and shares one buffer across instances', () => {
    const a = new SharedTickStats()
    const b = new SharedTickStats(a.buffer) // what a worker thread does with the same memory
    b.record(5, 200, 2)
    expect(a.take((s) => `id${s}`, (s) => (s === 7 ? 1 : 0)).perBackend).toEqual(
      new Map([
        ['id5', expect.objectContaining({ count: 1, inFlight: 0 })],
        ['id7', expect.objectContaining({ count: 0, inFlight: 1 })]
      ])
    )
    expect(b.addConnections(1)).toBe(1)
    expect(a.addConnections(1)).toBe(2)
  })
})

describe('SlotTable', () => {
  it('keeps a slot per id, and reuses released ones only after the quarantine and when idle', () => {
    let now = 0
    const zeroed: number[] = []
    const t = new SlotTable(() => now, (s) => zeroed.push(s))
    const busy = new Set<number>()
    t.isIdle = (s) => !busy.has(s)
    for (let i = 0; i < SLOT_CAPACITY; i++) expect(t.slotFor(`m${i}`)).toBe(i)
    expect(t.slotFor('m3')).toBe(3)
    expect(t.slotFor('late')).toBeUndefined() // full
    t.release('m1')
    t.release('m2')
    busy.add(1)
    expect(t.slotFor('late')).toBeUndefined() // still in quarantine
    now += 31_000
    expect(t.slotFor('late')).toBe(2) // m1 is busy, m2 is free
    expect(zeroed).toEqual([2])
    expect(t.find('m2')).toBeUndefined()
    expect(t.idOf(2)).toBe('late')
    // Re-adding a released id cancels its release.
    t.release('m5')
    expect(t.slotFor('m5')).toBe(5)
    now += 31_000
    busy.clear()
    expect(t.slotFor('later')).toBe(1)
  })
})
