import { describe, expect, it } from 'vitest'
import { backendsHint } from '../../../src/renderer/src/core/backends-hint'

describe('backendsHint', () => {
  it.each([
    { desc: 'Docker connected, a service to scale', docker: 'connected', services: 1, want: 'scale' },
    { desc: 'Docker unavailable: Scale is disabled, so do not suggest it', docker: 'unavailable', services: 1, want: 'wait-for-docker' },
    { desc: 'still connecting to Docker', docker: 'connecting', services: 2, want: 'wait-for-docker' },
    { desc: 'no snapshot yet', docker: undefined, services: 1, want: 'wait-for-docker' },
    { desc: 'no service configured, whatever Docker does', docker: 'connected', services: 0, want: 'configure' },
    { desc: 'no service and no Docker', docker: 'unavailable', services: 0, want: 'configure' }
  ] as const)('$desc', ({ docker, services, want }) => {
    expect(backendsHint(docker, services)).toBe(want)
  })
})
