/**
 * Autoscaling commands from the service panels: applying a mode and limits, and "what if" replays.
 * The applied settings come back in the next snapshot (service.autoscale); this store keeps only
 * each call's progress and outcome, by service name.
 */
import { create } from 'zustand'
import { api } from '../api'
import type { AutoscaleMode, WhatIfResultView } from '../../../shared/autoscale'
import { toErrorInfo, type ErrorInfo } from '../core/error-info'

export type ApplyState = { status: 'running' } | { status: 'done'; at: number } | { status: 'failed'; error: ErrorInfo }

export type WhatIfState =
  | { status: 'running' }
  | { status: 'done'; result: WhatIfResultView }
  | { status: 'failed'; error: ErrorInfo }

export interface AutoscaleRequest {
  service: string
  mode: AutoscaleMode
  minReplicas: number
  maxReplicas: number
  capacityRps: number
}

export interface WhatIfRequest {
  service: string
  capacityRps?: number
  coldStartSeconds?: number
  traceCsv?: string
}

interface AutoscaleState {
  applies: Record<string, ApplyState>
  whatIfs: Record<string, WhatIfState>
  apply(request: AutoscaleRequest): Promise<void>
  /** Forgets a service's finished apply (its refusal is about values the user is now changing). */
  clearApply(service: string): void
  runWhatIf(request: WhatIfRequest): Promise<void>
  clearWhatIf(service: string): void
}

export const useAutoscale = create<AutoscaleState>((set, get) => ({
  applies: {},
  whatIfs: {},

  async apply(request) {
    const { service } = request
    if (get().applies[service]?.status === 'running') return
    set({ applies: { ...get().applies, [service]: { status: 'running' } } })
    try {
      await api.setAutoscale(request)
      set({ applies: { ...get().applies, [service]: { status: 'done', at: Date.now() } } })
    } catch (err) {
      set({ applies: { ...get().applies, [service]: { status: 'failed', error: toErrorInfo(err) } } })
    }
  },

  clearApply(service) {
    const current = get().applies[service]
    if (current === undefined || current.status === 'running') return
    const { [service]: _gone, ...rest } = get().applies
    set({ applies: rest })
  },

  async runWhatIf(request) {
    const { service } = request
    if (get().whatIfs[service]?.status === 'running') return
    set({ whatIfs: { ...get().whatIfs, [service]: { status: 'running' } } })
    try {
      const result = await api.whatIf(request)
      set({ whatIfs: { ...get().whatIfs, [service]: { status: 'done', result } } })
    } catch (err) {
      set({ whatIfs: { ...get().whatIfs, [service]: { status: 'failed', error: toErrorInfo(err) } } })
    }
  },

  clearWhatIf(service) {
    const { [service]: _gone, ...rest } = get().whatIfs
    set({ whatIfs: rest })
  }
}))
