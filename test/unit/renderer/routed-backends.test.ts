import { describe, expect, it } from 'vitest'
import { backendsMeta, countBackends, isRouted } from '../../../src/renderer/src/core/routed-backends'
import type { BackendView } from '../../../src/shared/types'

type B = Pick<BackendView, 'source' | 'service' | 'health' | 'ejected'>
const up = (service: string | null, over: Partial<B> = {}): B => ({
  source: service === null ? 'static' : 'container',
  service,
  health: 'up',
  ejected: null,
  ...over
})
const configured = [{ name: 'demo' }]

describe('countBackends', () => {
  it.each<{ desc: string; backends: B[]; services: { name: string }[]; expected: ReturnType<typeof countBackends> }>([
    { desc: 'nothing at all', backends: [], services: configured, expected: { routed: 0, healthy: 0, notRouted: 0, warn: false } },
    {
      desc: 'replicas of a configured service and a static backend',
      backends: [up('demo'), up('demo'), up(null)],
      services: configured,
      expected: { routed: 3, healthy: 3, notRouted: 0, warn: false }
    },
    {
      desc: "only another instance's containers: nothing routed, which is worth a warning (the proxy answers 503)",
      backends: [up('other'), up('other'), up('other')],
      services: configured,
      expected: { routed: 0, healthy: 0, notRouted: 3, warn: true }
    },
    {
      desc: 'unrouted containers are left out of both numbers',
      backends: [up('demo'), up('demo', { health: 'down' }), up('other'), up('other')],
      services: configured,
      expected: { routed: 2, healthy: 1, notRouted: 2, warn: true }
    },
    {
      desc: 'an ejected backend is routed but not healthy',
      backends: [up('demo', { ejected: '2 consecutive failures' }), up('demo')],
      services: configured,
      expected: { routed: 2, healthy: 1, notRouted: 0, warn: true }
    },
    {
      desc: 'no services configured: only static backends are routed',
      backends: [up(null), up('demo')],
      services: [],
      expected: { routed: 1, healthy: 1, notRouted: 1, warn: false }
    },
    {
      desc: 'a container without a service label is not routed (the engine routes containers of configured services only)',
      backends: [up('demo'), { source: 'container', service: null, health: 'up', ejected: null }],
      services: configured,
      expected: { routed: 1, healthy: 1, notRouted: 1, warn: false }
    }
  ])('$desc', ({ backends, services, expected }) => {
    expect(countBackends(backends, services)).toEqual(expected)
  })

  it('isRouted: a static backend always, a container only when its service is configured', () => {
    const names = new Set(['demo'])
    expect(isRouted({ source: 'static', service: null }, names)).toBe(true)
    expect(isRouted({ source: 'container', service: 'demo' }, names)).toBe(true)
    expect(isRouted({ source: 'container', service: 'other' }, names)).toBe(false)
  })

  it.each([
    { counts: { routed: 0, healthy: 0, notRouted: 0, warn: false }, text: 'none' },
    { counts: { routed: 3, healthy: 2, notRouted: 0, warn: true }, text: '3 total · 2 healthy' },
    { counts: { routed: 0, healthy: 0, notRouted: 3, warn: true }, text: '0 routed · 0 healthy · 3 of other services (not routed)' },
    { counts: { routed: 1, healthy: 1, notRouted: 2, warn: false }, text: '1 routed · 1 healthy · 2 of other services (not routed)' }
  ])('backendsMeta: $text', ({ counts, text }) => {
    expect(backendsMeta(counts)).toBe(text)
  })
})
