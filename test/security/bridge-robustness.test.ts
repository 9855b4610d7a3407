/**
 * Odd but authorized requests to the headless bridge (a typo in the address bar, a hand-edited
 * link, a curious user) must get an error page, never take the process down: the same process
 * runs the proxy the user's traffic goes through. Needs `npx electron-vite build`.
 */
import { request } from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startHeadless, type HeadlessApp } from '../helpers/headless-process'
import { httpGet } from '../helpers/http-client'

function get(port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')))
    req.on('error', (err) => resolve(err.message))
    req.end()
  })
}

describe('headless bridge survives malformed requests', () => {
  // A fresh app per case, so one crash does not hide what the other cases would do.
  let app: HeadlessApp
  let port = 0
  let token = ''

  beforeEach(async () => {
    app = await startHeadless('listen: 127.0.0.1:0\ndocker: { host: "unix:///nonexistent.sock" }\n')
    const u = new URL(app.dashboardUrl)
    port = Number(u.port)
    token = u.searchParams.get('token')!
  }, 40_000)

  afterEach(async () => {
    await app?.stop()
  })

  it.each([
    ['malformed percent-encoding', '/%E0%A4%A'],
    ['lone percent sign', '/%'],
    ['malformed asset path', '/assets/%ZZ.js'],
    ['encoded traversal', '/..%2f..%2f..%2fetc%2fpasswd'],
    ['NUL byte', '/index.html%00.js'],
    ['very long path', `/${'a'.repeat(8000)}`]
  ])('%s with the token → 4xx, and the app keeps running', async (_what, path) => {
    const status = await get(port, `${path}?token=${token}`)
    expect(status, app.output().slice(-800)).toBeTypeOf('number')
    expect(status as number).toBeGreaterThanOrEqual(400)
    expect(status as number).toBeLessThan(500)
    await new Promise((r) => setTimeout(r, 100))
    expect(app.child.exitCode, app.output().slice(-800)).toBeNull()
    // The dashboard still answers.
    expect((await httpGet(app.dashboardUrl)).status).toBe(200)
  })
})
