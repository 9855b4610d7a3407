import { readdirSync } from 'node:fs'
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
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

  it('closes both sides when one ends (FIN) and the other never does, after passing on what was sent', async () => {
    // A backend that echoes and ignores a half-close: without the proxy closing the tunnel, the
    // client's socket sat in FIN-WAIT-2 and the proxy's two in CLOSE-WAIT / FIN-WAIT-2 forever.
    const server = http.createServer()
    const backendSockets: import('node:stream').Duplex[] = []
    let backendGotEnd = 0
    let backendReceived = ''
    server.on('upgrade', (_req, socket) => {
      backendSockets.push(socket)
      socket.on('data', (d: Buffer) => (backendReceived += d.toString('latin1')))
      socket.on('end', () => backendGotEnd++)
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n')
      socket.on('data', (d: Buffer) => socket.write(d))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of backendSockets) s.destroy()
          server.close(() => resolve())
        })
    )
    const pool = new BackendPool()
    addReady(pool, 'echo', (server.address() as AddressInfo).port)
    running = await startProxy(pool, { workers })
    for (let i = 0; i < 3; i++) {
      const client = net.connect(running.port, '127.0.0.1')
      let got = ''
      client.setEncoding('latin1').on('data', (d: string) => (got += d))
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
      client.write('GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n')
      expect(await eventually(() => got.includes('\r\n\r\n'))).toBe(true)
      client.write('ping')
      expect(await eventually(() => got.endsWith('ping'))).toBe(true)
      // The last bytes before the FIN still reach the backend; then both sides close.
      client.end(`last${i}`)
      await closed
      expect(await eventually(() => backendReceived.endsWith(`pinglast${i}`))).toBe(true)
    }
    expect(await eventually(() => pool.inFlight('echo') === 0, 2_000)).toBe(true)
    expect(await eventually(() => backendGotEnd === 3)).toBe(true)
  })

  it('after a non-101 answer, closes the connection even when the client sent more and is not read', async () => {
    // A keep-alive 404 to the Upgrade; the client writes more (held: bytes after the request wait
    // for a 101) and then goes. Before: one fd and one in-flight count kept for good per connection.
    const server = http.createServer((_req, res) => res.writeHead(404, { 'Content-Length': '9' }).end('not found'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
    )
    const pool = new BackendPool()
    addReady(pool, 'nows', (server.address() as AddressInfo).port)
    running = await startProxy(pool, { workers })
    const warm = await rawExchange(running.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(warm).toMatch(/^HTTP\/1\.1 404 /)
    await delay(50)
    const baseline = fdCount()
    for (let i = 0; i < 6; i++) {
      const client = net.connect(running.port, '127.0.0.1')
      let got = ''
      client.setEncoding('latin1').on('data', (d: string) => (got += d))
      client.on('error', () => undefined)
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
      client.write('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')
      expect(await eventually(() => got.includes('not found'))).toBe(true)
      expect(got).toMatch(/^HTTP\/1\.1 404 [^]*\r\nConnection: close\r\n/)
      client.write('GET /second HTTP/1.1\r\nHost: x\r\n\r\n')
      if (i % 2 === 0) client.end()
      else client.destroy()
      await closed
    }
    expect(await eventually(() => pool.inFlight('nows') === 0, 2_000)).toBe(true)
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

  it('sends an Upgrade request\'s body with it: a POST with Upgrade: h2c is answered, not held until a 504', async () => {
    // `curl --http2 -d` on an http:// URL: a backend that ignores the upgrade answers the POST.
    const server = http.createServer((req, res) => {
      let n = 0
      req.on('data', (d: Buffer) => (n += d.length))
      req.on('end', () => res.end(`got ${n} bytes, upgrade=${req.headers.upgrade}`))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))))
    const pool = new BackendPool()
    addReady(pool, 'plain', (server.address() as AddressInfo).port)
    running = await startProxy(pool, { workers, upstreamTimeoutMs: 3_000 })
    const size = 2 * 1024 * 1024 // more than one socket read, and more than a write buffer
    const reply = await new Promise<string>((resolve) => {
      const c = net.connect(running!.port, '127.0.0.1')
      let data = ''
      c.on('data', (d) => (data += d.toString('latin1')))
      c.on('close', () => resolve(data))
      c.write(`POST /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\nContent-Length: ${size}\r\n\r\n`)
      c.write(Buffer.alloc(1000, 'a'))
      setTimeout(() => c.write(Buffer.alloc(size - 1000, 'b')), 50)
    })
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(reply).toContain(`got ${size} bytes, upgrade=h2c`)
    expect(await eventually(() => pool.inFlight('plain') === 0)).toBe(true)
  })

  it('after a body, holds what follows until the 101, then relays it in the new protocol', async () => {
    const seen: string[] = []
    const server = http.createServer((_req, res) => res.end('plain'))
    server.on('upgrade', (req, socket, head) => {
      let buf = head.toString()
      const n = Number(req.headers['content-length'])
      const onBody = (): void => {
        if (buf.length < n) return
        seen.push(`body:${buf.slice(0, n)}`)
        socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\n')
        const rest = buf.slice(n)
        socket.removeAllListeners('data')
        if (rest !== '') socket.write(rest.toUpperCase())
        socket.on('data', (d) => socket.write(d.toString().toUpperCase()))
      }
      socket.on('data', (d) => ((buf += d.toString()), onBody()))
      socket.on('end', () => socket.destroy()) // node:http sockets allow half-open
      onBody()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))))
    const pool = new BackendPool()
    addReady(pool, 'shout', (server.address() as AddressInfo).port)
    running = await startProxy(pool, { workers })
    const reply = await rawExchange(
      running.port,
      'POST / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: shout\r\nContent-Length: 5\r\n\r\nhelloand then some',
      500
    )
    expect(seen).toEqual(['body:hello'])
    expect(reply).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/)
    expect(reply.endsWith('\r\n\r\nAND THEN SOME')).toBe(true)
  })

  it('answers 501 to an Upgrade request with a chunked body, without reaching a backend', async () => {
    const be = await wsBackend()
    const pool = new BackendPool()
    addReady(pool, 'ws', be.port)
    running = await startProxy(pool, { workers })
    const reply = await rawExchange(
      running.port,
      'POST / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
    )
    expect(reply).toMatch(/^HTTP\/1\.1 501 .*\r\n[\s\S]*chunked body/)
    expect(await eventually(() => pool.inFlight('ws') === 0)).toBe(true)
  })

  it('answers 400 to an Upgrade without a Host header, without reaching a backend', async () => {
    const be = await wsBackend()
    const pool = new BackendPool()
    addReady(pool, 'ws', be.port)
    running = await startProxy(pool, { workers })
    const reply = await rawExchange(running.port, 'GET /chat HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')
    expect(reply).toMatch(/^HTTP\/1\.1 400 [\s\S]*exactly one Host header/)
    expect(be.sockets.size).toBe(0)
  })
})
