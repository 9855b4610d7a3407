import { describe, expect, it } from 'vitest'
import { DockerCallGuard } from '../../../../src/main/fleet/docker-call-guard'

describe('DockerCallGuard', () => {
  it('passes results through', async () => {
    const g = new DockerCallGuard('/sock', 1000)
    await expect(g.run('list containers', {}, async () => 42)).resolves.toBe(42)
  })

  it('times out even when the call ignores its signal, and aborts the signal', async () => {
    const g = new DockerCallGuard('/sock', 1000)
    let signal: AbortSignal | null = null
    const started = Date.now()
    const err = await g
      .run('inspect image', { image: 'x' }, (s) => {
        signal = s
        return new Promise<never>(() => {})
      }, 50)
      .catch((e: { code: string; message: string }) => e)
    expect(err.code).toBe('DOCKER_TIMEOUT')
    expect(err.message).toMatch(/"inspect image" within 50 ms/)
    expect(signal!.aborted).toBe(true)
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('maps failures with the call context', async () => {
    const g = new DockerCallGuard('/var/run/docker.sock', 1000)
    const err = await g
      .run('stop', { target: 'abc' }, async () => {
        throw Object.assign(new Error('x'), { statusCode: 404, json: { message: 'No such container: abc' } })
      })
      .catch((e) => e)
    expect(err.code).toBe('NOT_FOUND')
    expect(err.message).toMatch(/Container abc not found/)
  })

  it('close aborts calls in flight with CLOSED and refuses new ones', async () => {
    const g = new DockerCallGuard('/sock', 10_000)
    const pending = g.run('list containers', {}, (s) => new Promise((_, reject) => s.addEventListener('abort', () => reject(new Error('aborted')))))
    g.close()
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' })
    await expect(g.run('list containers', {}, async () => 1)).rejects.toMatchObject({ code: 'CLOSED' })
  })
})
