import { describe, expect, it } from 'vitest'
import { toErrorInfo } from '../../../src/renderer/src/core/error-info'
import { PrescalError } from '../../../src/shared/errors'

describe('toErrorInfo', () => {
  it.each([
    { desc: 'PrescalError keeps its code', err: new PrescalError('IMAGE_MISSING', 'no image'), expected: { code: 'IMAGE_MISSING', message: 'no image' } },
    { desc: 'an error copied across contextBridge (plain object with code)', err: { code: 'DOCKER_TIMEOUT', message: 'slow' }, expected: { code: 'DOCKER_TIMEOUT', message: 'slow' } },
    { desc: 'a plain Error is INTERNAL', err: new Error('boom'), expected: { code: 'INTERNAL', message: 'boom' } },
    { desc: 'a thrown string is INTERNAL', err: 'bad', expected: { code: 'INTERNAL', message: 'bad' } },
    { desc: 'an empty code is INTERNAL', err: { code: '', message: 'x' }, expected: { code: 'INTERNAL', message: 'x' } }
  ])('$desc', ({ err, expected }) => {
    expect(toErrorInfo(err)).toEqual(expected)
  })
})
