import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { isPrescalError } from '../../../../src/shared/errors'
import { detectStepMs } from '../../../../src/main/scaler/simulator'
import { parseTraceCsv, readTrace, readTraceColumns } from '../../../../src/main/scaler/trace-reader'

const fixtures = path.resolve(__dirname, '../../../fixtures/traces')

describe('readTrace', () => {
  it('reads ISO-8601 rows with an offset and keeps the gap as a gap', async () => {
    const points = await readTrace(path.join(fixtures, 'tiny-iso.csv'))
    const t0 = Date.UTC(1995, 6, 1, 4, 0, 0) // 00:00 at -04:00
    expect(points).toEqual([
      { at: t0, requests: 42 },
      { at: t0 + 60_000, requests: 61 },
      { at: t0 + 120_000, requests: 57 },
      // 00:03 and 00:04 are absent: no rows are invented for them.
      { at: t0 + 300_000, requests: 70 },
      { at: t0 + 360_000, requests: 0 }
    ])
    expect(detectStepMs(points)).toBe(60_000)
  })

  it('reads gzipped unix-seconds rows', async () => {
    const points = await readTrace(path.join(fixtures, 'tiny-unix.csv.gz'))
    expect(points.map((p) => p.at)).toEqual([804571201000, 804571202000, 804571203000, 804571204000])
    expect(points.map((p) => p.requests)).toEqual([1, 0, 3, 2])
    expect(detectStepMs(points)).toBe(1000)
  })

  it('streams the same rows into typed columns, plain and gzipped', async () => {
    for (const name of ['tiny-iso.csv', 'tiny-unix.csv.gz']) {
      const points = await readTrace(path.join(fixtures, name))
      const cols = await readTraceColumns(path.join(fixtures, name))
      expect(cols.length).toBe(points.length)
      expect(Array.from(cols.at)).toEqual(points.map((p) => p.at))
      expect(Array.from(cols.requests)).toEqual(points.map((p) => p.requests))
    }
  })

  it('fails with NOT_FOUND for a missing file when streaming too', async () => {
    for (const name of ['nope.csv', 'nope.csv.gz']) {
      await expect(readTraceColumns(path.join(fixtures, name))).rejects.toSatisfy((e) => isPrescalError(e, 'NOT_FOUND'))
    }
  })

  it('fails with INVALID_ARGUMENT for a bad streamed row (naming the line) or bad gzip', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'trace-'))
    try {
      const badRow = path.join(dir, 'bad.csv')
      await writeFile(badRow, 'timestamp,requests\n60,1\n120,-3\n')
      let caught: unknown
      await readTraceColumns(badRow).catch((e: unknown) => (caught = e))
      expect(isPrescalError(caught, 'INVALID_ARGUMENT')).toBe(true)
      expect((caught as Error).message).toContain('bad.csv:3:')
      const notGzip = path.join(dir, 'plain.csv.gz')
      await writeFile(notGzip, '60,1\n120,2\n')
      await expect(readTraceColumns(notGzip)).rejects.toSatisfy((e) => isPrescalError(e, 'INVALID_ARGUMENT'))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('fails with NOT_FOUND for a missing file', async () => {
    await expect(readTrace(path.join(fixtures, 'nope.csv'))).rejects.toSatisfy((e) => isPrescalError(e, 'NOT_FOUND'))
  })
})

describe('parseTraceCsv', () => {
  it.each([
    { desc: 'bad timestamp', text: 'timestamp,requests\nyesterday,3\n', line: 2 },
    { desc: 'negative count', text: '100,3\n160,-1\n', line: 2 },
    { desc: 'missing column', text: '100\n', line: 1 },
    { desc: 'time going backwards', text: '100,1\n160,1\n130,1\n', line: 3 },
    { desc: 'duplicate timestamp', text: '100,1\n100,2\n', line: 2 }
  ])('rejects $desc with INVALID_ARGUMENT naming the line', ({ text, line }) => {
    let caught: unknown
    try {
      parseTraceCsv(text, 'x.csv')
    } catch (err) {
      caught = err
    }
    expect(isPrescalError(caught, 'INVALID_ARGUMENT')).toBe(true)
    expect((caught as Error).message).toContain(`x.csv:${line}:`)
  })

  it('accepts no header, CRLF and a trailing blank line', () => {
    expect(parseTraceCsv('60,5\r\n120,6\r\n\r\n')).toEqual([
      { at: 60_000, requests: 5 },
      { at: 120_000, requests: 6 }
    ])
  })

  it('needs two rows to tell the step', () => {
    expect(() => detectStepMs([{ at: 0, requests: 1 }])).toThrow(/two rows/)
  })
})
