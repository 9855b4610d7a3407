import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../../../src/main/history/history-store'
import { integrityCheck, T0, tempDir } from './history-fixtures'

const writer = join(__dirname, 'crash-writer.ts')
let cleanups: (() => void)[] = []

afterEach(() => {
  for (const c of cleanups) c()
  cleanups = []
})

/** Runs the writer until it has reported `killAfter` ticks, SIGKILLs it, returns the last reported tick. */
function runAndKill(path: string, killAfter: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path], {
      cwd: join(__dirname, '../../../..'),
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let last = -1
    let buf = ''
    let stderr = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`writer did not reach tick ${killAfter}; stderr: ${stderr}`))
    }, 20_000)
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      const lines = buf.split('\n')
      buf = lines.pop() ?? ''
      for (const l of lines) last = Number(l)
      if (last >= killAfter && !child.killed) child.kill('SIGKILL')
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${code}); stderr: ${stderr}`))
      else resolve(last)
    })
  })
}

describe('HistoryStore after SIGKILL of the writing process', () => {
  it.each([
    { desc: 'mid-minute', killAfter: 150 },
    { desc: 'right after a minute boundary, while chunks are being sealed', killAfter: 241 }
  ])('reopens intact and has every reported tick ($desc)', async ({ killAfter }) => {
    const dir = tempDir()
    cleanups.push(dir.cleanup)
    const path = join(dir.dir, 'history.sqlite')
    const last = await runAndKill(path, killAfter)
    expect(last).toBeGreaterThanOrEqual(killAfter)

    expect(integrityCheck(path)).toBe('ok')
    const store = HistoryStore.open(path)
    cleanups.unshift(() => store.close())
    expect(store.status().ok).toBe(true)
    const r = store.query({ from: T0, to: T0 + (last + 10) * 1000, metrics: ['rps'], maxPoints: 100_000 })
    expect(r.resolution).toBe('raw')
    expect(r.series.map((s) => s.backendId).sort()).toEqual(['a', 'b', 'c'])
    for (const s of r.series) {
      const present = s.v.flatMap((v, i) => (v === null ? [] : [i]))
      // Every tick the child reported as written is there, and nothing has a hole: the ticks
      // present are 0..k with k ≥ the last reported one (the child may have committed a few more
      // before the kill landed; only the tick in flight may be missing).
      expect(present.length).toBeGreaterThanOrEqual(last + 1)
      expect(present).toEqual(Array.from({ length: present.length }, (_, i) => i))
    }
    // And writing goes on where it stopped.
    store.writeTick(T0 + (last + 100) * 1000, [], [])
    expect(store.status().ok).toBe(true)
  })
})
