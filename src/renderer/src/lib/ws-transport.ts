/**
 * Transport for headless mode: the dashboard talks to the engine over one WebSocket. It reconnects
 * with backoff when the engine restarts; requests in flight when the socket drops fail with CLOSED
 * (the caller shows the error; nothing is retried behind the user's back).
 */
import type { CommandName, EventMap, EventName, Reply } from '../../../shared/channels'
import type { Transport } from '../../../shared/api-factory'
import { BRIDGE_PATH, type ClientMessage, type ServerMessage } from '../../../shared/web-protocol'

type Listener = (payload: never) => void

export interface ConnectionListener {
  (state: 'open' | 'closed'): void
}

export function createWsTransport(token: string, onConnection?: ConnectionListener): Transport {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const url = `${scheme}//${location.host}${BRIDGE_PATH}?token=${encodeURIComponent(token)}`
  const pending = new Map<number, (reply: Reply<unknown>) => void>()
  const listeners = new Map<EventName, Set<Listener>>()
  const queue: ClientMessage[] = []
  let nextId = 1
  let socket: WebSocket | null = null
  let retryMs = 250

  function connect(): void {
    const ws = new WebSocket(url)
    socket = ws
    ws.onopen = () => {
      retryMs = 250
      onConnection?.('open')
      for (const msg of queue.splice(0)) ws.send(JSON.stringify(msg))
    }
    ws.onmessage = (e: MessageEvent<string>) => {
      const msg = JSON.parse(e.data) as ServerMessage
      if (msg.t === 'reply') {
        pending.get(msg.id)?.(msg.reply)
        pending.delete(msg.id)
      } else {
        for (const fn of listeners.get(msg.name) ?? []) fn(msg.payload as never)
      }
    }
    ws.onclose = () => {
      socket = null
      onConnection?.('closed')
      for (const [id, resolve] of pending) {
        resolve({ ok: false, error: { code: 'CLOSED', message: 'Connection to the engine was lost; try again.' } })
        pending.delete(id)
      }
      setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 5000)
    }
  }
  connect()

  return {
    invoke(name: CommandName, request: unknown): Promise<Reply<unknown>> {
      const msg: ClientMessage = { t: 'cmd', id: nextId++, name, request }
      return new Promise((resolve) => {
        pending.set(msg.id, resolve)
        if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg))
        else queue.push(msg)
      })
    },
    subscribe<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener as Listener)
      return () => set.delete(listener as Listener)
    }
  }
}
