/**
 * What is wrong with a static backend entry, in words. A backend is `host:port` or an object with
 * an `address`; zod's union of the two can only say "Invalid input" when an entry is neither, so
 * the schema asks here instead. Pure: no I/O, no DNS (a host that does not resolve is the
 * poller's to report, with the backend marked down).
 */

const EXAMPLE = '127.0.0.1:3001'

/** The forms a `backends` entry may take, as a message ends when the entry fits none. */
export const BACKEND_FORMS = `host:port (e.g. ${EXAMPLE}) or { address: host:port, weight, ... }`

/** The keys a backend object takes, for an unknown key's message. */
export const BACKEND_KEYS = ['address', 'metricsPath', 'weight', 'healthCheck'] as const

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' }

/** A value as the user wrote it: strings quoted, an empty YAML entry as "an empty entry". */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty entry'
  return JSON.stringify(value) ?? String(value)
}

/**
 * Why `s` is not a usable backend address, or null when it is `host:port` with a port 1-65535.
 * `forms` ends the message when `s` is not even shaped like an address: the entry's accepted
 * forms for a string entry, just host:port for the `address` key.
 */
export function backendAddressProblem(s: string, forms = `host:port (e.g. ${EXAMPLE})`): string | null {
  const shown = showValue(s)
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? parseUrl(s) : null
  if (url) {
    const port = url.port || DEFAULT_PORTS[url.protocol]
    if (url.hostname && !url.hostname.startsWith('[') && port) {
      // Backends are reached over plain HTTP, and a request keeps its own path.
      const plain = url.protocol === 'http:' ? '' : ` (backends are reached over plain HTTP)`
      return `${shown} is a URL: write it as ${url.hostname}:${port}${plain}`
    }
  }
  const m = /^([^\s:/]+):([^\s:]*)$/.exec(s)
  if (!m) {
    if (/^[^\s:/]+$/.test(s)) return `${shown} has no port: write it as host:port, e.g. ${EXAMPLE}`
    return `${shown} is not ${forms}`
  }
  const portText = m[2]!
  if (!/^\d+$/.test(portText)) return `${shown}: the port must be a number 1-65535`
  const port = Number(portText)
  if (port < 1 || port > 65535) return `${shown}: port ${portText} is out of range (1-65535)`
  return null
}

function parseUrl(s: string): URL | null {
  try {
    return new URL(s)
  } catch {
    return null
  }
}
