/**
 * Requests the proxy refuses because no backend is ready show in the header as "refused", next
 * to the traffic rate, so a user sees that clients are getting 503s. The headless app with a
 * static backend nobody listens on (never ready), seen in Chromium. No Docker needed.
 * Needs `npx electron-vite build` first.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserAvailable, openPage } from '../helpers/browser'
import { startHeadless, type HeadlessApp } from '../helpers/headless-process'
import { startLoad } from '../helpers/http-client'
import { requireOrSkip } from '../helpers/requirements'

const run = requireOrSkip('browser', browserAvailable())

describe.skipIf(!run)('refused requests in the dashboard header', () => {
  let app: HeadlessApp
  let browser: Browser
  let page: Page
  let pageErrors: string[] = []

  beforeAll(async () => {
    // Port 9 (discard) on loopback: nothing listens, so the backend is never ready.
    app = await startHeadless('listen: 127.0.0.1:0\ndocker: { host: "unix:///nonexistent.sock" }\nbackends: ["127.0.0.1:9"]\n')
    ;({ browser, page, pageErrors } = await openPage(app.dashboardUrl))
  }, 60_000)

  afterAll(async () => {
    await page?.screenshot({ path: 'test-results/e2e-refused.png' }).catch(() => {})
    await browser?.close()
    await app?.stop()
  })

  it('shows no refused count while nothing is refused, then the rate of 503s while they happen', async () => {
    await expect.poll(() => page.locator('[data-testid="total-rps"]').isVisible(), { timeout: 15_000 }).toBe(true)
    const refused = page.locator('[data-testid="refused-rps"]')
    expect(await refused.count()).toBe(0)
    const load = startLoad(app.proxyUrl, 40)
    let statuses: number[] = []
    try {
      await expect.poll(() => refused.count(), { timeout: 10_000 }).toBe(1)
      expect(await refused.textContent()).toMatch(/· \d+ refused/)
    } finally {
      statuses = (await load.stop()).map((r) => r.status)
    }
    expect(new Set(statuses)).toEqual(new Set([503]))
    // Gone again once the 503s stop.
    await expect.poll(() => refused.count(), { timeout: 10_000 }).toBe(0)
    expect(pageErrors).toEqual([])
  }, 40_000)
})
