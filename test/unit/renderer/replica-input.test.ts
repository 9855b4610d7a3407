import { describe, expect, it } from 'vitest'
import { readReplicaInput, replicaBoxValue, replicaRange, scaleNeedsConfirm, type ReplicaInput } from '../../../src/renderer/src/core/replica-input'
import type { ScaleAction } from '../../../src/renderer/src/core/service-status'

describe('readReplicaInput', () => {
  it.each<{ text: string; max: number; expected: ReplicaInput }>([
    { text: '3', max: 20, expected: { ok: true, value: 3 } },
    { text: ' 0 ', max: 20, expected: { ok: true, value: 0 } },
    { text: '20', max: 20, expected: { ok: true, value: 20 } },
    { text: '5', max: 4, expected: { ok: false, error: "At most 4 replicas: this service's maxReplicas in the config." } },
    { text: '1000', max: 20, expected: { ok: false, error: "At most 20 replicas: this service's maxReplicas in the config." } },
    { text: '-1', max: 20, expected: { ok: false, error: 'Replicas cannot be negative (0–20).' } },
    { text: '2.5', max: 20, expected: { ok: false, error: 'Replicas are a whole number (0–20).' } },
    { text: 'three', max: 20, expected: { ok: false, error: 'Replicas are a whole number (0–20).' } },
    { text: '1e1', max: 20, expected: { ok: false, error: 'Replicas are a whole number (0–20).' } },
    // -0 is zero, not a negative count; written with a sign, it is still not a plain count.
    { text: '-0', max: 20, expected: { ok: false, error: 'Replicas are a whole number (0–20).' } },
    { text: '-007', max: 20, expected: { ok: false, error: 'Replicas cannot be negative (0–20).' } },
    { text: '0x10', max: 20, expected: { ok: false, error: 'Replicas are a whole number (0–20).' } },
    { text: '5.0', max: 20, expected: { ok: false, error: 'Replicas are a whole number (0–20).' } },
    { text: '-0.5', max: 20, expected: { ok: false, error: 'Replicas are a whole number (0–20).' } },
    { text: '007', max: 20, expected: { ok: true, value: 7 } },
    { text: '', max: 20, expected: { ok: false, error: 'Enter how many replicas to run (0–20).' } }
  ])('$text with max $max', ({ text, max, expected }) => {
    expect(readReplicaInput(text, max)).toEqual(expected)
  })

  it('names the range', () => {
    expect(replicaRange(10)).toBe('0–10')
  })
})

describe('replicaBoxValue', () => {
  const error = { code: 'SCALE_FAILED', message: 'x' }
  it.each<{ desc: string; desired: number; action?: ScaleAction; expected: number }>([
    { desc: 'no action: the desired count', desired: 2, expected: 2 },
    { desc: 'a running scale: its target, even before the snapshot has it', desired: 1, action: { status: 'running', replicas: 5, startedAt: 0 }, expected: 5 },
    { desc: 'a finished scale: the engine again', desired: 5, action: { status: 'done', replicas: 5, ready: 5, tookMs: 1 }, expected: 5 },
    { desc: 'a failed scale: the engine again', desired: 3, action: { status: 'failed', replicas: 5, error }, expected: 3 }
  ])('$desc', ({ desired, action, expected }) => {
    expect(replicaBoxValue({ desired }, action)).toBe(expected)
  })
})

describe('scaleNeedsConfirm', () => {
  it.each<{ desc: string; target: number; running: number; desired: number; expected: boolean }>([
    { desc: 'to zero with replicas running', target: 0, running: 3, desired: 3, expected: true },
    { desc: 'to zero while replicas are still wanted', target: 0, running: 0, desired: 2, expected: true },
    { desc: 'to zero when already at zero', target: 0, running: 0, desired: 0, expected: false },
    { desc: 'down but not to zero', target: 1, running: 3, desired: 3, expected: false },
    { desc: 'up', target: 5, running: 3, desired: 3, expected: false }
  ])('$desc', ({ target, running, desired, expected }) => {
    expect(scaleNeedsConfirm(target, { running, desired })).toBe(expected)
  })
})
