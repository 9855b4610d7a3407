/**
 * What the dashboard says about containers and images the config does not account for: a real
 * Docker engine, the headless app as a child process, Debian's Chromium. A running container of a
 * service the config does not name (as another Prescal on the same engine leaves) is listed but
 * not routed to, so it must not count as a healthy backend while the proxy answers 503. A service
 * whose image is not the demo image and is missing gets the Docker commands that make it, not a
 * "Build demo image" button that builds something else.
 */
import Docker from 'dockerode'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserAvailable, openPage } from '../helpers/browser'
import { startHeadless, type HeadlessApp } from '../helpers/headless-process'
import { httpGet } from '../helpers/http-client'
import { dockerAvailable, requireOrSkip } from '../helpers/requirements'
import { DEMO_IMAGE, ensureDemoImage } from '../helpers/demo-image'
import { removeServiceContainers } from '../helpers/test-containers'

const tag = Date.now().toString(36)
const SERVICE = `mine${tag}`
const OTHER = `other${tag}`
const MISSING_IMAGE = `prescal-e2e-missing-${tag}:1`
const docker = new Docker()
const run = requireOrSkip('docker', await dockerAvailable()) && requireOrSkip('browser', browserAvailable())

function removeTestContainers(): Promise<void> {
  return removeServiceContainers(docker, SERVICE, OTHER)
}

describe.skipIf(!run)('services the config does not name, and images it cannot build (Docker + headless + Chromium)', () => {
  let app: HeadlessApp
  let browser: Browser
  let page: Page
  let pageErrors: string[] = []

  beforeAll(async () => {
    await ensureDemoImage(docker)
    await removeTestContainers()
    // Another instance's replica: labelled like Prescal's own, of a service this config lacks.
    const other = await docker.createContainer({
      name: `prescal-${OTHER}-1`,
      Image: DEMO_IMAGE,
      Labels: { 'prescal.service': OTHER, 'prescal.port': '3000', 'prescal.managed': '1' },
      ExposedPorts: { '3000/tcp': {} },
      HostConfig: { PortBindings: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } }
    })
    await other.start()
    app = await startHeadless(`listen: 127.0.0.1:0
poll: { intervalMs: 500, timeoutMs: 400 }
ports: { from: 3400, to: 3499 }
services:
  - { name: ${SERVICE}, image: ${MISSING_IMAGE}, containerPort: 3000, replicas: 0 }
`)
    ;({ browser, page, pageErrors } = await openPage(app.dashboardUrl))
  }, 90_000)

  afterAll(async () => {
    await page?.screenshot({ path: 'test-results/e2e-other-services.png', fullPage: true }).catch(() => {})
    await browser?.close()
    const code = await app?.stop()
    await removeTestContainers()
    expect(code, `headless should exit cleanly on SIGTERM:\n${app?.output()}`).toBe(0)
  }, 60_000)

  const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`)
  const panel = () => page.locator(`[data-testid="service-panel"][data-service="${SERVICE}"]`)

  it("lists the other service's healthy container but counts no routed backend, as the proxy's 503 says", async () => {
    const row = page.locator(`[data-testid="backend-row"][data-service="${OTHER}"]`)
    await expect.poll(() => row.getAttribute('data-health'), { timeout: 20_000 }).toBe('up')
    expect((await httpGet(`${app.proxyUrl}/`)).status).toBe(503)
    const header = page.locator('.header-stat', { hasText: 'Backends' }).locator('.header-stat-value > span')
    expect(await header.textContent()).toBe('0/0 healthy')
    expect(await header.getAttribute('class')).toContain('text-warn')
    // At least OTHER's: test files running beside this one (and any other Prescal on this engine)
    // have labelled containers of their own services too, which count here alike.
    expect(await byTestId('backends-meta').textContent()).toMatch(/^0 routed · 0 healthy · [1-9]\d* of other services \(not routed\)$/)
  }, 40_000)

  it('a missing image that is not the demo image: the Docker commands that make it, no Build demo image button', async () => {
    await expect.poll(() => byTestId('docker-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('connected')
    await panel().locator('[data-testid="replicas-input"]').fill('1')
    await panel().locator('[data-testid="btn-scale"]').click()
    const fix = panel().locator('[data-testid="image-build"]')
    await expect.poll(() => fix.count(), { timeout: 20_000 }).toBe(1)
    expect(await panel().locator('[data-testid="btn-build-image"]').count()).toBe(0)
    const text = (await fix.textContent()) ?? ''
    expect(text).toContain(`docker pull ${MISSING_IMAGE}`)
    expect(text).toContain(`docker build -t ${MISSING_IMAGE} <dir>`)
    expect(await fix.getAttribute('data-fix')).toBe('docker')
    // The status line names what is missing; it does not offer the demo build either.
    expect(await panel().locator('[data-testid="service-detail"]').textContent()).toContain(`Image ${MISSING_IMAGE} not found`)
    expect(await panel().locator('[data-testid="service-detail"]').textContent()).not.toContain('Build demo image')
  }, 40_000)

  it('ran without a console error, an uncaught exception or a CSP violation in the page', () => {
    expect(pageErrors).toEqual([])
  })
})
