/**
 * The History view, the load generator and the autoscale controls, as a user drives them: a real
 * Docker engine, the headless app as a child process, Debian's Chromium. One demo replica gets a
 * short constant load from the Load panel; the History view then has that traffic on its RPS
 * chart and exports it as CSV; reactive autoscaling is switched on from the service panel.
 */
import { readFileSync } from 'node:fs'
import Docker from 'dockerode'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectPageErrors, launchChromium, browserAvailable } from '../helpers/browser'
import { startHeadless, type HeadlessApp } from '../helpers/headless-process'
import { dockerAvailable, requireOrSkip } from '../helpers/requirements'
import { DEMO_IMAGE, ensureDemoImage } from '../helpers/demo-image'
import { removeServiceContainers } from '../helpers/test-containers'

const SERVICE = `hae${Date.now().toString(36)}`
const docker = new Docker()
const run = requireOrSkip('docker', await dockerAvailable()) && requireOrSkip('browser', browserAvailable())

function removeTestContainers(): Promise<void> {
  return removeServiceContainers(docker, SERVICE)
}

describe.skipIf(!run)('history, load generator and autoscale end to end (Docker + headless + Chromium)', () => {
  let app: HeadlessApp
  let browser: Browser
  let page: Page
  let pageErrors: string[] = []

  beforeAll(async () => {
    await ensureDemoImage(docker)
    await removeTestContainers()
    app = await startHeadless(`listen: 127.0.0.1:0
poll: { intervalMs: 500, timeoutMs: 400 }
ports: { from: 3300, to: 3399 }
proxy: { drainTimeoutMs: 2000 }
services:
  - { name: ${SERVICE}, image: ${DEMO_IMAGE}, containerPort: 3000, replicas: 1 }
`)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true })
    pageErrors = collectPageErrors(page)
    await page.goto(app.dashboardUrl)
  }, 90_000)

  afterAll(async () => {
    await page?.screenshot({ path: 'test-results/e2e-history-autoscale.png', fullPage: true }).catch(() => {})
    await browser?.close()
    const code = await app?.stop()
    await removeTestContainers()
    expect(code, `headless should exit cleanly on SIGTERM:\n${app?.output()}`).toBe(0)
  }, 60_000)

  const panel = () => page.locator(`[data-testid="service-panel"][data-service="${SERVICE}"]`)
  const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`)

  it('sends 30 req/s for 5 s from the Load panel and shows what it achieved', async () => {
    await expect.poll(() => panel().locator('[data-testid="service-status"]').textContent(), { timeout: 45_000 }).toContain('1/1')
    await byTestId('load-kind').selectOption('constant')
    await byTestId('load-rps').fill('30')
    await byTestId('load-duration').fill('5')
    await byTestId('btn-load-start').click()
    await expect.poll(() => byTestId('load-status').getAttribute('data-running'), { timeout: 5000 }).toBe('true')
    await expect.poll(async () => Number(await byTestId('load-achieved').textContent().then((t) => parseFloat(t ?? ''))), { timeout: 5000 }).toBeGreaterThan(0)
    await expect.poll(() => byTestId('load-status').getAttribute('data-running'), { timeout: 15_000 }).toBe('false')
    expect(await byTestId('load-error').count()).toBe(0)
    const ok = Number(await byTestId('load-ok').textContent())
    // 30 req/s for 5 s: about 150, all answered by the one healthy replica.
    expect(ok).toBeGreaterThan(100)
    expect(Number(await byTestId('load-errors').textContent())).toBe(0)
  }, 70_000)

  it('History, last 15 min: the RPS chart has points and the CSV export downloads them', async () => {
    await byTestId('view-toggle-history').click()
    await expect(byTestId('history-view').count()).resolves.toBe(1)
    // The history writer flushes in batches: pick the preset again (a fresh query) until the points are in.
    await expect
      .poll(
        async () => {
          await byTestId('history-range-15m').click()
          await page.waitForTimeout(700)
          return Number(await byTestId('history-chart-rps').getAttribute('data-points'))
        },
        { timeout: 20_000, interval: 500 }
      )
      .toBeGreaterThan(0)
    expect(await byTestId('history-range-15m').getAttribute('aria-checked')).toBe('true')
    expect(await byTestId('history-resolution').textContent()).toMatch(/^\d+ (s|min|h)$/)

    const [download] = await Promise.all([page.waitForEvent('download'), byTestId('btn-export-csv').click()])
    expect(download.suggestedFilename()).toMatch(/^prescal-history_.*\.csv$/)
    const lines = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/)
    expect(lines[0]).toMatch(/^time_ms,time_iso,backend_id,backend_name,service,rps,/)
    const mine = lines.slice(1).filter((l) => l.split(',')[4] === SERVICE)
    expect(mine.length).toBeGreaterThan(0)
    const rpsValues = mine.map((l) => Number(l.split(',')[5])).filter((v) => Number.isFinite(v))
    expect(Math.max(...rpsValues)).toBeGreaterThan(0)
    await expect.poll(() => byTestId('export-result').textContent()).toMatch(/rows/)
  }, 40_000)

  it('turns on reactive autoscaling with capacity 10 from the service panel', async () => {
    await byTestId('view-toggle-live').click()
    await panel().locator('[data-testid="autoscale-mode"]').selectOption('reactive')
    await panel().locator('[data-testid="autoscale-capacity"]').fill('10')
    await panel().locator('[data-testid="btn-autoscale-apply"]').click()
    // The next snapshot carries the applied settings (the decision itself may take a policy period).
    await expect.poll(() => panel().locator('[data-testid="autoscale-reason"]').getAttribute('data-mode'), { timeout: 5000 }).toBe('reactive')
    await expect.poll(() => panel().locator('[data-testid="autoscale-mode"]').inputValue()).toBe('reactive')
    await expect.poll(() => panel().locator('[data-testid="autoscale-capacity"]').inputValue()).toBe('10')
    expect(await panel().locator('[data-testid="autoscale-error"]').count()).toBe(0)
  }, 20_000)

  it('ran without a console error, an uncaught exception or a CSP violation in the page', () => {
    expect(pageErrors).toEqual([])
  })
})
