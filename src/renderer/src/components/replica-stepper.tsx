import { useEffect, useState } from 'react'
import { clampReplicas } from '../core/service-status'

/**
 * − [n] + for a replica count in 0..max. The field may be empty while typing; only whole numbers
 * in range reach onChange.
 */
export function ReplicaStepper({
  value,
  max,
  disabled,
  onChange
}: {
  value: number
  max: number
  disabled: boolean
  onChange(value: number): void
}): React.JSX.Element {
  const [text, setText] = useState(String(value))
  useEffect(() => setText(String(value)), [value])

  const commit = (raw: string): void => {
    setText(raw)
    if (raw.trim() === '') return
    const parsed = Number(raw)
    if (Number.isFinite(parsed)) onChange(clampReplicas(parsed, max))
  }

  return (
    <div className="stepper" role="group" aria-label="Replicas">
      <button
        type="button"
        className="btn stepper-btn"
        aria-label="One replica fewer"
        disabled={disabled || value <= 0}
        onClick={() => onChange(clampReplicas(value - 1, max))}
      >
        −
      </button>
      <input
        type="number"
        data-testid="replicas-input"
        className="stepper-input num"
        min={0}
        max={max}
        step={1}
        value={text}
        disabled={disabled}
        aria-label="Replicas"
        onChange={(e) => commit(e.target.value)}
        onBlur={() => setText(String(value))}
      />
      <button
        type="button"
        className="btn stepper-btn"
        aria-label="One replica more"
        disabled={disabled || value >= max}
        onClick={() => onChange(clampReplicas(value + 1, max))}
      >
        +
      </button>
      <span className="stepper-unit muted">replicas</span>
    </div>
  )
}
