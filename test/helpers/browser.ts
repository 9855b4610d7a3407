import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM_PATH = process.env.PRESCAL_CHROMIUM ?? '/usr/bin/chromium'

export function browserAvailable(): boolean {
  return existsSync(CHROMIUM_PATH)
}

/** Debian's Chromium, headless, with the flags that keep it off the (closed) network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run'
    ]
  })
}

/**
 * Every console error and uncaught exception of a page (a CSP violation is a console error), so an
 * e2e test can end by asserting there were none.
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
  return errors
}

/** Chromium with one page (1280×800 unless told) open at `url`, its errors collected. */
export async function openPage(
  url: string,
  viewport = { width: 1280, height: 800 }
): Promise<{ browser: Browser; page: Page; pageErrors: string[] }> {
  const browser = await launchChromium()
  const page = await browser.newPage({ viewport })
  const pageErrors = collectPageErrors(page)
  await page.goto(url)
  return { browser, page, pageErrors }
}
