/**
 * Thousands of one-request connections on both sides of the proxy (clients without keep-alive, a
 * backend answering Connection: close): the heap must not keep anything per connection. Before
 * the native parsers were closed with their sockets, each connection kept ~3 KB (parser, its
 * callbacks and everything they reach) forever.
 */
import http from 'node:http'
import { describe, expect, it } from 'vitest'
import { BackendPool } from '../../src/main/proxy/backend-pool'
import { ProxyServer } from '../../src/main/proxy/proxy-server'
import { collector, heapUsedAfterSettling } from '../helpers/heap'
import { fdCount } from '../unit/main/poller/local-servers'

const MiB = 1024 * 1024

describe('proxy connections', () => {
  it('keep no memory or fds per closed connection (3000 connections each side)', { timeout: 60_000 }, async () => {
    const backend = http.createServer((_req, res) => {
      res.setHeader('Connection', 'close')
      res.end('ok')
    })
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r))
    const pool = new BackendPool()
    pool.upsert({ id: 'b', host: '127.0.0.1', port: (backend.address() as { port: number }).port })
    pool.setReady('b', true)
    const proxy = new ProxyServer({ host: '127.0.0.1', port: 0, pool, upstreamTimeoutMs: 5_000, workers: 0 })
    const { port } = await proxy.start()
    const agent = new http.Agent({ keepAlive: false })
    const one = (): Promise<number> =>
      new Promise((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        })
        req.on('error', () => resolve(0))
      })
    const batch = async (n: number): Promise<number[]> => {
      const out: number[] = []
      for (let i = 0; i < n; i += 20) out.push(...(await Promise.all(Array.from({ length: 20 }, one))))
      return out
    }
    try {
      const gc = collector()
      await batch(500) // warm up: JIT, pools
      const heapBefore = await heapUsedAfterSettling(gc)
      const fdsBefore = fdCount()
      const statuses = await batch(3000)
      expect(statuses.filter((s) => s !== 200)).toEqual([])
      await new Promise((r) => setTimeout(r, 100))
      const heapAfter = await heapUsedAfterSettling(gc)
      expect(fdCount() - fdsBefore).toBeLessThanOrEqual(5)
      // 3000 × ~3 KB leaked would be ~9 MB; allow noise well under that.
      expect((heapAfter - heapBefore) / MiB).toBeLessThan(gc ? 2 : 6)
    } finally {
      agent.destroy()
      await proxy.close(100)
      await new Promise<void>((r) => backend.close(() => r()))
    }
  })
})
