/**
 * Child process for the history location tests: opens the store at argv[2], writes one tick and
 * prints the status and the tick's error code as JSON. Run in a child because the failures it
 * guards against spin or block in synchronous calls, which no test timeout can interrupt.
 */
import { HistoryStore } from '../../../../src/main/history/history-store'
import { isPrescalError } from '../../../../src/shared/errors'
import { sample, T0 } from './history-fixtures'

const path = process.argv[2]
if (path === undefined) throw new Error('usage: open-store <db path>')
const store = HistoryStore.open(path)
let tickError: string | null = null
try {
  store.writeTick(T0, [sample('a', 0)], [])
} catch (err) {
  tickError = isPrescalError(err) ? err.code : String(err)
}
process.stdout.write(JSON.stringify({ status: store.status(), tickError }))
store.close()
