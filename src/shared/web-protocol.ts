/**
 * Messages of the headless WebSocket bridge (path `/bridge`). One request per `cmd`, answered by
 * exactly one `reply` with the same id; engine events arrive as `evt`.
 */
import type { CommandName, EventName, Reply } from './channels'

export const BRIDGE_PATH = '/bridge'
export const TOKEN_COOKIE = 'prescal_token'

export type ClientMessage = { t: 'cmd'; id: number; name: CommandName; request: unknown }

export type ServerMessage =
  | { t: 'reply'; id: number; reply: Reply<unknown> }
  | { t: 'evt'; name: EventName; payload: unknown }
