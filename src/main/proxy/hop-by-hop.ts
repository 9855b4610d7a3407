/**
 * Header rewriting between the client and a backend, on Node's flat `rawHeaders` arrays
 * (`[name, value, name, value, ...]`): order, case and repeated fields (Set-Cookie) survive, and
 * the result goes straight into `http.request({ headers })` / `res.writeHead()` without an
 * intermediate object. Pure.
 */

/** RFC 9110 §7.6.1 connection-specific fields, plus the legacy Proxy-* ones. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-connection'
])

/** Lower-cased field names listed in every Connection header (they are hop-by-hop too). */
function connectionTokens(raw: readonly string[]): Set<string> | null {
  let tokens: Set<string> | null = null
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue
    for (const token of raw[i + 1]!.split(',')) {
      const t = token.trim().toLowerCase()
      if (t !== '') (tokens ??= new Set()).add(t)
    }
  }
  return tokens
}

function isHopByHop(lowerName: string, tokens: Set<string> | null): boolean {
  return HOP_BY_HOP.has(lowerName) || (tokens !== null && tokens.has(lowerName))
}

/** Response headers for the client: the backend's headers minus hop-by-hop ones. */
export function buildResponseHeaders(raw: readonly string[]): string[] {
  const tokens = connectionTokens(raw)
  const out: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (isHopByHop(name.toLowerCase(), tokens)) continue
    out.push(name, raw[i + 1]!)
  }
  return out
}

export interface ForwardedInfo {
  /** The client's socket address; undefined when the socket already closed. */
  clientAddress: string | undefined
  /** Host to send when the client sent none (HTTP/1.0): the proxy's own address. */
  fallbackHost: string
  /** The authority of an absolute-form request target: it replaces the client's Host. */
  authority?: string | null
}

const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)([^#]*)/i

/**
 * What goes upstream for a request target. Origin form (`/path?q`) and `*` pass unchanged; an
 * absolute-form target (`http://host/path`) is sent as its origin form, and its authority
 * becomes the Host, as RFC 9112 §3.2.2 asks (the Host the client also sent is ignored), so a
 * backend never sees a target that names another host than its Host header.
 */
export function requestTarget(url: string): { path: string; authority: string | null } {
  if (url.charCodeAt(0) === 47 /* / */) return { path: url, authority: null }
  const m = ABSOLUTE_FORM.exec(url)
  if (m === null) return { path: url, authority: null }
  const rest = m[2]!
  // Credentials in the URL (`user:pw@host`) are not part of a Host.
  const authority = m[1]!.slice(m[1]!.lastIndexOf('@') + 1)
  return { path: rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest, authority }
}

/** How many Host header lines a request has (more than one is a 400: RFC 9112 §3.2). */
export function hostCount(raw: readonly string[]): number {
  let n = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length === 4 && name.toLowerCase() === 'host') n++
  }
  return n
}

/**
 * Request headers for the backend: the client's headers minus hop-by-hop ones, with the
 * client address appended to X-Forwarded-For (existing values kept, in order), and
 * X-Forwarded-Proto / X-Forwarded-Host replaced (the proxy speaks plain http; the original Host
 * is what the client asked for). The Host header itself is passed through unchanged, unless the
 * target was in absolute form (`info.authority`).
 */
export function buildUpstreamRequestHeaders(raw: readonly string[], info: ForwardedInfo): string[] {
  const tokens = connectionTokens(raw)
  const out: string[] = []
  let forwardedFor: string | undefined
  const authority = info.authority ?? null
  let host: string | undefined = authority ?? undefined
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    const value = raw[i + 1]!
    const lower = name.toLowerCase()
    if (isHopByHop(lower, tokens)) continue
    switch (lower) {
      case 'x-forwarded-for':
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`
        continue
      case 'x-forwarded-proto':
      case 'x-forwarded-host':
        continue
      case 'host':
        if (authority !== null) continue
        host ??= value
        break
    }
    out.push(name, value)
  }
  if (authority !== null) out.push('Host', authority)
  else if (host === undefined) out.push('Host', info.fallbackHost)
  const address = info.clientAddress
  if (address !== undefined) {
    forwardedFor = forwardedFor === undefined ? address : `${forwardedFor}, ${address}`
  }
  if (forwardedFor !== undefined) out.push('X-Forwarded-For', forwardedFor)
  out.push('X-Forwarded-Proto', 'http')
  if (host !== undefined) out.push('X-Forwarded-Host', host)
  return out
}
