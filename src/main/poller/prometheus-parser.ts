/**
 * Parser for the Prometheus text exposition format 0.0.4 (what prom-client, client_golang and
 * most exporters serve on /metrics). Pure: a string in, samples or the first error out.
 *
 * It scans the body once with a cursor instead of splitting lines or running regexes per line:
 * bodies can be several MiB and the poller parses one per backend per second.
 */

/** One sample line. A label named `__proto__` is kept as an own property. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
  /** Milliseconds since the epoch when the exposition carried a timestamp, else null. */
  timestampMs: number | null
}

/**
 * The outcome of a parse. On malformed input (truncated label, missing value, binary garbage)
 * nothing is returned but a short error and the 1-based line where it was found: a body that is
 * partly wrong is treated as wrong, like Prometheus does.
 */
export type ParseResult =
  | { ok: true; samples: Sample[] }
  | { ok: false; error: string; line: number }

const TAB = 9
const LF = 10
const CR = 13
const SPACE = 32
const QUOTE = 34
const HASH = 35
const COMMA = 44
const EQUALS = 61
const BACKSLASH = 92
const OPEN_BRACE = 123
const CLOSE_BRACE = 125

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const TIMESTAMP = /^[+-]?\d+$/
// Go's strconv.ParseFloat spellings, which is what the reference parser accepts.
const SPECIAL_VALUES: Record<string, number> = {
  nan: Number.NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity
}

/** Internal: thrown from the scanning helpers, caught once in parsePrometheusText. */
class SyntaxFailure {
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

/** Parses a whole exposition body. Never throws; an empty body is valid and has no samples. */
export function parsePrometheusText(body: string): ParseResult {
  const samples: Sample[] = []
  const len = body.length
  let pos = 0
  let line = 1
  try {
    while (pos < len) {
      pos = skipBlanks(body, pos)
      if (pos >= len) break
      const c = body.charCodeAt(pos)
      if (c === LF) {
        pos++
        line++
        continue
      }
      if (c === HASH) {
        // HELP, TYPE and free comments carry nothing the poller needs.
        const nl = body.indexOf('\n', pos)
        if (nl === -1) break
        pos = nl + 1
        line++
        continue
      }
      pos = parseSampleLine(body, pos, samples)
      // parseSampleLine stops on the line's LF or at the end of the body.
      if (pos < len) {
        pos++
        line++
      }
    }
  } catch (err) {
    if (err instanceof SyntaxFailure) return { ok: false, error: err.message, line }
    throw err
  }
  return { ok: true, samples }
}

/**
 * The value of the first sample called `name` whose labels include every pair in `labels`
 * (extra labels on the sample are allowed). Undefined when there is none.
 */
export function findValue(
  samples: readonly Sample[],
  name: string,
  labels?: Record<string, string>
): number | undefined {
  const wanted = labels ? Object.entries(labels) : []
  outer: for (const s of samples) {
    if (s.name !== name) continue
    for (const [k, v] of wanted) {
      if (s.labels[k] !== v) continue outer
    }
    return s.value
  }
  return undefined
}

function parseSampleLine(body: string, start: number, out: Sample[]): number {
  let pos = scanMetricName(body, start)
  if (pos === start) throw new SyntaxFailure('invalid metric name')
  const name = body.slice(start, pos)
  const labels: Record<string, string> = {}

  pos = skipBlanks(body, pos)
  if (body.charCodeAt(pos) === OPEN_BRACE) {
    pos = parseLabels(body, pos + 1, labels)
    pos = skipBlanks(body, pos)
  }

  const valueStart = pos
  pos = scanToken(body, pos)
  if (pos === valueStart) throw new SyntaxFailure(`missing value for ${name}`)
  const value = parseValue(body.slice(valueStart, pos))

  pos = skipBlanks(body, pos)
  let timestampMs: number | null = null
  const tsStart = pos
  pos = scanToken(body, pos)
  if (pos > tsStart) {
    const token = body.slice(tsStart, pos)
    if (!TIMESTAMP.test(token)) throw new SyntaxFailure(`invalid timestamp ${quote(token)}`)
    timestampMs = Number(token)
    pos = skipBlanks(body, pos)
    if (pos < body.length && body.charCodeAt(pos) !== LF) {
      throw new SyntaxFailure('unexpected text after timestamp')
    }
  }

  out.push({ name, labels, value, timestampMs })
  return pos
}

/** Parses `name="value", ...}` starting after the `{`; returns the position after the `}`. */
function parseLabels(body: string, start: number, labels: Record<string, string>): number {
  let pos = start
  for (;;) {
    pos = skipBlanks(body, pos)
    const c = body.charCodeAt(pos)
    if (c === CLOSE_BRACE) return pos + 1
    if (pos >= body.length || c === LF) throw new SyntaxFailure('unterminated label set')

    const nameStart = pos
    pos = scanLabelName(body, pos)
    if (pos === nameStart) throw new SyntaxFailure('invalid label name')
    const labelName = body.slice(nameStart, pos)

    pos = skipBlanks(body, pos)
    if (body.charCodeAt(pos) !== EQUALS) {
      throw new SyntaxFailure(`expected '=' after label ${labelName}`)
    }
    pos = skipBlanks(body, pos + 1)
    if (body.charCodeAt(pos) !== QUOTE) {
      throw new SyntaxFailure(`expected '"' to open the value of label ${labelName}`)
    }
    const [value, after] = readLabelValue(body, pos + 1)
    if (Object.hasOwn(labels, labelName)) throw new SyntaxFailure(`duplicate label ${labelName}`)
    // Plain objects keep V8's fast shapes (a null-prototype object is ~40% slower here), so the
    // one name that would set the prototype instead of a property is defined explicitly.
    if (labelName === '__proto__') {
      Object.defineProperty(labels, labelName, { value, enumerable: true, writable: true, configurable: true })
    } else {
      labels[labelName] = value
    }

    pos = skipBlanks(body, after)
    const sep = body.charCodeAt(pos)
    if (sep === COMMA) {
      pos++
      continue
    }
    if (sep === CLOSE_BRACE) return pos + 1
    if (pos >= body.length || sep === LF) throw new SyntaxFailure('unterminated label set')
    throw new SyntaxFailure(`expected ',' or '}' after label ${labelName}`)
  }
}

/** Reads a quoted label value starting after the opening quote; returns [value, position after the closing quote]. */
function readLabelValue(body: string, start: number): [string, number] {
  let pos = start
  let segmentStart = start
  let value = ''
  const len = body.length
  while (pos < len) {
    const c = body.charCodeAt(pos)
    if (c === QUOTE) return [value + body.slice(segmentStart, pos), pos + 1]
    // A raw newline ends the line, so the value was cut short.
    if (c === LF) break
    if (c === BACKSLASH) {
      value += body.slice(segmentStart, pos)
      const next = body.charCodeAt(pos + 1)
      if (next === BACKSLASH) value += '\\'
      else if (next === QUOTE) value += '"'
      else if (next === 110 /* n */) value += '\n'
      else if (pos + 1 >= len || next === LF) break
      else throw new SyntaxFailure(`invalid escape sequence ${quote(body.slice(pos, pos + 2))}`)
      pos += 2
      segmentStart = pos
      continue
    }
    pos++
  }
  throw new SyntaxFailure('unterminated label value')
}

function parseValue(token: string): number {
  if (DECIMAL.test(token)) return Number(token)
  const special = SPECIAL_VALUES[token.toLowerCase()]
  if (special !== undefined) return special
  throw new SyntaxFailure(`invalid value ${quote(token)}`)
}

function skipBlanks(body: string, pos: number): number {
  const len = body.length
  // CR counts as a blank so CRLF bodies parse; inside quotes it stays part of the value.
  while (pos < len) {
    const c = body.charCodeAt(pos)
    if (c !== SPACE && c !== TAB && c !== CR) break
    pos++
  }
  return pos
}

/** Non-blank run up to the end of the line (values and timestamps). */
function scanToken(body: string, pos: number): number {
  const len = body.length
  while (pos < len) {
    const c = body.charCodeAt(pos)
    if (c === SPACE || c === TAB || c === CR || c === LF) break
    pos++
  }
  return pos
}

/** `[a-zA-Z_:][a-zA-Z0-9_:]*` */
function scanMetricName(body: string, pos: number): number {
  const start = pos
  const len = body.length
  while (pos < len) {
    const c = body.charCodeAt(pos)
    const ok = isLetterOrUnderscore(c) || c === 58 /* : */ || (pos > start && isDigit(c))
    if (!ok) break
    pos++
  }
  return pos
}

/** `[a-zA-Z_][a-zA-Z0-9_]*` */
function scanLabelName(body: string, pos: number): number {
  const start = pos
  const len = body.length
  while (pos < len) {
    const c = body.charCodeAt(pos)
    if (!(isLetterOrUnderscore(c) || (pos > start && isDigit(c)))) break
    pos++
  }
  return pos
}

function isLetterOrUnderscore(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

/** Quotes a fragment for an error message, cut short so garbage input cannot flood the log. */
function quote(fragment: string): string {
  return JSON.stringify(fragment.length > 40 ? `${fragment.slice(0, 40)}…` : fragment)
}
