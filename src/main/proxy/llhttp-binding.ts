/**
 * Node's own HTTP/1 parser binding (llhttp), the one node:http is built on. An internal module,
 * but its API has been stable since Node 12; loaded lazily so a runtime without it only loses the
 * fast paths that use it (the raw upstream client and the fast lane fall back to node:http).
 */

export interface NodeHttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void
  execute(data: Buffer): number | Error
  finish(): number | Error | undefined
  /** Frees the native parser. Without it a parser (and all its callbacks reach) is never collected. */
  close(): void
  [k: number]: unknown
}

export interface HttpParserClass {
  new (): NodeHttpParser
  REQUEST: number
  RESPONSE: number
  kOnHeaders: number
  kOnHeadersComplete: number
  kOnBody: number
  kOnMessageComplete: number
}

interface Binding {
  HTTPParser: HttpParserClass
  /** Method names by the index llhttp reports. */
  methods: string[]
}

let binding: Binding | null | undefined

/** The parser class and method table, or null when this runtime lacks them. */
export function llhttp(): Binding | null {
  if (binding === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const common = require('_http_common') as Partial<Binding>
      binding = common.HTTPParser !== undefined && Array.isArray(common.methods) ? (common as Binding) : null
    } catch {
      binding = null
    }
  }
  return binding
}
