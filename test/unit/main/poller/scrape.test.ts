import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { scrapeOnce, type ScrapeOutcome } from '../../../../src/main/poller/scrape'
import {
  activeResources,
  httpHead,
  refusedPort,
  settle,
  startHttpServer,
  startRawServer,
  type LocalServer
} from './local-servers'

const promBody = readFileSync(join(__dirname, '../../../fixtures/prometheus/node-prom-client.txt'), 'utf8')
// Long enough that a timer left running would still be pending when the leak check runs.
const LONG = 5_000
const servers: LocalServer[] = []

async function serve(server: Promise<LocalServer>): Promise<LocalServer> {
  const s = await server
  servers.push(s)
  return s
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/**
 * Takes a baseline of libuv handles; `check()` then waits until every server has seen its
 * connections close (a client that never closes its socket keeps them open forever) and asserts
 * no socket or timer is left beyond the baseline.
 */
async function leakProbe(...watched: LocalServer[]): Promise<{ check(): Promise<void> }> {
  await settle()
  const before = activeResources()
  return {
    async check() {
      const deadline = Date.now() + 2_000
      while (watched.some((s) => s.open > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5))
      }
      expect(watched.map((s) => s.open), 'server-side connections still open').toEqual(watched.map(() => 0))
      await settle()
      const after = activeResources()
      expect(after['TCPSocketWrap'] ?? 0, 'sockets').toBe(before['TCPSocketWrap'] ?? 0)
      expect(after['Timeout'] ?? 0, 'timers').toBeLessThanOrEqual(before['Timeout'] ?? 0)
    }
  }
}

function target(port: number, path = '/metrics'): { host: string; port: number; path: string } {
  return { host: '127.0.0.1', port, path }
}

function expectFailure(outcome: ScrapeOutcome, reason: string, message?: RegExp): void {
  expect(outcome.ok ? `ok ${outcome.status}` : outcome.reason).toBe(reason)
  if (!outcome.ok && message) expect(outcome.message).toMatch(message)
}

describe('scrapeOnce against real loopback servers', () => {
  it('ok: returns the body of a 200', async () => {
    const server = await serve(
      startHttpServer((req, res) => {
        res.setHeader('content-type', 'text/plain; version=0.0.4')
        res.end(req.url === '/metrics' ? promBody : 'wrong path')
      })
    )
    const probe = await leakProbe(server)
    const outcome = await scrapeOnce(target(server.port), { timeoutMs: LONG, maxBodyBytes: 1 << 20 })
    expect(outcome).toMatchObject({ ok: true, status: 200, body: promBody })
    expect(outcome.durationMs).toBeGreaterThan(0)
    await probe.check()
  })

  it('ok: a body exactly at the cap is accepted', async () => {
    const body = 'a'.repeat(4096)
    const server = await serve(startHttpServer((_req, res) => res.end(body)))
    const outcome = await scrapeOnce(target(server.port), { timeoutMs: LONG, maxBodyBytes: 4096 })
    expect(outcome).toMatchObject({ ok: true, status: 200, body })
  })

  it('404: ok with a null body (backend alive, no metrics endpoint)', async () => {
    const server = await serve(
      startHttpServer((_req, res) => {
        res.statusCode = 404
        res.end('not found')
      })
    )
    const probe = await leakProbe(server)
    const outcome = await scrapeOnce(target(server.port), { timeoutMs: LONG, maxBodyBytes: 1024 })
    expect(outcome).toMatchObject({ ok: true, status: 404, body: null })
    await probe.check()
  })

  it.each([500, 503, 302, 401])('%i: bad_status naming the code', async (status) => {
    const server = await serve(
      startHttpServer((_req, res) => {
        res.statusCode = status
        res.setHeader('location', '/elsewhere')
        res.end('nope')
      })
    )
    const probe = await leakProbe(server)
    const outcome = await scrapeOnce(target(server.port), { timeoutMs: LONG, maxBodyBytes: 1024 })
    expectFailure(outcome, 'bad_status', new RegExp(`HTTP ${status}`))
    await probe.check()
  })

  it('refused: a port that was bound and closed', async () => {
    const port = await refusedPort()
    const probe = await leakProbe()
    const outcome = await scrapeOnce(target(port), { timeoutMs: LONG, maxBodyBytes: 1024 })
    expectFailure(outcome, 'refused', /ECONNREFUSED/)
    expect(outcome.durationMs).toBeLessThan(1_000)
    await probe.check()
  })

  it('timeout: a listener that accepts and never answers', async () => {
    const server = await serve(startRawServer(() => {}))
    const probe = await leakProbe(server)
    const outcome = await scrapeOnce(target(server.port), { timeoutMs: 150, maxBodyBytes: 1024 })
    expectFailure(outcome, 'timeout', /150 ms/)
    expect(outcome.durationMs).toBeGreaterThanOrEqual(145)
    expect(outcome.durationMs).toBeLessThan(600)
    expect(server.accepted).toBe(1)
    await probe.check()
  })

  it('timeout: the deadline covers the body (one byte per second never completes in time)', async () => {
    const timers = new Set<NodeJS.Timeout>()
    const server = await serve(
      startRawServer((socket) => {
        socket.write(httpHead('200 OK', { 'content-length': 100 }))
        const timer = setInterval(() => socket.write('a'), 1_000)
        timers.add(timer)
        socket.on('close', () => {
          clearInterval(timer)
          timers.delete(timer)
        })
      })
    )
    const probe = await leakProbe(server)
    const outcome = await scrapeOnce(target(server.port), { timeoutMs: 1_500, maxBodyBytes: 1024 })
    expectFailure(outcome, 'timeout')
    // An idle timeout would never fire here: a byte arrives every second.
    expect(outcome.durationMs).toBeLessThan(1_900)
    await probe.check()
    expect(timers.size).toBe(0)
  })

  it('body_too_large: chunked body without Content-Length is cut at the cap', async () => {
    let written = 0
    let sawClose = false
    const chunk = Buffer.alloc(16 * 1024, 'x')
    const server = await serve(
      startHttpServer((_req, res) => {
        res.on('close', () => (sawClose = true))
        // Writes forever (respecting backpressure) until the client goes away.
        const pump = (): void => {
          while (!res.destroyed && written < 64 * 1024 * 1024) {
            written += chunk.length
            if (!res.write(chunk)) return void res.once('drain', pump)
          }
        }
        pump()
      })
    )
    const probe = await leakProbe(server)
    const outcome = await scrapeOnce(target(server.port), { timeoutMs: LONG, maxBodyBytes: 64 * 1024 })
    expectFailure(outcome, 'body_too_large', /65536/)
    expect(outcome.durationMs).toBeLessThan(2_000)
    await probe.check()
    expect(sawClose).toBe(true)
    // The socket was destroyed at the cap, not after the server had sent everything.
    expect(written).toBeLessThan(16 * 1024 * 1024)
  })

  it('body_too_large: a declared Content-Length over the cap is refused before reading', async () => {
    const server = await serve(
      startRawServer((socket) => {
        socket.write(httpHead('200 OK', { 'content-length': 10_000_000 }))
        socket.write('x'.repeat(100))
      })
    )
    const probe = await leakProbe(server)
    const outcome = await scrapeOnce(target(server.port), { timeoutMs: LONG, maxBodyBytes: 1024 })
    expectFailure(outcome, 'body_too_large', /Content-Length 10000000/)
    await probe.check()
  })

  it.each<{ desc: string; behave: (socket: Socket) => void; message?: RegExp }>([
    {
      desc: 'reset mid-body',
      behave: (socket) => {
        socket.write(httpHead('200 OK', { 'content-length': 1000 }) + 'process_cpu_seconds_total 1')
        setTimeout(() => socket.resetAndDestroy(), 20)
      }
    },
    {
      desc: 'closes right after the headers (Content-Length body never sent)',
      behave: (socket) => socket.end(httpHead('200 OK', { 'content-length': 1000 }))
    },
    {
      desc: 'closes a chunked body before the last chunk',
      behave: (socket) =>
        socket.end(httpHead('200 OK', { 'transfer-encoding': 'chunked' }) + '5\r\nhello\r\n')
    },
    {
      desc: 'closes without answering',
      behave: (socket) => socket.end(),
      message: /socket hang up/
    },
    {
      desc: 'answers garbage instead of HTTP',
      behave: (socket) => socket.end('\x00\x01garbage that is not HTTP\r\n\r\n')
    }
  ])('connection_error: $desc', async ({ behave, message }) => {
    const server = await serve(startRawServer(behave))
    const probe = await leakProbe(server)
    const outcome = await scrapeOnce(target(server.port), { timeoutMs: LONG, maxBodyBytes: 1 << 20 })
    expectFailure(outcome, 'connection_error', message)
    await probe.check()
  })

  it('abort: an already-aborted signal settles without connecting', async () => {
    const server = await serve(startRawServer(() => {}))
    const probe = await leakProbe(server)
    const outcome = await scrapeOnce(target(server.port), {
      timeoutMs: LONG,
      maxBodyBytes: 1024,
      signal: AbortSignal.abort()
    })
    expectFailure(outcome, 'connection_error', /aborted/)
    await probe.check()
    expect(server.accepted).toBe(0)
  })

  it('abort: aborting in the same tick as the call (before the socket is attached)', async () => {
    const server = await serve(startRawServer(() => {}))
    const probe = await leakProbe(server)
    const controller = new AbortController()
    const pending = scrapeOnce(target(server.port), { timeoutMs: LONG, maxBodyBytes: 1024, signal: controller.signal })
    controller.abort()
    expectFailure(await pending, 'connection_error', /aborted/)
    await probe.check()
  })

  it('abort: aborting mid-request settles at once and closes the socket', async () => {
    const server = await serve(startRawServer(() => {}))
    const probe = await leakProbe(server)
    const controller = new AbortController()
    const pending = scrapeOnce(target(server.port), {
      timeoutMs: LONG,
      maxBodyBytes: 1024,
      signal: controller.signal
    })
    while (server.accepted === 0) await new Promise((r) => setTimeout(r, 2))
    controller.abort()
    const outcome = await pending
    expectFailure(outcome, 'connection_error', /aborted/)
    expect(outcome.durationMs).toBeLessThan(LONG / 2)
    await probe.check()
  })

  it.each([
    { desc: 'port out of range', t: { host: '127.0.0.1', port: 70_000, path: '/metrics' }, message: /port/i },
    { desc: 'path with a space', t: { host: '127.0.0.1', port: 9, path: '/me trics' }, message: /invalid target/ }
  ])('invalid target ($desc): connection_error, never throws', async ({ t, message }) => {
    const probe = await leakProbe()
    const outcome = await scrapeOnce(t, { timeoutMs: LONG, maxBodyBytes: 1024 })
    expectFailure(outcome, 'connection_error', message)
    await probe.check()
  })
})

describe('scrapeOnce as an active health check (judgeStatus)', () => {
  const healthy = (s: number): boolean => s >= 200 && s <= 399
  it.each([
    { desc: '200 is healthy', status: 200, expected: 'ok 200' },
    { desc: 'a redirect is healthy in 200-399', status: 301, expected: 'ok 301' },
    { desc: '404 is not (unlike a metrics scrape)', status: 404, expected: 'bad_status' },
    { desc: '503 is not', status: 503, expected: 'bad_status' }
  ])('$desc', async ({ status, expected }) => {
    const server = await serve(startHttpServer((_req, res) => {
      res.statusCode = status
      res.end()
    }))
    const probe = await leakProbe(server)
    const outcome = await scrapeOnce(target(server.port, '/healthz'), { timeoutMs: LONG, maxBodyBytes: 1024, judgeStatus: healthy })
    expect(outcome.ok ? `ok ${outcome.status}` : outcome.reason).toBe(expected)
    if (outcome.ok) expect(outcome.body).toBeNull()
    await probe.check()
  })

  it('decides at the headers: a body far over the cap is never read', async () => {
    const server = await serve(startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) })
      res.write(Buffer.alloc(64 * 1024))
    }))
    const probe = await leakProbe(server)
    const outcome = await scrapeOnce(target(server.port, '/healthz'), { timeoutMs: LONG, maxBodyBytes: 1024, judgeStatus: healthy })
    expect(outcome.ok).toBe(true)
    await probe.check()
  })
})
