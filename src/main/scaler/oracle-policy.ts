/**
 * The oracle: a policy that knows the future demand, used as the yardstick in backtests.
 *
 * Definition. Evaluated at t (every `everyMs`), it requests
 *   ceil(max demand rate over [t, t + coldStartMs + everyMs) / capacityRps), within [min, max],
 * with no tolerance, stabilization or step limit. Why the window starts at t and not at
 * t + coldStartMs: removals take effect at once, so a replica dropped at t is missing during
 * [t, t + cold) too. Replicas ready during [t + cold, t + cold + every) can only have been
 * requested at or before t and must survive the decision at t, and those serving [t, t + every)
 * must too; so any schedule with these decision times and this cold start that is never short
 * requests at least this many at t. The oracle is therefore never short (except during its first
 * cold start and the first cold start after a gap in the trace, whose demand its window, in trace
 * time, cannot see from before the gap) and is the least container-seconds such a schedule can use: a lower bound, not a target.
 */
import type { Decision, LoadSample, Policy, PolicyState, ScalerSettings } from './scaler-types'
import { replicaCount } from './scaler-types'
import { clampReplicas, replicasFor } from './scaling-limits'
import { asTraceColumns } from './trace-columns'
import type { TraceInput } from './trace-columns'

/**
 * An oracle for `trace` (rows of `stepMs`). Its decide() ignores history and must be called with
 * non-decreasing `now` (it slides a window over the trace).
 */
export function createOraclePolicy(traceInput: TraceInput, stepMs: number, everyMs: number): Policy {
  const { at, requests } = asTraceColumns(traceInput)
  // Monotonic deque of trace indices whose requests decrease: the front is the window's max.
  const deque: number[] = []
  let head = 0
  let nextIn = 0
  return {
    decide(
      now: number,
      _history: readonly LoadSample[],
      current: number,
      settings: ScalerSettings,
      _state: PolicyState
    ): Decision {
      const until = now + Math.max(0, settings.coldStartMs) + everyMs
      while (nextIn < at.length && at[nextIn]! < until) {
        const r = requests[nextIn]!
        while (deque.length > head && requests[deque[deque.length - 1]!]! <= r) deque.pop()
        deque.push(nextIn)
        nextIn++
      }
      // Rows ending at or before `now` are behind the window.
      while (deque.length > head && at[deque[head]!]! + stepMs <= now) head++
      if (head > 1024 && head * 2 > deque.length) {
        deque.splice(0, head)
        head = 0
      }
      const peakRps = deque.length > head ? requests[deque[head]!]! / (stepMs / 1000) : 0
      const desired = clampReplicas(replicasFor(peakRps, settings), settings)
      const secs = Math.round(until - now) / 1000
      return {
        desired,
        reason: `oracle: peak ${Math.round(peakRps)} req/s in the next ${secs} s → ${replicaCount(desired)} (was ${current})`,
        forecastRps: peakRps,
        policy: 'oracle'
      }
    }
  }
}
