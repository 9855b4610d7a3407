/**
 * The engine when its proxy address is taken by another program (a real socket holds the port):
 * it keeps running without a proxy, and both the snapshot and an event say what happened and
 * which file to edit.
 */
import { mkdtempSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../../src/main/config/config-loader'
import { Engine } from '../../../src/main/engine'

const dir = mkdtempSync(join(tmpdir(), 'prescal-listen-'))
const configPath = join(dir, 'config.yaml')
let squatter: Server
let engine: Engine
let port: number

beforeAll(async () => {
  squatter = createServer()
  await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r))
  port = (squatter.address() as { port: number }).port
  engine = new Engine({
    dataDir: dir,
    configPath,
    config: parseConfig(
      `listen: 127.0.0.1:${port}
docker: { host: "unix://${dir}/no-docker.sock", callTimeoutMs: 500 }
history: { enabled: false }
`,
      configPath
    )
  })
  await engine.start()
})

afterAll(async () => {
  await engine?.close()
  await new Promise<void>((r) => squatter.close(() => r()))
})

describe('proxy address in use', () => {
  it('runs without a proxy; the snapshot says the address is in use and to change listen in the config file', () => {
    const proxy = engine.snapshot().proxy
    expect(engine.proxyUrl()).toBeNull()
    expect(proxy.url).toBeNull()
    expect(proxy.error).toBe(
      `The proxy is not running: 127.0.0.1:${port} is already in use by another program (another Prescal, or a server on that port). ` +
        `Change \`listen\` in ${configPath} to a free address and port (e.g. 127.0.0.1:8081), then restart Prescal.`
    )
  })

  it('records the same message as an error event with its code', async () => {
    const events = await engine.handlers.getEvents({ limit: 200 })
    const e = events.find((x) => x.kind === 'proxy.error')
    expect(e).toMatchObject({ level: 'error', code: 'PROXY_LISTEN_FAILED', message: engine.snapshot().proxy.error })
  })
})
