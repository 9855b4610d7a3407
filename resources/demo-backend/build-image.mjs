#!/usr/bin/env node
/**
 * `npm run demo-image [-- <tag>]`: builds the demo backend image (default prescal-demo:latest) from
 * the local node binary, with no image registry. Same code path as the app's "Build demo image".
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { buildDemoImageCore, DEFAULT_DEMO_TAG } from './demo-image-core.mjs'

const require = createRequire(import.meta.url)
const Docker = require('dockerode')

const tag = process.argv[2] || DEFAULT_DEMO_TAG
const started = Date.now()
try {
  const serverSource = await readFile(new URL('./server.js', import.meta.url), 'utf8')
  await buildDemoImageCore({
    docker: new Docker(),
    tag,
    nodePath: process.execPath,
    serverSource,
    onProgress: (line) => console.log(`[demo-image] ${line}`)
  })
  console.log(`[demo-image] done in ${((Date.now() - started) / 1000).toFixed(1)} s: docker run --rm -p 127.0.0.1:3000:3000 ${tag}`)
} catch (err) {
  const hint = err && typeof err === 'object' && 'code' in err && ['ENOENT', 'ECONNREFUSED', 'EACCES'].includes(err.code)
    ? ' (is the Docker engine running? try `docker info`)'
    : ''
  console.error(`[demo-image] failed: ${err instanceof Error ? err.message : String(err)}${hint}`)
  process.exitCode = 1
}
