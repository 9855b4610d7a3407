/**
 * Balancing changes from the dashboard, per group (a service's name, or '' for the static
 * backends). The applied strategy comes back in the next snapshot; this store keeps only each
 * call's progress and error.
 */
import { create } from 'zustand'
import { api } from '../api'
import type { BalancingName } from '../../../shared/balancing'
import { toErrorInfo, type ErrorInfo } from '../core/error-info'

export type BalancingState = { status: 'running' } | { status: 'failed'; error: ErrorInfo }

interface BalancingStore {
  /** By group; absent when idle. */
  changes: Record<string, BalancingState>
  /** `service` null: the static backends. */
  set(service: string | null, strategy: BalancingName): Promise<void>
}

export const useBalancing = create<BalancingStore>((set, get) => ({
  changes: {},

  async set(service, strategy) {
    const key = service ?? ''
    if (get().changes[key]?.status === 'running') return
    set({ changes: { ...get().changes, [key]: { status: 'running' } } })
    try {
      await api.setBalancing({ service, strategy })
      const { [key]: _done, ...rest } = get().changes
      set({ changes: rest })
    } catch (err) {
      set({ changes: { ...get().changes, [key]: { status: 'failed', error: toErrorInfo(err) } } })
    }
  }
}))
