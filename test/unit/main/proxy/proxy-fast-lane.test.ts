// The fast lane (raw-socket client side for bodiless requests) and its hand-over to node:http:
// every kind of request on one connection, in order, with the bytes on the wire checked.
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { BackendPool } from '../../../../src/main/proxy/backend-pool'
import { addReady, delay, eventually, settle, startBackend, startProxy, type RunningProxy, type TestBackend } from './proxy-test-kit'

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

/** An echo backend: `METHOD url body` (body read whole), chunked when the path says so. */
async function echoProxy(): Promise<RunningProxy> {
  const be = await startBackend('echo', (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = `${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`
      if (req.url === '/chunked') {
        res.write(text.slice(0, 3))
        setTimeout(() => res.end(text.slice(3)), 5)
      } else {
        res.setHeader('Content-Length', Buffer.byteLength(text))
        res.end(text)
      }
    })
  })
  backends.push(be)
  const pool = new BackendPool()
  addReady(pool, 'echo', be.port)
  running = await startProxy(pool)
  return running
}

/** A raw client connection: write bytes, read what came back so far. */
async function rawClient(port: number): Promise<{ socket: net.Socket; write: (s: string) => void; received: () => string; closed: () => boolean }> {
  const socket = net.connect(port, '127.0.0.1')
  sockets.push(socket)
  let data = ''
  let closed = false
  socket.on('data', (d) => (data += d.toString('latin1')))
  socket.on('error', () => undefined)
  socket.on('close', () => (closed = true))
  await new Promise((resolve) => socket.once('connect', resolve))
  return { socket, write: (s) => socket.write(s), received: () => data, closed: () => closed }
}

/** Bodies of the complete responses in `raw` (Content-Length or chunked), in order. */
function bodies(raw: string): string[] {
  const out: string[] = []
  let rest = raw
  for (;;) {
    const end = rest.indexOf('\r\n\r\n')
    if (end < 0) return out
    const head = rest.slice(0, end)
    rest = rest.slice(end + 4)
    const len = /content-length: *(\d+)/i.exec(head)
    if (len) {
      if (rest.length < Number(len[1])) return out
      out.push(rest.slice(0, Number(len[1])))
      rest = rest.slice(Number(len[1]))
      continue
    }
    if (!/transfer-encoding: chunked/i.test(head)) {
      out.push('')
      continue
    }
    let body = ''
    for (;;) {
      const line = rest.indexOf('\r\n')
      const size = parseInt(rest.slice(0, line), 16)
      // Not all here yet: the complete responses so far.
      if (line < 0 || Number.isNaN(size) || rest.length < line + 2 + size + 2) return out
      rest = rest.slice(line + 2)
      if (size === 0) {
        rest = rest.slice(2)
        break
      }
      body += rest.slice(0, size)
      rest = rest.slice(size + 2)
    }
    out.push(body)
  }
}

const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`
const POST = (path: string, body: string): string => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`

describe('ProxyServer fast lane', () => {
  it('serves GETs, then hands the connection to node:http for a POST, and both answer in order', async () => {
    const { port } = await echoProxy()
    const c = await rawClient(port)
    c.write(GET('/one'))
    expect(await eventually(() => bodies(c.received()).length === 1)).toBe(true)
    c.write(POST('/two', 'payload'))
    expect(await eventually(() => bodies(c.received()).length === 2)).toBe(true)
    c.write(GET('/three'))
    expect(await eventually(() => bodies(c.received()).length === 3)).toBe(true)
    expect(bodies(c.received())).toEqual(['GET /one ', 'POST /two payload', 'GET /three '])
    expect(c.closed()).toBe(false)
  })

  it('answers pipelined requests of every kind, sent in one write, in order', async () => {
    const { port } = await echoProxy()
    const c = await rawClient(port)
    c.write(GET('/a') + GET('/chunked') + POST('/b', 'xyz') + GET('/c'))
    expect(await eventually(() => bodies(c.received()).length === 4, 3_000)).toBe(true)
    expect(bodies(c.received())).toEqual(['GET /a ', 'GET /chunked ', 'POST /b xyz', 'GET /c '])
  })

  it('reads a request head that arrives one byte at a time', async () => {
    const { port } = await echoProxy()
    const c = await rawClient(port)
    for (const ch of GET('/slow')) {
      c.write(ch)
      await delay(1)
    }
    expect(await eventually(() => bodies(c.received()).length === 1)).toBe(true)
    expect(bodies(c.received())).toEqual(['GET /slow '])
  })

  it('re-frames a chunked answer as chunked, and announces keep-alive like node:http', async () => {
    const { port } = await echoProxy()
    const c = await rawClient(port)
    c.write(GET('/chunked'))
    expect(await eventually(() => c.received().endsWith('0\r\n\r\n'))).toBe(true)
    const raw = c.received()
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(raw).toMatch(/\r\nTransfer-Encoding: chunked\r\n/)
    expect(raw).toMatch(/\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n/)
    expect(raw.match(/transfer-encoding/gi)).toHaveLength(1)
    expect(bodies(raw)).toEqual(['GET /chunked '])
  })

  it('closes after answering a client that asked for Connection: close', async () => {
    const { port } = await echoProxy()
    const c = await rawClient(port)
    c.write('GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(await eventually(() => c.closed())).toBe(true)
    expect(c.received()).toMatch(/\r\nConnection: close\r\n/)
    expect(bodies(c.received())).toEqual(['GET /bye '])
  })

  it('hands HTTP/1.0 and malformed requests to node:http, which answers them as always', async () => {
    const { port } = await echoProxy()
    const old = await rawClient(port)
    old.write('GET /old HTTP/1.0\r\n\r\n')
    expect(await eventually(() => old.closed())).toBe(true)
    expect(old.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(old.received()).toContain('GET /old ')

    const bad = await rawClient(port)
    bad.write(GET('/fine') + 'NOT A REQUEST LINE\r\n\r\n')
    expect(await eventually(() => bad.closed())).toBe(true)
    expect(bodies(bad.received())[0]).toBe('GET /fine ')
    expect(bad.received()).toMatch(/HTTP\/1\.1 400 Bad Request\r\n/)

    // HTTP/1.1 requires Host: a 400 that says so, the same on either path, never forwarded.
    for (const req of ['GET /no-host HTTP/1.1\r\n\r\n', 'POST /no-host HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi']) {
      const hostless = await rawClient(port)
      hostless.write(req)
      expect(await eventually(() => hostless.closed())).toBe(true)
      expect(hostless.received()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\nBad Request: an HTTP\/1\.1 request needs a Host header/)
      expect(hostless.received()).not.toContain('/no-host')
    }
  })

  it('counts fast-lane requests like the others and leaves no connection behind after close()', async () => {
    const r = await echoProxy()
    const clients = await Promise.all(Array.from({ length: 5 }, () => rawClient(r.port)))
    for (const c of clients) c.write(GET('/n') + GET('/n'))
    expect(await eventually(() => clients.every((c) => bodies(c.received()).length === 2))).toBe(true)
    await settle()
    expect(r.proxy.takeTick().total).toMatchObject({ count: 10, s2xx: 10 })
    await r.proxy.close(100)
    expect(await eventually(() => clients.every((c) => c.closed()))).toBe(true)
  })
})

describe('request targets and Host', () => {
  it('an absolute-form target goes upstream in origin form with its authority as Host; two Hosts are a 400', async () => {
    const seen: Array<[string | undefined, string | undefined]> = []
    const be = await startBackend('t', (req, res) => {
      seen.push([req.url, req.headers.host])
      req.resume()
      req.on('end', () => res.end('ok'))
    })
    backends.push(be)
    const pool = new BackendPool()
    addReady(pool, be.id, be.port)
    running = await startProxy(pool)
    const c = await rawClient(running.port)
    c.write('GET http://other.example/p?q=1 HTTP/1.1\r\nHost: good.example\r\n\r\n')
    c.write('POST http://other.example/form HTTP/1.1\r\nHost: good.example\r\nContent-Length: 2\r\n\r\nhi')
    expect(await eventually(() => seen.length === 2)).toBe(true)
    expect(seen).toEqual([
      ['/p?q=1', 'other.example'],
      ['/form', 'other.example']
    ])
    for (const method of ['GET', 'POST']) {
      const twice = await rawClient(running.port)
      twice.write(`${method} /two HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nContent-Length: 0\r\n\r\n`)
      expect(await eventually(() => twice.closed())).toBe(true)
      expect(twice.received()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    }
    expect(seen.length).toBe(2)
  })
})
