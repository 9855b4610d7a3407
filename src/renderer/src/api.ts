/**
 * The only module that touches `window.prescal`. In Electron the preload provides it; in headless
 * mode (served over HTTP) the same API is built over a WebSocket.
 */
import { createApi } from '../../shared/api-factory'
import type { PrescalApi } from '../../shared/channels'
import { createWsTransport } from './lib/ws-transport'
import { useConnection } from './stores/connection-store'

function resolveApi(): PrescalApi {
  if (window.prescal) return window.prescal
  const token = new URLSearchParams(location.search).get('token') ?? ''
  return createApi(createWsTransport(token, (state) => useConnection.getState().set(state)))
}

export const api: PrescalApi = resolveApi()
