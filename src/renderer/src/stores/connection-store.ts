import { create } from 'zustand'

interface ConnectionState {
  state: 'connecting' | 'open' | 'closed'
  set(state: 'open' | 'closed'): void
}

/** Whether the window can reach the engine (always 'open' under Electron IPC). */
export const useConnection = create<ConnectionState>((set) => ({
  state: window.prescal ? 'open' : 'connecting',
  set: (state) => set({ state })
}))
