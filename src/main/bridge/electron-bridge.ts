/**
 * Electron transport: one ipcMain handler per command name from the contract, accepting calls
 * only from the app's own top frame; events are queued until the window has loaded.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import { commandNames, ipcChannel, type EventName, type Reply } from '../../shared/channels'
import type { WebBridgeSource } from './web-bridge'
import { dispatchCommand } from './command-dispatcher'

export function registerElectronBridge(
  win: BrowserWindow,
  source: WebBridgeSource,
  isAppUrl: (url: string) => boolean
): () => void {
  for (const name of commandNames) {
    ipcMain.handle(ipcChannel.command(name), (event: IpcMainInvokeEvent, request: unknown): Promise<Reply<unknown>> => {
      const frame = event.senderFrame
      if (!frame || frame.parent !== null || !isAppUrl(frame.url)) {
        return Promise.resolve({ ok: false, error: { code: 'UNAUTHORIZED', message: 'IPC from an unknown frame' } })
      }
      return dispatchCommand(source.handlers, name, request)
    })
  }

  let ready = false
  const queue: [EventName, unknown][] = []
  const send = (name: EventName, payload: unknown): void => {
    if (win.isDestroyed()) return
    if (!ready) {
      // Only the newest snapshot matters; events are kept in order, bounded.
      if (name === 'snapshot') {
        const i = queue.findIndex(([n]) => n === 'snapshot')
        if (i >= 0) queue.splice(i, 1)
      }
      if (queue.length < 1000) queue.push([name, payload])
      return
    }
    win.webContents.send(ipcChannel.event(name), payload)
  }
  win.webContents.on('did-finish-load', () => {
    ready = true
    for (const [name, payload] of queue.splice(0)) send(name, payload)
  })
  const offs = [source.onSnapshot((s) => send('snapshot', s)), source.onEvent((e) => send('event', e))]

  return () => {
    for (const off of offs) off()
    for (const name of commandNames) ipcMain.removeHandler(ipcChannel.command(name))
  }
}
