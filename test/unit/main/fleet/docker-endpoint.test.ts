import { describe, expect, it } from 'vitest'
import { describeEndpoint, dockerConnection, reconnectDelayMs } from '../../../../src/main/fleet/docker-endpoint'

describe('dockerConnection', () => {
  const table: Array<[string | undefined, Record<string, unknown>]> = [
    [undefined, {}],
    ['  ', {}],
    ['/run/user/1000/podman/podman.sock', { socketPath: '/run/user/1000/podman/podman.sock' }],
    ['unix:///var/run/docker.sock', { socketPath: '/var/run/docker.sock' }],
    ['npipe:////./pipe/docker_engine', { socketPath: '//./pipe/docker_engine' }],
    ['tcp://127.0.0.1:2375', { protocol: 'http', host: '127.0.0.1', port: 2375 }],
    ['tcp://dockerhost', { protocol: 'http', host: 'dockerhost', port: 2375 }],
    ['https://dockerhost', { protocol: 'https', host: 'dockerhost', port: 2376 }],
    ['127.0.0.1:2380', { protocol: 'http', host: '127.0.0.1', port: 2380 }],
    ['ssh://me@build-box:2222', { protocol: 'ssh', host: 'build-box', port: 2222, username: 'me' }],
    ['ssh://build-box', { protocol: 'ssh', host: 'build-box', port: 22 }]
  ]
  it.each(table)('%s', (host, expected) => {
    expect(dockerConnection(host)).toEqual(expected)
  })
})

describe('describeEndpoint', () => {
  it('explicit host, then DOCKER_HOST, then the default socket', () => {
    expect(describeEndpoint('unix:///tmp/d.sock', { DOCKER_HOST: 'tcp://x:1' })).toBe('/tmp/d.sock')
    expect(describeEndpoint(undefined, { DOCKER_HOST: 'tcp://x:1' })).toBe('tcp://x:1')
    expect(describeEndpoint(undefined, {})).toBe(process.platform === 'win32' ? '//./pipe/docker_engine' : '/var/run/docker.sock')
  })
})

describe('reconnectDelayMs', () => {
  it.each([
    [0, 1000],
    [1, 2000],
    [3, 8000],
    [4, 16000],
    [5, 30000],
    [50, 30000]
  ])('attempt %i -> %i ms', (attempt, ms) => {
    expect(reconnectDelayMs(attempt)).toBe(ms)
  })
})
