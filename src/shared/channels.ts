/**
 * The contract between the engine (main process or headless Node) and a window, written once.
 * This file has no runtime dependencies so the sandboxed preload can import it; the zod schemas
 * that validate every request live in `schemas.ts` and are applied in main before any handler runs.
 */
import type { z } from 'zod'
import type { commandSchemas } from './schemas'
import type {
  ActionResult,
  EngineEvent,
  ImageResult,
  ScaleResult,
  SeriesTick,
  Snapshot
} from './types'
import type { AutoscaleView, LoadStatsView, WhatIfResultView } from './autoscale'
import type { CsvExport, HistoryBackendView, HistoryEventView, HistoryResultView } from './history'

export const commandNames = [
  'getSnapshot',
  'getEvents',
  'getRecentSeries',
  'startContainer',
  'stopContainer',
  'restartContainer',
  'removeContainer',
  'scaleService',
  'buildDemoImage',
  'queryHistory',
  'historyEvents',
  'historyBackends',
  'exportHistoryCsv',
  'setAutoscale',
  'setBalancing',
  'whatIf',
  'startLoad',
  'stopLoad'
] as const

export type CommandName = (typeof commandNames)[number]

/** Response type of each command. Request types come from the zod schemas. */
export interface CommandResponses {
  getSnapshot: Snapshot
  getEvents: EngineEvent[]
  getRecentSeries: SeriesTick[]
  startContainer: ActionResult
  stopContainer: ActionResult
  restartContainer: ActionResult
  removeContainer: ActionResult
  scaleService: ScaleResult
  buildDemoImage: ImageResult
  queryHistory: HistoryResultView
  historyEvents: HistoryEventView[]
  historyBackends: HistoryBackendView[]
  exportHistoryCsv: CsvExport
  setAutoscale: AutoscaleView
  setBalancing: ActionResult
  whatIf: WhatIfResultView
  startLoad: LoadStatsView
  stopLoad: LoadStatsView
}

export type CommandRequest<K extends CommandName> = z.input<(typeof commandSchemas)[K]>
export type ParsedRequest<K extends CommandName> = z.output<(typeof commandSchemas)[K]>
export type CommandResponse<K extends CommandName> = CommandResponses[K]

export const eventNames = ['snapshot', 'event'] as const
export type EventName = (typeof eventNames)[number]

export interface EventMap {
  snapshot: Snapshot
  event: EngineEvent
}

/** What a window sees as `window.prescal` (Electron) or gets from the WebSocket client (headless). */
export type PrescalApi = {
  [K in CommandName]: (request: CommandRequest<K>) => Promise<CommandResponse<K>>
} & {
  /** Subscribes to an engine event; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void
}

/** Handlers in main receive requests already validated and parsed by their schema. */
export type CommandHandlers = {
  [K in CommandName]: (request: ParsedRequest<K>) => Promise<CommandResponse<K>>
}

/** The envelope every transport carries, because Electron IPC drops error properties. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } }

export const ipcChannel = {
  command: (name: CommandName): string => `prescal:cmd:${name}`,
  event: (name: EventName): string => `prescal:evt:${name}`
}
