/**
 * The Electron window's lockdown, checked where it is decided (the window itself cannot start on
 * this machine): web preferences, the CSP (the same in the Electron header and in the built
 * index.html that headless mode serves), which URLs count as the app, which links may leave it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appUrlMatcher, CONTENT_SECURITY_POLICY, isExternalLinkAllowed, windowWebPreferences } from '../../src/main/window-security'
import { repoRoot } from '../helpers/headless-process'

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name as string, values])
  )
}

describe('window security', () => {
  it('isolates and sandboxes the renderer, with no Node in the page', () => {
    expect(windowWebPreferences('/x/preload.js')).toEqual({
      preload: '/x/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false
    })
  })

  it('has a strict CSP: only the app itself, no inline code, no eval, no plugins', () => {
    const d = directives(CONTENT_SECURITY_POLICY)
    expect(d.get('default-src')).toEqual(["'self'"])
    expect(d.get('script-src')).toEqual(["'self'"])
    expect(d.get('style-src')).toEqual(["'self'"])
    expect(d.get('connect-src')).toEqual(["'self'"])
    expect(d.get('object-src')).toEqual(["'none'"])
    expect(d.get('base-uri')).toEqual(["'none'"])
    for (const values of d.values()) {
      for (const v of values) expect(v).not.toMatch(/unsafe|\*|^https?:$|^wss?:$/)
    }
  })

  it.each([['src/renderer/index.html'], ['out/renderer/index.html']])('%s carries the same CSP', (file) => {
    const html = readFileSync(join(repoRoot, file), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY)
  })

  it.each([
    { desc: 'a file of the built renderer', url: 'file:///opt/prescal/out/renderer/index.html', app: true },
    { desc: 'a file in a sibling folder whose name starts the same', url: 'file:///opt/prescal/out/renderer-evil/index.html', app: false },
    { desc: 'a file elsewhere', url: 'file:///etc/passwd', app: false },
    { desc: 'a path that climbs out', url: 'file:///opt/prescal/out/renderer/../main/index.js', app: false },
    { desc: 'a web page', url: 'https://example.test/', app: false },
    { desc: 'not a URL', url: 'renderer/index.html', app: false }
  ])('built app: $desc → $app', ({ url, app }) => {
    expect(appUrlMatcher(undefined, '/opt/prescal/out/renderer')(url)).toBe(app)
  })

  it.each([
    { desc: 'the dev server', url: 'http://localhost:5173/index.html', app: true },
    { desc: 'a host that starts like it', url: 'http://localhost:5173.evil.test/', app: false },
    { desc: 'another port', url: 'http://localhost:5174/', app: false },
    { desc: 'a file', url: 'file:///opt/prescal/out/renderer/index.html', app: false }
  ])('dev server: $desc → $app', ({ url, app }) => {
    expect(appUrlMatcher('http://localhost:5173', '/opt/prescal/out/renderer')(url)).toBe(app)
  })

  it.each([
    { url: 'https://docs.docker.com/', allowed: true },
    { url: 'http://example.test/', allowed: false },
    { url: 'file:///etc/passwd', allowed: false },
    { url: 'javascript:alert(1)', allowed: false },
    { url: 'not a url', allowed: false }
  ])('external link $url → $allowed', ({ url, allowed }) => {
    expect(isExternalLinkAllowed(url)).toBe(allowed)
  })
})
