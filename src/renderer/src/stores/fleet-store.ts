/**
 * The latest Snapshot (proxy, backends, services, Docker). Replaced whole on every tick; fed only
 * by bridge-feed.ts.
 */
import { create } from 'zustand'
import type { BackendView, Snapshot } from '../../../shared/types'
import type { ErrorInfo } from '../core/error-info'

interface FleetState {
  snapshot: Snapshot | null
  /** Local clock when the snapshot arrived, to tell a stalled engine from a quiet one. */
  receivedAt: number | null
  /** Why the first snapshot could not be fetched (cleared by the next snapshot). */
  loadError: ErrorInfo | null
  setSnapshot(snapshot: Snapshot): void
  setLoadError(error: ErrorInfo): void
}

export const useFleet = create<FleetState>((set, get) => ({
  snapshot: null,
  receivedAt: null,
  loadError: null,
  setSnapshot(snapshot) {
    // The initial getSnapshot reply can arrive after a newer pushed snapshot: keep the newest.
    const current = get().snapshot
    if (current && snapshot.at < current.at) return
    set({ snapshot, receivedAt: Date.now(), loadError: null })
  },
  setLoadError(loadError) {
    set({ loadError })
  }
}))

export const selectBackends = (s: FleetState): BackendView[] | undefined => s.snapshot?.backends
export const selectServices = (s: FleetState) => s.snapshot?.services
export const selectDocker = (s: FleetState) => s.snapshot?.docker
export const selectProxy = (s: FleetState) => s.snapshot?.proxy
export const selectHasSnapshot = (s: FleetState): boolean => s.snapshot !== null
export const selectBackend =
  (id: string) =>
  (s: FleetState): BackendView | undefined =>
    s.snapshot?.backends.find((b) => b.id === id)
export const selectService = (name: string) => (s: FleetState) => s.snapshot?.services.find((v) => v.name === name)
