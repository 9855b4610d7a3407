import { replicaRange } from '../core/replica-input'
import { clampReplicas } from '../core/service-status'

/**
 * − [n] + for a replica count in 0..max, with the range beside it. The text belongs to the parent,
 * which says what is wrong with it: the field shows exactly what was typed (never a silently
 * corrected number), and −/+ step from it back into range.
 */
export function ReplicaStepper({
  text,
  max,
  disabled,
  invalid,
  errorId,
  onChange
}: {
  text: string
  max: number
  disabled: boolean
  invalid: boolean
  /** Id of the element that explains an invalid value (aria-describedby). */
  errorId: string
  onChange(text: string): void
}): React.JSX.Element {
  const typed = Number(text.trim())
  const base = text.trim() !== '' && Number.isFinite(typed) ? typed : 0
  const step = (delta: number): void => onChange(String(clampReplicas(base + delta, max)))

  return (
    <div className="stepper" role="group" aria-label="Replicas">
      <button type="button" className="btn stepper-btn" aria-label="One replica fewer" disabled={disabled || base <= 0} onClick={() => step(-1)}>
        −
      </button>
      <input
        type="number"
        data-testid="replicas-input"
        className={`stepper-input num${invalid ? ' input-invalid' : ''}`}
        min={0}
        max={max}
        step={1}
        value={text}
        disabled={disabled}
        aria-label="Replicas"
        aria-invalid={invalid}
        aria-describedby={invalid ? errorId : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <button type="button" className="btn stepper-btn" aria-label="One replica more" disabled={disabled || base >= max} onClick={() => step(1)}>
        +
      </button>
      <span className="stepper-unit muted">
        replicas{' '}
        <span className="stepper-range num" data-testid="replicas-range" title={`At most ${max}: maxReplicas of this service in the config`}>
          {replicaRange(max)}
        </span>
      </span>
    </div>
  )
}
