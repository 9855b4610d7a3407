/**
 * A minimal client of the headless WebSocket bridge for tests: sends raw `cmd` messages (any
 * name, any request, so tests can send what a hostile page would) and matches replies by id.
 */
import WebSocket from 'ws'
import type { Reply } from '../../src/shared/channels'
import type { EngineEvent, Snapshot } from '../../src/shared/types'
import { BRIDGE_PATH } from '../../src/shared/web-protocol'

export interface BridgeClient {
  ws: WebSocket
  /** Sends one command and resolves with its reply envelope (rejects after 20 s or on close). */
  send(name: string, request: unknown): Promise<Reply<unknown>>
  snapshot(): Promise<Snapshot>
  events(limit?: number): Promise<EngineEvent[]>
  close(): Promise<void>
}

/** `http://127.0.0.1:PORT/?token=T` → `ws://127.0.0.1:PORT/bridge?token=T` (token optional). */
export function bridgeUrl(dashboardUrl: string, withToken = true): string {
  const u = new URL(dashboardUrl)
  const token = u.searchParams.get('token')
  const out = new URL(BRIDGE_PATH, `ws://${u.host}`)
  if (withToken && token) out.searchParams.set('token', token)
  return out.toString()
}

export function connectBridge(dashboardUrl: string, headers: Record<string, string> = {}): Promise<BridgeClient> {
  const ws = new WebSocket(bridgeUrl(dashboardUrl), { headers })
  let nextId = 1
  const pending = new Map<number, { resolve: (r: Reply<unknown>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>()
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { t: string; id?: number; reply?: Reply<unknown> }
    if (msg.t !== 'reply' || msg.id === undefined) return
    const p = pending.get(msg.id)
    if (!p) return
    pending.delete(msg.id)
    clearTimeout(p.timer)
    p.resolve(msg.reply!)
  })
  ws.on('close', () => {
    for (const p of pending.values()) {
      clearTimeout(p.timer)
      p.reject(new Error('bridge closed'))
    }
    pending.clear()
  })
  const client: BridgeClient = {
    ws,
    send(name, request) {
      const id = nextId++
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new Error(`no reply to ${name} within 20 s`))
        }, 20_000)
        pending.set(id, { resolve, reject, timer })
        ws.send(JSON.stringify({ t: 'cmd', id, name, request }))
      })
    },
    async snapshot() {
      const r = await client.send('getSnapshot', {})
      if (!r.ok) throw new Error(`getSnapshot failed: ${r.error.code} ${r.error.message}`)
      return r.value as Snapshot
    },
    async events(limit = 1000) {
      const r = await client.send('getEvents', { limit })
      if (!r.ok) throw new Error(`getEvents failed: ${r.error.code} ${r.error.message}`)
      return r.value as EngineEvent[]
    },
    close() {
      return new Promise((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve()
        ws.once('close', () => resolve())
        ws.close()
      })
    }
  }
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client))
    ws.once('error', reject)
  })
}
