import { describe, expect, it } from 'vitest'
import { PrescalError } from '../../../../src/shared/errors'
import {
  engineMessage,
  isNotModified,
  mapDockerError,
  type DockerCallContext
} from '../../../../src/main/fleet/docker-error-mapper'

const ctx = (over: Partial<DockerCallContext> = {}): DockerCallContext => ({
  action: 'stop',
  target: 'abc123',
  endpoint: '/var/run/docker.sock',
  timeoutMs: 1500,
  timedOut: false,
  ...over
})

/** Shaped like docker-modem's errors. */
function engineError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), {
    statusCode,
    reason: 'x',
    json: { message }
  })
}
const sysError = (code: string): Error => Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code })

describe('mapDockerError', () => {
  const table: Array<{ desc: string; err: unknown; ctx: DockerCallContext; code: string; message: RegExp }> = [
    { desc: 'socket missing', err: sysError('ENOENT'), ctx: ctx(), code: 'DOCKER_UNAVAILABLE', message: /not reachable at \/var\/run\/docker\.sock \(ENOENT\): start Docker/ },
    { desc: 'refused tcp', err: sysError('ECONNREFUSED'), ctx: ctx({ endpoint: 'tcp://127.0.0.1:2375' }), code: 'DOCKER_UNAVAILABLE', message: /tcp:\/\/127\.0\.0\.1:2375/ },
    { desc: 'reset', err: sysError('ECONNRESET'), ctx: ctx(), code: 'DOCKER_UNAVAILABLE', message: /start Docker/ },
    { desc: 'permission', err: sysError('EACCES'), ctx: ctx(), code: 'DOCKER_UNAVAILABLE', message: /docker group/ },
    { desc: 'our deadline', err: Object.assign(new Error('aborted'), { name: 'AbortError' }), ctx: ctx({ timedOut: true }), code: 'DOCKER_TIMEOUT', message: /"stop abc123" within 1500 ms/ },
    { desc: 'socket timeout', err: sysError('ETIMEDOUT'), ctx: ctx(), code: 'DOCKER_TIMEOUT', message: /within 1500 ms/ },
    { desc: 'no such container', err: engineError(404, 'No such container: abc123'), ctx: ctx(), code: 'NOT_FOUND', message: /Container abc123 not found \(No such container: abc123\)/ },
    {
      desc: 'no such image on create',
      err: engineError(404, 'No such image: prescal-demo:latest'),
      ctx: ctx({ action: 'create replica', image: 'prescal-demo:latest' }),
      code: 'IMAGE_MISSING',
      message: /^Image prescal-demo:latest not found: build it with Build demo image \(or npm run demo-image\)$/
    },
    {
      desc: 'no such image (not the demo image): pull or build it, no Build demo image',
      err: engineError(404, 'No such image: myapp:dev'),
      ctx: ctx({ action: 'create replica', image: 'myapp:dev' }),
      code: 'IMAGE_MISSING',
      message: /^Image myapp:dev not found: docker pull myapp:dev, or docker build -t myapp:dev <dir>, then scale again$/
    },
    {
      desc: 'conflict keeps the engine message',
      err: engineError(409, 'You cannot remove a running container abc. Stop the container before attempting removal or force remove'),
      ctx: ctx({ action: 'remove' }),
      code: 'CONFLICT',
      message: /^Cannot remove abc123: You cannot remove a running container/
    },
    { desc: 'server error', err: engineError(500, 'driver failed programming external connectivity'), ctx: ctx({ action: 'start' }), code: 'DOCKER_ERROR', message: /Docker could not start abc123 \(HTTP 500\): driver failed/ },
    { desc: 'plain error', err: new Error('weird'), ctx: ctx({ target: undefined, action: 'list containers' }), code: 'DOCKER_ERROR', message: /^Docker could not list containers: weird$/ },
    { desc: 'non-error thrown', err: 'boom', ctx: ctx(), code: 'DOCKER_ERROR', message: /boom/ }
  ]
  it.each(table)('$desc -> $code', ({ err, ctx: c, code, message }) => {
    const mapped = mapDockerError(err, c)
    expect(mapped).toBeInstanceOf(PrescalError)
    expect(mapped.code).toBe(code)
    expect(mapped.message).toMatch(message)
    if (err instanceof Error) expect(mapped.cause).toBe(err)
  })

  it('passes PrescalErrors through untouched', () => {
    const e = new PrescalError('IMAGE_MISSING', 'x')
    expect(mapDockerError(e, ctx())).toBe(e)
  })
})

describe('helpers', () => {
  it('isNotModified only for 304', () => {
    expect(isNotModified(engineError(304, 'container already started'))).toBe(true)
    expect(isNotModified(engineError(404, 'x'))).toBe(false)
    expect(isNotModified(null)).toBe(false)
  })
  it('engineMessage prefers the engine json, then a string body, then the message', () => {
    expect(engineMessage(engineError(409, 'name in use'))).toBe('name in use')
    expect(engineMessage(Object.assign(new Error('m'), { json: 'plain body' }))).toBe('plain body')
    expect(engineMessage(Object.assign(new Error('m'), { json: Buffer.from('buf body') }))).toBe('buf body')
    expect(engineMessage(new Error('just message'))).toBe('just message')
  })
})
