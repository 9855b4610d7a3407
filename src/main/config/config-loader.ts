/**
 * Reads the YAML config. A file that does not parse or validate is never half-applied: loading
 * throws CONFIG_INVALID with one line per problem, each naming the field (e.g.
 * `services[0].containerPort: expected number, received string`). A missing default file is
 * created with defaults so a first run shows the demo service.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseDocument } from 'yaml'
import type { z } from 'zod'
import { PrescalError } from '../../shared/errors'
import { writeFileAtomic } from './atomic-write'
import { configSchema, type Config } from './config-schema'

export const DEFAULT_CONFIG_YAML = `# Prescal Desktop configuration. Every key is optional; see README.md for the reference.
listen: 127.0.0.1:8080
poll: { intervalMs: 1000, timeoutMs: 800 }
backends: []            # static backends without a container, e.g. [127.0.0.1:9000]
services:
  - { name: demo, image: prescal-demo:latest, containerPort: 3000, replicas: 0 }
`

/** Where config and data live when no path is given: $XDG_CONFIG_HOME/prescal-desktop (like Electron's userData). */
export function defaultDataDir(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config')
  return join(base, 'prescal-desktop')
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key)
  return out || '(top level)'
}

export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('\n')
}

/** Parses YAML text into a validated Config; `source` names the file in error messages. */
export function parseConfig(text: string, source: string): Config {
  const doc = parseDocument(text, { prettyErrors: true })
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!
    throw new PrescalError('CONFIG_INVALID', `${source}: YAML syntax error: ${first.message}`)
  }
  const raw: unknown = doc.toJS() ?? {}
  const parsed = configSchema.safeParse(raw)
  if (!parsed.success) {
    throw new PrescalError(
      'CONFIG_INVALID',
      `${source} is not a valid Prescal config:\n${formatZodIssues(parsed.error.issues)}`
    )
  }
  return parsed.data
}

export interface LoadedConfig {
  config: Config
  path: string
  created: boolean
}

/** Loads `path`, or the default file in the data dir (created with defaults when missing). */
export function loadConfig(path: string | null, dataDir = defaultDataDir()): LoadedConfig {
  let created = false
  const file = path ?? join(dataDir, 'config.yaml')
  if (!existsSync(file)) {
    if (path) throw new PrescalError('CONFIG_INVALID', `Config file ${file} does not exist.`)
    mkdirSync(dirname(file), { recursive: true })
    writeFileAtomic(file, DEFAULT_CONFIG_YAML)
    created = true
  }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new PrescalError('CONFIG_INVALID', `Cannot read config file ${file}: ${(err as Error).message}`, { cause: err })
  }
  return { config: parseConfig(text, file), path: file, created }
}
