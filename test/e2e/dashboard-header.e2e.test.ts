/**
 * The dashboard header seen in Chromium, with the headless app in front of a static backend nobody
 * listens on (never ready; no Docker needed). Requests the proxy refuses because no backend is
 * ready show as "refused" next to the traffic rate, so a user sees that clients get 503s. In an
 * 800 px wide window, with its longest values (a proxy address, a refused rate, an unhealthy
 * backend count, Docker unavailable), every item is whole and inside the window, where it used to
 * run off the right edge ("Histo", "0 re…", cut badges).
 * Needs `npx electron-vite build` first.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserAvailable, openPage } from '../helpers/browser'
import { startHeadless, type HeadlessApp } from '../helpers/headless-process'
import { startLoad } from '../helpers/http-client'
import { requireOrSkip } from '../helpers/requirements'

const run = requireOrSkip('browser', browserAvailable())

/** Header items cut by the window edge or by their own box (text clipped behind an ellipsis). */
async function headerOverflow(page: Page): Promise<string[]> {
  const problems: string[] = []
  const width = await page.locator('html').evaluate((el) => el.clientWidth)
  const items = page.locator('.app-header, .app-header :is(.brand, .view-toggle, .header-stat, .header-stat-value)')
  for (const item of await items.all()) {
    const box = await item.boundingBox()
    const [cls, text, scrollWidth, clientWidth] = await item.evaluate(
      (el) => [el.getAttribute('class'), el.textContent, el.scrollWidth, el.clientWidth] as const
    )
    const what = `${cls} "${text}"`
    if (!box) problems.push(`${what} not rendered`)
    else if (box.x < 0 || box.x + box.width > width) problems.push(`${what} outside the window: ${Math.round(box.x)}–${Math.round(box.x + box.width)} of ${width}`)
    if (scrollWidth > clientWidth) problems.push(`${what} clipped: ${scrollWidth} > ${clientWidth}`)
  }
  return problems
}

describe.skipIf(!run)('the dashboard header: refused requests, and an 800 px window', () => {
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
    await page?.screenshot({ path: 'test-results/e2e-dashboard-header.png' }).catch(() => {})
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

  it('at 800 px, shows every header item whole, in the Live and the History view', async () => {
    await page.setViewportSize({ width: 800, height: 600 })
    await expect.poll(() => page.locator('[data-testid="total-rps"]').isVisible(), { timeout: 15_000 }).toBe(true)
    await expect.poll(() => page.locator('[data-testid="docker-status"]').getAttribute('data-status'), { timeout: 15_000 }).toBe('unavailable')
    const load = startLoad(app.proxyUrl, 40)
    try {
      await expect.poll(() => page.locator('[data-testid="refused-rps"]').count(), { timeout: 10_000 }).toBe(1)
      expect(await headerOverflow(page)).toEqual([])
      await page.screenshot({ path: 'test-results/e2e-narrow-header-live.png' })
      await page.locator('[data-testid="view-toggle-history"]').click()
      await expect.poll(() => page.locator('[data-testid="history-view"]').count()).toBe(1)
      expect(await headerOverflow(page)).toEqual([])
    } finally {
      await load.stop()
    }
    expect(pageErrors).toEqual([])
  }, 40_000)
})
