/**
 * Builds the demo backend image without any image registry: an image `FROM scratch` holding the
 * local node binary, the shared libraries `ldd` lists for it (at their own paths, dynamic loader
 * included) and server.js. Plain ESM with no TypeScript so that both the `npm run demo-image` CLI
 * (build-image.mjs) and the app (src/main/fleet/demo-image.ts) run this one implementation.
 *
 * Failures reject with a DemoImageError whose `stage` says which step failed; the app maps it to
 * its own error type.
 */
import { execFile } from 'node:child_process'
import { copyFile, link, mkdir, mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import tarFs from 'tar-fs'

/** Where the node binary lives inside the image. */
export const NODE_PATH_IN_IMAGE = '/usr/local/bin/node'
export const DEFAULT_DEMO_TAG = 'prescal-demo:latest'

export class DemoImageError extends Error {
  /**
   * @param {'platform' | 'ldd' | 'context' | 'build'} stage
   * @param {string} message
   * @param {unknown} [cause]
   */
  constructor(stage, message, cause) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'DemoImageError'
    this.stage = stage
  }
}

/**
 * Absolute paths of the libraries in `ldd` output, the loader included, vdso excluded.
 * Throws DemoImageError('ldd') when a library is "not found".
 * @param {string} output
 * @returns {string[]}
 */
export function parseLddOutput(output) {
  const paths = new Set()
  for (const raw of output.split('\n')) {
    const line = raw.trim()
    if (!line || line.includes('statically linked')) continue
    const missing = /^(\S+)\s+=>\s+not found/.exec(line)
    if (missing) throw new DemoImageError('ldd', `shared library ${missing[1]} not found by ldd`)
    const arrow = /=>\s+(\/\S+)/.exec(line)
    const bare = /^(\/\S+)/.exec(line)
    const path = arrow?.[1] ?? bare?.[1]
    if (path) paths.add(path)
  }
  return [...paths]
}

/**
 * @param {string} nodeInImage
 * @param {number} port
 */
export function demoDockerfile(nodeInImage = NODE_PATH_IN_IMAGE, port = 3000) {
  return [
    'FROM scratch',
    'COPY rootfs/ /',
    `ENV PORT=${port}`,
    `EXPOSE ${port}`,
    'LABEL prescal.demo=1',
    `ENTRYPOINT ${JSON.stringify([nodeInImage, '/app/server.js'])}`,
    ''
  ].join('\n')
}

/** @param {string} file @returns {Promise<string[]>} */
function ldd(file) {
  return new Promise((resolve, reject) => {
    execFile('ldd', [file], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new DemoImageError('ldd', `ldd ${file} failed: ${stderr.trim() || err.message}`, err))
        return
      }
      try {
        resolve(parseLddOutput(stdout))
      } catch (e) {
        reject(e)
      }
    })
  })
}

/**
 * Hard link when the temp dir shares the file system (no 100 MB copy), else copy. The source is
 * resolved first: link(2) on a symlink (e.g. /lib64/ld-linux-x86-64.so.2) would link the symlink
 * itself, leaving a dangling loader path in the image.
 */
async function place(from, to) {
  await mkdir(dirname(to), { recursive: true })
  const real = await realpath(from)
  try {
    await link(real, to)
  } catch {
    await copyFile(real, to)
  }
}

/**
 * Follows a build stream (newline-delimited JSON), reporting each output line; rejects on an
 * `error` message.
 * @param {NodeJS.ReadableStream} stream
 * @param {(line: string) => void} onProgress
 * @returns {Promise<void>}
 */
export function followBuildStream(stream, onProgress) {
  return new Promise((resolve, reject) => {
    let buffered = ''
    let failure = null
    const handle = (text) => {
      if (!text.trim()) return
      let msg
      try {
        msg = JSON.parse(text)
      } catch {
        onProgress(text.trim())
        return
      }
      if (msg.error || msg.errorDetail) {
        failure ??= String(msg.error ?? msg.errorDetail?.message ?? 'unknown build error').trim()
      } else if (typeof msg.stream === 'string') {
        for (const line of msg.stream.split('\n')) if (line.trim()) onProgress(line.trim())
      } else if (typeof msg.status === 'string') {
        onProgress(msg.status)
      }
    }
    stream.on('data', (chunk) => {
      buffered += chunk.toString()
      let nl
      while ((nl = buffered.indexOf('\n')) >= 0) {
        handle(buffered.slice(0, nl))
        buffered = buffered.slice(nl + 1)
      }
    })
    let settled = false
    const settle = (err) => {
      if (settled) return
      settled = true
      if (err) reject(err)
      else resolve()
    }
    stream.on('error', (err) => settle(new DemoImageError('build', `build stream failed: ${err.message}`, err)))
    stream.on('end', () => {
      handle(buffered)
      settle(failure ? new DemoImageError('build', `image build failed: ${failure}`) : null)
    })
    // An aborted response may only emit 'close': without this the promise would never settle.
    stream.on('close', () => settle(new DemoImageError('build', 'build stream closed before the build finished')))
  })
}

/**
 * Builds the demo image.
 * @param {{
 *   docker: { buildImage(file: NodeJS.ReadableStream, opts: Record<string, unknown>): Promise<NodeJS.ReadableStream> },
 *   tag: string,
 *   nodePath: string,
 *   serverSource: string,
 *   onProgress: (line: string) => void,
 *   signal?: AbortSignal
 * }} args
 * @returns {Promise<void>}
 */
export async function buildDemoImageCore({ docker, tag, nodePath, serverSource, onProgress, signal }) {
  if (process.platform !== 'linux') {
    throw new DemoImageError(
      'platform',
      'Building the demo image from the local node binary needs Linux; run `docker build -t ' +
        `${tag} resources/demo-backend` + '` instead (it uses node:22-alpine from a registry)'
    )
  }
  onProgress(`resolving shared libraries of ${nodePath}`)
  const libs = await ldd(nodePath)
  const dir = await mkdtemp(join(tmpdir(), 'prescal-demo-image-'))
  try {
    try {
      const rootfs = join(dir, 'rootfs')
      await place(nodePath, join(rootfs, NODE_PATH_IN_IMAGE))
      for (const lib of libs) await place(lib, join(rootfs, lib))
      await mkdir(join(rootfs, 'app'), { recursive: true })
      await writeFile(join(rootfs, 'app', 'server.js'), serverSource)
      await writeFile(join(dir, 'Dockerfile'), demoDockerfile())
    } catch (err) {
      throw new DemoImageError('context', `could not prepare the build context: ${err.message}`, err)
    }
    const nodeMb = ((await stat(nodePath)).size / 1e6).toFixed(0)
    onProgress(`sending context: node (${nodeMb} MB), ${libs.length} libraries, server.js`)
    // An uncompressed tar: gzip of a 100+ MB binary would cost seconds for a local socket.
    const context = tarFs.pack(dir)
    try {
      const stream = await docker.buildImage(context, { t: tag, rm: true, forcerm: true, abortSignal: signal })
      await followBuildStream(stream, onProgress)
    } finally {
      // After an abort or engine error the pack stream may be left half-read with a file open.
      context.destroy()
    }
    onProgress(`built ${tag}`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
