/**
 * Builds a PrescalApi from two transport functions. Preload (Electron IPC) and the headless
 * WebSocket client both use it, so the API surface is generated from `commandNames` once and
 * never written out per method.
 */
import {
  commandNames,
  type CommandName,
  type EventMap,
  type EventName,
  type PrescalApi,
  type Reply
} from './channels'
import { fromWireError, type WireError } from './errors'

export interface Transport {
  invoke(name: CommandName, request: unknown): Promise<Reply<unknown>>
  subscribe<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void
}

/**
 * `plainErrors`: reject with the `{ code, message }` object itself instead of a PrescalError.
 * The preload needs it: contextBridge copies a rejected Error's message only, dropping `code`,
 * while a plain object crosses intact (the renderer reads errors by shape).
 */
export function createApi(transport: Transport, opts: { plainErrors?: boolean } = {}): PrescalApi {
  const api: Record<string, unknown> = {}
  for (const name of commandNames) {
    api[name] = async (request: unknown) => {
      const reply = await transport.invoke(name, request ?? {})
      if (reply.ok) return reply.value
      if (opts.plainErrors) throw { name: 'PrescalError', code: reply.error.code, message: reply.error.message }
      throw fromWireError(reply.error as WireError)
    }
  }
  api.on = <E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) =>
    transport.subscribe(event, listener)
  return api as PrescalApi
}
