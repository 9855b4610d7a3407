/**
 * CPU% from two readings of a process's cumulative CPU-seconds counter
 * (`process_cpu_seconds_total`). Pure; the caller supplies the wall-clock times.
 */

/** One reading: the counter value and the wall-clock time (ms) it was taken at. */
export interface CpuReading {
  cpuSeconds: number
  atMs: number
}

/**
 * Δcpu / Δwall × 100, so one fully busy core is 100 and two are 200.
 *
 * `percent` is null when there is no previous reading, when wall time did not advance, or when
 * any input is NaN/±Infinity. A counter that went backwards means the process restarted: then
 * `reset` is true and `percent` is null (the Δ across a restart means nothing).
 */
export function cpuPercent(
  prev: CpuReading | null,
  cur: CpuReading
): { percent: number | null; reset: boolean } {
  if (prev === null) return { percent: null, reset: false }
  if (
    !Number.isFinite(prev.cpuSeconds) ||
    !Number.isFinite(prev.atMs) ||
    !Number.isFinite(cur.cpuSeconds) ||
    !Number.isFinite(cur.atMs)
  ) {
    return { percent: null, reset: false }
  }
  const deltaCpu = cur.cpuSeconds - prev.cpuSeconds
  if (deltaCpu < 0) return { percent: null, reset: true }
  const deltaWallMs = cur.atMs - prev.atMs
  if (deltaWallMs <= 0) return { percent: null, reset: false }
  return { percent: (deltaCpu * 1000 * 100) / deltaWallMs, reset: false }
}
