import { describe, expect, it } from 'vitest'
import { TrafficStats } from '../../../../src/main/proxy/traffic-stats'

describe('TrafficStats', () => {
  it('counts status classes per backend and in total', () => {
    const s = new TrafficStats()
    for (const status of [200, 204, 301, 404, 500, 502]) s.record('a', status, 10)
    s.record('b', 200, 20)
    s.record(null, 503, 1)
    const tick = s.take(() => 0, 0)
    expect(tick.total).toMatchObject({ count: 8, s2xx: 3, s3xx: 1, s4xx: 1, s5xx: 3, inFlight: 0 })
    expect(tick.perBackend.get('a')).toMatchObject({ count: 6, s2xx: 2, s3xx: 1, s4xx: 1, s5xx: 2 })
    expect(tick.perBackend.get('b')).toMatchObject({ count: 1, s2xx: 1, latencyMs: { p50: 20, p95: 20, p99: 20 } })
    expect(tick.perBackend.size).toBe(2)
  })

  it('resets each tick and drops idle backends after reporting them zeroed once', () => {
    const s = new TrafficStats()
    s.record('a', 200, 5)
    s.take(() => 0, 0)
    const second = s.take(() => 0, 0)
    expect(second.total).toEqual({
      count: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, inFlight: 0, latencyMs: { p50: null, p95: null, p99: null }
    })
    expect(second.perBackend.get('a')).toMatchObject({ count: 0, inFlight: 0, latencyMs: { p50: null } })
    expect(s.take(() => 0, 0).perBackend.size).toBe(0)
  })

  it('keeps reporting a backend that only has requests in flight', () => {
    const s = new TrafficStats()
    s.touch('slow')
    const inFlight = (id: string) => (id === 'slow' ? 2 : 0)
    expect(s.take(inFlight, 2).perBackend.get('slow')).toMatchObject({ count: 0, inFlight: 2 })
    expect(s.take(inFlight, 2).perBackend.get('slow')).toMatchObject({ count: 0, inFlight: 2 })
    expect(s.take(() => 0, 0).perBackend.has('slow')).toBe(true)
    expect(s.take(() => 0, 0).perBackend.has('slow')).toBe(false)
  })
})
