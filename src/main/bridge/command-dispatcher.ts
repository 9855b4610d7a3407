/**
 * The one place a command from any window enters main: the name must be in the contract and the
 * request must parse with its zod schema, else INVALID_ARGUMENT before any handler runs. Every
 * outcome becomes a Reply envelope, so transports never see a thrown error.
 */
import { commandNames, type CommandHandlers, type CommandName, type Reply } from '../../shared/channels'
import { toWireError } from '../../shared/errors'
import { commandSchemas } from '../../shared/schemas'
import { formatZodIssues } from '../config/config-loader'

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && (commandNames as readonly string[]).includes(name)
}

export async function dispatchCommand(
  handlers: CommandHandlers,
  name: unknown,
  request: unknown
): Promise<Reply<unknown>> {
  if (!isCommandName(name)) {
    return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `Unknown command ${JSON.stringify(name)}` } }
  }
  const parsed = commandSchemas[name].safeParse(request ?? {})
  if (!parsed.success) {
    return {
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: `${name}: ${formatZodIssues(parsed.error.issues).replace(/\n/g, '; ')}` }
    }
  }
  try {
    const handler = handlers[name] as (req: unknown) => Promise<unknown>
    return { ok: true, value: await handler(parsed.data) }
  } catch (err) {
    return { ok: false, error: toWireError(err) }
  }
}
