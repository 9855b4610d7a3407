import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
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
})
