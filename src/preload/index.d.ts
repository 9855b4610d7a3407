import type { PrescalApi } from '../shared/channels'

declare global {
  interface Window {
    /** Present under Electron (set by the preload); absent in headless mode. */
    prescal?: PrescalApi
  }
}
