/**
 * The headless app proper (headless.ts checks the Node version first, then loads this):
 * the engine plus the web bridge serving the built dashboard on loopback.
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { isPrescalError } from '../shared/errors'
import { loadConfig } from './config/config-loader'
import { Engine } from './engine'
import { WebBridge } from './bridge/web-bridge'
import { renderPrometheus } from './bridge/prometheus-exporter'

// node:sqlite is stable enough for us but still flagged experimental in Node 22: keep the
// user's terminal for messages that mean something.
process.removeAllListeners('warning')
process.on('warning', (w) => {
  if (w.name === 'ExperimentalWarning' && /SQLite/.test(w.message)) return
  console.warn(`${w.name}: ${w.message}`)
})

const USAGE = 'usage: npm run headless -- [--config FILE] [--port N]'

async function main(rendererDir: string): Promise<void> {
  let args
  try {
    args = parseArgs({
      options: { config: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } }
    }).values
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    process.exit(2)
  }
  if (args.help) {
    console.log(USAGE)
    return
  }
  const port = Number(args.port ?? 5174)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a number 0..65535, got "${args.port}"\n${USAGE}`)
    process.exit(2)
  }

  const { config, path, created } = loadConfig(args.config ?? null)
  console.log(`Config: ${path}${created ? ' (created with defaults)' : ''}`)

  const engine = new Engine({ config, configPath: path })
  const token = process.env.PRESCAL_TOKEN || randomBytes(24).toString('hex')
  const bridge = new WebBridge({
    port,
    token,
    rendererDir,
    source: { handlers: engine.handlers, onSnapshot: (fn) => engine.onSnapshot(fn), onEvent: (fn) => engine.onEvent(fn) },
    routes: {
      '/metrics': (res) => {
        const body = renderPrometheus(engine.snapshot())
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
        res.end(body)
      }
    }
  })

  await engine.start()
  try {
    await bridge.start()
  } catch (err) {
    await engine.close()
    throw err
  }
  const proxy = engine.proxyUrl()
  console.log(proxy ? `Proxy listening on ${proxy}` : `Proxy not listening: ${engine.snapshot().proxy.error}`)
  console.log(`Dashboard: ${bridge.url()}`)
  const history = engine.snapshot().history
  if (history && !history.ok) console.warn(`History: ${history.message}`)

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: shutting down`)
    // A hung shutdown must not leave the user's terminal stuck.
    setTimeout(() => process.exit(1), 15_000).unref()
    void bridge
      .close()
      .then(() => engine.close())
      .then(() => process.exit(0))
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

/** `rendererDir`: the built dashboard (this module sits in a chunk folder, so the entry says where). */
export function runHeadless(rendererDir: string): void {
  main(rendererDir).catch((err: unknown) => {
    console.error(isPrescalError(err) ? `${err.code}: ${err.message}` : err)
    process.exit(1)
  })
}
