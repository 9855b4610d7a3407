/**
 * The load generator and autoscale forms explain a value over the engine's limit next to the field,
 * in plain words, before anything is sent; and a refusal from the engine goes away once the user
 * edits the form, instead of staying beside the fixed values. The engine is made to refuse by
 * rewriting the command on its way over the WebSocket (the form itself no longer sends values the
 * engine refuses). The headless app with a static backend and a service, no Docker needed.
 * Needs `npx electron-vite build` first.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserAvailable, collectPageErrors, launchChromium } from '../helpers/browser'
import { startHeadless, type HeadlessApp } from '../helpers/headless-process'
import { requireOrSkip } from '../helpers/requirements'

const run = requireOrSkip('browser', browserAvailable())

describe.skipIf(!run)('form limits and engine refusals in the dashboard', () => {
  let app: HeadlessApp
  let browser: Browser
  let page: Page
  let pageErrors: string[] = []
  /** Applied to every command the page sends: lets a test make the engine see something else. */
  let tamper: (msg: { name: string; request: Record<string, unknown> }) => void = () => {}

  beforeAll(async () => {
    app = await startHeadless(`listen: 127.0.0.1:0
docker: { host: "unix:///nonexistent.sock" }
backends: ["127.0.0.1:9"]
services:
  - { name: demo, image: prescal-demo:latest, containerPort: 3000, replicas: 0 }
`)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    pageErrors = collectPageErrors(page)
    await page.routeWebSocket(/\/bridge/, (ws) => {
      const server = ws.connectToServer()
      ws.onMessage((raw) => {
        const msg = JSON.parse(String(raw)) as { t: string; name: string; request: Record<string, unknown> }
        if (msg.t === 'cmd') tamper(msg)
        server.send(JSON.stringify(msg))
      })
    })
    await page.goto(app.dashboardUrl)
  }, 60_000)

  afterAll(async () => {
    await page?.screenshot({ path: 'test-results/e2e-form-errors.png', fullPage: true }).catch(() => {})
    await browser?.close()
    await app?.stop()
  })

  const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`)
  const panel = () => page.locator('[data-testid="service-panel"][data-service="demo"]')

  it('load: a rate over 2000 req/s is explained at the field and Start waits for a fix', async () => {
    await expect.poll(() => byTestId('btn-load-start').isEnabled(), { timeout: 15_000 }).toBe(true)
    await byTestId('load-kind').selectOption('constant')
    await byTestId('load-rps').fill('5000')
    expect(await byTestId('load-field-error').textContent()).toBe('Rate is at most 2000 req/s')
    expect(await byTestId('load-rps').getAttribute('aria-invalid')).toBe('true')
    expect(await byTestId('btn-load-start').isDisabled()).toBe(true)
    await page.locator('.load-section').screenshot({ path: 'test-results/e2e-form-errors-load.png' })
    await byTestId('load-rps').fill('2000')
    expect(await byTestId('load-field-error').count()).toBe(0)
    expect(await byTestId('btn-load-start').isEnabled()).toBe(true)
  })

  it('load: an engine refusal goes as soon as the form is edited', async () => {
    tamper = (msg) => {
      if (msg.name === 'startLoad') (msg.request['profile'] as Record<string, unknown>)['rps'] = 999_999
    }
    try {
      await byTestId('load-rps').fill('20')
      await byTestId('btn-load-start').click()
      await expect.poll(() => byTestId('load-error').count(), { timeout: 5000 }).toBe(1)
      expect(await byTestId('load-error').textContent()).toContain('INVALID_ARGUMENT')
      await byTestId('load-rps').fill('25')
      expect(await byTestId('load-error').count()).toBe(0)
    } finally {
      tamper = () => {}
    }
  })

  it('autoscale: a capacity over the limit is explained at the field; an engine refusal goes with the next edit', async () => {
    const capacity = panel().locator('[data-testid="autoscale-capacity"]')
    const applyButton = panel().locator('[data-testid="btn-autoscale-apply"]')
    const error = panel().locator('[data-testid="autoscale-error"]')
    await capacity.fill('2000000')
    expect((await error.textContent())?.trim()).toBe('Capacity is at most 1000000 req/s per replica')
    expect(await capacity.getAttribute('aria-invalid')).toBe('true')
    expect(await applyButton.isDisabled()).toBe(true)
    await panel().locator('[data-testid="autoscale-controls"]').screenshot({ path: 'test-results/e2e-form-errors-autoscale.png' })

    tamper = (msg) => {
      if (msg.name === 'setAutoscale') msg.request['capacityRps'] = 5_000_000
    }
    try {
      await capacity.fill('50')
      expect(await error.count()).toBe(0)
      await applyButton.click()
      await expect.poll(() => error.count(), { timeout: 5000 }).toBe(1)
      expect(await error.textContent()).toContain('INVALID_ARGUMENT')
      await capacity.fill('40')
      expect(await error.count()).toBe(0)
    } finally {
      tamper = () => {}
    }
    expect(pageErrors).toEqual([])
  })
})
