/**
 * Start / Stop of the built-in load generator. Its running numbers come with every snapshot
 * (snapshot.load); this store keeps the form, the pending call and the last refusal, the form's
 * own (e.g. "Choose a trace CSV file") or the engine's. Either goes as soon as the form is edited:
 * it is about the values the user is changing, and a refusal left beside fixed values reads as if
 * they were still wrong.
 */
import { create } from 'zustand'
import { api } from '../api'
import type { LoadProfile } from '../../../shared/load-profile'
import { toErrorInfo, type ErrorInfo } from '../core/error-info'
import { defaultLoadForm, type LoadForm } from '../core/load-form'
import type { ParsedTrace } from '../core/trace-csv'

interface LoadState {
  /** The form, kept here so it survives a trip to the History view. */
  form: LoadForm
  trace: ParsedTrace | null
  setForm(form: LoadForm): void
  setTrace(trace: ParsedTrace | null): void
  pending: 'start' | 'stop' | null
  /** `fromForm`: found in the form before anything was sent. Cleared by the next edit, as the engine's is. */
  error: (ErrorInfo & { fromForm?: true }) | null
  start(profile: LoadProfile, path: string): Promise<void>
  stop(): Promise<void>
  /** A form problem found before anything was sent. */
  reject(message: string): void
}

export const useLoad = create<LoadState>((set, get) => ({
  form: defaultLoadForm,
  trace: null,
  setForm: (form) => set({ form, error: null }),
  setTrace: (trace) => set({ trace, error: null }),
  pending: null,
  error: null,
  async start(profile, path) {
    if (get().pending) return
    set({ pending: 'start', error: null })
    try {
      await api.startLoad({ profile, path })
      set({ pending: null })
    } catch (err) {
      set({ pending: null, error: toErrorInfo(err) })
    }
  },
  async stop() {
    if (get().pending) return
    set({ pending: 'stop', error: null })
    try {
      await api.stopLoad({})
      set({ pending: null })
    } catch (err) {
      set({ pending: null, error: toErrorInfo(err) })
    }
  },
  reject(message) {
    set({ error: { code: 'INVALID_ARGUMENT', message, fromForm: true } })
  }
}))
