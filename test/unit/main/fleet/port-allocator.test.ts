import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { choosePorts, isPortFreeOnOs } from '../../../../src/main/fleet/port-allocator'

interface ChoiceCase {
  desc: string
  range: { from: number; to: number }
  need: number
  containers: number[]
  reserved?: number[]
  busyOs: number[]
  ports: number[]
  message: string | null
}

describe('choosePorts', () => {
  const range = { from: 18600, to: 18601 }

  it.each<ChoiceCase>([
    { desc: 'enough free ports', range, need: 2, containers: [], busyOs: [], ports: [18600, 18601], message: null },
    { desc: 'nothing asked', range, need: 0, containers: [], busyOs: [], ports: [], message: null },
    {
      desc: 'a range smaller than the replicas asked for, nothing holding it (the issue)',
      range,
      need: 3,
      containers: [],
      busyOs: [],
      ports: [18600, 18601],
      message: 'The port range 18600-18601 has 2 ports; 3 new replicas need 3 ports: widen ports.to in the config (to 18602 or more)'
    },
    {
      desc: 'a range smaller than the replicas, partly held',
      range,
      need: 3,
      containers: [18600],
      busyOs: [],
      ports: [18601],
      message:
        'The port range 18600-18601 has 2 ports (1 held by Docker containers, 0 by other programs); 3 new replicas need 3 ports: widen ports.to in the config (to 18603 or more)'
    },
    {
      desc: 'a single-port range for one replica, held by another program',
      range: { from: 3500, to: 3500 },
      need: 1,
      containers: [],
      busyOs: [3500],
      ports: [],
      message: 'No free host port for 1 of 1 new replica in 3500-3500 (0 held by Docker containers, 1 by other programs): widen ports.to in the config (to 3501 or more), or free the ports'
    },
    {
      desc: 'a wide enough range, held by containers, creates in flight and other programs',
      range: { from: 3000, to: 3004 },
      need: 2,
      containers: [3000, 3001],
      reserved: [3002],
      busyOs: [3003],
      ports: [3004],
      message:
        'No free host port for 1 of 2 new replicas in 3000-3004 (2 held by Docker containers, 1 by replicas being created, 1 by other programs): widen ports.to in the config (to 3005 or more), or free the ports'
    },
    {
      desc: 'an inverted range has no port',
      range: { from: 10, to: 9 },
      need: 1,
      containers: [],
      busyOs: [],
      ports: [],
      message: 'The port range 10-9 has 0 ports; 1 new replica needs 1 port: widen ports.to in the config (to 10 or more)'
    },
    {
      desc: 'a range at the top of the port space',
      range: { from: 65534, to: 65535 },
      need: 3,
      containers: [],
      busyOs: [],
      ports: [65534, 65535],
      message: 'The port range 65534-65535 has 2 ports; 3 new replicas need 3 ports: widen ports in the config (ports.to cannot pass 65535: lower ports.from by 1 or more)'
    }
  ])('$desc', async ({ range, need, containers, reserved, busyOs, ports, message }) => {
    const probed: number[] = []
    const holders = { containers: new Set(containers), reserved: new Set(reserved ?? []) }
    const choice = await choosePorts(range, need, holders, async (p) => {
      probed.push(p)
      return !busyOs.includes(p)
    })
    expect(choice.ports).toEqual(ports)
    expect(choice.shortage?.code ?? null).toBe(message === null ? null : 'PORT_EXHAUSTED')
    expect(choice.shortage?.message ?? null).toBe(message)
    // Held ports are never probed; probing stops once enough are found.
    for (const p of [...containers, ...(reserved ?? [])]) expect(probed).not.toContain(p)
    if (message === null) expect(probed).toEqual(ports)
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

  it('choosePorts with the real check skips a port taken by a listener', async () => {
    const port = await listen('127.0.0.1')
    // port+1 may itself be busy on a shared machine; the answer is the lowest free one after `port`.
    const [got] = (await choosePorts({ from: port, to: Math.min(65535, port + 20) }, 1, { containers: new Set() })).ports
    expect(got).toBeGreaterThan(port)
    expect(await isPortFreeOnOs(got!)).toBe(true)
  })

  it('the probe leaves no socket open', async () => {
    const before = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().length
    for (let i = 0; i < 20; i++) await isPortFreeOnOs(0)
    const after = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().length
    expect(after).toBeLessThanOrEqual(before)
  })
})
