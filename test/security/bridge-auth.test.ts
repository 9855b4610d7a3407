/**
 * The headless bridge drives the user's Docker engine (root-equivalent), so nobody but the
 * dashboard may reach it: without the token, with a non-loopback Host (DNS rebinding) or with a
 * foreign Origin (another page in the user's browser, another loopback port included) every HTTP
 * request and WebSocket upgrade is refused. A real Chromium then tries it the way an attacker's
 * page would, with the session cookie already set, and the engine must never see the command.
 * Needs `npx electron-vite build`; the browser part skips loudly without Chromium (fails with
 * PRESCAL_REQUIRE_BROWSER=1).
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOKEN_COOKIE } from '../../src/shared/web-protocol'
import { browserAvailable, launchChromium } from '../helpers/browser'
import { startHeadless, type HeadlessApp } from '../helpers/headless-process'
import { requireOrSkip } from '../helpers/requirements'
import { connectBridge, type BridgeClient } from './bridge-client'

const SERVICE = 'authsvc'

interface Raw {
  status: number
  body: string
}

/** One raw request with exactly these headers (Host included), so tests can forge any of them. */
function raw(port: number, path: string, headers: Record<string, string>, opts: { method?: string; upgrade?: boolean } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const upgradeHeaders = opts.upgrade
      ? { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }
      : {}
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: { ...upgradeHeaders, ...headers }, setHost: false })
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')))
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, body: '' })
    })
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('headless bridge: token, Host and Origin', () => {
  let app: HeadlessApp
  let port = 0
  let token = ''
  let host = ''
  let bridge: BridgeClient

  beforeAll(async () => {
    app = await startHeadless(
      [
        'listen: 127.0.0.1:0',
        'docker: { host: "unix:///nonexistent.sock" }',
        `services: [{ name: ${SERVICE}, image: prescal-demo:latest, containerPort: 3000, replicas: 0 }]`,
        ''
      ].join('\n')
    )
    const u = new URL(app.dashboardUrl)
    port = Number(u.port)
    token = u.searchParams.get('token')!
    host = `127.0.0.1:${port}`
    bridge = await connectBridge(app.dashboardUrl)
  }, 40_000)

  afterAll(async () => {
    await bridge?.close()
    await app?.stop()
  })

  const paths = ['/', '/index.html', '/bridge', '/metrics', '/assets/', '/does-not-exist']
  const withToken = (p: string, t = token): string => `${p}${p.includes('?') ? '&' : '?'}token=${t}`

  it('control: the right token, Host and Origin are let in (HTTP and WebSocket)', async () => {
    expect((await raw(port, withToken('/'), { host })).status).toBe(200)
    expect((await raw(port, '/', { host, cookie: `${TOKEN_COOKIE}=${token}` })).status).toBe(200)
    expect((await raw(port, withToken('/bridge'), { host, origin: `http://${host}` }, { upgrade: true })).status).toBe(101)
    expect((await raw(port, withToken('/bridge'), { host: `localhost:${port}` }, { upgrade: true })).status).toBe(101)
  })

  const badCases: Array<[string, (p: string) => { path: string; headers: Record<string, string> }]> = [
    ['no token', (p) => ({ path: p, headers: { host } })],
    ['empty token', (p) => ({ path: withToken(p, ''), headers: { host } })],
    ['wrong token', (p) => ({ path: withToken(p, 'x'.repeat(48)), headers: { host } })],
    ['token prefix', (p) => ({ path: withToken(p, token.slice(0, -1)), headers: { host } })],
    ['token upper-cased', (p) => ({ path: withToken(p, token.toUpperCase()), headers: { host } })],
    ['wrong cookie', (p) => ({ path: p, headers: { host, cookie: `${TOKEN_COOKIE}=nope` } })],
    ['Host evil.example (DNS rebinding)', (p) => ({ path: withToken(p), headers: { host: `evil.example:${port}` } })],
    ['Host 127.0.0.1.evil.example', (p) => ({ path: withToken(p), headers: { host: `127.0.0.1.evil.example:${port}` } })],
    ['Host on another port', (p) => ({ path: withToken(p), headers: { host: `127.0.0.1:${port + 1}` } })],
    ['Host without port', (p) => ({ path: withToken(p), headers: { host: '127.0.0.1' } })],
    ['Host 0.0.0.0', (p) => ({ path: withToken(p), headers: { host: `0.0.0.0:${port}` } })],
    ['LAN Host 192.168.1.10', (p) => ({ path: withToken(p), headers: { host: `192.168.1.10:${port}` } })],
    ['Origin evil.example', (p) => ({ path: withToken(p), headers: { host, origin: 'http://evil.example' } })],
    ['Origin another loopback port', (p) => ({ path: withToken(p), headers: { host, origin: `http://127.0.0.1:${port + 1}` } })],
    ['Origin localhost, another port', (p) => ({ path: withToken(p), headers: { host, origin: `http://localhost:${port + 1}` } })],
    ['Origin null (sandboxed iframe, file://)', (p) => ({ path: withToken(p), headers: { host, origin: 'null' } })],
    ['Origin https on our port', (p) => ({ path: withToken(p), headers: { host, origin: `https://${host}` } })],
    ['Origin garbage', (p) => ({ path: withToken(p), headers: { host, origin: '%%%' } })]
  ]

  it.each(badCases.flatMap(([what, make]) => paths.map((p) => [what, p, make] as const)))(
    'HTTP %s on %s → 403',
    async (_what, p, make) => {
      const { path, headers } = make(p)
      const res = await raw(port, path, headers)
      expect(res.status).toBe(403)
      expect(res.body).not.toContain('<script')
    }
  )

  it.each(badCases.map(([what, make]) => [what, make] as const))('WebSocket upgrade with %s → refused', async (_what, make) => {
    const { path, headers } = make('/bridge')
    const res = await raw(port, path, headers, { upgrade: true })
    expect(res.status).toBe(403)
  })

  it('other methods are refused even with the token', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      expect((await raw(port, withToken('/'), { host }, { method })).status, method).toBe(405)
    }
  })

  describe('a page from another origin in a real browser', () => {
    const run = requireOrSkip('browser', browserAvailable())
    let browser: Browser
    let evil: Server
    let evilPort = 0

    beforeAll(async () => {
      if (!run) return
      // The attacker's page: another loopback port (same site, different origin).
      evil = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' })
        res.end('<!doctype html><title>evil</title><p>hello')
      })
      await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()))
      evilPort = (evil.address() as AddressInfo).port
      browser = await launchChromium()
    }, 60_000)

    afterAll(async () => {
      await browser?.close()
      await new Promise<void>((r) => (evil ? evil.close(() => r()) : r()))
    })

    /** In the page: open the bridge, send scaleService, report what happened. */
    const attack = (url: string): Promise<string> =>
      new Promise((resolve) => {
        const ws = new WebSocket(url)
        const log: string[] = []
        const done = (): void => resolve(log.join(' '))
        ws.onopen = () => {
          log.push('open')
          ws.send(JSON.stringify({ t: 'cmd', id: 1, name: 'scaleService', request: { service: 'authsvc', replicas: 3 } }))
        }
        ws.onmessage = (e) => {
          log.push(`message:${String(e.data).slice(0, 80)}`)
          done()
        }
        ws.onerror = () => log.push('error')
        ws.onclose = (e) => {
          log.push(`close:${e.code}`)
          done()
        }
        setTimeout(done, 3000)
      })

    it.skipIf(!run)('cannot open the bridge or send scaleService, even with the cookie set and the token', async () => {
      const context = await browser.newContext()
      // The user has the dashboard open: the session cookie is set in this browser.
      const dashboard = await context.newPage()
      await dashboard.goto(app.dashboardUrl)
      expect((await context.cookies()).some((c) => c.name === TOKEN_COOKIE)).toBe(true)

      const page = await context.newPage()
      await page.goto(`http://127.0.0.1:${evilPort}/`)
      const bridgeWs = `ws://127.0.0.1:${port}/bridge`
      const withCookieOnly = await page.evaluate(attack, bridgeWs)
      const withLeakedToken = await page.evaluate(attack, `${bridgeWs}?token=${token}`)
      const viaLocalhost = await page.evaluate(attack, `ws://localhost:${port}/bridge?token=${token}`)
      for (const result of [withCookieOnly, withLeakedToken, viaLocalhost]) {
        expect(result).not.toContain('open')
        expect(result).not.toContain('message')
      }
      // A no-cors fetch cannot be read, but must not be served either: the server refuses it.
      await page.evaluate((u) => fetch(u, { mode: 'no-cors' }).catch(() => null), `http://127.0.0.1:${port}/?token=${token}`)
      await context.close()

      const events = await bridge.events()
      expect(events.filter((e) => e.kind === 'scale.requested')).toEqual([])
      expect((await bridge.snapshot()).services.find((s) => s.name === SERVICE)?.desired).toBe(0)
    })

    it.skipIf(!run)('control: the dashboard\'s own origin can send it (so the check above can fail)', async () => {
      const context = await browser.newContext()
      const page = await context.newPage()
      await page.goto(app.dashboardUrl)
      const result = await page.evaluate(attack, `ws://127.0.0.1:${port}/bridge`)
      expect(result).toContain('open')
      expect(result).toContain('message')
      await context.close()
      const events = await bridge.events()
      expect(events.filter((e) => e.kind === 'scale.requested').length).toBe(1)
    })
  })
})
