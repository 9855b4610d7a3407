/**
 * Exposes exactly the contract as `window.prescal`, built from the channel list; never ipcRenderer.
 * Runs sandboxed: it can import nothing at runtime but 'electron' and the bundled shared code.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { createApi } from '../shared/api-factory'
import { ipcChannel, type EventMap, type EventName, type Reply } from '../shared/channels'

const api = createApi({
  invoke: (name, request) => ipcRenderer.invoke(ipcChannel.command(name), request) as Promise<Reply<unknown>>,
  subscribe<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) {
    const channel = ipcChannel.event(event)
    const handler = (_e: Electron.IpcRendererEvent, payload: EventMap[E]): void => listener(payload)
    ipcRenderer.on(channel, handler)
    return () => {
      ipcRenderer.removeListener(channel, handler)
    }
  }
}, { plainErrors: true })

contextBridge.exposeInMainWorld('prescal', api)
