// Backend answers of every framing kind, through the lean client (bodiless requests) and
// http.request (requests with a body): the client must get the same status and body.
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { BackendPool } from '../../../../src/main/proxy/backend-pool'
import { addReady, request, startProxy, type RunningProxy } from './proxy-test-kit'

let running: RunningProxy | undefined
let server: net.Server | undefined

afterEach(async () => {
  await running?.proxy.close(100)
  running = undefined
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

/** A backend that answers every request with `answer` (raw bytes), then closes if `close`. */
async function rawBackend(answer: string, close: boolean): Promise<number> {
  server = net.createServer((socket) => {
    socket.on('error', () => undefined)
    let buf = ''
    socket.on('data', (d) => {
      buf += d.toString('latin1')
      const end = buf.indexOf('\r\n\r\n')
      if (end < 0) return
      // Consume a Content-Length body too (requests with a body in this file are short).
      const len = Number(/content-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0)
      if (buf.length < end + 4 + len) return
      buf = buf.slice(end + 4 + len)
      if (close) socket.end(answer)
      else socket.write(answer)
    })
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return (server.address() as net.AddressInfo).port
}

const cases = [
  { desc: 'Content-Length', answer: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', close: false, status: 200, body: 'hello' },
  { desc: 'chunked', answer: 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n', close: false, status: 201, body: 'hello' },
  { desc: 'delimited by close', answer: 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end', close: true, status: 200, body: 'until the end' },
  { desc: 'HTTP/1.0 without length', answer: 'HTTP/1.0 200 OK\r\n\r\nold style', close: true, status: 200, body: 'old style' },
  { desc: '103 Early Hints first', answer: 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', close: false, status: 200, body: 'ok' },
  { desc: '204 No Content', answer: 'HTTP/1.1 204 No Content\r\n\r\n', close: false, status: 204, body: '' },
  { desc: '204 followed by a body it must not have', answer: 'HTTP/1.1 204 No Content\r\n\r\nstray body', close: false, status: 204, body: '' },
  { desc: '304 with a length but no body', answer: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n', close: false, status: 304, body: '' },
  { desc: 'headers split over many packets are fine too', answer: `HTTP/1.1 200 OK\r\n${'X-Pad: ' + 'p'.repeat(3000) + '\r\n'}Content-Length: 2\r\n\r\nok`, close: false, status: 200, body: 'ok' }
]

describe.each([
  { client: 'lean client (GET)', method: 'GET', body: undefined },
  { client: 'http.request (POST with a body)', method: 'POST', body: 'data' }
])('response framing via $client', ({ method, body }) => {
  it.each(cases)('$desc', async ({ answer, close, status, body: expected }) => {
    const pool = new BackendPool()
    addReady(pool, 'raw', await rawBackend(answer, close))
    running = await startProxy(pool)
    for (let i = 0; i < 3; i++) {
      const r = await request(running.port, { method, body })
      expect(r.status).toBe(status)
      expect(r.body).toBe(expected)
    }
  })

  it('a malformed answer is a 502, and the proxy keeps serving', async () => {
    const pool = new BackendPool()
    addReady(pool, 'raw', await rawBackend('NOT HTTP AT ALL\r\n\r\n', false))
    running = await startProxy(pool, { passiveHealth: { failureThreshold: 0 } })
    const first = await request(running.port, { method, body })
    expect(first.status).toBe(502)
    // It did answer, badly: the text must not say it was unreachable.
    expect(first.body).toMatch(/sent an invalid response \(HPE_/)
    expect((await request(running.port, { method, body })).status).toBe(502)
  })

  it('a 101 to a request that asked for no upgrade is a 502 at once', async () => {
    const pool = new BackendPool()
    addReady(pool, 'raw', await rawBackend('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n', false))
    running = await startProxy(pool, { passiveHealth: { failureThreshold: 0 } })
    const r = await request(running.port, { method, body })
    expect(r.status).toBe(502)
    expect(r.body).toMatch(/HPE_UNEXPECTED_UPGRADE/)
  })
})

it('HEAD gets the headers and no body, and the connection stays usable', async () => {
  const pool = new BackendPool()
  addReady(pool, 'raw', await rawBackend('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', false))
  running = await startProxy(pool)
  const r = await request(running.port, { method: 'HEAD' })
  expect(r.status).toBe(200)
  expect(r.headers['content-length']).toBe('5')
  expect(r.body).toBe('')
  expect((await request(running.port, { method: 'HEAD' })).status).toBe(200)
})
