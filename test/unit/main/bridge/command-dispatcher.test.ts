import { describe, expect, it } from 'vitest'
import { dispatchCommand } from '../../../../src/main/bridge/command-dispatcher'
import type { CommandHandlers } from '../../../../src/shared/channels'
import { commandNames } from '../../../../src/shared/channels'
import { PrescalError } from '../../../../src/shared/errors'

function recordingHandlers(calls: string[]): CommandHandlers {
  const handlers: Record<string, (req: unknown) => Promise<unknown>> = {}
  for (const name of commandNames) {
    handlers[name] = async (req) => {
      calls.push(name)
      if (name === 'stopContainer') throw new PrescalError('INVALID_ARGUMENT', 'not managed')
      return { echoed: req }
    }
  }
  return handlers as unknown as CommandHandlers
}

describe('dispatchCommand', () => {
  it.each([
    { desc: 'unknown command', name: 'deleteEverything', request: {} },
    { desc: 'non-string name', name: 42, request: {} },
    { desc: 'replicas past the ceiling of any service', name: 'scaleService', request: { service: 'demo', replicas: 101 } },
    { desc: 'negative replicas', name: 'scaleService', request: { service: 'demo', replicas: -1 } },
    { desc: 'fractional replicas', name: 'scaleService', request: { service: 'demo', replicas: 1.5 } },
    { desc: 'replicas as string', name: 'scaleService', request: { service: 'demo', replicas: '3' } },
    { desc: 'missing service', name: 'scaleService', request: { replicas: 3 } },
    { desc: 'extra key', name: 'scaleService', request: { service: 'demo', replicas: 3, image: 'evil' } },
    { desc: 'container id not hex', name: 'stopContainer', request: { id: '../../etc' } },
    { desc: 'container id too short', name: 'startContainer', request: { id: 'abc' } },
    { desc: 'request not an object', name: 'getEvents', request: 'all' },
    { desc: 'window out of range', name: 'getRecentSeries', request: { seconds: 100000 } }
  ])('rejects $desc with INVALID_ARGUMENT before any handler runs', async ({ name, request }) => {
    const calls: string[] = []
    const reply = await dispatchCommand(recordingHandlers(calls), name, request)
    expect(reply.ok).toBe(false)
    if (!reply.ok) expect(reply.error.code).toBe('INVALID_ARGUMENT')
    expect(calls).toEqual([])
  })

  it('passes parsed requests, with defaults applied, to the handler', async () => {
    const calls: string[] = []
    const reply = await dispatchCommand(recordingHandlers(calls), 'getEvents', {})
    expect(reply).toEqual({ ok: true, value: { echoed: { limit: 200 } } })
    expect(calls).toEqual(['getEvents'])
  })

  it('turns a handler error into { code, message }', async () => {
    const reply = await dispatchCommand(recordingHandlers([]), 'stopContainer', { id: 'a'.repeat(12) })
    expect(reply).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message: 'not managed' } })
  })
})
