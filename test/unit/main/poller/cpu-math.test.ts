import { describe, expect, it } from 'vitest'
import { cpuPercent, type CpuReading } from '../../../../src/main/poller/cpu-math'

const r = (cpuSeconds: number, atMs: number): CpuReading => ({ cpuSeconds, atMs })

describe('cpuPercent', () => {
  it.each([
    { desc: 'no previous reading', prev: null, cur: r(5, 1000), percent: null, reset: false },
    { desc: 'one full core', prev: r(10, 0), cur: r(11, 1000), percent: 100, reset: false },
    { desc: 'half a core', prev: r(10, 0), cur: r(10.5, 1000), percent: 50, reset: false },
    { desc: 'two cores', prev: r(10, 0), cur: r(14, 2000), percent: 200, reset: false },
    { desc: 'idle', prev: r(3, 0), cur: r(3, 1000), percent: 0, reset: false },
    { desc: 'uneven interval', prev: r(1, 1000), cur: r(1.25, 1500), percent: 50, reset: false },
    { desc: 'counter went backwards (restart)', prev: r(50, 0), cur: r(0.2, 1000), percent: null, reset: true },
    { desc: 'wall clock did not move', prev: r(1, 1000), cur: r(2, 1000), percent: null, reset: false },
    { desc: 'wall clock went backwards', prev: r(1, 2000), cur: r(2, 1000), percent: null, reset: false },
    { desc: 'NaN counter', prev: r(1, 0), cur: r(Number.NaN, 1000), percent: null, reset: false },
    { desc: 'NaN previous counter', prev: r(Number.NaN, 0), cur: r(1, 1000), percent: null, reset: false },
    { desc: '+Inf counter', prev: r(1, 0), cur: r(Infinity, 1000), percent: null, reset: false },
    { desc: '-Inf counter is not a reset', prev: r(1, 0), cur: r(-Infinity, 1000), percent: null, reset: false },
    { desc: 'NaN time', prev: r(1, Number.NaN), cur: r(2, 1000), percent: null, reset: false },
    { desc: 'Inf time', prev: r(1, 0), cur: r(2, Infinity), percent: null, reset: false }
  ])('$desc', ({ prev, cur, percent, reset }) => {
    const result = cpuPercent(prev, cur)
    expect(result.reset).toBe(reset)
    if (percent === null) expect(result.percent).toBeNull()
    else expect(result.percent).toBeCloseTo(percent, 9)
  })
})
