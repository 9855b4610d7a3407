/**
 * Child process for the SIGKILL test: writes ticks as fast as it can and prints each tick number
 * after writeTick returned (stdout to a pipe is synchronous on Linux, so a printed tick was
 * committed before the parent can read it). Runs until killed.
 */
import { HistoryStore } from '../../../../src/main/history/history-store'
import { sample, T0 } from './history-fixtures'

const path = process.argv[2]
if (path === undefined) throw new Error('usage: crash-writer <db path>')
const store = HistoryStore.open(path)
let tick = 0
function step(): void {
  for (let k = 0; k < 5; k++) {
    store.writeTick(T0 + tick * 1000, ['a', 'b', 'c'].map((id) => sample(id, tick)), [])
    process.stdout.write(`${tick}\n`)
    tick++
  }
  setImmediate(step)
}
step()
