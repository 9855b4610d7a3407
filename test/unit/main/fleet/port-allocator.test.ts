import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { isPrescalError } from '../../../../src/shared/errors'
import { allocatePort, isPortFreeOnOs } from '../../../../src/main/fleet/port-allocator'

const freeOs = async (): Promise<boolean> => true

describe('allocatePort (choice)', () => {
  const table: Array<{ desc: string; range: { from: number; to: number }; engine: number[]; busyOs: number[]; expected: number }> = [
    { desc: 'lowest when all free', range: { from: 3000, to: 3004 }, engine: [], busyOs: [], expected: 3000 },
    { desc: 'skips ports the engine holds', range: { from: 3000, to: 3004 }, engine: [3000, 3001], busyOs: [], expected: 3002 },
    { desc: 'skips ports busy on the OS', range: { from: 3000, to: 3004 }, engine: [3000], busyOs: [3001, 3002], expected: 3003 },
    { desc: 'single-port range', range: { from: 3500, to: 3500 }, engine: [], busyOs: [], expected: 3500 }
  ]
  it.each(table)('$desc', async ({ range, engine, busyOs, expected }) => {
    const probed: number[] = []
    const port = await allocatePort(range, new Set(engine), async (p) => {
      probed.push(p)
      return !busyOs.includes(p)
    })
    expect(port).toBe(expected)
    // Ports the engine holds are never probed on the OS.
    for (const p of engine) expect(probed).not.toContain(p)
  })

  it('rejects PORT_EXHAUSTED naming the range and the config key', async () => {
    const err = await allocatePort({ from: 3000, to: 3002 }, new Set([3000, 3001]), async () => false).catch((e) => e)
    expect(isPrescalError(err, 'PORT_EXHAUSTED')).toBe(true)
    expect(err.message).toMatch(/3000-3002/)
    expect(err.message).toMatch(/2 held by containers, 1 by other programs/)
    expect(err.message).toMatch(/`ports`/)
  })

  it('an inverted range is exhausted at once', async () => {
    await expect(allocatePort({ from: 10, to: 9 }, new Set(), freeOs)).rejects.toMatchObject({ code: 'PORT_EXHAUSTED' })
  })
})

describe('isPortFreeOnOs (real sockets)', () => {
  const servers: Server[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
  })
  const listen = (host: string, port = 0): Promise<number> =>
    new Promise((resolve, reject) => {
      const s = createServer()
      servers.push(s)
      s.once('error', reject)
      s.listen(port, host, () => resolve((s.address() as { port: number }).port))
    })

  it('says busy for a port a real listener holds, free once it is closed', async () => {
    const port = await listen('127.0.0.1')
    expect(await isPortFreeOnOs(port)).toBe(false)
    await new Promise((r) => servers.pop()!.close(r))
    expect(await isPortFreeOnOs(port)).toBe(true)
  })

  it('a wildcard listener makes the port busy too', async () => {
    const port = await listen('0.0.0.0')
    expect(await isPortFreeOnOs(port)).toBe(false)
  })

  it('allocatePort with the real check skips a port taken by a listener', async () => {
    const port = await listen('127.0.0.1')
    // port+1 may itself be busy on a shared machine; the answer is the lowest free one after `port`.
    const got = await allocatePort({ from: port, to: Math.min(65535, port + 20) }, new Set())
    expect(got).toBeGreaterThan(port)
    expect(await isPortFreeOnOs(got)).toBe(true)
  })

  it('the probe leaves no socket open', async () => {
    const before = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().length
    for (let i = 0; i < 20; i++) await isPortFreeOnOs(0)
    const after = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().length
    expect(after).toBeLessThanOrEqual(before)
  })
})
