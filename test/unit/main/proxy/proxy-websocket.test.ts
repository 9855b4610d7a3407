import { readdirSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { BackendPool } from '../../../../src/main/proxy/backend-pool'
import { addReady, delay, eventually, rawExchange, startProxy, type RunningProxy } from './proxy-test-kit'

let running: RunningProxy | undefined
let closers: Array<() => Promise<void>> = []

afterEach(async () => {
  await running?.proxy.close(100)
  running = undefined
  for (const c of closers.splice(0)) await c()
})

const fdCount = (): number => readdirSync('/proc/self/fd').length

/** An echo WebSocket backend; `sockets` are its server-side connections. */
async function wsBackend(onUpgrade?: (req: http.IncomingMessage, socket: import('node:stream').Duplex) => boolean) {
  const server = http.createServer((_req, res) => res.end('plain'))
  const wss = new WebSocketServer({ noServer: true })
  const sockets = new Set<WebSocket>()
  server.on('upgrade', (req, socket, head) => {
    if (onUpgrade?.(req, socket)) return
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws)
      ws.on('close', () => sockets.delete(ws))
      ws.on('message', (data, binary) => ws.send(binary ? data : `echo:${data.toString()}`, { binary }))
      ws.send(`hello ${req.headers['x-forwarded-for'] ?? '?'}`)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate()
        wss.close()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  )
  return { port: (server.address() as AddressInfo).port, sockets }
}

function connect(port: number): Promise<{ ws: WebSocket; first: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`)
    ws.once('message', (d) => resolve({ ws, first: d.toString() }))
    ws.once('error', reject)
  })
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(d.toString())))
}

describe.each([{ workers: 0 }, { workers: 2 }])('ProxyServer WebSocket tunnel (workers=$workers)', ({ workers }) => {
  it('tunnels a WebSocket both ways (text and binary)', async () => {
    const be = await wsBackend()
    const pool = new BackendPool()
    addReady(pool, 'ws', be.port)
    running = await startProxy(pool, { workers })
    const { ws, first } = await connect(running.port)
    expect(first).toBe('hello 127.0.0.1')
    ws.send('ping')
    expect(await nextMessage(ws)).toBe('echo:ping')
    const big = Buffer.alloc(256 * 1024, 7)
    const echoed = new Promise<Buffer>((resolve) => ws.once('message', (d) => resolve(d as Buffer)))
    ws.send(big)
    expect((await echoed).equals(big)).toBe(true)
    expect(pool.inFlight('ws')).toBe(1) // a tunnel counts as in flight while open (draining waits)
    ws.close()
    expect(await eventually(() => pool.inFlight('ws') === 0)).toBe(true)
  })

  it('destroys both sockets when either side goes away; fds return to baseline', async () => {
    const be = await wsBackend()
    const pool = new BackendPool()
    addReady(pool, 'ws', be.port)
    running = await startProxy(pool, { workers })
    // Warm up once so lazily created handles are in the baseline.
    const warm = await connect(running.port)
    warm.ws.terminate()
    expect(await eventually(() => pool.inFlight('ws') === 0 && be.sockets.size === 0)).toBe(true)
    await delay(50)
    const baseline = fdCount()
    for (let round = 0; round < 3; round++) {
      const clients = await Promise.all(Array.from({ length: 10 }, () => connect(running!.port)))
      expect(be.sockets.size).toBe(10)
      // Half die on the client side, half on the backend side, mid-tunnel.
      clients.slice(0, 5).forEach((c) => c.ws.terminate())
      const clientClosed = clients.slice(5).map((c) => new Promise((r) => c.ws.once('close', r)))
      ;[...be.sockets].slice(0, 10).forEach((s) => s.terminate())
      await Promise.all(clientClosed)
      expect(await eventually(() => be.sockets.size === 0 && pool.inFlight('ws') === 0, 2_000)).toBe(true)
    }
    expect(await eventually(() => fdCount() <= baseline, 2_000), `fds ${fdCount()} > ${baseline}`).toBe(true)
  })

  it('passes a non-101 answer to the client unchanged, and answers 503 without a backend', async () => {
    const be = await wsBackend((_req, socket) => {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nX-Why: policy\r\n\r\nnope!\n')
      return true
    })
    const pool = new BackendPool()
    addReady(pool, 'ws', be.port)
    running = await startProxy(pool, { workers })
    const handshake =
      'GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
    const reply = await rawExchange(running.port, handshake)
    expect(reply).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/)
    expect(reply).toContain('X-Why: policy')
    expect(reply.endsWith('\r\n\r\nnope!\n')).toBe(true)
    pool.setReady('ws', false)
    await delay(20) // the pool change reaches the workers
    expect(await rawExchange(running.port, handshake)).toMatch(/^HTTP\/1\.1 503 /)
    expect(await eventually(() => pool.inFlight('ws') === 0)).toBe(true)
  })
})
