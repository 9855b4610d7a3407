/**
 * Clients that misbehave: they pipeline and never read the answers, leave while requests are
 * queued, or stop reading a download. Found by a fresh-user tryout: memory grew without bound (every
 * pipelined request was forwarded and its answer buffered) and in-flight counts leaked.
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { BackendPool } from '../../../../src/main/proxy/backend-pool'
import { collector, heapUsedAfterSettling } from '../../../helpers/heap'
import { addReady, delay, eventually, startBackend, startProxy, type RunningProxy, type TestBackend } from './proxy-test-kit'

let backends: TestBackend[] = []
let running: RunningProxy | undefined
const sockets: net.Socket[] = []

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await running?.proxy.close(100)
  running = undefined
  await Promise.all(backends.map((b) => b.close()))
  backends = []
})

const ANSWER = Buffer.alloc(4 * 1024, 97)
const COUNT = 20_000

/** A connection that writes `payload` and never reads what comes back. */
function deafClient(port: number, payload: string): net.Socket {
  const s = net.connect(port, '127.0.0.1', () => s.write(payload))
  s.on('error', () => {})
  s.pause()
  sockets.push(s)
  return s
}

describe('misbehaving clients', () => {
  for (const [kind, oneRequest] of [
    ['bodiless GETs (fast lane)', 'GET /blob HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['POSTs with bodies (node:http)', 'POST /blob HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx']
  ] as const) {
    it(`${kind} a client never reads: only about what the socket buffers hold is forwarded`, async () => {
      const be = await startBackend('blob', (_req, res) => res.end(ANSWER))
      backends.push(be)
      const pool = new BackendPool()
      addReady(pool, be.id, be.port)
      running = await startProxy(pool)
      deafClient(running.port, oneRequest.repeat(COUNT))
      // Socket buffers on loopback take a few MB; 20,000 answers of 4 KB are 80 MB.
      await delay(1_500)
      const forwarded = be.hits
      expect(forwarded).toBeGreaterThan(0)
      expect(forwarded).toBeLessThan(COUNT / 4)
      await delay(500)
      expect(be.hits - forwarded).toBeLessThan(20) // it stays stopped, not merely slowed
    })
  }

  it('pipelined POSTs whose answers a client never reads: the proxy stops reading them, its heap stays flat', async () => {
    const be = await startBackend('blob', (req, res) => {
      req.resume()
      req.on('end', () => res.end(ANSWER))
    })
    backends.push(be)
    const pool = new BackendPool()
    addReady(pool, be.id, be.port)
    // In this thread, so its heap is the one measured.
    running = await startProxy(pool, { workers: 0 })
    const gc = collector()
    const before = await heapUsedAfterSettling(gc)
    // 100,000 requests (5.6 MB): node:http would parse and hold every one if it kept reading.
    deafClient(running.port, 'POST /blob HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx'.repeat(100_000))
    await delay(1_500)
    const grown = (await heapUsedAfterSettling(gc)) - before
    expect(grown).toBeLessThan(40 * 1024 * 1024)
  })

  it('a client that pipelines 500 POSTs and reads gets every answer, in order (reading resumes)', async () => {
    const be = await startBackend('echo', (req, res) => {
      req.resume()
      req.on('end', () => res.end(`<${req.url}>`))
    })
    backends.push(be)
    const pool = new BackendPool()
    addReady(pool, be.id, be.port)
    running = await startProxy(pool)
    let payload = ''
    for (let i = 0; i < 500; i++) payload += `POST /${i} HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx`
    const s = net.connect(running.port, '127.0.0.1', () => s.write(payload))
    sockets.push(s)
    let got = ''
    s.on('data', (d: Buffer) => (got += d.toString('latin1')))
    expect(await eventually(() => got.includes('</499>'), 5_000)).toBe(true)
    const order = [...got.matchAll(/<\/(\d+)>/g)].map((m) => Number(m[1]))
    expect(order).toEqual([...Array(500).keys()])
  })

  it('requests queued behind a slow one are never sent when the client leaves, and in-flight returns to 0', async () => {
    const paths: string[] = []
    const be = await startBackend('slow', (req, res) => {
      paths.push(req.url ?? '')
      req.resume()
      setTimeout(() => res.end('done'), req.url === '/slow' ? 2_000 : 0)
    })
    backends.push(be)
    const pool = new BackendPool()
    addReady(pool, be.id, be.port)
    running = await startProxy(pool)
    const post = (path: string): string => `POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi`
    for (let i = 0; i < 5; i++) deafClient(running.port, post('/slow') + post('/next'))
    await eventually(() => paths.length === 5, 2_000)
    await delay(100)
    for (const s of sockets.splice(0)) s.destroy()
    expect(await eventually(() => running!.proxy.takeTick().total.inFlight === 0, 2_000)).toBe(true)
    await delay(2_200)
    expect(paths.filter((p) => p === '/next')).toEqual([])
    expect(running.proxy.takeTick().total.inFlight).toBe(0)
  })

  for (const method of ['GET', 'POST'] as const) {
    it(`a client that stops reading for clientSendTimeoutMs is cut off, and the backend is not blamed (${method})`, async () => {
      const chunk = Buffer.alloc(64 * 1024, 98)
      const be = await startBackend('big', (req, res) => {
        req.resume()
        let left = 2_000 // 128 MB: far more than the socket buffers
        const pump = (): void => {
          while (left > 0) {
            left--
            if (!res.write(chunk)) return void res.once('drain', pump)
          }
          res.end()
        }
        pump()
      })
      backends.push(be)
      const pool = new BackendPool()
      addReady(pool, be.id, be.port)
      const ejections: string[] = []
      running = await startProxy(pool, {
        upstreamTimeoutMs: 300,
        clientSendTimeoutMs: 300,
        passiveHealth: { failureThreshold: 1, baseEjectionMs: 60_000 },
        onEjection: (id) => ejections.push(id)
      })
      const body = method === 'POST' ? 'Content-Length: 2\r\n\r\nhi' : '\r\n'
      const client = deafClient(running.port, `${method} /big HTTP/1.1\r\nHost: t\r\n${body}`)
      await delay(1_000) // stalled well past 300 ms: the proxy hangs up
      // Reading again, the client gets what was already on its way, then the end: not the whole body.
      let received = 0
      client.on('data', (d: Buffer) => (received += d.length))
      const closed = new Promise<void>((r) => client.once('close', () => r()))
      client.resume()
      await closed
      expect(received).toBeLessThan(2_000 * chunk.length)
      const tick = running.proxy.takeTick()
      expect(tick.total.s5xx).toBe(0)
      expect(ejections).toEqual([])
      expect(pool.isEligible(be.id)).toBe(true)
      expect(await eventually(() => running!.proxy.takeTick().total.inFlight === 0)).toBe(true)
    })
  }

  it('a client reading slowly but steadily gets the whole body, though its drains come further apart than upstreamTimeoutMs', async () => {
    // The kernel wakes a blocked writer only once a good part of a multi-MB send buffer is free:
    // at 2 MB/s, 'drain' events 0.7 s apart once the buffers are full, bytes moving all the time.
    const size = 10 * 1024 * 1024
    const be = await startBackend('big', (_req, res) => {
      res.setHeader('Content-Length', size)
      res.end(Buffer.alloc(size, 120))
    })
    backends.push(be)
    const pool = new BackendPool()
    addReady(pool, be.id, be.port)
    running = await startProxy(pool, { upstreamTimeoutMs: 300 }) // clientSendTimeoutMs: 60 s
    const received = await new Promise<number>((resolve) => {
      let n = 0
      const c = net.connect(running!.port, '127.0.0.1', () => c.write('GET /big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'))
      c.pause()
      const reader = setInterval(() => {
        let chunk: Buffer | null
        for (let budget = 100_000; budget > 0 && (chunk = c.read(Math.min(budget, 8192)) as Buffer | null) !== null; budget -= chunk.length) n += chunk.length
      }, 50)
      c.on('close', () => {
        clearInterval(reader)
        resolve(n)
      })
    })
    expect(received).toBeGreaterThan(size) // head + the whole body
  }, 20_000)
})
