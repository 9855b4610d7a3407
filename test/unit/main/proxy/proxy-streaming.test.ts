import { createHash } from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { BackendPool } from '../../../../src/main/proxy/backend-pool'
import {
  addReady,
  eventually,
  rawExchange,
  request,
  startBackend,
  startProxy,
  type RunningProxy,
  type TestBackend
} from './proxy-test-kit'

let backends: TestBackend[] = []
let running: RunningProxy | undefined

afterEach(async () => {
  await running?.proxy.close(100)
  running = undefined
  await Promise.all(backends.map((b) => b.close()))
  backends = []
})

async function proxyTo(id: string, handler: http.RequestListener, opts = {}): Promise<TestBackend> {
  const backend = await startBackend(id, handler)
  backends.push(backend)
  const pool = new BackendPool()
  addReady(pool, id, backend.port)
  running = await startProxy(pool, opts)
  return backend
}

/** 10 MB of pseudo-random bytes in 64 KB chunks, never all in memory at once. */
function tenMegabytes(): Readable {
  let left = 160
  let seed = 12345
  return new Readable({
    read() {
      if (left-- === 0) return void this.push(null)
      const chunk = Buffer.allocUnsafe(65536)
      for (let i = 0; i < chunk.length; i += 4) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
        chunk.writeUInt32LE(seed, i)
      }
      this.push(chunk)
    }
  })
}

describe('ProxyServer streaming and headers', () => {
  it('cancels the upstream request within 100 ms when the client goes away while waiting', async () => {
    let closedAt = 0
    await proxyTo('hang', (_req, res) => res.on('close', () => (closedAt = Date.now())))
    const backend = backends[0]!
    const req = http.request({ host: '127.0.0.1', port: running!.port, path: '/' })
    req.on('error', () => undefined)
    req.end()
    expect(await eventually(() => backend.hits === 1)).toBe(true)
    expect(running!.pool.inFlight('hang')).toBe(1)
    const abortedAt = Date.now()
    req.destroy()
    expect(await eventually(() => closedAt > 0, 1_000)).toBe(true)
    expect(closedAt - abortedAt).toBeLessThan(100)
    expect(await eventually(() => running!.pool.inFlight('hang') === 0)).toBe(true)
    // An abandoned request is not a completed one.
    expect(running!.proxy.takeTick().total.count).toBe(0)
  })

  it('cancels the upstream request within 100 ms when the client aborts mid-upload', async () => {
    let closedAt = 0
    let received = 0
    await proxyTo('upload', (req, res) => {
      req.on('data', (c: Buffer) => (received += c.length))
      res.on('close', () => (closedAt = Date.now()))
    })
    const req = http.request({ host: '127.0.0.1', port: running!.port, method: 'PUT', path: '/' })
    req.on('error', () => undefined)
    req.write(Buffer.alloc(1024, 1))
    expect(await eventually(() => received === 1024)).toBe(true)
    const abortedAt = Date.now()
    req.destroy()
    expect(await eventually(() => closedAt > 0)).toBe(true)
    expect(closedAt - abortedAt).toBeLessThan(100)
    expect(await eventually(() => running!.pool.inFlight('upload') === 0)).toBe(true)
  })

  it('survives a client that disconnects mid-download and stops the backend stream', async () => {
    let closedAt = 0
    await proxyTo('big', (_req, res) => {
      res.on('close', () => (closedAt = Date.now()))
      tenMegabytes().pipe(res)
    })
    let abortedAt = 0
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: running!.port, path: '/' }, (res) => {
        res.once('data', () => {
          abortedAt = Date.now()
          req.destroy()
          resolve()
        })
      })
      req.on('error', () => undefined)
    })
    expect(await eventually(() => closedAt > 0)).toBe(true)
    expect(closedAt - abortedAt).toBeLessThan(100)
    expect(await eventually(() => running!.pool.inFlight('big') === 0)).toBe(true)
    // Still serving after the EPIPE / ECONNRESET on both sides.
    expect((await request(running!.port, { method: 'HEAD' })).status).toBe(200)
  })

  it('strips hop-by-hop headers both ways and sets X-Forwarded-*', async () => {
    let seen: http.IncomingHttpHeaders = {}
    // A raw backend, so the response carries exactly the headers under test.
    const raw = net.createServer((socket) => {
      let head = ''
      socket.on('data', (d) => {
        head += d.toString('latin1')
        if (!head.includes('\r\n\r\n')) return
        socket.end(
          'HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Resp-Hop\r\nX-Resp-Hop: secret\r\nKeep-Alive: timeout=99\r\n' +
            'Proxy-Connection: keep-alive\r\nTrailer: X-Checksum\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n' +
            'X-End-To-End: kept\r\nContent-Length: 2\r\n\r\nok'
        )
      })
    })
    const recorder = await proxyTo('rec', (req, res) => {
      seen = req.headers
      res.end('ok')
    })
    void recorder
    const pool = running!.pool
    // First request goes to the recording backend and checks the request side.
    const r1 = await request(running!.port, {
      headers: {
        Host: 'original.test:8080',
        Connection: 'keep-alive, X-Req-Hop',
        'X-Req-Hop': 'secret',
        'Keep-Alive': 'timeout=30',
        TE: 'trailers',
        'Proxy-Authorization': 'Basic c2VjcmV0',
        'Proxy-Connection': 'keep-alive',
        'X-Forwarded-For': '198.51.100.7',
        'X-Forwarded-Proto': 'https',
        'X-End-To-End': 'kept'
      }
    })
    expect(r1.status).toBe(200)
    for (const h of ['x-req-hop', 'keep-alive', 'te', 'proxy-authorization', 'proxy-connection', 'upgrade', 'trailer']) {
      expect(seen[h], h).toBeUndefined()
    }
    expect(seen['x-end-to-end']).toBe('kept')
    expect(seen['x-forwarded-for']).toBe('198.51.100.7, 127.0.0.1')
    expect(seen['x-forwarded-proto']).toBe('http')
    expect(seen['x-forwarded-host']).toBe('original.test:8080')
    expect(seen.host).toBe('original.test:8080')

    // Then the raw backend checks the response side.
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
    try {
      pool.remove('rec')
      addReady(pool, 'raw', (raw.address() as net.AddressInfo).port)
      const r2 = await request(running!.port)
      expect(r2.status).toBe(200)
      expect(r2.body).toBe('ok')
      expect(r2.headers['x-resp-hop']).toBeUndefined()
      expect(r2.headers['proxy-connection']).toBeUndefined()
      expect(r2.headers.trailer).toBeUndefined()
      expect(r2.headers['x-end-to-end']).toBe('kept')
      expect(r2.headers['set-cookie']).toEqual(['a=1', 'b=2'])
      // Connection / Keep-Alive are the proxy's own, not the backend's.
      expect(r2.headers.connection).toBe('keep-alive')
      expect(r2.headers['keep-alive']).toBe('timeout=5')
    } finally {
      await new Promise<void>((resolve) => raw.close(() => resolve()))
    }
  })

  it('streams a 10 MB body both ways intact, without waiting for the whole upload', async () => {
    const backendHash = createHash('sha256')
    await proxyTo('echo', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
      req.on('data', (c: Buffer) => backendHash.update(c))
      req.pipe(res)
    })
    const sentHash = createHash('sha256')
    const gotHash = createHash('sha256')
    let uploadDoneAt = 0
    let firstByteAt = 0
    let received = 0
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: running!.port, method: 'POST', path: '/echo' }, (res) => {
        expect(res.statusCode).toBe(200)
        res.on('data', (c: Buffer) => {
          firstByteAt ||= Date.now()
          received += c.length
          gotHash.update(c)
        })
        res.on('end', resolve)
        res.on('error', reject)
      })
      req.on('error', reject)
      const body = tenMegabytes()
      body.on('data', (c: Buffer) => sentHash.update(c))
      body.on('end', () => (uploadDoneAt = Date.now()))
      body.pipe(req)
    })
    expect(received).toBe(10 * 1024 * 1024)
    const sent = sentHash.digest('hex')
    expect(backendHash.digest('hex')).toBe(sent)
    expect(gotHash.digest('hex')).toBe(sent)
    // The echo reached the client while it was still uploading: nothing buffered the whole body.
    expect(firstByteAt).toBeGreaterThan(0)
    expect(firstByteAt).toBeLessThanOrEqual(uploadDoneAt)
  })

  it.each([
    { desc: 'Content-Length with Transfer-Encoding', extra: 'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', body: '0\r\n\r\n' },
    { desc: 'Transfer-Encoding with Content-Length', extra: 'Transfer-Encoding: chunked\r\nContent-Length: 5\r\n', body: '0\r\n\r\n' },
    { desc: 'conflicting Content-Length', extra: 'Content-Length: 5\r\nContent-Length: 6\r\n', body: 'hello!' },
    { desc: 'Transfer-Encoding not ending in chunked', extra: 'Transfer-Encoding: gzip\r\n', body: 'hello' }
  ])('answers 400 to $desc and never forwards it', async ({ extra, body }) => {
    const backend = await proxyTo('guarded', (_req, res) => res.end('forwarded'))
    const reply = await rawExchange(running!.port, `POST / HTTP/1.1\r\nHost: x\r\n${extra}\r\n${body}`)
    expect(reply).toMatch(/^HTTP\/1\.1 400 /)
    expect(reply).not.toContain('forwarded')
    expect(backend.hits).toBe(0)
  })

  it('answers 431 to oversized headers, passes a declined Upgrade through unchanged, and keeps serving', async () => {
    const backend = await proxyTo('plain', (_req, res) => res.end('fine'))
    const big = await rawExchange(running!.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
    expect(big).toMatch(/^HTTP\/1\.1 431 /)
    expect(big).toContain('the request line and headers are over 16 KB')
    expect(backend.hits).toBe(0)
    // A plain node:http backend has no 'upgrade' listener: it answers the request normally.
    const upgrade = await rawExchange(
      running!.port,
      'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
    )
    expect(upgrade).toMatch(/^HTTP\/1\.1 200 /)
    expect(upgrade).toMatch(/\r\n\r\nfine$/)
    const connect = await rawExchange(running!.port, 'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n')
    expect(connect).toMatch(/^HTTP\/1\.1 501 /)
    expect((await request(running!.port)).body).toBe('fine')
  })

  it.each([
    { desc: 'a 1 MB URL', url: `/${'u'.repeat(1 << 20)}` },
    { desc: 'a 20 KB URL and short headers', url: `/${'u'.repeat(20_000)}` },
    { desc: 'a 20 KB absolute-form target', url: `http://x/${'u'.repeat(20_000)}` }
  ])('answers 414 (not 431) to $desc, never forwarded', async ({ url }) => {
    const backend = await proxyTo('plain', (_req, res) => res.end('fine'))
    const reply = await rawExchange(running!.port, `GET ${url} HTTP/1.1\r\nHost: x\r\n\r\n`)
    expect(reply).toMatch(/^HTTP\/1\.1 414 URI Too Long\r\n/)
    expect(reply).toContain('the request line (method, URL, version) is over 16 KB')
    expect(backend.hits).toBe(0)
    expect((await request(running!.port)).body).toBe('fine')
  })

  it('cuts the client connection when the backend dies mid-body, and counts a 5xx', async () => {
    await proxyTo('flaky', (_req, res) => {
      res.writeHead(200, { 'Content-Length': '1000' })
      res.write('partial')
      setTimeout(() => res.socket?.destroy(), 20)
    })
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: running!.port, path: '/' }, (res) => {
        res.on('data', () => undefined)
        res.on('end', () => resolve('ended'))
        res.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`))
        res.on('aborted', () => resolve('aborted'))
      })
      req.on('error', (e) => resolve(`req error ${(e as NodeJS.ErrnoException).code}`))
    })
    expect(outcome).not.toBe('ended')
    expect(await eventually(() => running!.pool.inFlight('flaky') === 0)).toBe(true)
    expect(running!.proxy.takeTick().perBackend.get('flaky')).toMatchObject({ count: 1, s5xx: 1 })
  })
})
