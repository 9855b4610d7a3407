/**
 * Every command over the real headless WebSocket bridge with hostile input: wrong types, unknown
 * names, containers that do not exist, replicas out of range, an unknown service, and a container
 * this app does not manage. Each must come back INVALID_ARGUMENT and change nothing.
 * Needs `npx electron-vite build`; the unmanaged-container case needs Docker (skips loudly,
 * fails with PRESCAL_REQUIRE_DOCKER=1).
 */
import { execFileSync } from 'node:child_process'
import Docker from 'dockerode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commandNames } from '../../src/shared/channels'
import { DEMO_IMAGE, ensureDemoImage } from '../helpers/demo-image'
import { startHeadless, type HeadlessApp } from '../helpers/headless-process'
import { dockerAvailable, requireOrSkip } from '../helpers/requirements'
import { connectBridge, type BridgeClient } from './bridge-client'

const SERVICE = 'sec'
const withDocker = await dockerAvailable()
const containerCommands = ['startContainer', 'stopContainer', 'restartContainer', 'removeContainer'] as const
// Valid-looking ids that no engine has.
const MISSING_IDS = ['0123456789ab', 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef']

/** Requests no command accepts (wrong shape or types). */
const wrongForAll: unknown[] = ['text', 42, true, [], [1, 2], { __proto__: { id: 'x' }, extra: 1 }, { constructor: 'x' }]

const wrongTypes: Array<[string, unknown]> = [
  ...commandNames.flatMap((name) => wrongForAll.map((req) => [name, req] as [string, unknown])),
  ['getSnapshot', { any: 1 }],
  ['getEvents', { limit: '10' }],
  ['getEvents', { limit: 0 }],
  ['getEvents', { limit: 1.5 }],
  ['getEvents', { limit: 100000 }],
  ['getRecentSeries', { seconds: -1 }],
  ['getRecentSeries', { seconds: 'all' }],
  ['buildDemoImage', { tag: 'evil:latest' }],
  ...containerCommands.flatMap((name) =>
    [
      {},
      { id: 12345678901234 },
      { id: 'ABCDEF012345' },
      { id: 'prescal-demo' },
      { id: '../../containers/json' },
      { id: '0123456789ab?force=1' },
      { id: 'abc' },
      { id: '0123456789ab', force: true }
    ].map((req) => [name, req] as [string, unknown])
  ),
  ['scaleService', {}],
  ['scaleService', { service: SERVICE }],
  ['scaleService', { service: SERVICE, replicas: '2' }],
  ['scaleService', { service: 5, replicas: 2 }],
  ['scaleService', { service: '', replicas: 2 }],
  ['scaleService', { service: SERVICE, replicas: 2, image: 'evil:latest' }]
]

describe('headless bridge rejects bad commands with INVALID_ARGUMENT', () => {
  let app: HeadlessApp
  let bridge: BridgeClient
  let seqBefore = 0

  beforeAll(async () => {
    app = await startHeadless(
      [
        'listen: 127.0.0.1:0',
        'ports: { from: 3950, to: 3959 }',
        withDocker ? '' : 'docker: { host: "unix:///nonexistent.sock" }',
        `services: [{ name: ${SERVICE}, image: ${DEMO_IMAGE}, containerPort: 3000, replicas: 0 }]`,
        ''
      ].join('\n')
    )
    bridge = await connectBridge(app.dashboardUrl)
    seqBefore = Math.max(0, ...(await bridge.events()).map((e) => e.seq))
  }, 40_000)

  afterAll(async () => {
    await bridge?.close()
    await app?.stop()
  })

  async function expectInvalid(name: string, request: unknown): Promise<string> {
    const reply = await bridge.send(name, request)
    expect(reply, `${name} ${JSON.stringify(request)}`).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    return reply.ok ? '' : reply.error.message
  }

  it.each(wrongTypes)('%s %j → INVALID_ARGUMENT', async (name, request) => {
    await expectInvalid(name, request)
  })

  it.each(['eval', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'getSnapshot ', 'GETSNAPSHOT', '', 'ipcRenderer'])(
    'unknown command %j → INVALID_ARGUMENT',
    async (name) => {
      await expectInvalid(name, {})
    }
  )

  it.each(containerCommands.flatMap((name) => MISSING_IDS.map((id) => [name, id] as const)))(
    '%s on a container that does not exist (%s) → INVALID_ARGUMENT',
    async (name, id) => {
      expect(await expectInvalid(name, { id })).toMatch(/not one Prescal manages|no longer exists/)
    }
  )

  it.each([21, -1, 2.5, 1e9, Number.MAX_SAFE_INTEGER])('scaleService to %d replicas → INVALID_ARGUMENT', async (replicas) => {
    await expectInvalid('scaleService', { service: SERVICE, replicas })
  })

  it.each(['nope', 'demo', 'SEC', 'sec ', '__proto__', 'constructor'])('scaleService of unknown service %j → INVALID_ARGUMENT', async (service) => {
    expect(await expectInvalid('scaleService', { service, replicas: 1 })).toMatch(/Unknown service|service/)
  })

  it('a control request is accepted (so the rejections above are not a dead bridge)', async () => {
    const reply = await bridge.send('getEvents', { limit: 5 })
    expect(reply.ok).toBe(true)
  })

  it('none of the rejected commands reached the engine', async () => {
    const after = (await bridge.events()).filter((e) => e.seq > seqBefore)
    const acted = after.filter((e) => e.kind.startsWith('scale.') || e.kind.startsWith('container.') || e.kind.startsWith('image.'))
    expect(acted).toEqual([])
  })

  describe('a container this app does not manage', () => {
    const run = requireOrSkip('docker', withDocker)
    let id = ''

    beforeAll(async () => {
      if (!run) return
      await ensureDemoImage(new Docker())
      id = execFileSync('docker', ['run', '-d', '--label', 'other=1', DEMO_IMAGE], { encoding: 'utf8' }).trim()
    }, 60_000)

    afterAll(() => {
      if (id) execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' })
    })

    it.skipIf(!run).each(containerCommands.flatMap((name) => [[name, 'full id'], [name, 'short id']] as const))(
      '%s with its %s → INVALID_ARGUMENT, container untouched',
      async (name, which) => {
        const ref = which === 'full id' ? id : id.slice(0, 12)
        await expectInvalid(name, { id: ref })
        const state = execFileSync('docker', ['inspect', '-f', '{{.State.Running}} {{.RestartCount}} {{.State.StartedAt}}', id], { encoding: 'utf8' })
        expect(state.startsWith('true 0 ')).toBe(true)
      }
    )

    it.skipIf(!run)('was never restarted or stopped by the app', () => {
      const [running, startedAt] = execFileSync('docker', ['inspect', '-f', '{{.State.Running}} {{.State.StartedAt}}', id], { encoding: 'utf8' }).trim().split(' ')
      expect(running).toBe('true')
      const created = execFileSync('docker', ['inspect', '-f', '{{.Created}}', id], { encoding: 'utf8' }).trim()
      // Started once, right after creation: a restart would move StartedAt by seconds.
      expect(Math.abs(Date.parse(startedAt!) - Date.parse(created))).toBeLessThan(5_000)
    })
  })
})
