import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/main/config/config-loader'
import { EngineAutoscale } from '../../../src/main/engine-autoscale'
import { scaleServiceTo } from '../../../src/main/engine-commands'
import type { Engine } from '../../../src/main/engine'
import { EventLog } from '../../../src/main/state/event-log'
import { isPrescalError } from '../../../src/shared/errors'

/**
 * A service's maxReplicas (config) bounds every way to scale it: the scale command and the
 * autoscaling settings a window sends. Nothing is clamped: a request past it is refused and says
 * which config key raises the limit.
 */

const config = parseConfig('services:\n  - { name: demo, image: x, containerPort: 3000, maxReplicas: 4, autoscale: { maxReplicas: 3 } }', 'x.yaml')

async function refusal(run: () => unknown): Promise<unknown> {
  try {
    await run()
  } catch (err) {
    return err
  }
  return null
}

describe('scale command past maxReplicas', () => {
  // Only what scaleServiceTo reads before it refuses: nothing may have been changed when it does.
  const engine = { config } as unknown as Engine

  it.each([5, 20, 1000])('%i replicas of a service with maxReplicas 4 is refused', async (replicas) => {
    const err = await refusal(() => scaleServiceTo(engine, 'demo', replicas))
    expect(isPrescalError(err, 'INVALID_ARGUMENT')).toBe(true)
    expect((err as Error).message).toContain('at most 4 replicas')
    expect((err as Error).message).toContain('maxReplicas')
  })
})

describe('autoscaling settings past maxReplicas', () => {
  let scaler: EngineAutoscale | null = null
  afterEach(async () => {
    await scaler?.close()
    scaler = null
  })

  it.each<{ desc: string; request: { minReplicas?: number; maxReplicas?: number }; refused: boolean }>([
    { desc: 'up to the limit', request: { maxReplicas: 4 }, refused: false },
    { desc: 'past the limit', request: { maxReplicas: 5 }, refused: true },
    { desc: 'min past the limit (and so max too)', request: { minReplicas: 5, maxReplicas: 6 }, refused: true }
  ])('$desc', async ({ request, refused }) => {
    const events = new EventLog(100, () => 0)
    scaler = new EngineAutoscale({ now: () => 0, events, services: config.services, everyMs: 15_000, scale: async () => {} })
    const err = await refusal(() => scaler!.set({ service: 'demo', mode: 'reactive', ...request }))
    expect(isPrescalError(err, 'INVALID_ARGUMENT')).toBe(refused)
    expect(scaler.view('demo', 0).maxReplicas).toBe(refused ? 3 : request.maxReplicas)
  })
})
