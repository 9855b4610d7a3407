import { mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { WebBridge } from '../../../../src/main/bridge/web-bridge'
import type { CommandHandlers } from '../../../../src/shared/channels'
import { commandNames } from '../../../../src/shared/channels'
import type { ServerMessage } from '../../../../src/shared/web-protocol'

const TOKEN = 'a'.repeat(48)
const calls: { name: string; req: unknown }[] = []
const handlers = Object.fromEntries(
  commandNames.map((name) => [name, async (req: unknown) => (calls.push({ name, req }), { done: name })])
) as unknown as CommandHandlers

let bridge: WebBridge
let port: number
let emitSnapshot: (s: never) => void = () => {}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescal-web-'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Prescal</title>')
  writeFileSync(join(dir, 'app.js'), 'console.log(1)')
  bridge = new WebBridge({
    port: 0,
    token: TOKEN,
    rendererDir: dir,
    source: {
      handlers,
      onSnapshot: (fn) => ((emitSnapshot = fn as never), () => {}),
      onEvent: () => () => {}
    }
  })
  port = await bridge.start()
})

afterAll(() => bridge.close())

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

function connect(query: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/bridge${query}`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

describe('WebBridge HTTP', () => {
  it.each<{ desc: string; path: string; headers: Record<string, string> }>([
    { desc: 'no token', path: '/', headers: {} },
    { desc: 'wrong token', path: `/?token=${'b'.repeat(48)}`, headers: {} },
    { desc: 'short token', path: '/?token=aaa', headers: {} },
    { desc: 'non-loopback Host (DNS rebinding)', path: `/?token=${TOKEN}`, headers: { host: 'evil.example:1' } },
    { desc: 'loopback Host on another port', path: `/?token=${TOKEN}`, headers: { host: '127.0.0.1:1' } },
    { desc: 'foreign Origin', path: `/?token=${TOKEN}`, headers: { origin: 'http://evil.example' } },
    { desc: 'loopback Origin of another port', path: `/?token=${TOKEN}`, headers: { origin: 'http://127.0.0.1:9' } }
  ])('refuses $desc with 403', async ({ path, headers }) => {
    const res = await get(path, headers)
    expect(res.status).toBe(403)
  })

  it('serves the dashboard with the token and sets a strict cookie', async () => {
    const res = await get(`/?token=${TOKEN}`)
    expect(res.status).toBe(200)
    expect(res.body).toContain('Prescal')
    expect(String(res.headers['set-cookie'])).toMatch(/prescal_token=a+; HttpOnly; SameSite=Strict/)
  })

  it('serves assets with the cookie alone, and never outside the renderer folder', async () => {
    expect((await get('/app.js', { cookie: `prescal_token=${TOKEN}` })).status).toBe(200)
    expect((await get('/app.js')).status).toBe(403)
    expect((await get('/..%2f..%2fetc%2fpasswd', { cookie: `prescal_token=${TOKEN}` })).status).toBe(404)
  })
})

describe('WebBridge WebSocket', () => {
  it.each<{ desc: string; query: string; headers: Record<string, string> }>([
    { desc: 'no token', query: '', headers: {} },
    { desc: 'foreign Origin with the token', query: `?token=${TOKEN}`, headers: { origin: 'http://evil.example' } },
    { desc: 'another loopback port as Origin', query: `?token=${TOKEN}`, headers: { origin: 'http://127.0.0.1:9999', cookie: `prescal_token=${TOKEN}` } }
  ])('refuses an upgrade with $desc', async ({ query, headers }) => {
    const before = calls.length
    await expect(connect(query, headers)).rejects.toThrow(/403/)
    expect(calls.length).toBe(before)
  })

  it('runs validated commands and pushes events for an authorized page', async () => {
    const ws = await connect(`?token=${TOKEN}`, { origin: `http://127.0.0.1:${port}` })
    const messages: ServerMessage[] = []
    ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as ServerMessage))
    ws.send(JSON.stringify({ t: 'cmd', id: 1, name: 'scaleService', request: { service: 'demo', replicas: 2 } }))
    ws.send(JSON.stringify({ t: 'cmd', id: 2, name: 'scaleService', request: { service: 'demo', replicas: 500 } }))
    await expect.poll(() => messages.length).toBe(2)
    emitSnapshot({ at: 1 } as never)
    await expect.poll(() => messages.length).toBe(3)
    ws.close()
    const byId = new Map(messages.filter((m) => m.t === 'reply').map((m) => [m.id, m.reply]))
    expect(byId.get(1)).toEqual({ ok: true, value: { done: 'scaleService' } })
    expect(byId.get(2)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect(messages[2]).toEqual({ t: 'evt', name: 'snapshot', payload: { at: 1 } })
    expect(calls.filter((c) => c.name === 'scaleService')).toEqual([{ name: 'scaleService', req: { service: 'demo', replicas: 2 } }])
  })

  it('closes a socket that sends garbage', async () => {
    const ws = await connect(`?token=${TOKEN}`, {})
    const code = await new Promise<number>((resolve) => {
      ws.on('close', (c) => resolve(c))
      ws.send('{not json')
    })
    expect(code).toBe(1007)
  })
})
