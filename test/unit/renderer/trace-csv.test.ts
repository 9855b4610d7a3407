import { describe, expect, it } from 'vitest'
import { parseTraceCsv } from '../../../src/renderer/src/core/trace-csv'

describe('parseTraceCsv (renderer)', () => {
  it('reads unix seconds with a header and infers the step and peak', () => {
    const r = parseTraceCsv('timestamp,requests\n1700000000,60\n1700000060,120\r\n1700000180,30\n')
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.trace.points).toEqual([
      { at: 1_700_000_000_000, requests: 60 },
      { at: 1_700_000_060_000, requests: 120 },
      { at: 1_700_000_180_000, requests: 30 }
    ])
    expect(r.trace.stepMs).toBe(60_000)
    expect(r.trace.spanMs).toBe(240_000)
    expect(r.trace.peakRps).toBe(2)
  })

  it('reads ISO timestamps with offsets', () => {
    const r = parseTraceCsv('2026-12-03T10:00:00Z,5\n2026-12-03T11:00:01+01:00,7\n')
    expect(r.ok && r.trace.points.map((p) => p.at)).toEqual([Date.UTC(2026, 11, 3, 10), Date.UTC(2026, 11, 3, 10, 0, 1)])
  })

  it.each([
    { desc: 'no comma', text: '1700000000 5\n1700000060,1', error: /line 1: expected "timestamp,requests"/ },
    { desc: 'bad timestamp', text: 'ts,n\nnot-a-date,5\n1700000060,1', error: /line 2: bad timestamp/ },
    { desc: 'negative count', text: '1700000000,-1\n1700000060,1', error: /line 1: bad request count/ },
    { desc: 'out of order', text: '1700000060,1\n1700000000,1', error: /line 2: timestamps must increase/ },
    { desc: 'duplicate time', text: '1700000000,1\n1700000000,1', error: /line 2: timestamps must increase/ },
    { desc: 'one row only', text: 'timestamp,requests\n1700000000,1\n', error: /at least two rows/ },
    { desc: 'empty', text: '', error: /at least two rows/ }
  ])('rejects $desc', ({ text, error }) => {
    const r = parseTraceCsv(text)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(error)
  })
})
