/**
 * Builds the demo backend image with no registry: FROM scratch + the local node binary, its shared
 * libraries and server.js. The implementation lives in resources/demo-backend/demo-image-core.mjs,
 * shared with the `npm run demo-image` CLI; this module supplies the app's inputs and error types.
 */
import { accessSync, constants, readFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PrescalError } from '../../shared/errors'

// The built app embeds server.js at build time (electron.vite.config.ts `define`), so it needs no
// resources folder at run time. Run from source (tests, tsx scripts) it reads the file instead:
// a `?raw` import would make tsx execute server.js and start a server as a side effect.
declare const __DEMO_SERVER_SOURCE__: string | undefined

function demoServerSource(): string {
  if (typeof __DEMO_SERVER_SOURCE__ === 'string') return __DEMO_SERVER_SOURCE__
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url))
  return readFileSync(join(here, '../../../resources/demo-backend/server.js'), 'utf8')
}
import {
  buildDemoImageCore,
  DemoImageError,
  type DemoImageEngine
} from '../../../resources/demo-backend/demo-image-core.mjs'

export type { DemoImageEngine }

/**
 * The node binary to put in the image: this process's own, except under Electron, whose binary is
 * not a plain node (it is huge and needs GUI libraries): there the first `node` on PATH.
 */
export function resolveNodeBinary(env: Record<string, string | undefined> = process.env): string {
  if (!process.versions['electron']) return process.execPath
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, 'node')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here; keep looking
    }
  }
  throw new PrescalError(
    'DOCKER_ERROR',
    'No node binary found on PATH to put in the demo image: install Node.js, or run `npm run demo-image`'
  )
}

/**
 * Builds `tag` through `docker.buildImage`, reporting build output lines to `onProgress`.
 * Rejects DOCKER_ERROR for a failed build (error in the build stream, ldd failure, non-Linux host);
 * engine transport errors are rethrown as they come (DockerFleet maps them), as is an abort
 * through `options.signal`.
 */
export async function buildDemoImage(
  docker: DemoImageEngine,
  tag: string,
  onProgress: (line: string) => void,
  options: { signal?: AbortSignal; nodePath?: string } = {}
): Promise<void> {
  const nodePath = options.nodePath ?? resolveNodeBinary()
  try {
    await buildDemoImageCore({
      docker,
      tag,
      nodePath,
      serverSource: demoServerSource(),
      onProgress,
      ...(options.signal ? { signal: options.signal } : {})
    })
  } catch (err) {
    if (err instanceof DemoImageError) {
      throw new PrescalError('DOCKER_ERROR', `Building ${tag} failed (${err.stage}): ${err.message}`, { cause: err })
    }
    throw err
  }
}
