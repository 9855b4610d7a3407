/**
 * The Electron window's security settings, kept apart from index.ts (which imports electron) so
 * a unit test can check them. The renderer's index.html carries the same CSP in a meta tag for
 * headless mode; a test keeps the two identical.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Scripts, styles and connections only from the app itself. No 'unsafe-inline' or
 * 'unsafe-eval': React and uPlot set styles through the CSSOM, which CSP does not restrict, and
 * the headless bridge's WebSocket is same-origin, which 'self' covers.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"

/** The renderer runs sandboxed, isolated from the preload, with no Node in the page. */
export function windowWebPreferences(preloadPath: string): {
  preload: string
  contextIsolation: true
  sandbox: true
  nodeIntegration: false
  nodeIntegrationInSubFrames: false
  webSecurity: true
  allowRunningInsecureContent: false
  webviewTag: false
} {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false
  }
}

/**
 * A test for "this URL is the app": the dev server's origin, or a file inside the built renderer
 * folder. Compared as parsed URLs, so `file:///…/renderer-evil/x.html` or
 * `http://localhost:5173.evil.test` do not pass as a prefix would.
 */
export function appUrlMatcher(devServerUrl: string | undefined, rendererDir: string): (url: string) => boolean {
  if (devServerUrl !== undefined) {
    const origin = new URL(devServerUrl).origin
    return (url) => {
      try {
        return new URL(url).origin === origin
      } catch {
        return false
      }
    }
  }
  const dir = pathToFileURL(join(rendererDir, '/')).href
  return (url) => {
    try {
      const u = new URL(url)
      return u.protocol === 'file:' && u.href.startsWith(dir)
    } catch {
      return false
    }
  }
}

/** Links the app may hand to the system browser (window.open is always denied in the app). */
export function isExternalLinkAllowed(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:'
  } catch {
    return false
  }
}
