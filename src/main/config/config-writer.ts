import { readFileSync, realpathSync, statSync } from 'node:fs'
import { Document, isAlias, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from 'yaml'
import { PrescalError } from '../../shared/errors'
import { writeFileAtomic } from './atomic-write'
import { parseConfig } from './config-loader'

/** One change to the config document; throws a PrescalError when it cannot be made. */
export type ConfigEdit = (doc: Document) => void

/**
 * Writes a change made in the dashboard back into the config file, so it outlives the app. The
 * YAML document is edited in place: comments, key order and everything the user wrote stay as
 * they were. The file is re-read for every change (the user may have edited it meanwhile), the
 * result must still be a valid config, and it replaces the file atomically. Nothing is written
 * when any step fails; the caller reports the error and keeps the change for this run.
 */
export class ConfigWriter {
  constructor(readonly path: string) {}

  update(edit: ConfigEdit): void {
    let text: string
    let target: string
    let mode: number
    try {
      // A symlinked config is edited where it lives; the link stays a link.
      target = realpathSync(this.path)
      mode = statSync(target).mode & 0o777
      text = readFileSync(target, 'utf8')
    } catch (err) {
      throw new PrescalError('CONFIG_INVALID', `cannot read it: ${(err as Error).message}`, { cause: err })
    }
    const parsed = parseDocument(text)
    if (parsed.errors.length > 0) {
      const first = parsed.errors[0]!.message.split('\n')[0]!.replace(/:$/, '')
      throw new PrescalError('CONFIG_INVALID', `the file has a YAML syntax error now: ${first}`)
    }
    // A file of nothing but comments is an empty config: start a mapping (the comments go).
    const doc: Document = parsed.contents === null ? new Document({}) : parsed
    if (!isMap(doc.contents)) throw new PrescalError('CONFIG_INVALID', 'the file is not a mapping of settings now')
    edit(doc)
    const next = doc.toString({ lineWidth: 0 }) // never fold a long line the user wrote on one
    parseConfig(next, this.path)
    writeFileAtomic(target, next, mode)
  }
}

/** Sets `keys` (e.g. ['autoscale', 'mode']) under the service named `service`. */
export function setServiceKey(service: string, keys: readonly string[], value: unknown): ConfigEdit {
  return (doc) => {
    const services = doc.get('services')
    const entry = isSeq(services) ? services.items.find((s) => isMap(s) && s.get('name') === service) : undefined
    if (isAlias(entry)) throw shared(`service "${service}"`)
    if (!isMap(entry)) {
      throw new PrescalError('CONFIG_INVALID', `the file has no service named "${service}" now`)
    }
    setIn(doc, entry, keys, value)
  }
}

/** Sets `keys` (e.g. ['proxy', 'balancing']) from the top of the document. */
export function setTopKey(keys: readonly string[], value: unknown): ConfigEdit {
  return (doc) => setIn(doc, doc.contents as YAMLMap, keys, value)
}

function setIn(doc: Document, map: YAMLMap, keys: readonly string[], value: unknown): void {
  let at = map
  for (const k of keys.slice(0, -1)) {
    notShared(at, k)
    let next = at.get(k, true) as unknown
    if (next === undefined || next === null || (isScalar(next) && next.value === null)) {
      next = doc.createNode({})
      at.set(k, next)
    }
    if (isAlias(next)) throw shared(`"${k}"`)
    if (!isMap(next)) throw new PrescalError('CONFIG_INVALID', `"${k}" in the file is not a mapping`)
    at = next
  }
  const last = keys[keys.length - 1]!
  notShared(at, last)
  const old = at.get(last, true) as Node | undefined
  if (old?.anchor) throw shared(`"${last}"`)
  at.set(last, value)
}

/** Editing a node other places refer to (&anchor) would change them too, silently. */
function notShared(map: YAMLMap, key: string): void {
  if (map.anchor) throw shared(`the mapping holding "${key}"`)
}

function shared(what: string): PrescalError {
  return new PrescalError('CONFIG_INVALID', `${what} is shared through a YAML anchor (&name / *name); change it in the file by hand`)
}
