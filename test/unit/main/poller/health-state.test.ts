import { describe, expect, it } from 'vitest'
import {
  initialHealthState,
  observeHealth,
  type HealthChange,
  type HealthObservation,
  type HealthState
} from '../../../../src/main/poller/health-state'
import type { Health } from '../../../../src/shared/types'

const ok: HealthObservation = { ok: true }
const refused: HealthObservation = { ok: false, reason: 'refused', message: 'connect ECONNREFUSED' }
const timeout: HealthObservation = { ok: false, reason: 'timeout', message: 'no response within 50 ms' }

interface Step {
  obs: HealthObservation
  health: Health
  failures: number
  transition: HealthChange | null
}

function run(steps: Step[], failuresBeforeDown?: number): void {
  let state: HealthState = initialHealthState
  steps.forEach((step, i) => {
    const result = observeHealth(state, step.obs, failuresBeforeDown)
    expect(result.transition, `step ${i}`).toEqual(step.transition)
    expect(result.state.health, `step ${i}`).toBe(step.health)
    expect(result.state.consecutiveFailures, `step ${i}`).toBe(step.failures)
    state = result.state
  })
}

describe('observeHealth', () => {
  it.each<{ desc: string; n?: number; steps: Step[] }>([
    {
      desc: 'unknown -> up on the first success',
      steps: [{ obs: ok, health: 'up', failures: 0, transition: { from: 'unknown', to: 'up' } }]
    },
    {
      desc: 'repeated success is not a transition',
      steps: [
        { obs: ok, health: 'up', failures: 0, transition: { from: 'unknown', to: 'up' } },
        { obs: ok, health: 'up', failures: 0, transition: null }
      ]
    },
    {
      desc: 'unknown -> down after 3 failures (default)',
      steps: [
        { obs: refused, health: 'unknown', failures: 1, transition: null },
        { obs: refused, health: 'unknown', failures: 2, transition: null },
        { obs: timeout, health: 'down', failures: 3, transition: { from: 'unknown', to: 'down' } },
        { obs: refused, health: 'down', failures: 4, transition: null }
      ]
    },
    {
      desc: 'up stays up through fewer than N failures, success resets the count',
      steps: [
        { obs: ok, health: 'up', failures: 0, transition: { from: 'unknown', to: 'up' } },
        { obs: timeout, health: 'up', failures: 1, transition: null },
        { obs: timeout, health: 'up', failures: 2, transition: null },
        { obs: ok, health: 'up', failures: 0, transition: null },
        { obs: timeout, health: 'up', failures: 1, transition: null },
        { obs: timeout, health: 'up', failures: 2, transition: null },
        { obs: refused, health: 'down', failures: 3, transition: { from: 'up', to: 'down' } }
      ]
    },
    {
      desc: 'down -> up at once on one success',
      n: 1,
      steps: [
        { obs: ok, health: 'up', failures: 0, transition: { from: 'unknown', to: 'up' } },
        { obs: refused, health: 'down', failures: 1, transition: { from: 'up', to: 'down' } },
        { obs: ok, health: 'up', failures: 0, transition: { from: 'down', to: 'up' } }
      ]
    },
    {
      desc: 'threshold below 1 behaves as 1',
      n: 0,
      steps: [{ obs: refused, health: 'down', failures: 1, transition: { from: 'unknown', to: 'down' } }]
    },
    {
      desc: 'custom threshold of 5',
      n: 5,
      steps: [
        ...[1, 2, 3, 4].map((f) => ({ obs: timeout, health: 'unknown' as Health, failures: f, transition: null })),
        { obs: timeout, health: 'down', failures: 5, transition: { from: 'unknown', to: 'down' } }
      ]
    }
  ])('$desc', ({ steps, n }) => run(steps, n))

  it('keeps the latest failure reason and clears it on success', () => {
    let { state } = observeHealth(initialHealthState, refused)
    expect(state.lastFailure).toEqual({ reason: 'refused', message: 'connect ECONNREFUSED' })
    state = observeHealth(state, timeout).state
    expect(state.lastFailure?.reason).toBe('timeout')
    state = observeHealth(state, ok).state
    expect(state.lastFailure).toBeNull()
  })

  it('does not modify the state it is given', () => {
    const before = observeHealth(initialHealthState, ok).state
    const copy = structuredClone(before)
    observeHealth(before, refused, 1)
    expect(before).toEqual(copy)
    expect(initialHealthState.health).toBe('unknown')
  })
})
