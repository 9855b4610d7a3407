import { describe, expect, it } from 'vitest'
import { nodeTooOld } from '../../../src/main/node-version'

describe('nodeTooOld', () => {
  it.each(['22.13.0', '22.20.7', '23.0.0', '24.1.0', '100.0.0'])('accepts %s', (v) => {
    expect(nodeTooOld(v, '/x/node')).toBeNull()
  })

  it.each(['20.20.2', '22.12.9', '22.0.0', '18.19.1'])('refuses %s, naming the binary and what to run instead', (v) => {
    expect(nodeTooOld(v, '/usr/bin/node')).toBe(
      `Prescal needs Node 22.13.0 or newer (for node:sqlite); /usr/bin/node is Node ${v}. ` +
        "`npm run headless` runs it with the project's own Node 22."
    )
  })
})
