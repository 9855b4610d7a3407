import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../../src/main/config/config-loader'
import { isHealthyStatus } from '../../../../src/main/config/config-schema'

describe('healthCheck and balancing in the config', () => {
  it('fills the health check defaults and keeps balancing per service', () => {
    const c = parseConfig(
      `backends: [{ address: 127.0.0.1:9000, healthCheck: { path: /healthz } }]
services:
  - { name: api, image: x, containerPort: 3000, balancing: least-connections, healthCheck: {} }
  - { name: web, image: y, containerPort: 3000 }
`,
      'test.yaml'
    )
    expect(c.backends[0]).toMatchObject({ healthCheck: { path: '/healthz', intervalMs: 2000, timeoutMs: 1000, healthyStatuses: ['200-399'], failuresBeforeDown: 3 } })
    expect(c.services[0]).toMatchObject({ balancing: 'least-connections', healthCheck: { path: '/' } })
    expect(c.services[1]!.balancing).toBeUndefined()
    expect(c.services[1]!.healthCheck).toBeUndefined()
  })

  it.each([
    { desc: 'unknown strategy', yaml: 'services: [{ name: a, image: x, containerPort: 1, balancing: random }]', error: /services\[0\]\.balancing/ },
    { desc: 'bad status range', yaml: 'services: [{ name: a, image: x, containerPort: 1, healthCheck: { healthyStatuses: ["2xx"] } }]', error: /healthyStatuses\[0\]/ },
    { desc: 'timeout over interval', yaml: 'services: [{ name: a, image: x, containerPort: 1, healthCheck: { intervalMs: 500, timeoutMs: 900 } }]', error: /healthCheck\.timeoutMs: timeoutMs must not exceed intervalMs/ }
  ])('rejects $desc, naming the field', ({ yaml, error }) => {
    expect(() => parseConfig(yaml, 'test.yaml')).toThrow(error)
  })

  it.each([
    { healthy: ['200-399'], status: 200, expected: true },
    { healthy: ['200-399'], status: 399, expected: true },
    { healthy: ['200-399'], status: 404, expected: false },
    { healthy: [200, 204], status: 204, expected: true },
    { healthy: [200, '500-503'], status: 502, expected: true },
    { healthy: [200], status: 201, expected: false }
  ])('isHealthyStatus($healthy, $status) = $expected', ({ healthy, status, expected }) => {
    expect(isHealthyStatus(healthy, status)).toBe(expected)
  })
})
