import http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { BackendPool } from '../../../../src/main/proxy/backend-pool'
import { addReady, delay, settle, rawExchange, request, startBackend, startProxy, type RunningProxy, type TestBackend } from './proxy-test-kit'

let backends: TestBackend[] = []
let running: RunningProxy | undefined
const cleanups: Array<() => void> = []

afterEach(async () => {
  for (const c of cleanups.splice(0)) c()
  await running?.proxy.close(100)
  running = undefined
  await Promise.all(backends.map((b) => b.close()))
  backends = []
})

/**
 * A raw HTTP/1.1 backend that keeps connections alive without announcing a Keep-Alive timeout
 * and closes each one after `idleMs` without a request. The race is made deterministic: a
 * request arriving on a connection idle for `idleMs` or more is dropped unanswered, as when the
 * backend's timer fires while the request is on the wire.
 */
async function rawKeepAliveBackend(idleMs: number, closeAfterMs = idleMs * 3): Promise<{ port: number; connections: () => number; requests: () => number; expired: () => number }> {
  let connections = 0
  let requests = 0
  let expired = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let buf = ''
    let lastActivity = Date.now()
    // The timer closes idle sockets a little later than the expiry check, so requests do meet it.
    socket.setTimeout(closeAfterMs, () => socket.destroy())
    socket.on('data', (d) => {
      if (Date.now() - lastActivity >= idleMs) {
        expired++
        socket.destroy()
        return
      }
      lastActivity = Date.now()
      buf += d.toString('latin1')
      let end: number
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const length = Number(/content-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0)
        if (buf.length < end + 4 + length) break
        buf = buf.slice(end + 4 + length)
        requests++
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', () => (lastActivity = Date.now()))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections, requests: () => requests, expired: () => expired }
}

describe('ProxyServer keep-alive and limits', () => {
  it('has zero 502s when the backend keep-alive timeout equals the request interval', async () => {
    const be = await rawKeepAliveBackend(40)
    const pool = new BackendPool()
    addReady(pool, 'ka', be.port)
    running = await startProxy(pool)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    cleanups.push(() => agent.destroy())
    const statuses: number[] = []
    for (let i = 0; i < 60; i++) {
      statuses.push((await request(running.port, { agent })).status)
      await delay(40)
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    // Requests did land on connections the backend was closing (else the test proves nothing).
    expect(be.expired()).toBeGreaterThan(5)
  })

  it('learns a shorter keep-alive timeout the backend never announced: no 502 for POSTs sent as it closes', async () => {
    // Gunicorn-like: closes idle connections after 230 ms and says nothing about it. Requests
    // 215 ms apart would meet it closing (it drops a request on a connection idle for 200 ms).
    const be = await rawKeepAliveBackend(200, 230)
    const pool = new BackendPool()
    addReady(pool, 'ka', be.port)
    running = await startProxy(pool) // keepAliveIdleMs 4000
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    cleanups.push(() => agent.destroy())
    // Each path sees the backend close one idle socket and learns from it.
    expect((await request(running.port, { agent, method: 'POST', body: 'x' })).status).toBe(200)
    expect((await request(running.port, { agent })).status).toBe(200)
    await delay(300)
    const statuses: number[] = []
    for (let i = 0; i < 20; i++) {
      statuses.push((await request(running.port, { agent, method: 'POST', body: `n=${i}` })).status)
      statuses.push((await request(running.port, { agent })).status)
      await delay(215)
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    expect(be.expired()).toBe(0) // no request was sent on a connection the backend was closing
    expect(be.requests()).toBe(42)
  })

  it('handles a backend answering Connection: close on every request', async () => {
    await startBackend('closer', (_req, res) => {
      res.setHeader('Connection', 'close')
      res.end('bye')
    }).then((b) => backends.push(b))
    const pool = new BackendPool()
    addReady(pool, 'closer', backends[0]!.port)
    running = await startProxy(pool)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 })
    cleanups.push(() => agent.destroy())
    const replies = await Promise.all(Array.from({ length: 40 }, () => request(running!.port, { agent })))
    expect(replies.map((r) => `${r.status} ${r.body}`)).toEqual(Array(40).fill('200 bye'))
    // Connection is hop-by-hop: the client's connection stays keep-alive.
    expect(replies[0]!.headers.connection).toBe('keep-alive')
    await settle()
    expect(running.proxy.takeTick().total).toMatchObject({ count: 40, s2xx: 40, s5xx: 0 })
  })

  it('answers 503 and closes connections beyond maxConnections', async () => {
    backends.push(await startBackend('be'))
    const pool = new BackendPool()
    addReady(pool, 'be', backends[0]!.port)
    running = await startProxy(pool, { maxConnections: 2 })
    const held = [net.connect(running.port, '127.0.0.1'), net.connect(running.port, '127.0.0.1')]
    cleanups.push(() => held.forEach((s) => s.destroy()))
    await Promise.all(held.map((s) => new Promise((r) => s.once('connect', r))))
    await delay(20)
    const third = await rawExchange(running.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(third).toMatch(/^HTTP\/1\.1 503 /)
    expect(third).toContain('too many connections')
    expect(third).toMatch(/Connection: close/i)
    held.forEach((s) => s.destroy())
    await delay(50)
    expect((await request(running.port)).status).toBe(200)
  })

  it('answers 408 to a client that does not finish its headers in headersTimeoutMs', async () => {
    backends.push(await startBackend('be'))
    const pool = new BackendPool()
    addReady(pool, 'be', backends[0]!.port)
    running = await startProxy(pool, { headersTimeoutMs: 300 })
    const started = Date.now()
    const reply = await rawExchange(running.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ', 3_000)
    expect(reply).toMatch(/^HTTP\/1\.1 408 /)
    expect(Date.now() - started).toBeLessThan(1_500)
    expect(backends[0]!.hits).toBe(0)
  })
})
