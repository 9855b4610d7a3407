// 200 MB each way through the proxy; the proxy's RSS (in its own process) must grow < 50 MB.
// Slower than the other proxy tests (a few seconds): it moves 400 MB over loopback.
import { fork, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startBackend, type TestBackend } from './proxy-test-kit'

const MB = 1024 * 1024
const TOTAL = 200 * MB

let child: ChildProcess | undefined
let echo: TestBackend | undefined

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  child = undefined
  await echo?.close()
  echo = undefined
})

function ask<T>(c: ChildProcess, msg: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, T>): void => {
      if (m[key] === undefined) return
      c.off('message', on)
      resolve(m[key])
    }
    c.on('message', on)
    if (msg) c.send(msg)
  })
}

describe.each([{ workers: 0 }, { workers: 2 }])('ProxyServer memory (workers=$workers)', ({ workers }) => {
  it('streams 200 MB up and 200 MB down with less than 50 MB of RSS growth', { timeout: 60_000 }, async () => {
    echo = await startBackend('echo', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
      req.pipe(res)
    })
    child = fork(join(__dirname, 'proxy-child.fixture.ts'), [String(echo.port), String(workers)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    const port = await ask<number>(child, '', 'port')
    // Warm up (JIT, buffers, first sockets) so the baseline is the steady state; several
    // connections, so that with workers every thread has seen traffic.
    for (let i = 0; i < 8; i++) await transfer(port, 8 * MB)
    const baseline = await ask<number>(child, 'rss', 'rss')
    let peak = baseline
    const c = child
    const sampler = setInterval(() => void ask<number>(c, 'rss', 'rss').then((r) => (peak = Math.max(peak, r))), 50)
    try {
      expect(await transfer(port, TOTAL)).toBe(TOTAL)
    } finally {
      clearInterval(sampler)
    }
    peak = Math.max(peak, await ask<number>(child, 'rss', 'rss'))
    const growth = (peak - baseline) / MB
    expect(growth, `RSS ${Math.round(baseline / MB)} MB → peak ${Math.round(peak / MB)} MB`).toBeLessThan(50)
    child.send('stop')
  })
})

/**
 * POSTs `bytes` (one reused 64 KB chunk, with backpressure) and counts the echoed bytes. The
 * download is read slower than the upload can go (a pause every 512 KB), so a proxy that ignored
 * backpressure would pile the difference up in memory.
 */
function transfer(port: number, bytes: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 0x5a)
  return new Promise((resolve, reject) => {
    let received = 0
    let sincePause = 0
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false }, (res) => {
      res.on('data', (d: Buffer) => {
        received += d.length
        sincePause += d.length
        if (sincePause < 512 * 1024) return
        sincePause = 0
        res.pause()
        setTimeout(() => res.resume(), 2)
      })
      res.on('end', () => resolve(received))
      res.on('error', reject)
    })
    req.on('error', reject)
    let sent = 0
    const pump = (): void => {
      while (sent < bytes) {
        sent += chunk.length
        if (!req.write(chunk)) return void req.once('drain', pump)
      }
      req.end()
    }
    pump()
  })
}
