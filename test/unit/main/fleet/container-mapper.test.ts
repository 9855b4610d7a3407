import { describe, expect, it } from 'vitest'
import {
  classifyEvent,
  cpuPercentFromStats,
  fromInspect,
  hostPortsInUse,
  listAgreesWith,
  memoryBytesFromStats,
  toContainerState,
  toFleetContainer,
  type ListedContainer
} from '../../../../src/main/fleet/container-mapper'

const ID = 'a'.repeat(12) + 'b'.repeat(52)

describe('toContainerState', () => {
  const table: Array<[string | undefined | null, string]> = [
    ['running', 'running'],
    ['created', 'created'],
    ['paused', 'paused'],
    ['restarting', 'restarting'],
    ['removing', 'removing'],
    ['exited', 'exited'],
    ['dead', 'dead'],
    ['Running', 'running'],
    ['', 'dead'],
    [undefined, 'dead'],
    [null, 'dead'],
    ['hibernating', 'dead']
  ]
  it.each(table)('%s -> %s', (input, expected) => {
    expect(toContainerState(input)).toBe(expected)
  })
})

const listed = (over: Partial<ListedContainer>): ListedContainer => ({
  Id: ID,
  Names: ['/prescal-web-abc123'],
  Image: 'prescal-demo:latest',
  State: 'running',
  Labels: { 'prescal.service': 'web', 'prescal.port': '3000' },
  Ports: [{ IP: '127.0.0.1', PrivatePort: 3000, PublicPort: 3005, Type: 'tcp' }],
  Created: 1_700_000_000,
  ...over
})

describe('toFleetContainer', () => {
  const table: Array<{ desc: string; input: ListedContainer; expected: Record<string, unknown> | null }> = [
    {
      desc: 'running, published on loopback',
      input: listed({}),
      expected: {
        id: ID,
        shortId: 'aaaaaaaaaaaa',
        name: 'prescal-web-abc123',
        service: 'web',
        state: 'running',
        hostPort: 3005,
        containerPort: 3000,
        createdAt: 1_700_000_000_000
      }
    },
    { desc: 'no service label is not ours', input: listed({ Labels: { other: 'x' } }), expected: null },
    { desc: 'null labels', input: listed({ Labels: null }), expected: null },
    {
      desc: 'exited has no host port',
      input: listed({ State: 'exited', Ports: [] }),
      expected: { state: 'exited', hostPort: null, containerPort: 3000 }
    },
    {
      desc: 'loopback bind preferred over wildcard and IPv6',
      input: listed({
        Ports: [
          { IP: '::', PrivatePort: 3000, PublicPort: 4001, Type: 'tcp' },
          { IP: '0.0.0.0', PrivatePort: 3000, PublicPort: 4002, Type: 'tcp' },
          { IP: '127.0.0.1', PrivatePort: 3000, PublicPort: 4003, Type: 'tcp' }
        ]
      }),
      expected: { hostPort: 4003 }
    },
    {
      desc: 'wildcard bind when no loopback one',
      input: listed({
        Ports: [
          { IP: '::', PrivatePort: 3000, PublicPort: 4001, Type: 'tcp' },
          { IP: '0.0.0.0', PrivatePort: 3000, PublicPort: 4002, Type: 'tcp' }
        ]
      }),
      expected: { hostPort: 4002 }
    },
    {
      desc: 'udp and other private ports ignored',
      input: listed({
        Ports: [
          { IP: '127.0.0.1', PrivatePort: 3000, PublicPort: 4001, Type: 'udp' },
          { IP: '127.0.0.1', PrivatePort: 9000, PublicPort: 4002, Type: 'tcp' }
        ]
      }),
      expected: { hostPort: null, containerPort: 3000 }
    },
    {
      desc: 'no port label: first tcp private port',
      input: listed({
        Labels: { 'prescal.service': 'api' },
        Ports: [{ IP: '127.0.0.1', PrivatePort: 8080, PublicPort: 18080, Type: 'tcp' }]
      }),
      expected: { service: 'api', containerPort: 8080, hostPort: 18080 }
    },
    {
      desc: 'bad port label and no ports: unknown (0)',
      input: listed({ Labels: { 'prescal.service': 'api', 'prescal.port': 'http' }, Ports: null }),
      expected: { containerPort: 0, hostPort: null }
    },
    {
      desc: 'no names: short id',
      input: listed({ Names: [] }),
      expected: { name: 'aaaaaaaaaaaa' }
    },
    {
      desc: 'instance label: the Prescal that created it',
      input: listed({ Labels: { 'prescal.service': 'web', 'prescal.instance': '/a/config.yaml' } }),
      expected: { instance: '/a/config.yaml' }
    },
    {
      desc: 'no instance label (by hand, older version): null',
      input: listed({ Labels: { 'prescal.service': 'web' } }),
      expected: { instance: null }
    }
  ]
  it.each(table)('$desc', ({ input, expected }) => {
    const got = toFleetContainer(input)
    if (expected === null) expect(got).toBeNull()
    else expect(got).toMatchObject(expected)
  })
})

describe('fromInspect', () => {
  it('maps an inspected replica', () => {
    expect(
      fromInspect({
        Id: ID,
        Name: '/prescal-web-x',
        Created: '2024-01-02T03:04:05.123456789Z',
        State: { Status: 'running' },
        Config: {
          Image: 'prescal-demo:latest',
          Labels: { 'prescal.service': 'web', 'prescal.port': '3000', 'prescal.instance': '/home/u/.config/prescal-desktop/config.yaml' }
        },
        NetworkSettings: { Ports: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '3011' }] } }
      })
    ).toEqual({
      id: ID,
      shortId: 'aaaaaaaaaaaa',
      name: 'prescal-web-x',
      service: 'web',
      image: 'prescal-demo:latest',
      state: 'running',
      hostPort: 3011,
      containerPort: 3000,
      createdAt: Date.parse('2024-01-02T03:04:05.123Z'),
      instance: '/home/u/.config/prescal-desktop/config.yaml'
    })
  })

  it('has no host port when the binding is missing or the container is not running', () => {
    const base = {
      Id: ID,
      Name: '/x',
      Created: 'garbage',
      Config: { Image: 'i', Labels: { 'prescal.service': 'web', 'prescal.port': '3000' } }
    }
    expect(fromInspect({ ...base, State: { Status: 'running' }, NetworkSettings: { Ports: { '3000/tcp': null } } })?.hostPort).toBeNull()
    expect(
      fromInspect({ ...base, State: { Status: 'exited' }, NetworkSettings: { Ports: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '3011' }] } } })
        ?.hostPort
    ).toBeNull()
    expect(fromInspect({ ...base, State: { Status: 'running' } })?.createdAt).toBe(0)
    // Started by hand or by an older version: no instance label.
    expect(fromInspect({ ...base, State: { Status: 'running' } })?.instance).toBeNull()
  })
})

describe('hostPortsInUse', () => {
  it('collects published ports of every container and ports stopped replicas reserve', () => {
    const used = hostPortsInUse([
      listed({ Labels: null, Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8081, Type: 'tcp' }, { PrivatePort: 443, Type: 'tcp' }] }),
      listed({ State: 'exited', Ports: [], Labels: { 'prescal.service': 'web', 'prescal.host-port': '3007' } }),
      listed({ Labels: { 'prescal.host-port': 'nope' }, Ports: [] })
    ])
    expect([...used].sort()).toEqual([3007, 8081])
  })
})

describe('classifyEvent', () => {
  const table: Array<[string | undefined, boolean, string | null, string | null]> = [
    ['start', true, 'started', 'running'],
    ['die', true, 'stopped', 'stopped'],
    ['destroy', true, 'removed', 'removed'],
    ['pause', true, null, 'paused'],
    ['unpause', true, null, 'running'],
    ['create', true, null, null],
    ['stop', false, null, null],
    ['kill', false, null, null],
    ['exec_start: sh -c true', false, null, null],
    ['health_status: healthy', false, null, null],
    ['rename', true, null, null],
    [undefined, false, null, null]
  ]
  it.each(table)('%s -> relist %s, kind %s, list then shows %s', (action, relist, kind, expect_) => {
    expect(classifyEvent(action)).toEqual({ relist, kind, expect: expect_ })
  })
})

describe('stats math', () => {
  const table = [
    {
      desc: 'half a core on a 2-CPU host',
      input: {
        cpu_stats: { cpu_usage: { total_usage: 1_500_000_000 }, system_cpu_usage: 12_000_000_000, online_cpus: 2 },
        precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 10_000_000_000 }
      },
      cpu: 50
    },
    {
      desc: 'percpu length when online_cpus is missing',
      input: {
        cpu_stats: { cpu_usage: { total_usage: 200, percpu_usage: [1, 1, 1, 1] }, system_cpu_usage: 1400 },
        precpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 }
      },
      cpu: 100
    },
    {
      desc: 'no previous sample',
      input: { cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 10, online_cpus: 2 }, precpu_stats: { cpu_usage: {} } },
      cpu: null
    },
    {
      desc: 'no system delta',
      input: {
        cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 10, online_cpus: 2 },
        precpu_stats: { cpu_usage: { total_usage: 1 }, system_cpu_usage: 10 }
      },
      cpu: null
    }
  ]
  it.each(table)('cpu: $desc', ({ input, cpu }) => {
    const got = cpuPercentFromStats(input)
    if (cpu === null) expect(got).toBeNull()
    else expect(got).toBeCloseTo(cpu, 6)
  })

  const mem: Array<[string, Parameters<typeof memoryBytesFromStats>[0], number | null]> = [
    ['cgroup v1 inactive file', { memory_stats: { usage: 1000, stats: { total_inactive_file: 300, cache: 500 } } }, 700],
    ['cgroup v2 inactive file', { memory_stats: { usage: 1000, stats: { inactive_file: 100 } } }, 900],
    ['cache only', { memory_stats: { usage: 1000, stats: { cache: 250 } } }, 750],
    ['cache larger than usage ignored', { memory_stats: { usage: 100, stats: { cache: 250 } } }, 100],
    ['no stats block', { memory_stats: { usage: 42 } }, 42],
    ['no usage', { memory_stats: {} }, null]
  ]
  it.each(mem)('memory: %s', (_d, input, expected) => {
    expect(memoryBytesFromStats(input)).toBe(expected)
  })
})

describe('listAgreesWith', () => {
  const table: Array<['running' | 'stopped' | 'removed' | 'paused', string | undefined, boolean]> = [
    ['stopped', 'running', false],
    ['stopped', 'exited', true],
    ['stopped', undefined, true],
    ['running', 'running', true],
    ['running', 'created', false],
    // Unpaused, but the list still says paused: not yet.
    ['running', 'paused', false],
    ['running', undefined, true],
    ['paused', 'running', false],
    ['paused', 'paused', true],
    ['removed', 'exited', false],
    ['removed', undefined, true]
  ]
  it.each(table)('%s with cached state %s -> %s', (expect_, state, expected) => {
    expect(listAgreesWith(expect_, state === undefined ? undefined : { state: state as 'running' })).toBe(expected)
  })
})
