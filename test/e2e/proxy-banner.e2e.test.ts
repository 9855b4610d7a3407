/**
 * The headless app started on a proxy address another program holds, seen in Chromium: a banner
 * says, in full, that the address is in use and which config file to edit; the header only says
 * "not listening"; the event list has the same message. No Docker needed.
 * Needs `npx electron-vite build` first.
 */
import { createServer, type Server } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserAvailable, openPage } from '../helpers/browser'
import { startHeadless, type HeadlessApp } from '../helpers/headless-process'
import { requireOrSkip } from '../helpers/requirements'

const run = requireOrSkip('browser', browserAvailable())

describe.skipIf(!run)('proxy address in use, in the dashboard', () => {
  let squatter: Server
  let port: number
  let app: HeadlessApp
  let browser: Browser
  let page: Page
  let pageErrors: string[] = []

  beforeAll(async () => {
    squatter = createServer()
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r))
    port = (squatter.address() as { port: number }).port
    app = await startHeadless(`listen: 127.0.0.1:${port}\ndocker: { host: "unix:///nonexistent.sock" }\n`, { allowProxyFailure: true })
    ;({ browser, page, pageErrors } = await openPage(app.dashboardUrl))
  }, 60_000)

  afterAll(async () => {
    await page?.screenshot({ path: 'test-results/e2e-proxy-banner.png' }).catch(() => {})
    await browser?.close()
    await app?.stop()
    await new Promise<void>((r) => squatter.close(() => r()))
  })

  it('prints why the proxy is not listening, naming the config file', () => {
    expect(app.proxyFailure).toContain(`127.0.0.1:${port} is already in use`)
    expect(app.proxyFailure).toMatch(/Change `listen` in \/\S+\/config\.yaml/)
  })

  it('shows a banner with the whole message, the header only "not listening", and the event in the list', async () => {
    const banner = page.locator('[data-testid="proxy-banner"]')
    await expect.poll(() => banner.isVisible(), { timeout: 15_000 }).toBe(true)
    const text = (await banner.textContent()) ?? ''
    expect(text).toContain(app.proxyFailure!)
    // Not cut off: the banner is as wide as its text needs (no ellipsis, no hidden overflow).
    expect(await banner.evaluate((el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight)).toBe(true)
    expect(await page.locator('.app-header').textContent()).toContain('not listening')
    expect(await page.locator('.app-header').textContent()).not.toContain('already in use')
    const event = page.locator('[data-testid="event-item"][data-kind="proxy.error"]')
    await expect.poll(() => event.count(), { timeout: 5000 }).toBe(1)
    expect(await event.textContent()).toContain(app.proxyFailure!)
  })

  it('ran without a page error', () => {
    expect(pageErrors).toEqual([])
  })
})
