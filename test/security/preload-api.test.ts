/**
 * The BUILT preload (out/preload/index.js, what Electron really loads) run in a bare `node:vm`
 * context with a fake `electron`: it must expose exactly the contract as `window.prescal`, never
 * ipcRenderer or a generic send/invoke, and each method must reach only its own channel.
 * Needs `npx electron-vite build` first.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { beforeAll, describe, expect, it } from 'vitest'
import { commandNames } from '../../src/shared/channels'
import { repoRoot } from '../helpers/headless-process'

interface Loaded {
  exposed: Array<{ name: string; api: Record<string, unknown> }>
  required: string[]
  invokes: Array<{ channel: string; args: unknown[] }>
  listeners: Map<string, Set<(...a: unknown[]) => void>>
  removed: string[]
  /** What the fake main process answers to the next invoke. */
  answer: { value: unknown }
}

function loadPreload(): Loaded {
  const file = join(repoRoot, 'out/preload/index.js')
  const code = readFileSync(file, 'utf8')
  const loaded: Loaded = { exposed: [], required: [], invokes: [], listeners: new Map(), removed: [], answer: { value: { ok: true, value: null } } }
  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => {
      loaded.invokes.push({ channel, args })
      return Promise.resolve(loaded.answer.value)
    },
    on: (channel: string, fn: (...a: unknown[]) => void) => {
      if (!loaded.listeners.has(channel)) loaded.listeners.set(channel, new Set())
      loaded.listeners.get(channel)!.add(fn)
      return ipcRenderer
    },
    removeListener: (channel: string, fn: (...a: unknown[]) => void) => {
      loaded.removed.push(channel)
      loaded.listeners.get(channel)?.delete(fn)
      return ipcRenderer
    },
    send: () => {
      throw new Error('the preload must not use ipcRenderer.send')
    },
    sendSync: () => {
      throw new Error('the preload must not use ipcRenderer.sendSync')
    }
  }
  const electron = {
    contextBridge: {
      exposeInMainWorld: (name: string, api: Record<string, unknown>) => loaded.exposed.push({ name, api })
    },
    ipcRenderer
  }
  const module = { exports: {} }
  // What a sandboxed preload gets: a require limited to a few modules; we allow only electron.
  const sandbox = {
    require: (id: string) => {
      loaded.required.push(id)
      if (id === 'electron') return electron
      throw new Error(`preload required "${id}", which a sandboxed preload cannot load`)
    },
    module,
    exports: module.exports,
    console,
    Promise,
    Error
  }
  runInNewContext(code, sandbox, { filename: file })
  return loaded
}

describe('built preload exposes exactly the contract', () => {
  let loaded: Loaded
  let api: Record<string, unknown>

  beforeAll(() => {
    expect(existsSync(join(repoRoot, 'out/preload/index.js')), 'run `npx electron-vite build` first').toBe(true)
    loaded = loadPreload()
    api = loaded.exposed[0]!.api
  })

  it('calls exposeInMainWorld once, as "prescal", and requires only electron', () => {
    expect(loaded.exposed.map((e) => e.name)).toEqual(['prescal'])
    expect([...new Set(loaded.required)]).toEqual(['electron'])
  })

  it('has exactly the command names plus "on", all functions', () => {
    expect(Object.keys(api).sort()).toEqual([...commandNames, 'on'].sort())
    for (const [key, value] of Object.entries(api)) expect(typeof value, key).toBe('function')
    // No getters or hidden own properties that contextBridge would copy too.
    expect(Object.getOwnPropertyNames(api).sort()).toEqual([...commandNames, 'on'].sort())
    expect(Object.getOwnPropertySymbols(api)).toEqual([])
  })

  it('leaks nothing named ipcRenderer / send / invoke, and no Electron object', () => {
    const names = Object.getOwnPropertyNames(api).map((n) => n.toLowerCase())
    for (const bad of ['ipcrenderer', 'send', 'sendsync', 'invoke', 'emit', 'require', 'electron', 'process']) {
      expect(names).not.toContain(bad)
    }
    for (const value of Object.values(api)) {
      expect(value).not.toBe(loaded.exposed)
      expect(Object.keys(value as object)).toEqual([])
    }
  })

  it.each(commandNames)('%s invokes only prescal:cmd:%s and unwraps the reply', async (name) => {
    loaded.invokes.length = 0
    loaded.answer.value = { ok: true, value: { echo: name } }
    const request = name === 'scaleService' ? { service: 'demo', replicas: 2 } : {}
    await expect((api[name] as (r: unknown) => Promise<unknown>)(request)).resolves.toEqual({ echo: name })
    expect(loaded.invokes).toEqual([{ channel: `prescal:cmd:${name}`, args: [request] }])
  })

  it('turns an error reply into a rejection carrying the code', async () => {
    loaded.answer.value = { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'nope' } }
    const call = (api['scaleService'] as (r: unknown) => Promise<unknown>)({ service: 'x', replicas: 99 })
    await expect(call).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'nope' })
  })

  it('on() listens to prescal:evt:<name> only and unsubscribes', () => {
    const seen: unknown[] = []
    const off = (api['on'] as (e: string, fn: (p: unknown) => void) => () => void)('snapshot', (p) => seen.push(p))
    expect([...loaded.listeners.keys()]).toEqual(['prescal:evt:snapshot'])
    // Electron calls listeners with (event, payload); the page must get the payload only.
    for (const fn of loaded.listeners.get('prescal:evt:snapshot')!) fn({ sender: 'ipc event object' }, { at: 1 })
    expect(seen).toEqual([{ at: 1 }])
    off()
    expect(loaded.removed).toEqual(['prescal:evt:snapshot'])
    expect(loaded.listeners.get('prescal:evt:snapshot')!.size).toBe(0)
  })
})
