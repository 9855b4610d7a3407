// Real sockets on 127.0.0.1 port 0: node:http backends, a ProxyServer in front, small clients.
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { BackendPool } from '../../../../src/main/proxy/backend-pool'
import { ProxyServer, type ProxyServerOptions } from '../../../../src/main/proxy/proxy-server'

export interface TestBackend {
  id: string
  port: number
  server: http.Server
  /** Requests this backend received (handler invocations). */
  hits: number
  close(): Promise<void>
}

export async function startBackend(
  id: string,
  handler: http.RequestListener = (_req, res) => res.end(id)
): Promise<TestBackend> {
  const server = http.createServer()
  const backend: TestBackend = {
    id,
    port: 0,
    server,
    hits: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
  server.on('request', (req, res) => {
    backend.hits++
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  backend.port = (server.address() as AddressInfo).port
  return backend
}

/** A port nothing listens on (bound, then released): connecting is refused. */
export async function refusedPort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

export function addReady(pool: BackendPool, id: string, port: number): void {
  pool.upsert({ id, host: '127.0.0.1', port })
  pool.setReady(id, true)
}

/**
 * Proxy threads used by startProxy unless a test says otherwise: 0 (in-process) by default;
 * `PRESCAL_TEST_WORKERS=2 npx vitest run test/unit/main/proxy` runs the same tests on workers.
 */
export const testWorkers = Number(process.env.PRESCAL_TEST_WORKERS ?? 0)

export interface RunningProxy {
  proxy: ProxyServer
  pool: BackendPool
  port: number
}

export async function startProxy(
  pool: BackendPool,
  opts: Partial<Omit<ProxyServerOptions, 'pool'>> = {}
): Promise<RunningProxy> {
  const proxy = new ProxyServer({ host: '127.0.0.1', port: 0, pool, upstreamTimeoutMs: 5_000, workers: testWorkers, ...opts })
  const addr = await proxy.start()
  return { proxy, pool, port: addr.port }
}

export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  rawHeaders: string[]
  body: string
}

/** One request, whole body collected as text. */
export function request(
  port: number,
  opts: http.RequestOptions & { body?: string | Buffer } = {}
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const { body, ...rest } = opts
    const req = http.request({ host: '127.0.0.1', port, path: '/', ...rest }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks).toString()
        })
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Raw bytes in, raw bytes out until the server closes or `waitMs` passes. */
export function rawExchange(port: number, payload: string, waitMs = 1_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(payload))
    let data = ''
    const timer = setTimeout(() => socket.destroy(), waitMs)
    socket.on('data', (d) => (data += d.toString('latin1')))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(data)
    })
  })
}

/**
 * With workers, a request is counted (stats, in-flight release) on its worker thread a moment
 * after the client already has the response; wait that moment out before reading takeTick().
 */
export function settle(): Promise<void> {
  return delay(testWorkers > 0 ? 50 : 0)
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => boolean, timeoutMs = 1_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) return false
    await delay(5)
  }
  return true
}
