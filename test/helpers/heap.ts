import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/**
 * A real collector when one can be had: the CLI flag is not available to vitest workers, but the
 * flag set at runtime exposes `gc` to new contexts. Without it heap bounds are looser.
 */
export function collector(): (() => void) | null {
  const existing = (globalThis as { gc?: () => void }).gc
  if (typeof existing === 'function') return existing
  try {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as unknown
    return typeof gc === 'function' ? (gc as () => void) : null
  } catch {
    return null
  }
}

export async function heapUsedAfterSettling(gc: (() => void) | null): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.()
    await new Promise((r) => setTimeout(r, 20))
  }
  return getHeapStatistics().used_heap_size
}
