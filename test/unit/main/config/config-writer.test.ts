import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigWriter, setServiceKey, setTopKey } from '../../../../src/main/config/config-writer'

const dir = mkdtempSync(join(tmpdir(), 'prescal-writer-'))
let n = 0

function fileWith(text: string): string {
  const path = join(dir, `c${n++}.yaml`)
  writeFileSync(path, text)
  return path
}

describe('ConfigWriter', () => {
  it('edits one key and leaves the rest of the file as written', () => {
    const text = `# top comment
listen: 127.0.0.1:8080   # where
services:
  - { name: demo, image: prescal-demo:latest, containerPort: 3000, replicas: 0 }
`
    const path = fileWith(text)
    new ConfigWriter(path).update(setServiceKey('demo', ['autoscale', 'mode'], 'hybrid'))
    expect(readFileSync(path, 'utf8')).toBe(`# top comment
listen: 127.0.0.1:8080 # where
services:
  - { name: demo, image: prescal-demo:latest, containerPort: 3000, replicas: 0, autoscale: { mode: hybrid } }
`)
  })

  it('starts a mapping in an empty file', () => {
    const path = fileWith('# nothing yet\n')
    new ConfigWriter(path).update(setTopKey(['proxy', 'balancing'], 'least-connections'))
    expect(readFileSync(path, 'utf8')).toBe('proxy:\n  balancing: least-connections\n')
  })

  it.each([
    { desc: 'a result that is not a valid config', edit: setTopKey(['proxy', 'balancing'], 'fastest'), error: /proxy\.balancing/ },
    { desc: 'a service the file no longer has', edit: setServiceKey('gone', ['balancing'], 'weighted'), error: /no service named "gone"/ },
    { desc: 'a key path through a scalar', edit: setTopKey(['listen', 'port'], 1), error: /"listen" in the file is not a mapping/ }
  ])('writes nothing for $desc', ({ edit, error }) => {
    const text = 'listen: 127.0.0.1:8080\nservices: [{ name: demo, image: x, containerPort: 3000 }]\n'
    const path = fileWith(text)
    expect(() => new ConfigWriter(path).update(edit)).toThrow(error)
    expect(readFileSync(path, 'utf8')).toBe(text)
  })

  it('says so when the file is gone', () => {
    expect(() => new ConfigWriter(join(dir, 'missing.yaml')).update(setTopKey(['listen'], 'x'))).toThrow(/cannot read it: ENOENT/)
  })

  it('edits a symlinked file where it lives and keeps its permissions', () => {
    mkdirSync(join(dir, 'real'))
    const real = join(dir, 'real', 'config.yaml')
    writeFileSync(real, 'listen: 127.0.0.1:8080\n')
    chmodSync(real, 0o644)
    const link = join(dir, 'linked.yaml')
    symlinkSync(real, link)
    new ConfigWriter(link).update(setTopKey(['proxy', 'balancing'], 'weighted'))
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(readFileSync(real, 'utf8')).toBe('listen: 127.0.0.1:8080\nproxy:\n  balancing: weighted\n')
    expect(statSync(real).mode & 0o777).toBe(0o644)
  })

  it.each([
    { desc: 'an anchored block', service: 'a', error: /the mapping holding "maxReplicas" is shared through a YAML anchor/ },
    { desc: 'an alias of one', service: 'b', error: /"autoscale" is shared through a YAML anchor/ }
  ])('refuses to edit $desc (it would change the other service too)', ({ service, error }) => {
    const text = `services:
  - { name: a, image: x, containerPort: 3000, autoscale: &as { maxReplicas: 4 } }
  - { name: b, image: x, containerPort: 3000, autoscale: *as }
`
    const path = fileWith(text)
    expect(() => new ConfigWriter(path).update(setServiceKey(service, ['autoscale', 'maxReplicas'], 2))).toThrow(error)
    expect(readFileSync(path, 'utf8')).toBe(text)
  })
})
