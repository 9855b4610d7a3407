import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig, parseConfig } from '../../../../src/main/config/config-loader'
import { isPrescalError } from '../../../../src/shared/errors'

describe('parseConfig', () => {
  it('gives every key a default', () => {
    const c = parseConfig('', 'x.yaml')
    expect(c.listen).toBe('127.0.0.1:8080')
    expect(c.poll).toEqual({ intervalMs: 1000, timeoutMs: 800, maxBodyBytes: 4 * 1024 * 1024, failuresBeforeDown: 3 })
    expect(c.ports).toEqual({ from: 3000, to: 3099 })
    expect(c.services).toEqual([])
  })

  it('reads the issue example', () => {
    const c = parseConfig(
      `listen: 127.0.0.1:8080
poll: { intervalMs: 1000, timeoutMs: 800 }
backends: [127.0.0.1:3000]
services:
  - { name: demo, image: prescal-demo:latest, containerPort: 3000, replicas: 0 }
`,
      'x.yaml'
    )
    expect(c.backends).toEqual([{ address: '127.0.0.1:3000', metricsPath: '/metrics', weight: 1 }])
    expect(c.services[0]).toMatchObject({ name: 'demo', image: 'prescal-demo:latest', containerPort: 3000, replicas: 0, metricsPath: '/metrics' })
  })

  it.each([
    { desc: 'default', yaml: '{}', expected: { maxReplicas: 20, replicas: 0, autoscale: 10 } },
    { desc: 'raised, with autoscaling up to it', yaml: '{ maxReplicas: 40, replicas: 30, autoscale: { maxReplicas: 40 } }', expected: { maxReplicas: 40, replicas: 30, autoscale: 40 } },
    { desc: 'lowered, with autoscaling within it', yaml: '{ maxReplicas: 3, autoscale: { maxReplicas: 3 } }', expected: { maxReplicas: 3, replicas: 0, autoscale: 3 } }
  ])('services[].maxReplicas: $desc', ({ yaml, expected }) => {
    const extra = yaml === '{}' ? '' : `, ${yaml.slice(2, -2)}`
    const c = parseConfig(`services:\n  - { name: a, image: x, containerPort: 1${extra} }`, 'x.yaml')
    const s = c.services[0]!
    expect({ maxReplicas: s.maxReplicas, replicas: s.replicas, autoscale: s.autoscale.maxReplicas }).toEqual(expected)
  })

  it.each([
    { desc: 'port as string', yaml: 'services:\n  - { name: demo, image: x, containerPort: "3000" }', field: 'services[0].containerPort' },
    { desc: 'listen without port', yaml: 'listen: localhost', field: 'listen' },
    { desc: 'listen port out of range', yaml: 'listen: 127.0.0.1:70000', field: 'listen' },
    { desc: 'unknown key', yaml: 'lisen: 127.0.0.1:8080', field: '(top level)' },
    { desc: 'negative interval', yaml: 'poll: { intervalMs: -5 }', field: 'poll.intervalMs' },
    { desc: 'bad static backend', yaml: 'backends: [nohostport]', field: 'backends[0]' },
    { desc: 'duplicate service', yaml: 'services:\n  - { name: a, image: x, containerPort: 1 }\n  - { name: a, image: y, containerPort: 2 }', field: 'services[1].name' },
    { desc: 'more replicas than maxReplicas (20 by default)', yaml: 'services:\n  - { name: a, image: x, containerPort: 1, replicas: 21 }', field: 'services[0].replicas' },
    { desc: 'replicas above a lowered maxReplicas', yaml: 'services:\n  - { name: a, image: x, containerPort: 1, maxReplicas: 4, replicas: 5 }', field: 'services[0].replicas' },
    { desc: 'maxReplicas above the ceiling', yaml: 'services:\n  - { name: a, image: x, containerPort: 1, maxReplicas: 101 }', field: 'services[0].maxReplicas' },
    { desc: 'maxReplicas 0', yaml: 'services:\n  - { name: a, image: x, containerPort: 1, maxReplicas: 0 }', field: 'services[0].maxReplicas' },
    {
      desc: 'autoscaling above maxReplicas (its default 10 included)',
      yaml: 'services:\n  - { name: a, image: x, containerPort: 1, maxReplicas: 5 }',
      field: 'services[0].autoscale.maxReplicas'
    },
    { desc: 'inverted port range', yaml: 'ports: { from: 4000, to: 3000 }', field: 'ports' },
    { desc: 'YAML syntax', yaml: 'listen: [unclosed', field: 'YAML syntax error' }
  ])('rejects $desc naming $field', ({ yaml, field }) => {
    let error: unknown
    try {
      parseConfig(yaml, 'bad.yaml')
    } catch (err) {
      error = err
    }
    expect(isPrescalError(error, 'CONFIG_INVALID')).toBe(true)
    expect((error as Error).message).toContain('bad.yaml')
    expect((error as Error).message).toContain(field)
  })
})

/** The whole CONFIG_INVALID message for `yaml` read as bad.yaml. */
function messageOf(yaml: string): string {
  try {
    parseConfig(yaml, 'bad.yaml')
  } catch (err) {
    expect(isPrescalError(err, 'CONFIG_INVALID')).toBe(true)
    return (err as Error).message
  }
  throw new Error('parsed without an error')
}

describe('parseConfig: a bad static backend says what is wrong and what to write', () => {
  it.each([
    {
      desc: 'not an address',
      yaml: 'backends: ["not an address"]',
      lines: ['backends[0]: "not an address" is not host:port (e.g. 127.0.0.1:3001) or { address: host:port, weight, ... }']
    },
    { desc: 'port out of range', yaml: 'backends: ["127.0.0.1:99999"]', lines: ['backends[0]: "127.0.0.1:99999": port 99999 is out of range (1-65535)'] },
    { desc: 'port 0 (nothing to connect to)', yaml: 'backends: [127.0.0.1:0]', lines: ['backends[0]: "127.0.0.1:0": port 0 is out of range (1-65535)'] },
    { desc: 'a port name', yaml: 'backends: [localhost:http]', lines: ['backends[0]: "localhost:http": the port must be a number 1-65535'] },
    { desc: 'a URL', yaml: 'backends: ["http://127.0.0.1:18504/"]', lines: ['backends[0]: "http://127.0.0.1:18504/" is a URL: write it as 127.0.0.1:18504'] },
    {
      desc: 'an https URL without a port',
      yaml: 'backends: ["https://example.com/api"]',
      lines: ['backends[0]: "https://example.com/api" is a URL: write it as example.com:443 (backends are reached over plain HTTP)']
    },
    { desc: 'no port', yaml: 'backends: ["127.0.0.1"]', lines: ['backends[0]: "127.0.0.1" has no port: write it as host:port, e.g. 127.0.0.1:3001'] },
    {
      desc: 'a misspelt key',
      yaml: 'backends: [{adress: 127.0.0.1:3001}]',
      lines: [
        'backends[0].address: missing: write host:port, e.g. 127.0.0.1:3001',
        'backends[0]: unknown key "adress": a backend takes address, metricsPath, weight, healthCheck'
      ]
    },
    { desc: 'an object with a bad address', yaml: 'backends: [{address: "127.0.0.1"}]', lines: ['backends[0].address: "127.0.0.1" has no port: write it as host:port, e.g. 127.0.0.1:3001'] },
    { desc: 'an object with a number for address', yaml: 'backends: [{address: 3001}]', lines: ['backends[0].address: 3001 is not host:port (e.g. 127.0.0.1:3001)'] },
    { desc: 'an object with a bad option', yaml: 'backends: [{address: 127.0.0.1:3001, weight: 0}]', lines: ['backends[0].weight: Too small: expected number to be >=1'] },
    { desc: 'a number', yaml: 'backends: [42]', lines: ['backends[0]: 42 is not host:port (e.g. 127.0.0.1:3001) or { address: host:port, weight, ... }'] },
    { desc: 'an empty entry', yaml: 'backends:\n  -\n', lines: ['backends[0]: an empty entry is not host:port (e.g. 127.0.0.1:3001) or { address: host:port, weight, ... }'] },
    { desc: 'only the bad one of several', yaml: 'backends: [127.0.0.1:3001, "127.0.0.1"]', lines: ['backends[1]: "127.0.0.1" has no port: write it as host:port, e.g. 127.0.0.1:3001'] }
  ])('$desc', ({ yaml, lines }) => {
    expect(messageOf(yaml)).toBe(['bad.yaml is not a valid Prescal config:', ...lines].join('\n'))
  })

  it('still reads both forms', () => {
    const c = parseConfig('backends: [127.0.0.1:3001, { address: "localhost:3002", weight: 3, metricsPath: /m }]', 'x.yaml')
    expect(c.backends).toEqual([
      { address: '127.0.0.1:3001', metricsPath: '/metrics', weight: 1 },
      { address: 'localhost:3002', metricsPath: '/m', weight: 3 }
    ])
  })
})

describe('parseConfig: history.path', () => {
  it('reads ~/ as the home folder, as the README example writes it; other paths as they are', () => {
    expect(parseConfig('history: { path: ~/.config/prescal-desktop/history.db }', 'x.yaml').history.path).toBe(
      join(homedir(), '.config/prescal-desktop/history.db')
    )
    expect(parseConfig('history: { path: /var/tmp/h.db }', 'x.yaml').history.path).toBe('/var/tmp/h.db')
    expect(parseConfig('history: { path: "~user/h.db" }', 'x.yaml').history.path).toBe('~user/h.db')
  })
})

describe('parseConfig: listen', () => {
  it.each([
    { desc: 'no port', yaml: 'listen: localhost', line: 'listen: must be host:port, e.g. 127.0.0.1:8080' },
    { desc: 'port out of range', yaml: 'listen: 127.0.0.1:70000', line: 'listen: port must be 0..65535' }
  ])('listen with $desc gets one line, not a port complaint besides', ({ yaml, line }) => {
    expect(messageOf(yaml)).toBe(`bad.yaml is not a valid Prescal config:\n${line}`)
  })
})

describe('loadConfig', () => {
  it('creates the default file on first run and reads it back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prescal-cfg-'))
    const first = loadConfig(null, dir)
    expect(first.created).toBe(true)
    expect(existsSync(join(dir, 'config.yaml'))).toBe(true)
    expect(first.config.services.map((s) => s.name)).toEqual(['demo'])
    const second = loadConfig(null, dir)
    expect(second.created).toBe(false)
    expect(second.config).toEqual(first.config)
  })

  it('never replaces a broken file and names it in the error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prescal-cfg-'))
    const file = join(dir, 'config.yaml')
    writeFileSync(file, 'listen: [')
    expect(() => loadConfig(null, dir)).toThrow(/config.yaml: YAML syntax error/)
    expect(readFileSync(file, 'utf8')).toBe('listen: [')
  })

  it('fails clearly on a --config path that does not exist', () => {
    expect(() => loadConfig('/nonexistent/prescal.yaml')).toThrow(/does not exist/)
  })
})

describe('writeFileAtomic', () => {
  it('replaces the file and clears temporary files a killed writer left behind', async () => {
    const { writeFileAtomic } = await import('../../../../src/main/config/atomic-write')
    const { readdirSync } = await import('node:fs')
    const dir = mkdtempSync(join(tmpdir(), 'prescal-atomic-'))
    const file = join(dir, 'config.yaml')
    writeFileSync(file, 'old')
    writeFileSync(join(dir, '.config.yaml.999999.1.tmp'), 'half')
    writeFileSync(join(dir, '.other.yaml.999999.1.tmp'), 'not ours')
    writeFileAtomic(file, 'new')
    expect(readFileSync(file, 'utf8')).toBe('new')
    expect(readdirSync(dir).sort()).toEqual(['.other.yaml.999999.1.tmp', 'config.yaml'])
  })
})
