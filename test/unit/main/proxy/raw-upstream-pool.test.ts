import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { RawUpstreamPool, type RawResponseHandler } from '../../../../src/main/proxy/raw-upstream'
import { delay, eventually, startBackend, type TestBackend } from './proxy-test-kit'

let backend: TestBackend | undefined
let pool: RawUpstreamPool | undefined
let rawServer: net.Server | undefined

afterEach(async () => {
  pool?.destroy()
  pool = undefined
  await backend?.close()
  backend = undefined
  await new Promise<void>((r) => (rawServer ? rawServer.close(() => r()) : r()))
  rawServer = undefined
})

const STRAY = 'HTTP/1.1 302 Found\r\nLocation: http://elsewhere.example/\r\nX-Junk: '

/**
 * A keep-alive backend written byte for byte: it answers each request with `ok <n>`; for the
 * first one it also sends the start of a response nobody asked for, in the same write
 * (`trailing`) or 50 ms later while the socket idles in the pool (`late`).
 */
async function strayBackend(when: 'trailing' | 'late'): Promise<{ port: number; accepted: () => number }> {
  let n = 0
  let accepted = 0
  rawServer = net.createServer((sock) => {
    accepted++
    sock.on('error', () => {})
    sock.on('data', () => {
      n++
      const answer = `HTTP/1.1 200 OK\r\nContent-Length: ${String(n).length + 3}\r\n\r\nok ${n}`
      if (n === 1 && when === 'trailing') sock.write(answer + STRAY)
      else sock.write(answer)
      if (n === 1 && when === 'late') setTimeout(() => sock.write(STRAY), 50)
    })
  })
  await new Promise<void>((r) => rawServer!.listen(0, '127.0.0.1', r))
  return { port: (rawServer.address() as net.AddressInfo).port, accepted: () => accepted }
}

/** Resolves with the body, or rejects with the error code the pool reported. */
function get(p: RawUpstreamPool, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    const handler: RawResponseHandler = {
      onHead: () => {},
      onBody: (chunk) => {
        body += chunk.toString()
        return true
      },
      onEnd: () => resolve(body),
      onError: (code) => reject(new Error(code)),
      onTimeout: () => (reject(new Error('timeout')), false)
    }
    p.request(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`, false, handler, 5_000)
  })
}

async function connectionsOf(be: TestBackend): Promise<number> {
  return new Promise((resolve) => be.server.getConnections((_e, n) => resolve(n)))
}

/** Blocks the event loop: no timer (the pool's sweep included) can run meanwhile. */
function blockFor(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // spin
  }
}

describe('raw upstream pool idle sockets', () => {
  it('reuses a socket that went idle less than idleMs ago', async () => {
    backend = await startBackend('a')
    pool = new RawUpstreamPool('127.0.0.1', backend.port, 1_000)
    expect(await get(pool)).toBe('a')
    expect(await get(pool)).toBe('a')
    expect(pool.size).toBe(1)
    expect(await connectionsOf(backend)).toBe(1)
  })

  it('never reuses a socket idle for idleMs, even when the sweep could not run', async () => {
    backend = await startBackend('a')
    let accepted = 0
    backend.server.on('connection', () => accepted++)
    pool = new RawUpstreamPool('127.0.0.1', backend.port, 100)
    expect(await get(pool)).toBe('a')
    blockFor(130)
    // Sent in this same turn, before any timer could close the stale socket.
    expect(await get(pool)).toBe('a')
    expect(accepted).toBe(2)
    expect(pool.size).toBe(1)
  })

  it('closes idle sockets within idleMs plus a quarter, then stops sweeping', async () => {
    backend = await startBackend('a')
    pool = new RawUpstreamPool('127.0.0.1', backend.port, 120)
    await Promise.all([get(pool), get(pool), get(pool)])
    expect(pool.size).toBe(3)
    await delay(60)
    expect(pool.size).toBe(3)
    expect(await eventually(() => pool!.size === 0, 400)).toBe(true)
    const be = backend
    await delay(20)
    expect(await connectionsOf(be)).toBe(0)
    // No timer is left behind once the pool is empty.
    expect((pool as unknown as { sweeper: unknown }).sweeper).toBeNull()
  })

  for (const when of ['trailing', 'late'] as const) {
    it(`closes a socket that sends a response nobody asked for (${when}), so no client gets it`, async () => {
      const be = await strayBackend(when)
      pool = new RawUpstreamPool('127.0.0.1', be.port, 5_000)
      expect(await get(pool)).toBe('ok 1')
      await delay(120)
      // The poisoned socket is gone: the next request is answered on a new one, with its own answer.
      expect(await get(pool)).toBe('ok 2')
      expect(be.accepted()).toBe(2)
    })
  }
})
