import { describe, expect, it } from 'vitest'
import { loadProfileSchema } from '../../../../src/main/loadgen/load-profile-schema'

const rows = (n: number, step = 1000) => Array.from({ length: n }, (_, i) => ({ at: i * step, requests: 1 }))

describe('loadProfileSchema', () => {
  const cases: Array<{ desc: string; input: unknown; ok: boolean; message?: RegExp }> = [
    { desc: 'constant', input: { kind: 'constant', rps: 100, durationMs: 60_000 }, ok: true },
    { desc: 'zero rate: sends nothing', input: { kind: 'constant', rps: 0, durationMs: 1000 }, ok: false, message: /rate of 0 sends nothing/ },
    { desc: 'step of 0 and 0', input: { kind: 'step', lowRps: 0, highRps: 0, lowMs: 1000, highMs: 1000, durationMs: 10_000 }, ok: false, message: /nothing would be sent/ },
    { desc: 'step with a silent low phase', input: { kind: 'step', lowRps: 0, highRps: 5, lowMs: 1000, highMs: 1000, durationMs: 10_000 }, ok: true },
    { desc: 'ramp from 0 to 0', input: { kind: 'ramp', fromRps: 0, toRps: 0, durationMs: 10_000 }, ok: false, message: /nothing would be sent/ },
    { desc: 'ramp up from 0', input: { kind: 'ramp', fromRps: 0, toRps: 5, durationMs: 10_000 }, ok: true },
    {
      desc: 'trace at multiplier 0',
      input: { kind: 'trace', points: rows(10), stepMs: 1000, compression: 1, multiplier: 0, durationMs: 10_000 },
      ok: false,
      message: /multiplier of 0 sends nothing/
    },
    { desc: 'rate above 2000', input: { kind: 'constant', rps: 2001, durationMs: 60_000 }, ok: false },
    { desc: 'negative rate', input: { kind: 'ramp', fromRps: -1, toRps: 10, durationMs: 60_000 }, ok: false },
    { desc: 'duration under 1 s', input: { kind: 'constant', rps: 1, durationMs: 999 }, ok: false },
    { desc: 'duration over 30 min', input: { kind: 'constant', rps: 1, durationMs: 1_800_001 }, ok: false },
    { desc: 'unknown kind', input: { kind: 'burst', rps: 1, durationMs: 1000 }, ok: false },
    { desc: 'extra field', input: { kind: 'constant', rps: 1, durationMs: 1000, clients: 5 }, ok: false },
    {
      desc: 'step',
      input: { kind: 'step', lowRps: 10, highRps: 200, lowMs: 30_000, highMs: 30_000, durationMs: 600_000 },
      ok: true
    },
    {
      desc: 'step phase too short',
      input: { kind: 'step', lowRps: 10, highRps: 200, lowMs: 10, highMs: 30_000, durationMs: 600_000 },
      ok: false
    },
    {
      desc: 'trace',
      input: { kind: 'trace', points: rows(10), stepMs: 1000, compression: 1, multiplier: 50, durationMs: 10_000 },
      ok: true
    },
    {
      desc: 'trace of 200k points',
      input: { kind: 'trace', points: rows(200_000), stepMs: 1000, compression: 60, multiplier: 1, durationMs: 60_000 },
      ok: true
    },
    {
      desc: 'trace over 200k points',
      input: { kind: 'trace', points: rows(200_001), stepMs: 1000, compression: 60, multiplier: 1, durationMs: 60_000 },
      ok: false
    },
    {
      desc: 'trace rows out of order',
      input: {
        kind: 'trace',
        points: [
          { at: 1000, requests: 1 },
          { at: 0, requests: 1 }
        ],
        stepMs: 1000,
        compression: 1,
        multiplier: 1,
        durationMs: 10_000
      },
      ok: false,
      message: /time order/
    },
    {
      desc: 'trace peak × multiplier above the limit names the multiplier that fits',
      input: { kind: 'trace', points: [{ at: 0, requests: 600 }], stepMs: 60_000, compression: 60, multiplier: 300, durationMs: 10_000 },
      ok: false,
      message: /3000 req\/s .* at most 200/
    }
  ]
  it.each(cases)('$desc', ({ input, ok, message }) => {
    const r = loadProfileSchema.safeParse(input)
    expect(r.success).toBe(ok)
    if (message !== undefined) expect(r.error?.issues.map((i) => i.message).join('; ')).toMatch(message)
  })
})
