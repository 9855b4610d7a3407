/**
 * Request body framing checks (RFC 9112 §6). A request whose length is ambiguous is the raw
 * material of request smuggling: the proxy and the backend could disagree on where it ends.
 * node:http's parser already rejects most such requests (they reach `clientError`); this is the
 * second line for what it lets through (e.g. a Transfer-Encoding that does not end in chunked,
 * or a server run with --insecure-http-parser). Pure.
 */

export type RequestFraming =
  | { ok: true; body: 'none' | 'length' | 'chunked' }
  | { ok: false; reason: string }

const DIGITS = /^\d+$/

/** Reads Content-Length and Transfer-Encoding from a flat rawHeaders array. */
export function checkRequestFraming(raw: readonly string[]): RequestFraming {
  let contentLength: string | undefined
  let transferEncoding: string | undefined
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length !== 14 && name.length !== 17) continue
    const lower = name.toLowerCase()
    const value = raw[i + 1]!.trim()
    if (lower === 'content-length') {
      if (!DIGITS.test(value)) return { ok: false, reason: 'invalid Content-Length' }
      if (contentLength !== undefined && Number(contentLength) !== Number(value)) {
        return { ok: false, reason: 'conflicting Content-Length values' }
      }
      contentLength = value
    } else if (lower === 'transfer-encoding') {
      transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`
    }
  }
  if (transferEncoding !== undefined) {
    if (contentLength !== undefined) {
      return { ok: false, reason: 'both Content-Length and Transfer-Encoding' }
    }
    const codings = transferEncoding.toLowerCase().split(',')
    const last = codings[codings.length - 1]!.trim()
    if (last !== 'chunked' || codings.filter((c) => c.trim() === 'chunked').length !== 1) {
      return { ok: false, reason: 'Transfer-Encoding must end with a single chunked' }
    }
    return { ok: true, body: 'chunked' }
  }
  if (contentLength !== undefined && Number(contentLength) > 0) return { ok: true, body: 'length' }
  return { ok: true, body: 'none' }
}
