/**
 * Plain-Node entry: the engine plus the web bridge serving the built dashboard on loopback.
 *   node out/main/headless.js [--config FILE] [--port N]
 * Prints `Proxy listening on http://HOST:PORT` and `Dashboard: http://127.0.0.1:PORT/?token=TOKEN`
 * for scripts to read; SIGINT/SIGTERM shut down cleanly.
 *
 * Nothing but the version check runs before the app is loaded: under an older Node the app's
 * first import (node:sqlite) would fail with a stack trace instead of this message.
 */
import { join } from 'node:path'
import { nodeTooOld } from './node-version'

const tooOld = nodeTooOld(process.versions.node, process.execPath)
if (tooOld !== null) {
  console.error(tooOld)
  process.exit(1)
}
void import('./headless-main').then((m) => m.runHeadless(join(__dirname, '../renderer')))
