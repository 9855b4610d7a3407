/** Which view the window shows: Live (default, follows now) or History (a fixed past range). */
import { create } from 'zustand'

export type View = 'live' | 'history'

interface ViewState {
  view: View
  setView(view: View): void
}

export const useView = create<ViewState>((set) => ({
  view: 'live',
  setView: (view) => set({ view })
}))
