import { describe, expect, it } from 'vitest'
import type { AutoscaleView } from '../../../src/shared/autoscale'
import type { ServiceView } from '../../../src/shared/types'
import { overlayKey, withServiceOverlay } from '../../../src/renderer/src/core/live-overlay'
import type { AlignedSeries } from '../../../src/renderer/src/core/series-window'

function service(name: string, autoscale: Partial<AutoscaleView>): ServiceView {
  return {
    name,
    image: 'img',
    containerPort: 3000,
    desired: 2,
    maxReplicas: 20,
    running: 2,
    ready: 2,
    phase: 'idle',
    message: null,
    autoscale: {
      mode: 'hybrid',
      minReplicas: 1,
      maxReplicas: 5,
      capacityRps: 50,
      coldStartMs: 10_000,
      forecast: [],
      capacityLineRps: 100,
      lastDecision: null,
      ...autoscale
    },
    balancing: 'round-robin'
  }
}

// Three ticks at 100, 101, 102 s; backends a, b of "web", c static.
const aligned: AlignedSeries = {
  ids: ['c:a', 'c:b', 's:c'],
  data: [
    [100, 101, 102],
    [10, 12, null],
    [null, 8, 9],
    [1, 1, 1]
  ]
}
const serviceOf = { 'c:a': 'web', 'c:b': 'web', 's:c': null }

describe('withServiceOverlay', () => {
  it('adds nothing when no service autoscales', () => {
    const r = withServiceOverlay(aligned, [service('web', { mode: 'off' })], serviceOf)
    expect(r.extras).toEqual([])
    expect(r.data).toEqual(aligned.data)
    expect(r.nowIdx).toBe(2)
  })

  it('total = sum of the service backends (null only when all are null), capacity is flat', () => {
    const r = withServiceOverlay(aligned, [service('web', {})], serviceOf)
    expect(r.extras.map((x) => x.kind)).toEqual(['total', 'forecast', 'capacity'])
    const n = aligned.ids.length
    expect(r.data[n + 1]).toEqual([10, 20, 9])
    expect(r.data[n + 2]).toEqual([null, null, null])
    expect(r.data[n + 3]).toEqual([100, 100, 100])
  })

  it('the forecast extends x into the future, anchored at the newest total; backends get gaps there', () => {
    const forecast = [
      { at: 102_000, rps: 99 }, // not after now: dropped
      { at: 110_000, rps: 15 },
      { at: 120_000, rps: 18 }
    ]
    const r = withServiceOverlay(aligned, [service('web', { forecast })], serviceOf)
    expect(r.data[0]).toEqual([100, 101, 102, 110, 120])
    expect(r.nowIdx).toBe(2)
    expect(r.data[1]).toEqual([10, 12, null, null, null])
    const n = aligned.ids.length
    expect(r.data[n + 2]).toEqual([null, null, 9, 15, 18])
    expect(r.data[n + 3]).toEqual([100, 100, 100, 100, 100])
  })

  it('two services share the future x values, each with its own points', () => {
    const web = service('web', { forecast: [{ at: 110_000, rps: 15 }] })
    const api = service('api', { forecast: [{ at: 115_000, rps: 3 }], capacityLineRps: 40 })
    const r = withServiceOverlay(aligned, [web, api], serviceOf)
    expect(r.data[0]).toEqual([100, 101, 102, 110, 115])
    const n = aligned.ids.length
    // api has no backends in the window: its total is all gaps, so its forecast has no anchor.
    expect(r.data[n + 4]).toEqual([null, null, null, null, null])
    expect(r.data[n + 5]).toEqual([null, null, null, null, 3])
  })

  it('overlayKey lists autoscaled services only', () => {
    expect(overlayKey([service('web', {}), service('api', { mode: 'off' }), service('db', { mode: 'reactive' })])).toBe('web|db')
  })
})
