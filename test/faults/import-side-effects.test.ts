/**
 * Scripts (`npm run soak`, `backtest`, `bench:*`) run src/ under tsx, not Vite. Importing the engine
 * there must start nothing: a module that opens a server at import time keeps the script alive,
 * and where its port is taken, kills it with EADDRINUSE before it does any work.
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../helpers/headless-process'

describe('importing src/main under tsx', () => {
  it.each(['src/main/engine.ts', 'src/main/fleet/demo-image.ts'])(
    'import of %s has no side effect: the process exits by itself, prints nothing',
    (module) => {
      const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', `import('./${module}').then(() => console.log('imported'))`], {
        cwd: repoRoot,
        encoding: 'utf8',
        // A server opened at import time would keep the process alive until this kills it.
        timeout: 8_000,
        killSignal: 'SIGKILL'
      })
      const output = `${run.stdout}${run.stderr}`
      expect(output).not.toMatch(/listening|EADDRINUSE/)
      expect(run.signal, output).toBeNull()
      expect(run.status, output).toBe(0)
      expect(run.stdout.trim()).toBe('imported')
    },
    20_000
  )
})
