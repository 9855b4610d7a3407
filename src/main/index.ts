/**
 * Electron entry: app lifecycle, one locked-down window, and the engine wired to IPC.
 * Everything else in src/main runs under plain Node (see headless.ts).
 */
import { app, BrowserWindow, dialog, session, shell } from 'electron'
import { join } from 'node:path'
import { isPrescalError } from '../shared/errors'
import { loadConfig } from './config/config-loader'
import { Engine } from './engine'
import { registerElectronBridge } from './bridge/electron-bridge'
import { appUrlMatcher, CONTENT_SECURITY_POLICY, isExternalLinkAllowed, windowWebPreferences } from './window-security'

let engine: Engine | null = null

function rendererUrl(): string {
  return process.env.ELECTRON_RENDERER_URL ?? `file://${join(__dirname, '../renderer/index.html')}`
}

const isAppUrl = appUrlMatcher(process.env.ELECTRON_RENDERER_URL, join(__dirname, '../renderer'))

async function createWindow(): Promise<void> {
  const configArg = process.argv.find((a) => a.startsWith('--config='))?.slice('--config='.length) ?? null
  const { config, path } = loadConfig(configArg, app.getPath('userData'))
  engine = new Engine({ config, configPath: path, dataDir: app.getPath('userData') })
  await engine.start()

  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    show: false,
    title: 'Prescal Desktop',
    webPreferences: windowWebPreferences(join(__dirname, '../preload/index.js'))
  })
  const e = engine
  registerElectronBridge(
    win,
    { handlers: e.handlers, onSnapshot: (fn) => e.onSnapshot(fn), onEvent: (fn) => e.onEvent(fn) },
    isAppUrl
  )
  win.on('ready-to-show', () => win.show())
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault()
  })
  await win.loadURL(rendererUrl())
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault())
})

void app.whenReady().then(async () => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  try {
    await createWindow()
  } catch (err) {
    dialog.showErrorBox('Prescal Desktop cannot start', isPrescalError(err) ? err.message : String(err))
    app.exit(1)
  }
})

let quitting = false
app.on('before-quit', (event) => {
  if (quitting || !engine) return
  event.preventDefault()
  quitting = true
  void engine.close().finally(() => app.quit())
})

app.on('window-all-closed', () => app.quit())
