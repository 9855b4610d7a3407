/**
 * Config files are written atomically (src/main/config/atomic-write.ts): a child process rewrites
 * a large file in a loop and is SIGKILLed at random moments; the target must always hold either
 * the old or the new complete content. A control run with plain writeFileSync must show tearing,
 * so this test can tell the difference. Takes ~20 s.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../helpers/headless-process'

const WRITER = join(repoRoot, 'test/security/atomic-writer.ts')
const dir = mkdtempSync(join(tmpdir(), 'prescal-atomic-'))
const target = join(dir, 'config.yaml')
const aPath = join(dir, 'a.src')
const bPath = join(dir, 'b.src')

/** ~4 MB of YAML-ish lines; every line names its generation, so a mix of A and B shows. */
function content(tag: string): string {
  const lines = [`# generation ${tag}`]
  for (let i = 0; i < 80_000; i++) lines.push(`backend_${i}: { tag: ${tag}, address: 127.0.0.1:${3000 + (i % 1000)} }`)
  lines.push(`# end of ${tag}`, '')
  return lines.join('\n')
}
const A = content('A')
const B = content('B')
writeFileSync(aPath, A)
writeFileSync(bPath, B)

type Seen = 'A' | 'B' | 'torn'

/** Starts the writer, kills it with SIGKILL `delayMs` after it began writing, classifies the target. */
async function killOnce(mode: 'atomic' | 'plain', delayMs: number): Promise<Seen> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, mode, target, aPath, bPath], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)))
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve())
    child.once('exit', (code) => reject(new Error(`writer exited (${code}) before writing`)))
  })
  await new Promise((r) => setTimeout(r, delayMs))
  child.kill('SIGKILL')
  expect(await exited).toBe('SIGKILL')
  const text = readFileSync(target, 'utf8')
  return text === A ? 'A' : text === B ? 'B' : 'torn'
}

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('writeFileAtomic under SIGKILL', () => {
  it('the target is always the old or the new complete content', async () => {
    writeFileSync(target, A)
    const seen: Seen[] = []
    let midWrite = 0
    for (let i = 0; i < 20; i++) {
      seen.push(await killOnce('atomic', 5 + ((i * 37) % 120)))
      // A temporary file beside the target means this kill landed in the middle of a write.
      const tmp = readdirSync(dir).filter((f) => f.endsWith('.tmp'))
      if (tmp.length > 0) midWrite++
      for (const f of tmp) rmSync(join(dir, f))
    }
    expect(seen.filter((s) => s === 'torn'), seen.join(' ')).toEqual([])
    // The writer really replaced the file between kills, and kills hit mid-write: else this proves nothing.
    expect(seen).toContain('B')
    expect(midWrite).toBeGreaterThan(0)
  }, 45_000)

  it('control: plain writeFileSync killed the same way tears the file', async () => {
    writeFileSync(target, A)
    const seen: Seen[] = []
    for (let i = 0; i < 10 && !seen.includes('torn'); i++) seen.push(await killOnce('plain', 5 + ((i * 37) % 120)))
    expect(seen).toContain('torn')
  }, 30_000)
})
