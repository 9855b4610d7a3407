/**
 * Health of one scraped backend as a pure state machine: `unknown` until the first verdict,
 * `up` on the first success, `down` after N consecutive failures. Callers hear only transitions,
 * so a flapping scrape that never reaches N failures produces no event.
 */
import type { FailureReason, Health } from '../../shared/types'

export interface HealthFailure {
  reason: FailureReason
  message: string
}

export interface HealthState {
  health: Health
  /** Failures since the last success; reset to 0 by a success. */
  consecutiveFailures: number
  /** The latest failure while consecutiveFailures > 0, else null. */
  lastFailure: HealthFailure | null
}

/** One scrape verdict fed to the machine. */
export type HealthObservation = { ok: true } | ({ ok: false } & HealthFailure)

export interface HealthChange {
  from: Health
  to: Health
}

export const DEFAULT_FAILURES_BEFORE_DOWN = 3

export const initialHealthState: HealthState = Object.freeze({
  health: 'unknown',
  consecutiveFailures: 0,
  lastFailure: null
})

/**
 * Applies one observation. Returns the next state (a new object; the input is not modified)
 * and the transition it caused, or null when health did not change. `failuresBeforeDown`
 * below 1 is treated as 1.
 */
export function observeHealth(
  state: HealthState,
  observation: HealthObservation,
  failuresBeforeDown: number = DEFAULT_FAILURES_BEFORE_DOWN
): { state: HealthState; transition: HealthChange | null } {
  if (observation.ok) {
    const next: HealthState = { health: 'up', consecutiveFailures: 0, lastFailure: null }
    return { state: next, transition: change(state.health, 'up') }
  }
  const threshold = Math.max(1, failuresBeforeDown)
  const consecutiveFailures = state.consecutiveFailures + 1
  const health: Health = consecutiveFailures >= threshold ? 'down' : state.health
  const next: HealthState = {
    health,
    consecutiveFailures,
    lastFailure: { reason: observation.reason, message: observation.message }
  }
  return { state: next, transition: change(state.health, health) }
}

function change(from: Health, to: Health): HealthChange | null {
  return from === to ? null : { from, to }
}
