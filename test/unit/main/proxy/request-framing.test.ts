import { describe, expect, it } from 'vitest'
import { checkRequestFraming } from '../../../../src/main/proxy/request-framing'

describe('checkRequestFraming', () => {
  it.each([
    { desc: 'no body headers', raw: ['Host', 'h'], expected: { ok: true, body: 'none' } },
    { desc: 'Content-Length 0', raw: ['Content-Length', '0'], expected: { ok: true, body: 'none' } },
    { desc: 'Content-Length', raw: ['content-length', '12'], expected: { ok: true, body: 'length' } },
    { desc: 'repeated equal Content-Length', raw: ['Content-Length', '5', 'Content-Length', '5'], expected: { ok: true, body: 'length' } },
    { desc: 'chunked', raw: ['Transfer-Encoding', 'chunked'], expected: { ok: true, body: 'chunked' } },
    { desc: 'gzip then chunked', raw: ['Transfer-Encoding', 'gzip, Chunked'], expected: { ok: true, body: 'chunked' } },
    { desc: 'CL + TE', raw: ['Content-Length', '5', 'Transfer-Encoding', 'chunked'], expected: { ok: false } },
    { desc: 'TE + CL', raw: ['Transfer-Encoding', 'chunked', 'Content-Length', '5'], expected: { ok: false } },
    { desc: 'conflicting Content-Length', raw: ['Content-Length', '5', 'Content-Length', '6'], expected: { ok: false } },
    { desc: 'non-numeric Content-Length', raw: ['Content-Length', '5, 5'], expected: { ok: false } },
    { desc: 'negative Content-Length', raw: ['Content-Length', '-1'], expected: { ok: false } },
    { desc: 'TE not ending in chunked', raw: ['Transfer-Encoding', 'gzip'], expected: { ok: false } },
    { desc: 'chunked twice', raw: ['Transfer-Encoding', 'chunked', 'Transfer-Encoding', 'chunked'], expected: { ok: false } }
  ])('$desc', ({ raw, expected }) => {
    expect(checkRequestFraming(raw)).toMatchObject(expected)
  })

  it('says why a request is refused', () => {
    const r = checkRequestFraming(['Content-Length', '5', 'Transfer-Encoding', 'chunked'])
    expect(r).toEqual({ ok: false, reason: 'both Content-Length and Transfer-Encoding' })
  })
})
